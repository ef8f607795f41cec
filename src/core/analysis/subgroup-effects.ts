/**
 * Subgroup analyses of a binary outcome: the risk difference within each level of a categorical
 * column (as R `prop.test(correct = FALSE)` per level) and a test of the arm x subgroup
 * interaction in the logistic model `glm(y ~ arm * subgroup, binomial)`:
 * - individual designs: likelihood-ratio test against `glm(y ~ arm + subgroup)` (R
 *   `anova(reduced, full, test = "LRT")`);
 * - cluster designs: cluster-robust Wald chi-square of the interaction coefficients with
 *   `sandwich::vcovCL(full, cluster = ~cluster)` (R `lmtest::waldtest(reduced, full, vcov = V,
 *   test = "Chisq")`), since a likelihood-ratio test assumes independent people.
 * A subgroup not named in the analysis plan is exploratory, and its rows say so.
 */
import { UsageError } from '../errors.js';
import { pchisq, pt } from '../stats/distributions.js';
import { cholesky, choleskyInverse } from '../stats/cholesky.js';
import { fitLogistic, SingularDesignError } from '../stats/logistic-regression.js';
import { vcovCL } from '../stats/sandwich.js';
import { glmCr2 } from '../stats/robust-lm.js';
import { binaryEffects } from './binary-effects.js';
import { clean, nullRow, type EffectRow } from './effect-row.js';

export interface SubgroupInput {
  outcome: string;
  /** 0/1 outcome of the analysed rows. */
  y: Float64Array;
  /** 1 = treatment, 0 = control. */
  arm: Uint8Array;
  /** Subgroup column name and per-row level index (-1 = missing). */
  column: string;
  index: Int32Array;
  levels: string[];
  /** Cluster index of the analysed rows (cluster designs). */
  cluster?: { index: Int32Array; nClusters: number; name: string };
  /** Few clusters (`--small-sample`): a 1-df interaction is tested with CR2 and Satterthwaite df. */
  cr2?: boolean;
  /** Named in the analysis plan's `subgroups`. */
  prespecified: boolean;
  alpha: number;
}

/** Per-subgroup arm counts: what disclosure control needs (the event counts are outcome counts). */
export type SubgroupCounts = NonNullable<EffectRow['counts']>;

/** A subgroup column is categorical: more levels than this is a continuous column by mistake. */
export const MAX_SUBGROUP_LEVELS = 20;

/** Rows `risk_difference` per level (carrying `subgroup: "<column>=<level>"` and `counts`) and `interaction`. */
export function subgroupEffects(input: SubgroupInput, warnings: string[]): EffectRow[] {
  const { outcome, y, arm, column, index, alpha } = input;
  const label = input.prespecified
    ? 'pre-specified subgroup'
    : 'exploratory subgroup analysis (not pre-specified in the analysis plan)';
  // Levels in R's factor order (sorted), among the rows that have one.
  const present = new Set<number>();
  let missing = 0;
  for (let i = 0; i < y.length; i++) {
    if (index[i]! < 0) missing++;
    else present.add(index[i]!);
  }
  const order = [...present].sort((a, b) =>
    input.levels[a]! < input.levels[b]! ? -1 : input.levels[a]! > input.levels[b]! ? 1 : 0,
  );
  if (order.length > MAX_SUBGROUP_LEVELS) {
    throw new UsageError(
      `subgroup column "${column}" has ${order.length} distinct values: a subgroup analysis needs a categorical column with at most ${MAX_SUBGROUP_LEVELS} levels (band a continuous measure such as OGRS first)`,
    );
  }
  if (missing > 0)
    warnings.push(
      `${outcome}: ${missing} analysed row(s) with no ${column} left out of the ${column} subgroup analysis`,
    );
  const rows: EffectRow[] = [];
  const counts = new Map<number, SubgroupCounts>();
  for (const k of order) counts.set(k, { n_treatment: 0, events_treatment: 0, n_control: 0, events_control: 0 });
  for (let i = 0; i < y.length; i++) {
    const c = counts.get(index[i]!);
    if (!c) continue;
    if (arm[i]) {
      c.n_treatment++;
      c.events_treatment += y[i]!;
    } else {
      c.n_control++;
      c.events_control += y[i]!;
    }
  }
  for (const k of order) {
    const c = counts.get(k)!;
    const subgroup = `${column}=${input.levels[k]}`;
    let row: EffectRow;
    if (c.n_treatment === 0 || c.n_control === 0) {
      row = nullRow(
        outcome,
        'risk_difference',
        `${label}: not estimable: no one in the ${c.n_treatment === 0 ? 'treatment' : 'control'} arm`,
      );
    } else {
      const local: string[] = [];
      const rd = binaryEffects(
        outcome,
        { eventsT: c.events_treatment, nT: c.n_treatment, eventsC: c.events_control, nC: c.n_control },
        alpha,
        local,
      ).find((r) => r.measure === 'risk_difference')!;
      row = {
        ...rd,
        method: `${label}; ${rd.method}${input.cluster ? `; ignores clustering by ${input.cluster.name} (the interaction test is cluster-robust)` : ''}`,
      };
    }
    rows.push({ ...row, subgroup, exploratory: !input.prespecified, counts: c });
  }
  rows.push(interactionRow(input, order, label, warnings));
  return rows;
}

function interactionRow(input: SubgroupInput, order: number[], label: string, warnings: string[]): EffectRow {
  const { outcome, y, arm, column, index } = input;
  const base = { subgroup: column, exploratory: !input.prespecified };
  if (order.length < 2)
    return {
      ...nullRow(
        outcome,
        'interaction',
        `${label}: not estimable: ${column} has fewer than two levels in the analysed rows`,
      ),
      ...base,
    };
  // Rows with a level; design [1, arm, level indicators (first level = reference), arm x level].
  const keep: number[] = [];
  for (let i = 0; i < y.length; i++) if (index[i]! >= 0) keep.push(i);
  const n = keep.length;
  const pos = new Map(order.map((k, j) => [k, j]));
  // An interaction column exists only for a level with both arms (else R's glm aliases it: NA).
  const both = order.map((k) => {
    let t = 0;
    let c = 0;
    for (const i of keep) if (index[i] === k) arm[i] ? t++ : c++;
    return t > 0 && c > 0;
  });
  const inter = order.slice(1).filter((_, j) => both[j + 1]);
  if (inter.length === 0)
    return {
      ...nullRow(
        outcome,
        'interaction',
        `${label}: not estimable: no level of ${column} other than the reference has both arms`,
      ),
      ...base,
    };
  const L = order.length;
  const pRed = 2 + (L - 1);
  const pFull = pRed + inter.length;
  const X = new Float64Array(n * pFull);
  const yy = new Float64Array(n);
  const cl = input.cluster ? new Int32Array(n) : null;
  for (let r = 0; r < n; r++) {
    const i = keep[r]!;
    yy[r] = y[i]!;
    if (cl) cl[r] = input.cluster!.index[i]!;
    X[r] = 1;
    X[n + r] = arm[i]!;
    const j = pos.get(index[i]!)!;
    if (j > 0) X[(1 + j) * n + r] = 1;
    const q = inter.indexOf(index[i]!);
    if (q >= 0) X[(pRed + q) * n + r] = arm[i]!;
  }
  const df = inter.length;
  try {
    const full = fitLogistic(X, n, pFull, yy);
    if (full.boundary)
      warnings.push(
        `${outcome}: a ${column} level has fitted probabilities numerically 0 or 1 in the arm x ${column} model (a level where no one, or everyone, re-offended in an arm): the interaction test is approximate`,
      );
    if (input.cluster) {
      // Compact the cluster codes to those present.
      const map = new Map<number, number>();
      for (let r = 0; r < n; r++) {
        const g = cl![r]!;
        if (!map.has(g)) map.set(g, map.size);
        cl![r] = map.get(g)!;
      }
      if (input.cr2 && df === 1) {
        // One interaction term: CR2 t on Satterthwaite df (clubSandwich coef_test; Wald_test(test = "HTZ") gives F = t^2, the same p).
        try {
          const r = glmCr2({
            X,
            n,
            p: pFull,
            y: yy,
            mu: full.mu,
            family: 'binomial',
            cluster: cl!,
            nClusters: map.size,
            bread: full.covUnscaled,
            dfFor: [pRed],
          });
          const t = full.coef[pRed]! / Math.sqrt(r.vcov[pRed * pFull + pRed]!);
          const dfs = r.df[pRed]!;
          return clean({
            outcome,
            measure: 'interaction',
            estimate: null,
            std_error: null,
            conf_low: null,
            conf_high: null,
            statistic: t * t,
            p_value: dfs > 0 ? 2 * pt(-Math.abs(t), dfs) : NaN,
            method: `${label}: F = t^2 on (1, ${dfs.toFixed(1)}) df of the arm x ${column} term in glm(y ~ arm * ${column}, binomial), CR2 cluster-robust SE by ${input.cluster.name} with Satterthwaite df (R clubSandwich::coef_test(fit, vcov = "CR2", cluster = ${input.cluster.name}, test = "Satterthwaite"))`,
            df,
            ...base,
          });
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          warnings.push(
            `${outcome}: CR2 not computed for the ${column} interaction test (${err.message}): vcovCL used instead`,
          );
        }
      }
      const V = vcovCL(full, X, yy, cl!, map.size);
      const b = inter.map((_, q) => full.coef[pRed + q]!);
      const sub = inter.map((_, a) => inter.map((__, c) => V[(pRed + a) * pFull + pRed + c]!));
      const ch = cholesky(sub);
      if (!ch.ok)
        return {
          ...nullRow(
            outcome,
            'interaction',
            `${label}: not estimable: the cluster-robust covariance of the interaction terms is singular (too few clusters per ${column} level)`,
          ),
          ...base,
        };
      const inv = choleskyInverse(ch.lower);
      let w = 0;
      for (let a = 0; a < df; a++) for (let c = 0; c < df; c++) w += b[a]! * inv[a]![c]! * b[c]!;
      return clean({
        outcome,
        measure: 'interaction',
        estimate: null,
        std_error: null,
        conf_low: null,
        conf_high: null,
        statistic: w,
        p_value: pchisq(w, df, false),
        method: `${label}: cluster-robust Wald chi-square (${df} df) of the arm x ${column} terms in glm(y ~ arm * ${column}, binomial) with sandwich::vcovCL(cluster = ~${input.cluster.name}) (R lmtest::waldtest(test = "Chisq"))`,
        df,
        ...base,
      });
    }
    const red = fitLogistic(X.subarray(0, n * pRed), n, pRed, yy);
    const lr = Math.max(0, red.deviance - full.deviance);
    return clean({
      outcome,
      measure: 'interaction',
      estimate: null,
      std_error: null,
      conf_low: null,
      conf_high: null,
      statistic: lr,
      p_value: pchisq(lr, df, false),
      method: `${label}: likelihood-ratio chi-square (${df} df) of glm(y ~ arm * ${column}, binomial) against glm(y ~ arm + ${column}) (R anova(test = "LRT"))`,
      df,
      ...base,
    });
  } catch (err) {
    if (!(err instanceof SingularDesignError)) throw err;
    return {
      ...nullRow(outcome, 'interaction', `${label}: not estimable: the arm x ${column} model is singular`),
      ...base,
    };
  }
}
