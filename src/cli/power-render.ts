/** Text rendering of `power` results for the terminal (JSON output prints the result object as is). */
import type {
  BinaryPowerResult,
  CountPowerResult,
  PowerCommandResult,
  StandardisedPowerResult,
  SurvivalPowerResult,
} from '../app/power.js';
import { sparkline } from '../app/power.js';
import { painter, table } from './output.js';

function f(x: number | null, digits = 3): string {
  return x === null || Number.isNaN(x) ? '-' : x.toFixed(digits);
}

function standardised(r: StandardisedPowerResult): string[][] {
  const rows: string[][] = [];
  if (r.solved_size)
    rows.push([`${r.solved_size} (solved)`, `${r[r.solved_size]}  (exact ${f(r[`${r.solved_size}_exact`], 2)})`]);
  for (const s of ['n', 'J', 'K', 'L'] as const) if (r[s] !== null && s !== r.solved_size) rows.push([s, String(r[s])]);
  if (r.attrition > 0) rows.push(['n analysed', f(r.n_analysed, 1)]);
  rows.push(['MDES', `${f(r.mdes)}  [${f(r.conf_low)}, ${f(r.conf_high)}]`]);
  rows.push([r.es !== null ? `power at es ${r.es}` : 'target power', f(r.power)]);
  rows.push(['df', String(Number(r.df.toFixed(2)))], ['multiplier', f(r.multiplier)], ['SSE', f(r.sse, 4)]);
  return rows;
}

function binary(r: BinaryPowerResult): string[][] {
  const rows: string[][] = [];
  if (!r.feasible) {
    rows.push([
      'feasible',
      `no: no cluster size reaches power ${r.target_power} with ${r.clusters_per_arm![0]} clusters per arm`,
    ]);
    rows.push(['max power (cluster size without limit)', f(r.max_power)]);
  } else {
    rows.push([
      'n per arm',
      `${r.n_per_arm![0]} / ${r.n_per_arm![1]}  (exact ${f(r.n_per_arm_exact![0], 2)} / ${f(r.n_per_arm_exact![1], 2)})`,
    ]);
    rows.push(['n total', String(r.n_total)]);
  }
  if (r.clusters_per_arm) {
    const how =
      r.cluster_test === 't'
        ? `t on ${f(r.df, 0)} df${r.feasible ? `, design effect ${f(r.design_effect)}` : ''}`
        : r.cluster_test === 'hayes-bennett'
          ? `Hayes & Bennett, k = ${r.cv_between}`
          : `design effect ${f(r.design_effect)}`;
    rows.push([
      'clusters per arm',
      `${r.clusters_per_arm[0]} / ${r.clusters_per_arm[1]}${r.clusters_per_arm_exact !== null ? `  (exact ${f(r.clusters_per_arm_exact, 2)})` : ''}  (${how})`,
    ]);
  }
  if (r.cluster_size !== null)
    rows.push([
      'cluster size',
      `${r.cluster_size}${r.cluster_size_exact !== null ? `  (exact ${f(r.cluster_size_exact, 2)})` : ''}`,
    ]);
  if (r.feasible && r.max_power !== null) rows.push(['max power (cluster size without limit)', f(r.max_power)]);
  const g = (x: number | null): string => (x === null ? '-' : String(Number(x.toPrecision(6))));
  rows.push([
    'p1 / p2',
    `${g(r.p1)} / ${g(r.p2)}${r.compliance < 1 ? `  (diluted to ${f(r.compliance * 100, 1)}% receipt)` : ''}`,
  ]);
  rows.push([r.p2 !== null ? 'power' : 'target power', f(r.power)]);
  rows.push(["Cohen's h", f(r.cohens_h)]);
  if (r.cluster_test !== 'hayes-bennett') rows.push([`detectable p2 (power ${r.target_power})`, f(r.detectable_p2, 4)]);
  rows.push(['logit d', f(r.logit_d)]);
  return rows;
}

function events(r: SurvivalPowerResult | CountPowerResult): string[][] {
  const rows: string[][] = [];
  if (r.outcome === 'survival') {
    rows.push(['events', `${r.events}  (exact ${f(r.events_exact, 2)}, Schoenfeld)`]);
    rows.push([
      'event probability',
      `${f(r.event_prob, 4)}${r.event_prob_arms ? `  (control ${f(r.event_prob_arms[0], 4)}, treated ${f(r.event_prob_arms[1], 4)})` : ''}`,
    ]);
  } else {
    rows.push([
      'rates',
      `${r.rate0} vs ${f(r.rate0 * r.rr, 4)} (RR ${r.rr}) per ${r.exposure} unit(s) of exposure; dispersion ${r.dispersion} (approach ${r.approach})`,
    ]);
  }
  rows.push([
    'n per arm',
    `${r.n_per_arm[0]} / ${r.n_per_arm[1]}  (exact ${f(r.n_per_arm_exact[0], 2)} / ${f(r.n_per_arm_exact[1], 2)})`,
  ]);
  rows.push(['n total', String(r.n_total)]);
  if (r.clusters_per_arm)
    rows.push([
      'clusters per arm',
      `${r.clusters_per_arm[0]} / ${r.clusters_per_arm[1]}  (design effect ${f(r.design_effect)})`,
    ]);
  rows.push([r.solve === 'n' ? 'power at that size' : 'power', f(r.power)]);
  return rows;
}

export function renderPower(r: PowerCommandResult): string {
  const p = painter({ json: false });
  const lines: string[] = [];
  if (r.solve === 'simulate') {
    lines.push(p.bold(`Simulated power, binary outcome (${r.reps} replicates, seed ${r.seed})`));
    lines.push(
      `${r.design === 'cluster' ? `${r.clusters} clusters of ${r.cluster_size}, latent ICC ${r.icc}` : 'individually randomised'}; ${r.n_per_arm[0]} per arm; p1 ${r.p1} vs p2 ${r.p2}`,
    );
    lines.push(p.dim(r.analysis));
    const unit = r.estimand === 'risk_difference' ? 'risk difference' : 'ln OR';
    const rows = [
      ['power', `${f(r.power)} (MCSE ${f(r.power_mcse)})`],
      ['formula power', f(r.formula_power)],
      [`bias (${unit})`, f(r.bias, 4)],
      ['rmse', f(r.rmse, 4)],
      ['coverage', f(r.coverage)],
      [`true ${unit}`, f(r.truth, 4)],
      ['failed fits', String(r.failed_reps)],
    ];
    lines.push(table(rows, ['l', 'r']));
    return lines.join('\n');
  }
  const tail = r.two_tailed ? '' : ' (one-tailed)';
  if (r.outcome === 'standardised') {
    lines.push(p.bold(`Design ${r.design}: solve ${r.solve}${tail}`));
    lines.push(table(standardised(r), ['l', 'r']));
  } else if (r.outcome === 'binary') {
    const kind =
      r.cluster_test === null
        ? r.method
        : r.cluster_test === 't'
          ? 'cluster randomised, t correction'
          : r.cluster_test === 'z'
            ? `cluster randomised, ${r.method}`
            : 'cluster randomised, Hayes & Bennett';
    lines.push(p.bold(`Binary outcome (${kind}): solve ${r.solve}${tail}`));
    lines.push(table(binary(r), ['l', 'r']));
  } else {
    lines.push(
      p.bold(
        `${r.outcome === 'survival' ? `Time to event, HR ${r.hr}` : 'Count outcome, rate ratio'}: solve ${r.solve}${tail}`,
      ),
    );
    lines.push(table(events(r), ['l', 'r']));
  }
  if ('power_curve' in r && r.power_curve.length > 0) {
    const first = r.power_curve[0]!.size;
    const last = r.power_curve[r.power_curve.length - 1]!.size;
    lines.push('');
    lines.push(`power vs ${r.curve_size}: ${first} ${p.cyan(sparkline(r.power_curve))} ${last}`);
  }
  if ('plot' in r && r.plot) lines.push(p.dim(`power curve written to ${r.plot}`));
  if (r.calendar) {
    const c = r.calendar;
    lines.push('');
    lines.push(p.bold('When the answer exists'));
    lines.push(
      table(
        [
          [
            'recruitment',
            `${c.recruit_per_month} a month${c.teams > 1 ? ` per team x ${c.teams} teams` : ''} from ${c.start}: ${c.people_needed} people in ${c.months} month(s)`,
          ],
          ['recruitment closes', `${c.recruitment_closes_on} (last randomised ${c.last_randomised_on})`],
          [
            'outcome window',
            `${c.follow_up_days} days follow-up + ${c.waiting_days} days waiting + ${c.extract_lag_days} days extract lag`,
          ],
          ['analysable on', c.analysable_on],
        ],
        ['l', 'l'],
      ),
    );
    if (c.plot) lines.push(p.dim(`${c.curve_measure} by closing date written to ${c.plot}`));
  }
  if (r.from) {
    lines.push('');
    lines.push(p.bold(`Planned from ${r.from.file}${r.from.stage ? ` (${r.from.stage})` : ''}`));
    for (const t of r.from.taken) lines.push(`  ${t.parameter} = ${Number(t.value.toPrecision(6))}  from ${t.source}`);
    for (const n of r.from.notes) lines.push(p.dim(`  note: ${n}`));
    if (r.from.progression.length > 0) {
      lines.push('  progression criteria (this stage):');
      for (const g of r.from.progression)
        lines.push(
          `    ${g.label}: ${g.value === null ? '-' : f(g.value)} (${g.status ?? '-'}; green >= ${g.green ?? '-'}, amber >= ${g.amber ?? '-'})`,
        );
    }
  }
  if (r.outcome === 'standardised') lines.push(p.dim(`Rounding: ${r.rounding}.`));
  return lines.join('\n');
}
