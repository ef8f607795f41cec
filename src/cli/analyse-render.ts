/** The human (non-JSON) output of `analyse`: a summary table, a text forest chart and the verdicts. */
import type { Headline } from '../core/analysis/primary-analysis.js';
import type { EffectRow } from '../core/analysis/effect-row.js';
import { isRatioMeasure, measureInfo } from '../core/analysis/measures.js';
import { nearestTip } from '../app/analyse.js';
import type { AnalyseOutput } from './commands/analyse.js';
import { painter, table } from './output.js';
import { percent } from '../core/format.js';

function headlineText(h: Headline): string {
  const d = (x: number | null) => (x === null ? '-' : fmt(x, 4));
  const per =
    h.per_100 !== null
      ? `; per 100 people ${h.per_100.toFixed(1)} (${h.per_100_conf_low?.toFixed(2)} to ${h.per_100_conf_high?.toFixed(2)})`
      : '';
  return `headline (primary analysis): ${h.outcome} ${h.measure} ${d(h.estimate)} [${d(h.conf_low)}, ${d(h.conf_high)}], p ${pval(h.p_value)}${per}\n  ${h.method}\n  verdict: ${h.verdict ?? 'none (indicative only)'}${h.sensitivity.some((x) => !x.agrees) ? `; ${h.sensitivity.filter((x) => !x.agrees).length} sensitivity analysis(es) disagree` : ''}`;
}

const fmt = (x: number | null, d = 3): string =>
  x === null ? '-' : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(d);
const pct = (x: number | null): string => percent(x, 1, '-');
const pval = (p: number | null): string => (p === null ? '-' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** A compact summary table plus a forest-style chart. */
export function renderHuman(r: AnalyseOutput): string {
  const p = painter({ json: false });
  const out: string[] = [];
  const design =
    r.design.unit === 'cluster'
      ? `cluster design (${r.design.cluster}: ${Object.entries(r.design.n_clusters)
          .map(([a, n]) => `${n} ${a}`)
          .join(', ')})`
      : 'individual design';
  out.push(
    p.bold(`${r.treatment} vs ${r.control}`) + p.dim(`  ${design}; ${Math.round((1 - r.alpha) * 100)}% intervals`),
  );
  out.push('');
  out.push(
    table(
      [
        ['arm', 'n', 'analysed', 'reoffenders', 'rate', 'reoffences', 'per person'],
        ...r.arms.map((a) => [
          a.arm,
          String(a.n),
          String(a.n_analysed),
          a.reoffenders === null ? '-' : String(a.reoffenders),
          pct(a.binary_rate),
          a.reoffences === null ? '-' : String(a.reoffences),
          fmt(a.frequency_per_offender, 2),
        ]),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');
  const rows = r.effects.map((e) => [
    e.outcome,
    e.measure +
      (e.arm ? ` (${e.arm}${e.comparison && e.comparison !== e.arm ? `; ${e.comparison} vs ${r.control}` : ''})` : '') +
      (e.subgroup ? ` [${e.subgroup}]` : ''),
    fmt(e.estimate),
    e.conf_low === null && e.conf_high === null ? '-' : `[${fmt(e.conf_low)}, ${fmt(e.conf_high)}]`,
    pval(e.p_value),
  ]);
  out.push(table([['outcome', 'measure', 'estimate', 'interval', 'p'], ...rows], ['l', 'l', 'r', 'r', 'r']));
  out.push('');
  out.push(p.bold('forest chart'));
  out.push(...forest(r.effects));
  out.push('');
  for (const v of r.verdict) {
    const colour =
      v.verdict === 'significant_reduction' ? p.green : v.verdict === 'significant_increase' ? p.red : p.yellow;
    const rd = r.effects.find((e) => e.outcome === v.outcome && e.measure === 'per_100' && e.comparison === v.arm);
    const story =
      rd && rd.conf_low !== null && rd.conf_high !== null
        ? `; for every 100 people, between ${Math.abs(rd.conf_low).toFixed(1)} ${rd.conf_low < 0 ? 'fewer' : 'more'} and ${Math.abs(rd.conf_high).toFixed(1)} ${rd.conf_high < 0 ? 'fewer' : 'more'} re-offenders`
        : '';
    const inconclusive = v.verdict === 'inconclusive' ? ' (more people would be needed to tell)' : '';
    out.push(
      `${v.arm ? `${v.arm} vs ${r.control}, ` : ''}${v.outcome}: ${colour(v.verdict)} by ${v.measure}${story}${inconclusive}`,
    );
  }
  if (r.headline) out.push(headlineText(r.headline));
  out.push(
    `attrition: ${pct(r.attrition.overall)} overall, ${pct(r.attrition.differential)} differential (${r.attrition.analysed} of ${r.attrition.randomised} analysed)`,
  );
  if (r.missing_data && r.tipping_point) out.push(missingDataText(r));
  if (r.balance.length)
    out.push(`balance (SMD): ${r.balance.map((b) => `${b.covariate} ${fmt(b.smd, 2)}`).join(', ')}`);
  if (r.multi_arm) out.push(...multiArmText(r.multi_arm));
  return out.join('\n');
}

/** The plan's arms: (more than two): the global tests and each arm's main effects, after the headline contrast. */
function multiArmText(m: NonNullable<AnalyseOutput['multi_arm']>): string[] {
  const out = [
    '',
    `each arm against ${m.control} (the plan's arms: ${m.treatments.join(', ')}; the headline above is ${m.primary_treatment} vs ${m.control})`,
  ];
  for (const g of m.effects.filter((e) => e.measure === 'global_test'))
    out.push(
      `  global test, ${g.outcome}: statistic ${fmt(g.statistic, 2)} on ${g.df ?? '-'} df, p ${pval(g.p_value)}`,
    );
  const main = new Set(['risk_difference', 'rate_ratio', 'hazard_ratio', 'hedges_g']);
  for (const e of m.effects.filter(
    (x) => x.comparison !== undefined && x.arm === x.comparison && main.has(x.measure) && x.subgroup === undefined,
  )) {
    out.push(
      `  ${e.arm} vs ${m.control}, ${e.outcome} ${e.measure}: ${fmt(e.estimate)} [${fmt(e.conf_low)}, ${fmt(e.conf_high)}], p ${pval(e.p_value)}`,
    );
  }
  return out;
}

/** The missing-data sensitivity analysis in two lines: what is missing, and where the verdict tips. */
function missingDataText(r: AnalyseOutput): string {
  const md = r.missing_data!;
  const miss = md.by_arm.map((a) => `${a.arm} ${a.outcome_missing}/${a.n}`).join(', ');
  const mi = r.effects.find((e) => e.outcome === md.outcome && e.measure === 'mi_risk_difference');
  const t = nearestTip(r.tipping_point!);
  const shift = (d: number) => `${d > 0 ? '+' : ''}${(100 * d).toFixed(0)} points`;
  const tip = !t
    ? ''
    : t.tip
      ? `; the verdict changes from ${t.base.verdict} to ${t.tip.verdict} when the missing people's re-offending probability shifts by ${shift(t.tip.delta_control)} in ${r.control} and ${shift(t.tip.delta_treatment)} in ${r.treatment}`
      : `; no shift on the grid (${shift(md.deltas[0]!)} to ${shift(md.deltas[md.deltas.length - 1]!)} per arm) changes the verdict (${t.base.verdict})`;
  return `missing data: ${md.outcome} missing for ${miss}; multiple imputation (m = ${md.imputations}, seed ${md.seed}): risk difference ${fmt(mi?.estimate ?? null)} [${fmt(mi?.conf_low ?? null)}, ${fmt(mi?.conf_high ?? null)}]${tip}`;
}

/** Text forest plot: ratios on a log axis around 1, differences on a linear axis around 0. */
function forest(effects: EffectRow[]): string[] {
  const lines: string[] = [];
  const width = 41;
  for (const [title, set, log, nul] of [
    ['ratios (log scale, 1 = no difference)', (m: string) => isRatioMeasure(m) && measureInfo(m)!.charts.text, true, 1],
    [
      'differences (0 = no difference)',
      (m: string) => !isRatioMeasure(m) && measureInfo(m)?.charts.text === true,
      false,
      0,
    ],
  ] as const) {
    const rows = effects.filter(
      (e) =>
        set(e.measure) &&
        (!e.arm || e.arm === e.comparison) &&
        e.estimate !== null &&
        e.conf_low !== null &&
        e.conf_high !== null,
    );
    if (!rows.length) continue;
    const tf = (x: number) => (log ? Math.log(x) : x);
    let lo = tf(nul);
    let hi = tf(nul);
    for (const e of rows) {
      lo = Math.min(lo, tf(e.conf_low!));
      hi = Math.max(hi, tf(e.conf_high!));
    }
    if (hi - lo < 1e-9) hi = lo + 1;
    const pos = (x: number) => Math.max(0, Math.min(width - 1, Math.round(((tf(x) - lo) / (hi - lo)) * (width - 1))));
    lines.push(`  ${title}: ${fmt(log ? Math.exp(lo) : lo, 2)} .. ${fmt(log ? Math.exp(hi) : hi, 2)}`);
    const label = (e: EffectRow) => `${e.outcome} ${e.measure}${e.comparison ? ` (${e.comparison})` : ''}`;
    const labelWidth = Math.max(...rows.map((e) => label(e).length));
    for (const e of rows) {
      const chars = Array.from({ length: width }, () => ' ');
      const a = pos(e.conf_low!);
      const b = pos(e.conf_high!);
      for (let i = a; i <= b; i++) chars[i] = '-';
      chars[pos(nul)] = '|';
      chars[a] = '[';
      chars[b] = ']';
      chars[pos(e.estimate!)] = '*';
      lines.push(`  ${label(e).padEnd(labelWidth)}  ${chars.join('')}  ${fmt(e.estimate)}`);
    }
  }
  return lines;
}
