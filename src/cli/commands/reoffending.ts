/**
 * `pilot-eval reoffending`: MoJ proven re-offending measures per group, with the exclusions that make
 * the offence totals reconcile, and optionally the per-person outcomes file that `analyse` reads.
 */
import type { Command } from 'commander';
import { DataError, UsageError, type DataProblem } from '../../core/errors.js';
import { parseYesNoCell } from '../../core/cells.js';
import { formatDate, parseDate } from '../../core/dates.js';
import { DEFAULT_RULES, type OffenceExclusions, type PersonOutcomes } from '../../core/outcomes/proven-reoffending.js';
import { groupRows, summariseOutcomes, type GroupSummary } from '../../core/outcomes/summarise-outcomes.js';
import { AtomicWriter } from '../../io/atomic.js';
import { checkDistinctFiles } from '../../io/distinct-files.js';
import { loadColumnMap, normaliseName } from '../../io/column-map.js';
import { toCsv, toCsvRows, type Cell } from '../../io/csv-writer.js';
import { assertReadableFile, loadCasesForOutcomes, openOffences, streamOffences, type OutcomeCases } from '../../io/outcomes-input.js';
import { parseReadOptions, withCommon, withReadOptions, type ReadCliOptions } from '../command-kit.js';
import { parseIntOption, parseListOption } from '../options.js';
import { painter, printJson, printText, table, terminalSafe, withProgress } from '../output.js';

export interface ReoffendingOptions {
  cases: string;
  offences: string;
  /** Case columns to group by; empty = the whole cohort. */
  by?: string[];
  /** YYYY-MM-DD or DD/MM/YYYY; default: the latest disposal date in the offences file. */
  asOf?: string;
  followUpDays?: number;
  waitingDays?: number;
  /** Per-person outcomes CSV. */
  out?: string;
  map?: string;
  delimiter?: string;
  /** `--na`, `--date-format`, `--decimal-comma` as given (see parseReadOptions). */
  na?: string;
  dateFormat?: string;
  decimalComma?: boolean;
  /** Called with a stage name while working (the CLI shows a spinner). */
  onProgress?: (stage: string) => void;
}

export interface ReoffendingResult {
  groups: GroupSummary[];
  /** The whole cohort (equals the single group when there is no --by). */
  overall: GroupSummary;
  exclusions: OffenceExclusions;
  as_of: string;
  /** `option` (--as-of) or `latest_disposal` (the default). */
  as_of_source: 'option' | 'latest_disposal';
  follow_up_days: number;
  waiting_days: number;
  inputs: Array<{ path: string; sha256: string | null }>;
  /** The per-person file written, or null. */
  out: string | null;
  notes: string[];
}

/** The per-person outcome columns, in the order `--out` writes them. */
export const OUTCOME_COLUMNS = ['id', 'measurable', 'reoffended', 'reoffences', 'days_to_reoffence', 'follow_up_days', 'severity'] as const;

const OUT_BATCH = 20_000;

/** Handler: derives outcomes, summarises them by group, writes the per-person file when asked. */
export async function runReoffending(options: ReoffendingOptions): Promise<ReoffendingResult> {
  const followUpDays = options.followUpDays ?? DEFAULT_RULES.followUpDays;
  const waitingDays = options.waitingDays ?? DEFAULT_RULES.waitingDays;
  if (!Number.isInteger(followUpDays) || followUpDays < 1) throw new UsageError(`--follow-up-days must be a whole number >= 1, got ${followUpDays}`);
  if (!Number.isInteger(waitingDays) || waitingDays < 0) throw new UsageError(`--waiting-days must be a whole number >= 0, got ${waitingDays}`);
  const read = parseReadOptions(options);
  let asOfDay: number | undefined;
  if (options.asOf !== undefined) {
    const d = parseDate(options.asOf, read.dateFormat);
    if (!d.ok) {
      throw new UsageError(
        `--as-of ${JSON.stringify(options.asOf)}: ${d.monthFirst ? 'is only a valid date month-first (US); dates are read day-first (DD/MM/YYYY): write it as YYYY-MM-DD, or pass --date-format mdy' : d.reason}`,
      );
    }
    asOfDay = d.day;
  }
  const by = (options.by ?? []).map(normaliseName);
  const dupBy = by.find((c, i) => by.indexOf(c) !== i);
  if (dupBy !== undefined) throw new UsageError(`--by names column "${dupBy}" twice`);
  const maps = options.map !== undefined ? loadColumnMap(options.map) : null;

  assertReadableFile(options.cases, '--cases');
  assertReadableFile(options.offences, '--offences');
  checkDistinctFiles(
    [
      { option: '--cases', path: options.cases },
      { option: '--offences', path: options.offences },
      { option: '--map', path: options.map },
    ],
    [{ option: '--out', path: options.out }],
  );
  options.onProgress?.('deriving proven re-offending');
  if (options.cases === '-' && options.offences === '-') throw new UsageError('only one input can be read from stdin (-): give a file path for --cases or --offences');
  // A large offences file is read on a worker thread while this one reads the cases.
  // Both inputs are hashed while they are read (no second pass over the files).
  const reader = openOffences(options.offences, options.cases === '-' ? '<stdin>' : options.cases, { read, maps, hash: true });
  let cases: OutcomeCases;
  let withdrawn: ReturnType<typeof withdrawnMask>;
  try {
    // Without --out only the --by columns are needed besides id and start_date.
    cases = await loadCasesForOutcomes(options.cases, { read, maps, caseColumns: options.out === undefined ? [...by, 'withdrawn'] : undefined, hash: true });
    withdrawn = withdrawnMask(cases);
    // Check --by before waiting for the (long) offences pass.
    const missing = by.filter((c) => !cases.table.cells.has(c));
    if (missing.length) {
      throw new UsageError(
        `--by: column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} not in ${cases.table.file} (its columns: ${cases.table.columns.filter((c) => c !== '').join(', ')})`,
      );
    }
  } catch (err) {
    reader.cancel();
    throw err;
  }
  const loaded = await streamOffences(options.offences, cases, { read, maps, rules: { followUpDays, waitingDays }, asOfDay, reader });
  const { outcomes } = loaded;
  options.onProgress?.('summarising');
  const groups = summariseOutcomes(outcomes, groupRows(by, by.map((c) => cases.table.cells.get(c)!), outcomes.n), withdrawn);
  const overall = by.length === 0 ? groups[0]! : summariseOutcomes(outcomes, groupRows([], [], outcomes.n), withdrawn)[0]!;

  if (options.out !== undefined) {
    options.onProgress?.(`writing ${options.out}`);
    writeOutcomesCsv(options.out, cases, outcomes, withdrawn);
  }
  const casesHash = cases.table.sha256 ?? null;
  const offencesHash = loaded.sha256;
  const notes = [
    `km_reoffending_365 is the Kaplan-Meier proportion re-offending by day 365 among measurable people; with the fixed MoJ window nobody is censored early, so it equals the proportion re-offending by day 365${followUpDays === 365 ? ' (the binary rate)' : ''}.`,
  ];
  if (overall.n_withdrawn > 0) {
    notes.push(`${overall.n_withdrawn} of ${overall.n_cohort} people are withdrawn (withdrawn = yes: lost to follow-up, so no record of re-offending can be taken as none) and are left out of the rates.`);
  }
  if (overall.n_pending > 0) {
    notes.push(`${overall.n_pending} of ${overall.n_cohort} people are pending (start date + ${followUpDays} + ${waitingDays} days is after ${formatDate(loaded.asOfDay)}) and are left out of the rates.`);
  }
  return {
    groups,
    overall,
    exclusions: outcomes.exclusions,
    as_of: formatDate(loaded.asOfDay),
    as_of_source: loaded.asOfDefaulted ? 'latest_disposal' : 'option',
    follow_up_days: followUpDays,
    waiting_days: waitingDays,
    inputs: [
      { path: options.cases, sha256: casesHash },
      { path: options.offences, sha256: offencesHash },
    ],
    out: options.out ?? null,
    notes,
  };
}

/**
 * Writes per-person outcomes, streamed: the outcome columns, then the cases' own columns (so
 * `analyse` reads it directly). Pending people have measurable = no and empty outcomes.
 */
export function writeOutcomesCsv(path: string, cases: OutcomeCases, o: PersonOutcomes, withdrawn: Uint8Array | null = null): void {
  const own = new Set<string>(OUTCOME_COLUMNS);
  const extra = cases.table.columns.filter((c) => c !== '' && !own.has(c));
  const extraCells = extra.map((c) => cases.table.cells.get(c)!);
  const writer = new AtomicWriter(path);
  try {
    writer.write(toCsv([...OUTCOME_COLUMNS, ...extra], []));
    let rows: Cell[][] = [];
    for (let i = 0; i < o.n; i++) {
      const m = o.measurable[i] === 1;
      const row: Cell[] = [cases.id(i), m ? 'yes' : 'no'];
      if (m && !withdrawn?.[i]) {
        const sev = o.severity === null ? null : o.severity[i]!;
        row.push(o.reoffended[i]!, o.reoffences[i]!, o.reoffended[i] ? o.daysToReoffence[i]! : null, o.followUpDays[i]!, sev !== null && !Number.isNaN(sev) ? sev : null);
      } else {
        row.push(null, null, null, null, null);
      }
      for (const c of extraCells) row.push(c[i]!);
      rows.push(row);
      if (rows.length === OUT_BATCH) {
        writer.write(toCsvRows(rows));
        rows = [];
      }
    }
    writer.write(toCsvRows(rows));
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/**
 * 1 for people marked `withdrawn = yes` (left the study / lost to follow-up): their outcomes are
 * unknown, not zero. Null when the cases have no withdrawn column.
 */
export function withdrawnMask(cases: OutcomeCases): Uint8Array | null {
  const col = cases.table.cells.get('withdrawn');
  if (!col) return null;
  const mask = new Uint8Array(cases.table.n);
  const problems: DataProblem[] = [];
  let bad = 0;
  for (let i = 0; i < col.length; i++) {
    const t = col[i]!;
    if (t === '') continue;
    const p = parseYesNoCell(t);
    if (p.ok) mask[i] = p.value ? 1 : 0;
    else if (bad++ < 20) problems.push({ file: cases.table.file, line: cases.table.lines[i]!, column: 'withdrawn', value: t, reason: p.reason });
  }
  if (bad) throw new DataError(problems, bad);
  return mask;
}

function fmt(v: number | null, digits: number): string {
  return v === null ? '-' : v.toFixed(digits);
}

function renderHuman(r: ReoffendingResult): string {
  const p = painter({ json: false });
  const byCols = Object.keys(r.groups[0]?.group ?? {});
  const head = [...(byCols.length ? byCols.map(terminalSafe) : ['cohort']), 'n', 'measurable', 'pending', 'withdrawn', 'reoffenders', 'rate', 're-offences', 'per offender', 'per re-offender', 'median days', 'severity/offender'];
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
    p.bold(`Proven re-offending (MoJ): ${r.follow_up_days}-day follow-up + ${r.waiting_days}-day waiting period, as of ${r.as_of}${r.as_of_source === 'latest_disposal' ? ' (latest disposal date)' : ''}`),
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
}

export function register(program: Command): void {
  withReadOptions(withCommon(program.command('reoffending')))
    .description('Proven re-offending measures by the MoJ definition: binary rate, frequency, time to first re-offence, severity')
    .requiredOption('--cases <csv>', 'cases file (id, start_date, and any grouping columns); - for stdin')
    .requiredOption('--offences <csv>', 'offences file (id, offence_date, disposal_date, disposal_type[, severity]); - for stdin')
    .option('--by <cols>', 'group by these case columns, comma-separated (default: the whole cohort)')
    .option('--as-of <date>', 'date the data were extracted (default: the latest disposal_date in the offences file)')
    .option('--follow-up-days <n>', 'follow-up window in days', String(DEFAULT_RULES.followUpDays))
    .option('--waiting-days <n>', 'further days for the offence to be proven', String(DEFAULT_RULES.waitingDays))
    .option('-o, --out <csv>', 'write per-person outcomes (id, measurable, reoffended, reoffences, days_to_reoffence, follow_up_days, severity, then the case columns)')
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
waiting period is after --as-of are pending: counted, but left out of the rates.`,
    )
    .action(async (opts: CliOptions) => {
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
        }),
      );
      if (opts.json) return printJson(result);
      printText(renderHuman(result));
    });
}
