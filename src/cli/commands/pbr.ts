/**
 * `pilot-eval pbr`: payment-by-results risk for a provider's cohort (docs/reference/commands.md#pbr): the
 * chance the cohort shows a significant reduction on a fixed baseline (and so is paid), the
 * payment distribution, and the cohort needed for the target chance; optional Monte Carlo check
 * and SVG curve.
 */
import type { Command } from 'commander';
import type { PbrTest } from '../../core/pbr/binary-pbr.js';
import { assessPbrRisk, type PbrCommandResult } from '../../app/pbr.js';
import { withCommon } from '../command-kit.js';
import {
  parseChoiceOption,
  parseIntOption,
  parseNumberOption,
  parseProportionOption,
  parseSeed,
  requireOption,
} from '../options.js';
import { painter, printJson, printText, table, withProgress } from '../output.js';
import { percent } from '../../core/format.js';

export interface PbrCliOptions {
  cohort?: string;
  baselineRate?: string;
  trueRate?: string;
  alpha?: string;
  test?: string;
  pricePerPoint?: string;
  pricePerReoffence?: string;
  targetProbability?: string;
  frequencyBaseline?: string;
  frequencyTrue?: string;
  simulate?: string;
  seed?: string;
  plot?: string;
  onProgress?: (text: string) => void;
}

export type { PbrCommandResult, SimulationCheck } from '../../app/pbr.js';

/** A probability option strictly inside (0, 1), naming the option. */
const proportion = (name: string, text: string | undefined): number | undefined =>
  parseProportionOption(name, text, 'both');

/** Handler: returns the contract object (plus simulation and plot path). */
export async function runPbr(o: PbrCliOptions): Promise<PbrCommandResult> {
  const cohort = parseIntOption('--cohort', requireOption('--cohort', o.cohort), 1, 10_000_000)!;
  const baselineRate = proportion('--baseline-rate', requireOption('--baseline-rate', o.baselineRate))!;
  const trueRate = proportion('--true-rate', requireOption('--true-rate', o.trueRate))!;
  const alpha = proportion('--alpha', o.alpha) ?? 0.05;
  const targetProbability = proportion('--target-probability', o.targetProbability) ?? 0.8;
  const test: PbrTest = parseChoiceOption('--test', o.test, ['exact', 'normal'] as const) ?? 'exact';
  const pricePerPoint = parseNumberOption('--price-per-point', o.pricePerPoint, 0, Infinity) ?? null;
  const pricePerReoffence = parseNumberOption('--price-per-reoffence', o.pricePerReoffence, 0, Infinity) ?? null;
  const frequencyBaseline = parseNumberOption('--frequency-baseline', o.frequencyBaseline, 0, Infinity, true) ?? null;
  const frequencyTrue = parseNumberOption('--frequency-true', o.frequencyTrue, 0, Infinity, true) ?? null;
  const reps = parseIntOption('--simulate', o.simulate, 100, 10_000_000);
  const seed = parseSeed(o.seed, reps !== undefined);
  return assessPbrRisk({
    cohort,
    baselineRate,
    trueRate,
    alpha,
    targetProbability,
    test,
    pricePerPoint,
    pricePerReoffence,
    frequencyBaseline,
    frequencyTrue,
    reps,
    seed,
    seedGiven: o.seed !== undefined,
    plot: o.plot,
    onProgress: o.onProgress,
  });
}

const pct = (x: number | null, d = 1) => percent(x, d, '-');
const gbp = (x: number | null) => (x === null ? '-' : `£${Math.round(x).toLocaleString('en-GB')}`);
const num = (x: number | null) => (x === null ? 'not reached' : x.toLocaleString('en-GB'));

function render(r: PbrCommandResult): string {
  const p = painter({ json: false });
  const lines: string[] = [];
  lines.push(
    p.bold(
      `Payment by results: cohort of ${r.cohort.toLocaleString('en-GB')}, baseline ${pct(r.baseline_rate)}, assumed true rate ${pct(r.true_rate)}`,
    ),
  );
  lines.push(p.dim(`one-sided ${r.test} test at alpha ${r.alpha}; paid only on a significant reduction`));
  lines.push('');
  const rows: string[][] = [['', 'binary measure', ...(r.frequency ? ['frequency measure'] : [])]];
  const f = r.frequency;
  rows.push([
    'paid if at most',
    r.critical_reoffenders === null
      ? 'never (cohort too small)'
      : `${r.critical_reoffenders} re-offenders (${pct(r.critical_rate)})`,
    ...(f
      ? [
          f.critical_reoffences_at_expected === null
            ? 'never'
            : `${f.critical_reoffences_at_expected} re-offences by ${Math.round(f.expected_reoffenders)} re-offenders`,
        ]
      : []),
  ]);
  rows.push(['probability paid', pct(r.probability_paid), ...(f ? [pct(f.probability_paid)] : [])]);
  if (r.expected_payment_gbp !== null || f?.expected_payment_gbp != null) {
    rows.push(['expected payment', gbp(r.expected_payment_gbp), ...(f ? [gbp(f.expected_payment_gbp)] : [])]);
    const d = r.payment_distribution;
    const fd = f?.payment_distribution ?? null;
    rows.push([
      'payment 10/50/90%',
      d ? `${gbp(d.p10_gbp)} / ${gbp(d.median_gbp)} / ${gbp(d.p90_gbp)}` : '-',
      ...(f ? [fd ? `${gbp(fd.p10_gbp)} / ${gbp(fd.median_gbp)} / ${gbp(fd.p90_gbp)}` : '-'] : []),
    ]);
    rows.push(['most possible', gbp(d?.maximum_gbp ?? null), ...(f ? [gbp(fd?.maximum_gbp ?? null)] : [])]);
  }
  rows.push([
    `cohort for ${pct(r.target_probability, 0)} chance`,
    num(r.cohort_for_target),
    ...(f ? [num(f.cohort_for_target)] : []),
  ]);
  rows.push(['... and stays there', num(r.cohort_for_target_stable), ...(f ? [num(f.cohort_for_target_stable)] : [])]);
  lines.push(table(rows, ['l', 'r', 'r']));
  lines.push('');
  // Probability by cohort size at round numbers.
  const sizes = [25, 50, 100, 200, 300, 500, 750, 1000, 2000, 5000].filter(
    (s) => s <= (r.curve[r.curve.length - 1]?.cohort ?? 0),
  );
  const byN = new Map(r.curve.map((c) => [c.cohort, c]));
  const shown = sizes.filter((s) => byN.has(s));
  if (shown.length) {
    const t: string[][] = [['cohort', 'P(paid) binary', ...(f ? ['P(paid) frequency'] : [])]];
    for (const s of shown) {
      const c = byN.get(s)!;
      t.push([s.toLocaleString('en-GB'), pct(c.probability_paid), ...(f ? [pct(c.probability_paid_frequency)] : [])]);
    }
    lines.push(table(t, ['r', 'r', 'r']));
    lines.push('');
  }
  if (r.simulation) {
    const s = r.simulation;
    lines.push(
      p.bold(
        `Simulation check (${s.reps.toLocaleString('en-GB')} cohorts, seed ${s.seed}): ${s.agrees ? p.green('agrees with the exact answer') : p.red('DISAGREES with the exact answer')}`,
      ),
    );
    for (const c of s.checks)
      lines.push(
        `  ${c.quantity}: exact ${c.exact.toFixed(4)}, simulated ${c.simulated.toFixed(4)} (MCSE ${c.mcse.toFixed(4)}, z ${c.z.toFixed(2)})`,
      );
    lines.push('');
  }
  lines.push(p.bold('What this means'));
  lines.push(wrap(r.explanation, 92));
  if (r.plot) lines.push('', `Curve written to ${r.plot}`);
  return lines.join('\n');
}

function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out.join('\n');
}

export function register(program: Command): void {
  withCommon(program.command('pbr'))
    .description('Payment-by-results risk: the chance a provider cohort shows a significant reduction (and is paid)')
    .option('--cohort <n>', 'people in the provider cohort')
    .option('--baseline-rate <p0>', 'baseline binary re-offending rate (e.g. the 2011 baseline), 0-1')
    .option('--true-rate <p1>', "the provider's assumed true re-offending rate, 0-1")
    .option('--alpha <a>', 'one-sided significance level (0.05)')
    .option('--test <t>', 'exact (one-sided binomial) or normal (z-test with the null SE) (exact)')
    .option('--price-per-point <gbp>', 'payment per percentage point below the baseline, when significant')
    .option('--frequency-baseline <f0>', 'frequency measure: baseline re-offences per re-offender')
    .option('--frequency-true <f1>', 'frequency measure: assumed true re-offences per re-offender')
    .option(
      '--price-per-reoffence <gbp>',
      'frequency measure: payment per re-offence below the baseline, when significant',
    )
    .option('--target-probability <p>', 'chance of payment wanted when sizing the cohort (0.8)')
    .option('--simulate <reps>', 'also simulate this many cohorts and check against the exact answer')
    .option('--seed <int>', 'random seed for --simulate')
    .option('--plot <svg>', 'write an SVG curve of payment probability against cohort size')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ pilot-eval pbr --cohort 100 --baseline-rate 0.35 --true-rate 0.30 --price-per-point 2000\n' +
        '  $ pilot-eval pbr --cohort 300 --baseline-rate 0.35 --true-rate 0.30 --frequency-baseline 3.2 --frequency-true 2.9 \\\n' +
        '      --price-per-reoffence 150 --simulate 20000 --seed 7 --plot pbr.svg\n' +
        '  $ pilot-eval pbr --cohort 100 --baseline-rate 0.35 --true-rate 0.30 --json | jq .probability_paid',
    )
    .action(async (opts: PbrCliOptions & { json?: boolean }) => {
      const result = await withProgress('payment-by-results risk', Boolean(opts.json), (update) =>
        runPbr({ ...opts, onProgress: update }),
      );
      if (opts.json) return printJson(result);
      printText(render(result));
    });
}
