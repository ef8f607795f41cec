/**
 * The `match` use case: a Justice Data Lab style propensity-score matched comparison group. Reads
 * the treated and pool files, fits the propensity model and matches (src/core/matching), writes
 * the matched people with `arm` and `weight` columns (ready for `analyse --weights weight`), a
 * `<out>.trial.yaml` recording the design as a matched comparison (so `report --trial` caps the
 * security rating) and, with an offences file, the matched people's offences. Parses nothing from
 * the command line (src/cli/commands/match.ts does that).
 */
import { DataError, ProblemList, UsageError } from '../core/errors.js';
import { ConstantCovariateError } from '../core/matching/propensity-model.js';
import {
  matchComparison,
  NoCommonSupportError,
  type BalanceRow,
  type CommonSupport,
  type Discard,
} from '../core/matching/match-comparison.js';
import type { MatchOrder } from '../core/matching/nearest-neighbour.js';
import { createRng } from '../core/random.js';
import { logisticArmEffect } from '../core/stats/logistic-regression.js';
import { parseBinaryCell } from '../io/fields.js';
import { writeFilesAtomic } from '../io/atomic.js';
import { checkDistinctFiles } from '../io/distinct-files.js';
import { toCsv, type Cell } from '../io/csv-writer.js';
import { readMatchingInput } from '../io/matching-input.js';
import type { ReadOptions } from '../io/read-options.js';
import { readTable } from '../io/table.js';

export const MATCH_ORDERS: readonly MatchOrder[] = ['largest', 'smallest', 'data', 'random'];
export const MATCH_DISCARDS: readonly Discard[] = ['none', 'treated', 'control', 'both'];
export const MATCH_DESIGNS = ['matched_some_observables', 'matched_all_observables'] as const;
export type MatchDesign = (typeof MATCH_DESIGNS)[number];
const ADDED = ['arm', 'weight', 'propensity_score', 'logit_propensity'];

/** Typed options of the use case (each value already checked by the option parsers). */
export interface MatchOptions {
  treated: string;
  pool: string;
  covariates: string[];
  /** The matched file; the trial file (and offences file) are written beside it. */
  out: string;
  /** Maximum distance in SDs of the propensity logit; null: no caliper. */
  caliper: number | null;
  /** Comparison people matched to each treated person (k of 1:k). */
  controlsPerTreated: number;
  replace: boolean;
  order: MatchOrder;
  discard: Discard;
  design: MatchDesign;
  seed?: number;
  /** A 0/1 outcome column: also report the matched-sample difference. */
  outcome?: string;
  offences?: string;
  read: ReadOptions;
  onProgress?: (text: string) => void;
}

export interface MatchedEstimate {
  outcome: string;
  treated_rate: number;
  control_rate: number;
  /** Weighted treated rate minus weighted control rate (the matched-sample ATT). */
  risk_difference: number;
  /** ln OR from glm(outcome ~ treat, binomial, weights = weight) on the matched file. */
  log_odds_ratio: number | null;
  method: string;
}

export interface MatchResultJson {
  treated: number;
  pool: number;
  matched_treated: number;
  matched_controls: number;
  unmatched_treated: number;
  /** Treated people trimmed for common support (`--discard treated` or `both`) before matching: treated = matched_treated + unmatched_treated + discarded_treated. */
  discarded_treated: number;
  caliper: number | null;
  caliper_logit: number | null;
  /** Comparison people per treated person (k of 1:k; `--controls-per-treated`). */
  ratio: number;
  replace: boolean;
  order: MatchOrder;
  common_support: CommonSupport;
  propensity_model: Array<{ term: string; estimate: number; std_error: number }>;
  balance: BalanceRow[];
  imbalanced: string[];
  estimate: MatchedEstimate | null;
  design: MatchDesign;
  out: string;
  trial_file: string;
  /** The offences of the matched people (with --offences), for `report --offences`. */
  offences_file: string | null;
  warnings: string[];
}

export function trialYaml(
  design: string,
  o: {
    treatedFile: string;
    poolFile: string;
    covariates: string[];
    caliper: number | null;
    ratio: number;
    replace: boolean;
  },
): string {
  return [
    '# Written by `pilot-eval match`: use with `pilot-eval report --trial <this file>`.',
    `# Comparison group matched on: ${o.covariates.join(', ')} (treated ${o.treatedFile}, pool ${o.poolFile}).`,
    `# Nearest-neighbour matching on the propensity logit, caliper ${o.caliper === null ? 'none' : `${o.caliper} SD`}, 1:${o.ratio}, ${o.replace ? 'with' : 'without'} replacement.`,
    '# design: matched_some_observables caps the security rating at 2 padlocks; matched_all_observables at 3.',
    '# Claim "all" only if every relevant confounder (e.g. OGRS3, offence history, age, sex) is matched on.',
    `design: ${design}`,
    'arms:',
    '  control: control',
    '  treatment: treatment',
    'randomisation:',
    '  method: none',
    '  unit: person',
    '',
  ].join('\n');
}

/** Reads, matches, writes the matched file and its trial file, returns the contract object. */
export async function runMatch(o: MatchOptions): Promise<MatchResultJson> {
  // Rules between options (each value's own shape was checked when it was parsed).
  if (o.out === '-')
    throw new UsageError(
      '--out must be a file path (the matched file and its .trial.yaml are written beside each other)',
    );
  if (o.order === 'random' && o.seed === undefined)
    throw new UsageError('--seed <int> is required with --order random so the result can be reproduced');
  if (o.covariates.length === 0) throw new UsageError('--covariates names no column');
  const { out, caliper, replace, order, discard, design, seed, read } = o;
  const ratio = o.controlsPerTreated;
  const covariateNames = o.covariates;
  const outStem = out.replace(/\.csv$/i, '');
  checkDistinctFiles(
    [
      { option: '--treated', path: o.treated },
      { option: '--pool', path: o.pool },
      { option: '--offences', path: o.offences },
    ],
    [
      { option: '--out', path: out },
      { option: 'the trial file', path: `${outStem}.trial.yaml` },
      { option: 'the matched offences file', path: o.offences !== undefined ? `${outStem}.offences.csv` : undefined },
    ],
  );
  const outcome = o.outcome?.trim().toLowerCase();

  o.onProgress?.('reading treated and pool files');
  const input = await readMatchingInput(o.treated, o.pool, covariateNames, read);
  const { treated, pool, treat } = input;
  if (outcome !== undefined) {
    for (const t of [treated, pool]) {
      if (!t.cells.has(outcome))
        throw new UsageError(`--outcome ${outcome}: no such column in ${t.file} (columns: ${t.columns.join(', ')})`);
    }
  }
  o.onProgress?.(`fitting the propensity model on ${(treated.n + pool.n).toLocaleString('en-GB')} people`);
  let m;
  try {
    m = matchComparison(treat, input.covariates, {
      caliper,
      ratio,
      replace,
      order,
      discard,
      rng: seed !== undefined ? createRng(seed) : undefined,
    });
  } catch (err) {
    if (err instanceof NoCommonSupportError) {
      throw new DataError({
        file: `${treated.file} + ${pool.file}`,
        line: null,
        column: null,
        value: null,
        reason: `${err.message}. The pool does not contain people like the treated group: use a different pool or covariates.`,
      });
    }
    if (err instanceof ConstantCovariateError) {
      throw new UsageError(
        `--covariates: ${err.covariate} takes the same value for everyone (or duplicates another covariate), so it cannot enter the propensity model: drop it`,
      );
    }
    throw err;
  }
  if (treated.n !== m.match.matchedTreated + m.match.unmatchedTreated + m.common_support.treated_discarded) {
    throw new Error(
      `match: ${treated.n} treated people, but ${m.match.matchedTreated} matched + ${m.match.unmatchedTreated} unmatched + ${m.common_support.treated_discarded} discarded`,
    );
  }
  const warnings: string[] = [];
  if (m.fit.separation)
    warnings.push(
      'the propensity model separates treated and pool people almost perfectly (fitted probabilities of 0 or 1): the groups barely overlap and the comparison is weak',
    );
  if (!m.fit.converged) warnings.push('the propensity model did not converge');
  if (ADDED.some((c) => treated.cells.has(c) || pool.cells.has(c)))
    warnings.push(
      `input columns ${ADDED.filter((c) => treated.cells.has(c) || pool.cells.has(c)).join(', ')} are replaced in the matched file`,
    );
  if (m.match.unmatchedTreated > 0)
    warnings.push(
      `${m.match.unmatchedTreated} treated ${m.match.unmatchedTreated === 1 ? 'person has' : 'people have'} no comparison person within the caliper and ${m.match.unmatchedTreated === 1 ? 'is' : 'are'} left out: the estimate is for the matched treated people only`,
    );
  if (m.match.matchedTreated < 60)
    warnings.push(`only ${m.match.matchedTreated} matched treated people: the Justice Data Lab asks for at least 60`);

  // The matched file: every column of either file, then arm, weight and the scores.
  const columns = [...treated.columns.filter((c) => c !== '' && !ADDED.includes(c))];
  for (const c of pool.columns) if (c !== '' && !ADDED.includes(c) && !columns.includes(c)) columns.push(c);
  const rows: Cell[][] = [];
  const n1 = treated.n;
  for (let i = 0; i < treat.length; i++) {
    const w = m.match.weights[i]!;
    if (w <= 0) continue;
    const src = i < n1 ? treated : pool;
    const r = i < n1 ? i : i - n1;
    rows.push([
      ...columns.map((c) => src.cells.get(c)?.[r] ?? ''),
      i < n1 ? 'treatment' : 'control',
      w,
      m.fit.propensity[i]!,
      m.fit.logit[i]!,
    ]);
  }
  const trialFile = `${outStem}.trial.yaml`;
  const files = [
    { path: out, content: toCsv([...columns, ...ADDED], rows) },
    {
      path: trialFile,
      content: trialYaml(design, {
        treatedFile: treated.file,
        poolFile: pool.file,
        covariates: covariateNames,
        caliper,
        ratio,
        replace,
      }),
    },
  ];
  let offencesFile: string | null = null;
  if (o.offences !== undefined) {
    // Keep only the matched people's offences, so `report --offences` sees no unknown ids.
    const off = await readTable(o.offences, { read, required: ['id'] });
    const ids = new Set<string>();
    for (let i = 0; i < treat.length; i++) {
      if (m.match.weights[i]! <= 0) continue;
      const src = i < n1 ? treated : pool;
      const id = src.cells.get('id')?.[i < n1 ? i : i - n1];
      if (id === undefined)
        throw new UsageError('--offences needs an id column in the treated and pool files to link offences to people');
      ids.add(id);
    }
    const offIds = off.cells.get('id')!;
    const keep = offIds.map((id, r) => (ids.has(id) ? r : -1)).filter((r) => r >= 0);
    const offCols = off.columns.filter((c) => c !== '');
    offencesFile = `${outStem}.offences.csv`;
    files.push({
      path: offencesFile,
      content: toCsv(
        offCols,
        keep.map((r) => offCols.map((c) => off.cells.get(c)![r]!)),
      ),
    });
  }
  const nonUnit = [...m.match.weights].some((w) => w > 0 && Math.abs(w - 1) > 1e-12);
  if (nonUnit)
    warnings.push(
      'the matching weights are not all 1 (1:k or with replacement): use `analyse --weights weight` (every binary measure weighted, sandwich SEs); `report` does not use weights',
    );

  let estimate: MatchedEstimate | null = null;
  if (outcome !== undefined) {
    const y: number[] = [];
    const arm: number[] = [];
    const wts: number[] = [];
    const problems = new ProblemList();
    for (let i = 0; i < treat.length; i++) {
      if (m.match.weights[i]! <= 0) continue;
      const src = i < n1 ? treated : pool;
      const r = i < n1 ? i : i - n1;
      const cell = src.cells.get(outcome)![r]!;
      const parsed = parseBinaryCell(cell);
      if (!parsed.ok) {
        problems.add({
          file: src.file,
          line: src.lines[r]!,
          column: outcome,
          value: cell,
          reason: `--outcome must be a 0/1 column: ${parsed.reason}`,
        });
        continue;
      }
      y.push(parsed.value);
      arm.push(treat[i]!);
      wts.push(m.match.weights[i]!);
    }
    problems.throwIfAny();
    let swT = 0,
      syT = 0,
      swC = 0,
      syC = 0;
    y.forEach((v, i) => {
      if (arm[i]) {
        swT += wts[i]!;
        syT += wts[i]! * v;
      } else {
        swC += wts[i]!;
        syC += wts[i]! * v;
      }
    });
    const fit = logisticArmEffect(y, arm, { weights: Float64Array.from(wts) });
    estimate = {
      outcome,
      treated_rate: syT / swT,
      control_rate: syC / swC,
      risk_difference: syT / swT - syC / swC,
      log_odds_ratio: fit.separation ? null : fit.estimate,
      method:
        'matched-sample ATT: matching-weighted rates; log OR from glm(outcome ~ treat, binomial, weights = weight). For intervals run `pilot-eval analyse <out> --weights weight`.',
    };
  }

  writeFilesAtomic(files);

  return {
    treated: treated.n,
    pool: pool.n,
    matched_treated: m.match.matchedTreated,
    matched_controls: m.match.matchedControls,
    unmatched_treated: m.match.unmatchedTreated,
    discarded_treated: m.common_support.treated_discarded,
    caliper,
    caliper_logit: m.caliper_logit,
    ratio,
    replace,
    order,
    common_support: m.common_support,
    propensity_model: m.fit.terms,
    balance: m.balance,
    imbalanced: m.balance.filter((b) => b.imbalanced).map((b) => b.covariate),
    estimate,
    design,
    out,
    trial_file: trialFile,
    offences_file: offencesFile,
    warnings,
  };
}
