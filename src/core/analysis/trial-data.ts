/**
 * Turns a per-person text table (from `readTable`, or outcomes derived from an offences file) into
 * the typed columns `analyseTrial` needs, with located data errors. Pure: no fs, no console.
 */
import { DataError, ProblemList, UsageError } from '../errors.js';
import { CASE_RULES } from '../case-schema.js';
import { parseBinaryCell, parseIntegerCell, parseNumberCell, parseYesNoCell, type Parsed } from '../cells.js';
import type { PersonOutcomes } from '../outcomes/proven-reoffending.js';

/** The structural shape of `TextTable` from src/io/table.ts. */
export interface TextTableLike {
  file: string;
  columns: string[];
  cells: Map<string, string[]>;
  lines: number[];
  n: number;
  /**
   * Columns held as numbers (NaN = empty) rather than text: the outcomes this program derived
   * itself (withDerivedOutcomes), already valid, so they are read without a text round trip. A
   * name is in `cells` or here, not both.
   */
  numbers?: ReadonlyMap<string, Float64Array>;
}

/** Whether the table has column `col` (as text or as numbers). */
export function hasColumn(table: TextTableLike, col: string): boolean {
  return table.cells.has(col) || (table.numbers?.has(col) ?? false);
}

/** Column `col` as text (a numeric column is written out: NaN as empty), or undefined. */
export function textColumn(table: TextTableLike, col: string): string[] | undefined {
  const c = table.cells.get(col);
  if (c !== undefined) return c;
  const v = table.numbers?.get(col);
  if (v === undefined) return undefined;
  const out = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number.isNaN(v[i]!) ? '' : String(v[i]);
  return out;
}

/** The rows `keep` of the table (in that order), every column kept. */
export function selectRows(table: TextTableLike, keep: readonly number[]): TextTableLike {
  const cells = new Map<string, string[]>();
  for (const [k, v] of table.cells)
    cells.set(
      k,
      keep.map((i) => v[i]!),
    );
  const numbers = new Map<string, Float64Array>();
  for (const [k, v] of table.numbers ?? [])
    numbers.set(
      k,
      Float64Array.from(keep, (i) => v[i]!),
    );
  return {
    file: table.file,
    columns: table.columns,
    cells,
    numbers,
    lines: keep.map((i) => table.lines[i]!),
    n: keep.length,
  };
}

export type OutcomeKind = 'binary' | 'count' | 'time' | 'continuous';

export interface OutcomeData {
  name: string;
  kind: OutcomeKind;
  /** Outcome per row (NaN = missing); for `time` the survival time in days. */
  y: Float64Array;
  /** For `time`: 1 = re-offended (event), 0 = censored. */
  event?: Uint8Array;
}

export interface Factor {
  column: string;
  /** 0-based level index per row (-1 = missing). */
  index: Int32Array;
  levels: string[];
}

export interface CovariateBlock {
  /** Source columns as asked. */
  columns: string[];
  /** Expanded model terms (numeric columns as is; factors as R names indicators: `sexmale`). */
  terms: string[];
  /** Column-major n x q values (NaN = missing). */
  X: Float64Array;
  q: number;
}

export interface TrialData {
  file: string;
  /** Rows in the two analysed arms (other arms are dropped and counted). */
  n: number;
  lines: Int32Array;
  treatment: string;
  control: string;
  /** 1 = treatment, 0 = control. */
  arm: Uint8Array;
  /** 1 = measurable (or no `measurable` column), 0 = pending / not measurable. */
  measurable: Uint8Array;
  outcomes: OutcomeData[];
  /** People marked `withdrawn = yes`: lost to follow-up, so their outcomes are missing. */
  withdrawn: number;
  cluster: Factor | null;
  stratum: Factor | null;
  /** Strata of the stratified Cox model (`strata` option); absent or null without it. */
  strata?: Factor | null;
  covariates: CovariateBlock | null;
  /** Baseline numeric columns for the balance table (covariates first, then standard ones present). */
  balance: Array<{ name: string; values: Float64Array }>;
  weights: Float64Array | null;
  /** With the `cace` option: the received-intervention column (1 / 0, NaN = empty) and sessions attended (NaN = empty; null when the file has no such column). */
  compliance?: { column: string; received: Float64Array; sessionsColumn: string; sessions: Float64Array | null } | null;
  /** With weights: the matched set of each row (a `subclass` column, as MatchIt writes), for the clustered sandwich. */
  matchedSet?: Factor | null;
  /** Subgroup columns (`subgroups` option): level index per row, -1 = missing. */
  subgroups?: Factor[];
  /** Time at risk per row (`exposure` option), > 0; NaN where not measurable. */
  exposure?: Float64Array | null;
  excludedOtherArms: number;
  otherArms: string[];
}

export interface TrialDataOptions {
  arm?: string;
  treatment?: string;
  control?: string;
  outcomes?: string[];
  cluster?: string;
  covariates?: string[];
  weights?: string;
  /** Randomisation strata for permutations (default: `stratum` when present and `resampling`). */
  stratum?: string;
  /** Column of strata for the stratified Cox model (e.g. randomisation block or site). */
  strata?: string;
  /**
   * Permutations or a bootstrap will be run: only then is the default `stratum` column read (and
   * its cells checked). A column named with `stratum` is always read.
   */
  resampling?: boolean;
  /** Column saying whether each person received the intervention (yes/no or 0/1), for the CACE. */
  cace?: string;
  /** Categorical columns for subgroup analyses of the binary outcome. */
  subgroups?: string[];
  /** Column of time at risk: a log offset in the count models. */
  exposure?: string;
}

/** The column of sessions attended, read for the exploratory dose-response with `cace`. */
export const SESSIONS_COLUMN = 'sessions_attended';

export const REOFFENDING_OUTCOMES = ['reoffended', 'reoffences', 'days_to_reoffence'] as const;
const STANDARD_BASELINE = ['age', 'ogrs3', 'prior_convictions'];
const CASE_RULE_OF = new Map(CASE_RULES);

/**
 * The columns `parseTrialData` can read with these options (canonical, lower-case): pass them to
 * `readTable({ columns })` so a wide file does not keep text columns the analysis never looks at.
 */
export function trialDataColumns(options: TrialDataOptions = {}): string[] {
  const cols = [
    options.arm ?? 'arm',
    ...(options.outcomes ?? []),
    ...REOFFENDING_OUTCOMES,
    'follow_up_days',
    'measurable',
    'withdrawn',
    ...(options.stratum !== undefined ? [options.stratum] : options.resampling ? ['stratum'] : []),
    ...(options.cluster !== undefined ? [options.cluster] : []),
    ...(options.strata !== undefined ? [options.strata] : []),
    ...(options.cace !== undefined ? [options.cace, SESSIONS_COLUMN] : []),
    ...(options.weights !== undefined ? [options.weights, 'subclass'] : []),
    ...(options.covariates ?? []),
    ...(options.subgroups ?? []),
    ...(options.exposure !== undefined ? [options.exposure] : []),
    ...STANDARD_BASELINE,
  ];
  return [...new Set(cols.map((c) => c.toLowerCase()))];
}

/**
 * Parses and validates the table.
 * @throws UsageError for options that do not fit the file (unknown arm label or column, a
 *   covariate without variance); DataError for bad cells (listing up to 20).
 */
export function parseTrialData(table: TextTableLike, options: TrialDataOptions = {}): TrialData {
  const file = table.file;
  const armCol = (options.arm ?? 'arm').toLowerCase();
  const numbers = table.numbers ?? new Map<string, Float64Array>();
  const has = (col: string) => hasColumn(table, col);
  // A numeric column read as text (e.g. named as a covariate) is written out once.
  const texts = new Map<string, string[] | undefined>();
  const text = (col: string) => {
    if (!texts.has(col)) texts.set(col, textColumn(table, col));
    return texts.get(col);
  };
  const need = (col: string, what: string): string[] => {
    const c = text(col);
    if (!c) {
      throw new DataError({
        file,
        line: 1,
        column: col,
        value: null,
        reason: `${what}: column "${col}" is missing (columns: ${table.columns.filter((x) => x).join(', ')})`,
      });
    }
    return c;
  };
  const armCells = need(armCol, '--arm');
  const problems = new ProblemList();
  const counts = new Map<string, number>();
  for (let r = 0; r < table.n; r++) {
    const a = armCells[r]!;
    if (a === '')
      problems.add({ file, line: table.lines[r]!, column: armCol, value: '', reason: 'the allocated arm is empty' });
    else counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  problems.throwIfAny();
  const labels = [...counts.keys()].sort();
  const { treatment, control } = chooseArms(labels, options.treatment, options.control, file);
  let n = 0;
  for (let r = 0; r < table.n; r++) if (armCells[r] === treatment || armCells[r] === control) n++;
  const keep = new Int32Array(n);
  const lines = new Int32Array(n);
  const arm = new Uint8Array(n);
  for (let r = 0, i = 0; r < table.n; r++) {
    const a = armCells[r]!;
    if (a !== treatment && a !== control) continue;
    keep[i] = r;
    lines[i] = table.lines[r]!;
    arm[i++] = a === treatment ? 1 : 0;
  }
  const nT = arm.reduce((s, v) => s + v, 0);
  if (nT === 0 || n - nT === 0) {
    throw new UsageError(`arm "${nT === 0 ? treatment : control}" has no rows in ${file}`);
  }

  const cellOf = (col: string) => {
    const c = text(col)!;
    return (i: number) => c[keep[i]!]!;
  };
  const parseColumn = (col: string, parse: (t: string) => Parsed<number>, allowEmpty: boolean): Float64Array => {
    const out = new Float64Array(n);
    const num = numbers.get(col);
    if (num !== undefined) {
      // Already numbers (derived by this program, so valid): only the empty check applies.
      for (let i = 0; i < n; i++) {
        const v = num[keep[i]!]!;
        out[i] = v;
        if (!allowEmpty && Number.isNaN(v))
          problems.add({ file, line: lines[i]!, column: col, value: '', reason: 'is empty' });
      }
      return out;
    }
    const get = cellOf(col);
    for (let i = 0; i < n; i++) {
      const t = get(i);
      if (t === '') {
        if (!allowEmpty) problems.add({ file, line: lines[i]!, column: col, value: '', reason: 'is empty' });
        out[i] = NaN;
        continue;
      }
      const p = parse(t);
      if (p.ok) out[i] = p.value;
      else {
        problems.add({ file, line: lines[i]!, column: col, value: t, reason: p.reason });
        out[i] = NaN;
      }
    }
    return out;
  };

  const measurable = new Uint8Array(n).fill(1);
  const measurableNumbers = numbers.get('measurable');
  if (measurableNumbers !== undefined) {
    for (let i = 0; i < n; i++) if (measurableNumbers[keep[i]!] === 0) measurable[i] = 0;
  } else if (has('measurable')) {
    const get = cellOf('measurable');
    for (let i = 0; i < n; i++) {
      const t = get(i);
      if (t === '') continue;
      const p = parseYesNoCell(t);
      if (p.ok) measurable[i] = p.value ? 1 : 0;
      else problems.add({ file, line: lines[i]!, column: 'measurable', value: t, reason: p.reason });
    }
  }

  // Outcomes.
  let names = options.outcomes?.map((o) => o.toLowerCase());
  if (!names || names.length === 0) {
    names = REOFFENDING_OUTCOMES.filter((o) => has(o) && (o !== 'days_to_reoffence' || has('follow_up_days')));
    if (names.length === 0) {
      throw new UsageError(
        `${file} has no re-offending outcome column (reoffended, reoffences, days_to_reoffence + follow_up_days): name one with --outcome <column>, or derive them with --offences <csv>`,
      );
    }
  }
  for (const o of names) {
    if (!has(o))
      throw new UsageError(
        `--outcome: column "${o}" is not in ${file} (columns: ${table.columns.filter((x) => x).join(', ')})`,
      );
    if (o === armCol || o === options.cluster?.toLowerCase())
      throw new UsageError(`--outcome: "${o}" is the arm or cluster column`);
  }
  const outcomes: OutcomeData[] = [];
  let reoffended: Float64Array | null = null;
  const getReoffended = () => (reoffended ??= parseColumn('reoffended', (t) => parseBinaryCell(t), true));
  for (const o of names) {
    if (o === 'reoffended') outcomes.push({ name: o, kind: 'binary', y: getReoffended() });
    else if (o === 'reoffences')
      outcomes.push({ name: o, kind: 'count', y: parseColumn(o, (t) => parseIntegerCell(t, 0), true) });
    else if (o === 'days_to_reoffence') {
      if (!has('follow_up_days')) throw new UsageError(`time to re-offence needs a follow_up_days column in ${file}`);
      const days = parseColumn(o, (t) => parseIntegerCell(t, 1), true);
      const follow = parseColumn('follow_up_days', (t) => parseIntegerCell(t, 1), true);
      const ev = has('reoffended') ? getReoffended() : null;
      const y = new Float64Array(n);
      const event = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const e = ev ? ev[i]! : Number.isNaN(days[i]!) ? 0 : 1;
        if (Number.isNaN(e)) {
          y[i] = NaN;
          continue;
        }
        event[i] = e;
        // The survival time: days to the first re-offence for re-offenders, the follow-up otherwise.
        y[i] = e === 1 && !Number.isNaN(days[i]!) ? days[i]! : follow[i]!;
        if (e === 1 && Number.isNaN(days[i]!) && Number.isNaN(follow[i]!) && measurable[i]) {
          problems.add({
            file,
            line: lines[i]!,
            column: o,
            value: '',
            reason: 'a re-offender needs days_to_reoffence or follow_up_days',
          });
        }
      }
      outcomes.push({ name: o, kind: 'time', y, event });
    } else outcomes.push({ name: o, kind: 'continuous', y: parseColumn(o, (t) => parseNumberCell(t), true) });
  }
  // `withdrawn = yes` means left the study / lost to follow-up: no outcome is observed for them,
  // whatever the outcome columns say (an empty offence record is not evidence of no re-offence).
  let withdrawn = 0;
  if (has('withdrawn')) {
    const get = cellOf('withdrawn');
    for (let i = 0; i < n; i++) {
      const t = get(i);
      if (t === '') continue;
      const p = parseYesNoCell(t);
      if (!p.ok) {
        problems.add({ file, line: lines[i]!, column: 'withdrawn', value: t, reason: p.reason });
        continue;
      }
      if (!p.value) continue;
      withdrawn++;
      for (const o of outcomes) o.y[i] = NaN;
    }
  }

  const factor = (col: string, what: string): Factor => {
    need(col, what);
    const get = cellOf(col);
    const ids = new Map<string, number>();
    const index = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = get(i);
      if (t === '') {
        problems.add({ file, line: lines[i]!, column: col, value: '', reason: `${what}: empty` });
        index[i] = -1;
        continue;
      }
      let k = ids.get(t);
      if (k === undefined) ids.set(t, (k = ids.size));
      index[i] = k;
    }
    return { column: col, index, levels: [...ids.keys()] };
  };
  const cluster = options.cluster ? factor(options.cluster.toLowerCase(), '--cluster') : null;
  const stratumCol = options.stratum?.toLowerCase() ?? (options.resampling && has('stratum') ? 'stratum' : undefined);
  const stratum = stratumCol ? factor(stratumCol, 'stratum') : null;
  const strata = options.strata ? factor(options.strata.toLowerCase(), '--strata') : null;
  problems.throwIfAny();

  if (cluster) {
    // A cluster design allocates whole clusters: a cluster in both arms is a data error.
    const seen = new Int8Array(cluster.levels.length).fill(-1);
    const firstLine = new Int32Array(cluster.levels.length);
    for (let i = 0; i < n; i++) {
      const k = cluster.index[i]!;
      if (seen[k] === -1) {
        seen[k] = arm[i]!;
        firstLine[k] = lines[i]!;
      } else if (seen[k] !== arm[i]) {
        seen[k] = 2;
        problems.add({
          file,
          line: lines[i]!,
          column: cluster.column,
          value: cluster.levels[k]!,
          reason: `cluster is in both arms (first seen in the other arm on line ${firstLine[k]}): a cluster design allocates whole clusters`,
        });
      }
    }
    problems.throwIfAny();
  }

  let compliance: TrialData['compliance'] = null;
  if (options.cace) {
    const col = options.cace.toLowerCase();
    need(col, '--cace');
    if (col === armCol || names.includes(col)) throw new UsageError(`--cace: "${col}" is the arm or an outcome column`);
    const received = parseColumn(col, (t) => parseBinaryCell(t), true);
    const sessions = has(SESSIONS_COLUMN) ? parseColumn(SESSIONS_COLUMN, (t) => parseIntegerCell(t, 0), true) : null;
    compliance = { column: col, received, sessionsColumn: SESSIONS_COLUMN, sessions };
  }
  const subgroups: Factor[] = [];
  for (const raw of [...new Set((options.subgroups ?? []).map((c) => c.toLowerCase()))]) {
    need(raw, '--subgroup');
    if (raw === armCol) throw new UsageError('--subgroup: the arm column cannot be a subgroup');
    const get = cellOf(raw);
    const ids = new Map<string, number>();
    const index = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = get(i);
      if (t === '') index[i] = -1;
      else {
        let k = ids.get(t);
        if (k === undefined) ids.set(t, (k = ids.size));
        index[i] = k;
      }
    }
    subgroups.push({ column: raw, index, levels: [...ids.keys()] });
  }
  let exposure: Float64Array | null = null;
  if (options.exposure) {
    const col = options.exposure.toLowerCase();
    need(col, '--exposure');
    exposure = parseColumn(
      col,
      (t) => {
        const p = parseNumberCell(t, 0);
        return p.ok && p.value === 0
          ? { ok: false, reason: 'time at risk must be greater than 0 (it enters the count models as log(time))' }
          : p;
      },
      true,
    );
    // Needed wherever a count outcome is observed (not for the pending, withdrawn or unrecorded).
    const counts = outcomes.filter((x) => x.kind === 'count');
    const get = cellOf(col);
    for (let i = 0; i < n; i++) {
      if (measurable[i] && get(i) === '' && counts.some((x) => !Number.isNaN(x.y[i]!)))
        problems.add({
          file,
          line: lines[i]!,
          column: col,
          value: '',
          reason: '--exposure: the time at risk is empty',
        });
    }
  }

  const weights = options.weights
    ? (need(options.weights.toLowerCase(), '--weights'),
      parseColumn(options.weights.toLowerCase(), (t) => parseNumberCell(t, 0), false))
    : null;
  // A row's matched set may be empty (or NA) only where its weight is 0 (unmatched).
  const matchedSet: Factor | null = weights && has('subclass') ? matchedSets(weights) : null;

  function matchedSets(w: Float64Array): Factor {
    const get = cellOf('subclass');
    const ids = new Map<string, number>();
    const index = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = get(i);
      if (t === '' || t === 'NA') {
        index[i] = -1;
        if (w[i]! > 0)
          problems.add({
            file,
            line: lines[i]!,
            column: 'subclass',
            value: t,
            reason: 'matched set (subclass) missing for a row with a positive weight',
          });
        continue;
      }
      let k = ids.get(t);
      if (k === undefined) ids.set(t, (k = ids.size));
      index[i] = k;
    }
    return { column: 'subclass', index, levels: [...ids.keys()] };
  }

  // Covariates: numeric columns as they are; text columns as R's treatment-coded factor.
  // One schema: a known case column that the analysis reads is held to the rules `import` applies
  // (an OGRS3 of 45 or an age of 300 is refused here as it is there), naming line, column and value.
  for (const col of new Set([...(options.covariates ?? []).map((c) => c.toLowerCase()), ...STANDARD_BASELINE])) {
    const rule = CASE_RULE_OF.get(col);
    const cells = table.cells.get(col);
    if (!rule || !cells) continue;
    for (let i = 0; i < n; i++) {
      const t = cells[keep[i]!]!;
      if (t === '') continue;
      const r = rule.rule(t, { ogrsPercent: false });
      if (!r.ok)
        problems.add({
          file,
          line: lines[i]!,
          column: col,
          value: t,
          reason: r.reason.includes('--ogrs-percent')
            ? `${r.reason} when importing (pilot-eval import --ogrs-percent writes probabilities)`
            : r.reason,
        });
    }
  }
  problems.throwIfAny();

  let covariates: CovariateBlock | null = null;
  const balance: TrialData['balance'] = [];
  if (options.covariates && options.covariates.length > 0) {
    const cols = options.covariates.map((c) => c.toLowerCase());
    const terms: string[] = [];
    const blocks: Float64Array[] = [];
    for (const col of cols) {
      need(col, '--covariates');
      if (col === armCol) throw new UsageError('--covariates: the arm column cannot be a covariate');
      const get = cellOf(col);
      let numbers = 0;
      let others = 0;
      // Parsed once: when every cell is a number (or empty = NaN) these are the covariate's values.
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const t = get(i);
        if (t === '') {
          values[i] = NaN;
          continue;
        }
        const p = parseNumberCell(t);
        if (p.ok) {
          numbers++;
          values[i] = p.value;
        } else others++;
      }
      // A column of numbers with a few stray cells ("NaN", "Infinity", "thirty") is a data error,
      // not silently a factor with one level per number.
      if (others > 0 && numbers >= others) {
        parseColumn(
          col,
          (t) => {
            const p = parseNumberCell(t);
            return p.ok
              ? p
              : {
                  ok: false,
                  reason: `${p.reason}: --covariates ${col} holds numbers, so every value must be a number (or empty)`,
                };
          },
          true,
        );
        problems.throwIfAny();
      }
      if (others === 0) {
        const v = values;
        terms.push(col);
        blocks.push(v);
        balance.push({ name: col, values: v });
      } else {
        const levels = [...new Set(Array.from({ length: n }, (_, i) => get(i)).filter((t) => t !== ''))].sort();
        for (const lev of levels.slice(1)) {
          const v = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            const t = get(i);
            v[i] = t === '' ? NaN : t === lev ? 1 : 0;
          }
          terms.push(`${col}${lev}`);
          blocks.push(v);
          balance.push({ name: `${col}${lev}`, values: v });
        }
        if (levels.length < 2) {
          blocks.push(new Float64Array(n).fill(1));
          terms.push(col);
        }
      }
    }
    // A covariate with no variance (among the measurable rows) cannot be estimated.
    terms.forEach((term, j) => {
      const v = blocks[j]!;
      let first = NaN;
      let varies = false;
      for (let i = 0; i < n && !varies; i++) {
        if (!measurable[i] || Number.isNaN(v[i]!)) continue;
        if (Number.isNaN(first)) first = v[i]!;
        else if (v[i] !== first) varies = true;
      }
      if (!varies)
        throw new UsageError(
          `--covariates: "${term}" has no variance in the analysed rows (every value is ${Number.isNaN(first) ? 'missing' : first}); drop it`,
        );
    });
    const q = terms.length;
    const X = new Float64Array(n * q);
    blocks.forEach((b, j) => X.set(b, j * n));
    covariates = { columns: cols, terms, X, q };
  }
  for (const col of STANDARD_BASELINE) {
    if (!has(col) || balance.some((b) => b.name === col)) continue;
    const get = cellOf(col);
    const v = new Float64Array(n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const t = get(i);
      if (t === '') v[i] = NaN;
      else {
        const p = parseNumberCell(t);
        if (p.ok) v[i] = p.value;
        else ok = false; // a malformed optional baseline column is left out of the balance table, not fatal
      }
    }
    if (ok) balance.push({ name: col, values: v });
  }
  problems.throwIfAny();
  return {
    file,
    n,
    lines,
    treatment,
    control,
    arm,
    measurable,
    outcomes,
    withdrawn,
    cluster,
    stratum,
    strata,
    covariates,
    balance,
    weights,
    compliance,
    matchedSet,
    subgroups,
    exposure,
    excludedOtherArms: table.n - n,
    otherArms: labels.filter((l) => l !== treatment && l !== control),
  };
}

/** Resolves the treatment and control labels from the options and the labels present. */
export function chooseArms(
  labels: string[],
  treatment?: string,
  control?: string,
  file = 'the file',
): { treatment: string; control: string } {
  // At most ten labels in a message: a file with thousands of distinct arms must not flood the terminal.
  const list =
    labels
      .slice(0, 10)
      .map((l) => JSON.stringify(l.length > 60 ? `${l.slice(0, 60)}...` : l))
      .join(', ') + (labels.length > 10 ? `, ... (${labels.length} in all)` : '');
  for (const [opt, v] of [
    ['--treatment', treatment],
    ['--control', control],
  ] as const) {
    if (v !== undefined && !labels.includes(v))
      throw new UsageError(`${opt}: arm label "${v}" not found (arms in the file: ${list})`);
  }
  if (treatment !== undefined && control !== undefined) {
    if (treatment === control) throw new UsageError('--treatment and --control name the same arm');
    return { treatment, control };
  }
  if (labels.length < 2)
    throw new UsageError(
      `${file} has only one arm (${list || 'no rows'}): an effect needs a treatment and a control arm`,
    );
  if (treatment !== undefined || control !== undefined) {
    const rest = labels.filter((l) => l !== (treatment ?? control));
    if (rest.length !== 1)
      throw new UsageError(`${file} has ${labels.length} arms (${list}): give both --treatment and --control`);
    return treatment !== undefined ? { treatment, control: rest[0]! } : { treatment: rest[0]!, control: control! };
  }
  if (labels.length > 2)
    throw new UsageError(
      `${file} has ${labels.length} arms (${list}): choose two with --treatment <label> --control <label>`,
    );
  const c = labels.find((l) => l.toLowerCase() === 'control');
  if (!c)
    throw new UsageError(`neither arm is named "control" (arms: ${list}): say which is which with --control <label>`);
  return { control: c, treatment: labels.find((l) => l !== c)! };
}

/** The per-person outcomes derived from an offences file (src/core/outcomes) that analyse reads. */
export type DerivedOutcomes = Pick<
  PersonOutcomes,
  'n' | 'measurable' | 'reoffended' | 'reoffences' | 'daysToReoffence' | 'followUpDays'
>;

/**
 * The cases table with the derived outcome columns (measurable, reoffended, reoffences,
 * days_to_reoffence, follow_up_days) replacing any of the same name, as `reoffending --out` writes
 * them (not measurable: empty), held as numbers so nothing is turned into text and parsed back.
 */
export function withDerivedOutcomes(table: TextTableLike, o: DerivedOutcomes): TextTableLike {
  if (o.n !== table.n) throw new RangeError(`derived outcomes for ${o.n} people but the table has ${table.n} rows`);
  const cells = new Map(table.cells);
  for (const d of DERIVED) cells.delete(d);
  const numbers = new Map(table.numbers ?? []);
  const n = table.n;
  const column = (f: (i: number) => number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(i);
    return out;
  };
  numbers.set(
    'measurable',
    column((i) => (o.measurable[i] ? 1 : 0)),
  );
  numbers.set(
    'reoffended',
    column((i) => (o.measurable[i] ? o.reoffended[i]! : NaN)),
  );
  numbers.set(
    'reoffences',
    column((i) => (o.measurable[i] ? o.reoffences[i]! : NaN)),
  );
  numbers.set(
    'days_to_reoffence',
    column((i) => (o.measurable[i] && o.reoffended[i] ? o.daysToReoffence[i]! : NaN)),
  );
  numbers.set(
    'follow_up_days',
    column((i) => (o.measurable[i] ? o.followUpDays[i]! : NaN)),
  );
  const columns = [...table.columns.filter((c) => !DERIVED.includes(c)), ...DERIVED];
  return { file: table.file, columns, cells, numbers, lines: table.lines, n };
}

const DERIVED = ['measurable', 'reoffended', 'reoffences', 'days_to_reoffence', 'follow_up_days'];
