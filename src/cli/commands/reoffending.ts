/**
 * `pilot-eval reoffending`: MoJ proven re-offending measures per group, with the exclusions that make
 * the offence totals reconcile, and optionally the per-person outcomes file that `analyse` reads.
 */
import type { Command } from 'commander';
import {
  deriveReoffending,
  emitReoffendingScript,
  type DeriveReoffendingOptions,
  type ReoffendingResult,
} from '../../app/reoffending.js';
import { DEFAULT_RULES, SQL_DIALECTS, type SqlDialect } from '../../app/reoffending.js';
import { UsageError } from '../../core/errors.js';
import { parseEngine, withEngineOption } from '../engine-option.js';
import type { GroupSummary } from '../../core/outcomes/summarise-outcomes.js';
import { parseReadOptions, withCommon, withReadOptions, type ReadCliOptions } from '../command-kit.js';
import { parseIntOption, parseListOption } from '../options.js';
import { painter, printJson, printText, table, terminalSafe, warn, withProgress } from '../output.js';

export interface ReoffendingOptions extends Omit<DeriveReoffendingOptions, 'read'>, ReadCliOptions {}

export { OUTCOME_COLUMNS, writeOutcomesCsv, withdrawnMask, type ReoffendingResult } from '../../app/reoffending.js';

/** Handler: parses the read options and calls the re-offending use case. */
export async function runReoffending(options: ReoffendingOptions): Promise<ReoffendingResult> {
  return deriveReoffending({ ...options, read: parseReadOptions(options) });
}

function fmt(v: number | null, digits: number): string {
  return v === null ? '-' : v.toFixed(digits);
}

function renderHuman(r: ReoffendingResult): string {
  const p = painter({ json: false });
  const byCols = Object.keys(r.groups[0]?.group ?? {});
  const head = [
    ...(byCols.length ? byCols.map(terminalSafe) : ['cohort']),
    'n',
    'measurable',
    'pending',
    'withdrawn',
    'reoffenders',
    'rate',
    're-offences',
    'per offender',
    'per re-offender',
    'median days',
    'severity/offender',
  ];
  const rows = [head.map((h) => p.bold(h))];
  const line = (label: string[], g: GroupSummary) => [
    ...label,
    String(g.n_cohort),
    String(g.n_measurable),
    String(g.n_pending),
    String(g.n_withdrawn),
    String(g.reoffenders),
    g.binary_rate === null ? '-' : `${(100 * g.binary_rate).toFixed(1)}%`,
    String(g.reoffences),
    fmt(g.frequency_per_offender, 2),
    fmt(g.frequency_per_reoffender, 2),
    fmt(g.median_days_to_first, 1),
    fmt(g.severity_per_offender, 2),
  ];
  // Group labels are data: control characters are escaped before any colour is added.
  for (const g of r.groups) rows.push(line(byCols.length ? byCols.map((c) => terminalSafe(g.group[c]!)) : ['all'], g));
  if (byCols.length) rows.push(line([p.bold('all'), ...byCols.slice(1).map(() => '')], r.overall));
  const e = r.exclusions;
  const out = [
    p.bold(
      `Proven re-offending (MoJ): ${r.follow_up_days}-day follow-up + ${r.waiting_days}-day waiting period, as of ${r.as_of}${r.as_of_source === 'latest_disposal' ? ' (latest disposal date)' : ''}`,
    ),
    '',
    table(rows, ['l', ...byCols.slice(1).map(() => 'l' as const), 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    `Offences in file: ${e.offences_total}; counted as proven re-offences: ${e.counted}`,
    `Not counted: on/before start ${e.on_or_before_start}, after follow-up ${e.after_follow_up}, breach ${e.breach}, other disposal ${e.other_disposal}, proven after waiting period ${e.disposed_after_waiting}, person pending ${e.pending_person}`,
    ...r.notes.map((n) => p.dim(n)),
  ];
  if (r.out) out.push(`Per-person outcomes written to ${r.out}`);
  return out.join('\n');
}

interface CliOptions extends ReadCliOptions {
  cases?: string;
  offences?: string;
  by?: string;
  asOf?: string;
  followUpDays?: string;
  waitingDays?: string;
  out?: string;
  map?: string;
  delimiter?: string;
  json?: boolean;
  engine?: string;
  emitSql?: string;
}

export function register(program: Command): void {
  withEngineOption(withReadOptions(withCommon(program.command('reoffending'))), true)
    .description(
      'Proven re-offending measures by the MoJ definition: binary rate, frequency, time to first re-offence, severity',
    )
    .option(
      '--cases <csv>',
      'cases file (id, start_date, and any grouping columns); - for stdin (required, except with --emit-sql)',
    )
    .option(
      '--offences <csv>',
      'offences file (id, offence_date, disposal_date, disposal_type[, severity]); - for stdin (required, except with --emit-sql)',
    )
    .option(
      '--emit-sql <dialect>',
      `print the derivation as one SQL script (${SQL_DIALECTS.join(', ')}) over tables named cases and offences, and stop; --cases/--offences, if given, only lend their headers`,
    )
    .option('--by <cols>', 'group by these case columns, comma-separated (default: the whole cohort)')
    .option('--as-of <date>', 'date the data were extracted (default: the latest disposal_date in the offences file)')
    .option('--follow-up-days <n>', 'follow-up window in days', String(DEFAULT_RULES.followUpDays))
    .option('--waiting-days <n>', 'further days for the offence to be proven', String(DEFAULT_RULES.waitingDays))
    .option(
      '-o, --out <csv>',
      'write per-person outcomes (id, measurable, reoffended, reoffences, days_to_reoffence, follow_up_days, severity, then the case columns)',
    )
    .option('--map <yaml>', 'map your column names onto the canonical ones')
    .option('--delimiter <d>', "field delimiter of the input files: ',' (default), ';', '|' or tab")
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval reoffending --cases trial/cases.csv --offences trial/offences.csv --by arm
  $ pilot-eval reoffending --cases cases.csv --offences offences.csv --by arm,site --as-of 2025-06-30 --out outcomes.csv
  $ pilot-eval reoffending --cases cases.csv --offences offences.csv --json | jq '.groups[] | {group, binary_rate}'

An offence counts when committed after the start date and within the follow-up, proven (not breach
or other) within the follow-up plus the waiting period. People whose start date + follow-up +
waiting period is after --as-of are pending: counted, but left out of the rates.

--engine duckdb derives the outcomes in DuckDB (in-process; the optional package @duckdb/node-api)
with the script --emit-sql duckdb prints; --engine auto (the default) does so for Parquet inputs of
1 MiB or more, where it is the quicker engine, and uses the JavaScript engine for CSV, where that is.
Both engines give the same results and files; see docs/engines.md.`,
    )
    .action(async (opts: CliOptions) => {
      // auto by default: the engine measured quicker for the inputs (docs/engines.md).
      const engine = parseEngine(opts.engine ?? 'auto');
      if (opts.emitSql !== undefined) {
        const dialect = opts.emitSql.trim().toLowerCase();
        if (!(SQL_DIALECTS as readonly string[]).includes(dialect))
          throw new UsageError(
            `--emit-sql must be one of ${SQL_DIALECTS.join(', ')}, got ${JSON.stringify(opts.emitSql)}`,
          );
        if (opts.out !== undefined || opts.json)
          throw new UsageError('--emit-sql prints a SQL script: it cannot be combined with --out or --json');
        const script = await emitReoffendingScript({
          dialect: dialect as SqlDialect,
          cases: opts.cases,
          offences: opts.offences,
          by: parseListOption(opts.by),
          asOf: opts.asOf,
          followUpDays: parseIntOption('--follow-up-days', opts.followUpDays, 1, 3650),
          waitingDays: parseIntOption('--waiting-days', opts.waitingDays, 0, 3650),
          map: opts.map,
          read: parseReadOptions(opts),
        });
        process.stdout.write(script);
        return;
      }
      if (opts.cases === undefined) throw new UsageError("required option '--cases <csv>' not specified");
      if (opts.offences === undefined) throw new UsageError("required option '--offences <csv>' not specified");
      const result = await withProgress('reading cases', Boolean(opts.json), (update) =>
        runReoffending({
          cases: opts.cases!,
          offences: opts.offences!,
          by: parseListOption(opts.by),
          asOf: opts.asOf,
          followUpDays: parseIntOption('--follow-up-days', opts.followUpDays, 1, 3650),
          waitingDays: parseIntOption('--waiting-days', opts.waitingDays, 0, 3650),
          out: opts.out,
          map: opts.map,
          delimiter: opts.delimiter,
          na: opts.na,
          dateFormat: opts.dateFormat,
          decimalComma: opts.decimalComma,
          onProgress: update,
          engine,
          onNotice: (m) => warn(m, { json: Boolean(opts.json) }),
        }),
      );
      if (opts.json) return printJson(result);
      printText(renderHuman(result));
    });
}
