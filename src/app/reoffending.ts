/**
 * The proven re-offending use case: derives per-person outcomes from a cases and an offences file
 * by the MoJ rules, summarises them by group, and writes the per-person file when asked. `reoffending`
 * and `demo` call it.
 */
import { DataError, UsageError, type DataProblem } from '../core/errors.js';
import { parseYesNoCell } from '../core/cells.js';
import { formatDate, parseDate } from '../core/dates.js';
import { DEFAULT_RULES, type OffenceExclusions, type PersonOutcomes } from '../core/outcomes/proven-reoffending.js';
import { groupRows, summariseOutcomes, type GroupSummary } from '../core/outcomes/summarise-outcomes.js';
import { AtomicWriter } from '../io/atomic.js';
import { checkDistinctFiles } from '../io/distinct-files.js';
import { loadColumnMap, normaliseName } from '../io/column-map.js';
import { toCsv, toCsvRows, type Cell } from '../io/csv-writer.js';
import { assertReadableFile, loadCasesForOutcomes, openOffences, streamOffences, type OutcomeCases } from '../io/outcomes-input.js';
import { readOptions, type ReadOptions } from '../io/read-options.js';

export interface DeriveReoffendingOptions {
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
  /** How cells are read (delimiter, missing tokens, date order, decimal comma). */
  read?: Partial<ReadOptions>;
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
export async function deriveReoffending(options: DeriveReoffendingOptions): Promise<ReoffendingResult> {
  const followUpDays = options.followUpDays ?? DEFAULT_RULES.followUpDays;
  const waitingDays = options.waitingDays ?? DEFAULT_RULES.waitingDays;
  if (!Number.isInteger(followUpDays) || followUpDays < 1) throw new UsageError(`--follow-up-days must be a whole number >= 1, got ${followUpDays}`);
  if (!Number.isInteger(waitingDays) || waitingDays < 0) throw new UsageError(`--waiting-days must be a whole number >= 0, got ${waitingDays}`);
  const read = readOptions(options.read);
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

