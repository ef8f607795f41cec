/**
 * More than two arms: every treatment arm against the one control arm, each comparison by the
 * ordinary two-arm analysis of that pair of arms (so every measure exists per comparison), plus
 * one global test per outcome of "no difference between any of the arms".
 *
 * Row scheme: every pairwise row carries `comparison` = the treatment arm of its comparison, and
 * `arm` = that treatment arm too, except rows that already name their own arm (the per-arm
 * Kaplan-Meier rows), which keep it. `global_test` rows carry neither.
 */
import { UsageError } from '../errors.js';
import { coxRegression, CoxDesignError, type CoxTies } from '../stats/cox-regression.js';
import { logRank } from '../stats/logrank.js';
import {
  clusterWaldGlm,
  clusterWaldLinear,
  oneWayAnova,
  pearsonChiSquare,
  poissonLikelihoodRatio,
  type GlobalTestResult,
} from '../stats/k-group-tests.js';
import { analyseData, type AnalyseOptions, type AnalyseResult } from './analyse-trial.js';
import { attrition } from './attrition.js';
import { clean, type EffectRow } from './effect-row.js';
import { parseTrialData, textColumn, type TextTableLike, type TrialData } from './trial-data.js';

/** `all` (every arm but control) or the treatment labels to compare with control. */
export type ArmSelection = 'all' | readonly string[];

export interface ArmComparison {
  arm: string;
  data: TrialData;
  result: AnalyseResult;
}

/**
 * Resolves the control and treatment labels: control as given, else the arm named "control"
 * (any case); treatments: every other arm (`all`) or the listed ones, in the order given.
 */
export function resolveArms(
  labels: readonly string[],
  selection: ArmSelection,
  control: string | undefined,
  file = 'the file',
): { control: string; treatments: string[] } {
  const list =
    labels
      .slice(0, 10)
      .map((l) => JSON.stringify(l))
      .join(', ') + (labels.length > 10 ? `, ... (${labels.length} in all)` : '');
  let c = control;
  if (c !== undefined && !labels.includes(c))
    throw new UsageError(`--control: arm label "${c}" not found (arms in the file: ${list})`);
  if (c === undefined) {
    c = labels.find((l) => l.toLowerCase() === 'control');
    if (c === undefined)
      throw new UsageError(
        `no arm is named "control" (arms: ${list}): say which is the control with --control <label>`,
      );
  }
  let treatments: string[];
  if (selection === 'all') treatments = labels.filter((l) => l !== c);
  else {
    treatments = [...new Set(selection)];
    for (const t of treatments) {
      if (!labels.includes(t))
        throw new UsageError(`--treatment: arm label "${t}" not found (arms in the file: ${list})`);
      if (t === c) throw new UsageError(`--treatment: "${t}" is the control arm`);
    }
  }
  if (treatments.length === 0)
    throw new UsageError(`${file} has only one arm (${list}): an effect needs a treatment and a control arm`);
  return { control: c, treatments };
}

/** The arm labels present in the table's arm column (sorted; empty cells skipped). */
export function armLabels(table: TextTableLike, armColumn = 'arm'): string[] {
  const cells = textColumn(table, armColumn.toLowerCase());
  if (!cells) return [];
  return [...new Set(cells.filter((c) => c !== ''))].sort();
}

/**
 * Analyses every treatment arm against control (parseTrialData + analyseData on each pair, so the
 * pair's own complete cases, clusters and verdict) and adds the global tests.
 * @throws UsageError for an unknown or missing control or treatment label, and as parseTrialData
 *   and analyseData do; DataError for bad cells
 */
export function analyseArms(
  table: TextTableLike,
  options: AnalyseOptions & { alpha: number; resampling?: boolean },
  selection: ArmSelection,
): { result: AnalyseResult; comparisons: ArmComparison[] } {
  const labels = armLabels(table, options.arm ?? 'arm');
  const { control, treatments } = resolveArms(labels, selection, options.control, table.file);
  const comparisons: ArmComparison[] = treatments.map((t) => {
    const data = parseTrialData(table, { ...options, treatment: t, control });
    return { arm: t, data, result: analyseData(data, options) };
  });
  return { result: combine(comparisons, labels, control, options.alpha, options.ties), comparisons };
}

/** One arm's rows of one outcome for the global test: values, events, arm code and cluster label. */
interface Pooled {
  y: number[];
  event: number[];
  group: number[];
  cluster: string[];
  measurable: number[];
  analysed: number[];
}

function pooledRows(comparisons: readonly ArmComparison[], outcome: number): Pooled {
  const p: Pooled = { y: [], event: [], group: [], cluster: [], measurable: [], analysed: [] };
  comparisons.forEach((c, j) => {
    const d = c.data;
    const o = d.outcomes[outcome]!;
    for (let i = 0; i < d.n; i++) {
      // The control rows come from the first comparison only; each treatment arm from its own.
      const code = d.arm[i] ? j + 1 : 0;
      if (code === 0 && j > 0) continue;
      const w = d.weights ? d.weights[i]! : 1;
      const ok = d.measurable[i] && !Number.isNaN(o.y[i]!) && w > 0 ? 1 : 0;
      p.measurable.push(d.measurable[i]!);
      p.analysed.push(ok);
      if (!ok) continue;
      p.y.push(o.y[i]!);
      p.event.push(o.event ? o.event[i]! : 0);
      p.group.push(code);
      p.cluster.push(d.cluster ? d.cluster.levels[d.cluster.index[i]!]! : '');
    }
  });
  return p;
}

/**
 * The global test of one outcome across the arms: Pearson chi-square (binary; with clusters the
 * cluster-robust Wald test of the logistic arm terms), Poisson likelihood ratio (count), k-sample
 * log-rank (time), one-way ANOVA F (continuous); with clusters the count test is the cluster-robust
 * Wald test of the Poisson arm terms, the time test the robust score test of the Cox model and the
 * continuous test the cluster-robust Wald test of the linear model's arm terms.
 * Unadjusted and unweighted.
 */
export function globalTestRow(
  name: string,
  kind: TrialData['outcomes'][number]['kind'],
  p: Pooled,
  armNames: readonly string[],
  clustered: boolean,
  warnings: string[],
  ties?: CoxTies,
): EffectRow {
  const k = armNames.length;
  const arms = `${k} arms (${armNames.join(', ')})`;
  let r: GlobalTestResult;
  let method: string;
  const ids = new Map<string, number>();
  const index = clustered
    ? p.cluster.map((c) => {
        let v = ids.get(c);
        if (v === undefined) ids.set(c, (v = ids.size));
        return v;
      })
    : [];
  if ((kind === 'binary' || kind === 'count') && clustered) {
    const w = clusterWaldGlm(kind === 'binary' ? 'binomial' : 'poisson', p.y, p.group, index, ids.size);
    r = w;
    const model = kind === 'binary' ? 'logistic' : 'Poisson log-linear';
    const sep = kind === 'binary' ? 'an arm with no events or all events' : 'an arm with no events';
    method = `global test across ${arms}: cluster-robust Wald chi-square that every arm coefficient of the ${model} model y ~ arm is zero (sandwich clustered by ${ids.size} clusters, HC0 with G/(G-1)), ${w.df} df${w.separation ? `; not estimable: separation (${sep})` : ''}`;
  } else if (kind === 'binary') {
    r = pearsonChiSquare(p.y, p.group);
    method = `global test across ${arms}: Pearson chi-square on the arm x outcome table, no continuity correction, ${r.df} df`;
  } else if (kind === 'count') {
    r = poissonLikelihoodRatio(p.y, p.group);
    method = `global test across ${arms}: likelihood-ratio chi-square of arm in a Poisson log-linear model, ${r.df} df`;
  } else if (kind === 'time' && clustered) {
    // The robust score test of the Cox model with one indicator per non-reference arm, at beta = 0.
    const present = [...new Set(p.group)].sort((a, b) => a - b);
    const covariates = present
      .slice(1)
      .map((g) => ({ name: armNames[g]!, values: p.group.map((x) => (x === g ? 1 : 0)) }));
    r = { statistic: null, df: present.length - 1, p_value: null, groups: present.length };
    if (covariates.length > 0) {
      try {
        const s = coxRegression(p.y, p.event, covariates, { cluster: index, ties }).robust?.score;
        if (s) r = { statistic: s.statistic, df: s.df, p_value: s.pValue, groups: present.length };
      } catch (err) {
        if (!(err instanceof CoxDesignError)) throw err;
      }
    }
    method = `global test across ${arms}: robust score chi-square of the Cox model on arm, clustered by ${ids.size} clusters (as coxph(..., cluster = ) robscore), ${r.df} df`;
  } else if (clustered && kind === 'continuous') {
    r = clusterWaldLinear(p.y, p.group, index, ids.size);
    method = `global test across ${arms}: cluster-robust Wald chi-square that every arm coefficient of the linear model y ~ arm is zero (sandwich clustered by ${ids.size} clusters, HC1 with G/(G-1)), ${r.df} df`;
  } else if (kind === 'time') {
    const lr = logRank(p.y, p.event, p.group);
    r = { statistic: lr.statistic, df: lr.df, p_value: lr.pValue, groups: k };
    method = `global test across ${arms}: k-sample log-rank chi-square, ${lr.df} df`;
  } else {
    r = oneWayAnova(p.y, p.group);
    method = `global test across ${arms}: one-way analysis of variance F on (${r.df}, ${r.df_residual}) df`;
  }
  if (r.statistic === null) warnings.push(`${name}: the global test across the arms is not estimable`);
  return {
    ...clean({
      outcome: name,
      measure: 'global_test',
      estimate: null,
      std_error: null,
      conf_low: null,
      conf_high: null,
      statistic: r.statistic,
      p_value: r.p_value,
      method: `${method}; unadjusted`,
    }),
    df: r.df,
  };
}

const OTHER_ARMS = /^\d+ row\(s\) in other arms \(/;

function combine(
  comparisons: ArmComparison[],
  labels: readonly string[],
  control: string,
  alpha: number,
  ties?: CoxTies,
): AnalyseResult {
  const first = comparisons[0]!;
  const treatments = comparisons.map((c) => c.arm);
  const armNames = [control, ...treatments];
  const warnings: string[] = [];
  const effects: EffectRow[] = [];
  const d0 = first.data;
  const clustered = d0.cluster !== null;
  let pooledPrimary: Pooled | null = null;
  d0.outcomes.forEach((o, j) => {
    const p = pooledRows(comparisons, j);
    if (j === 0) pooledPrimary = p;
    effects.push(globalTestRow(o.name, o.kind, p, armNames, clustered, warnings, ties));
  });
  if (d0.covariates || d0.weights || d0.strata)
    warnings.push(
      'the global tests are unadjusted, unweighted and unstratified; the pairwise rows use the covariates, weights and strata',
    );

  // Warnings: those every comparison gives once; the others prefixed with their comparison.
  const lists = comparisons.map((c) => c.result.warnings.filter((w) => !OTHER_ARMS.test(w)));
  const seen = new Set<string>();
  lists.forEach((ws, j) => {
    for (const w of ws) {
      if (lists.every((l) => l.includes(w))) {
        if (!seen.has(w)) {
          warnings.push(w);
          seen.add(w);
        }
      } else warnings.push(`${treatments[j]} vs ${control}: ${w}`);
    }
  });
  const others = labels.filter((l) => l !== control && !treatments.includes(l));
  const excludedOther =
    first.data.excludedOtherArms - comparisons.slice(1).reduce((s, c) => s + c.data.n - countArm(c.data, 0), 0);
  if (others.length)
    warnings.push(
      `${excludedOther} row(s) in other arms (${others.join(', ')}) left out: only ${treatments.join(', ')} vs ${control} are analysed`,
    );

  for (const c of comparisons)
    effects.push(...c.result.effects.map((r) => ({ ...r, arm: r.arm ?? c.arm, comparison: c.arm })));

  const p = pooledPrimary! as Pooled;
  const armFlag = Uint8Array.from(groupOfRows(comparisons), (g) => (g > 0 ? 1 : 0));
  const n_clusters: Record<string, number> = { [control]: first.result.design.n_clusters[control] ?? 0 };
  for (const c of comparisons) n_clusters[c.arm] = c.result.design.n_clusters[c.arm] ?? 0;
  let notMeasurable = 0;
  for (const m of p.measurable) if (!m) notMeasurable++;
  return {
    design: { ...first.result.design, n_clusters },
    treatment: treatments.join(', '),
    control,
    treatments,
    alpha,
    primary_outcome: first.result.primary_outcome,
    arms: [
      first.result.arms.find((a) => a.arm === control)!,
      ...comparisons.map((c) => c.result.arms.find((a) => a.arm === c.arm)!),
    ],
    effects,
    balance: comparisons.flatMap((c) => c.result.balance.map((b) => ({ ...b, arm: c.arm }))),
    attrition: attrition(armFlag, Uint8Array.from(p.analysed), Uint8Array.from(p.measurable)),
    verdict: comparisons.flatMap((c) => c.result.verdict.map((v) => ({ ...v, arm: c.arm }))),
    excluded: { not_measurable: notMeasurable, other_arms: excludedOther, other_arm_labels: others },
    warnings,
    comparisons: comparisons.map((c) => ({
      arm: c.arm,
      control,
      attrition: c.result.attrition,
      ...(c.result.missing_data ? { missing_data: c.result.missing_data, tipping_point: c.result.tipping_point } : {}),
    })),
  };
}

function countArm(d: TrialData, code: number): number {
  let k = 0;
  for (let i = 0; i < d.n; i++) if (d.arm[i] === code) k++;
  return k;
}

/** The arm code (0 control, j + 1 the j-th treatment) of every row in pooledRows order. */
function groupOfRows(comparisons: readonly ArmComparison[]): number[] {
  const out: number[] = [];
  comparisons.forEach((c, j) => {
    for (let i = 0; i < c.data.n; i++) {
      if (c.data.arm[i]) out.push(j + 1);
      else if (j === 0) out.push(0);
    }
  });
  return out;
}

/**
 * The table with its arm column relabelled by a sub-arm column (`--sub-arm`): a row whose sub-arm
 * cell is filled takes that label, the others keep their arm. So a fund arm split into told / not
 * told (`sub_arm`) beside a control arm becomes three arms: control, told, not_told.
 * @throws UsageError when the column is missing, or a sub-arm label is also an arm label of rows
 *   without a sub-arm (the arms would merge)
 */
export function withSubArms(table: TextTableLike, armColumn: string, subArmColumn: string): TextTableLike {
  const armCol = armColumn.toLowerCase();
  const subCol = subArmColumn.toLowerCase();
  const arms = textColumn(table, armCol);
  const subs = textColumn(table, subCol);
  if (!subs)
    throw new UsageError(
      `--sub-arm: column "${subCol}" is not in ${table.file} (columns: ${table.columns.filter((x) => x).join(', ')})`,
    );
  if (!arms || subCol === armCol) return table;
  const plain = new Set<string>();
  for (let i = 0; i < table.n; i++) if (subs[i] === '') plain.add(arms[i]!);
  const relabelled = arms.map((a, i) => (subs[i] === '' ? a : subs[i]!));
  for (let i = 0; i < table.n; i++) {
    const s = subs[i]!;
    if (s !== '' && plain.has(s) && arms[i] !== s) {
      throw new UsageError(
        `--sub-arm: "${s}" (${subCol}, line ${table.lines[i]}) is also the arm of people without a ${subCol}: the arms would merge; rename one`,
      );
    }
  }
  const cells = new Map(table.cells);
  cells.set(armCol, relabelled);
  const numbers = table.numbers ? new Map(table.numbers) : undefined;
  numbers?.delete(armCol);
  return { ...table, cells, ...(numbers ? { numbers } : {}) };
}
