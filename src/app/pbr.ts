/**
 * The payment-by-results use case: the exact chance a provider cohort is paid (and the payment
 * distribution and cohort needed), an optional Monte Carlo check of those exact answers against a
 * seeded simulation, and an optional SVG curve written to a file.
 */
import { UsageError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { assessPbr, type PbrResult } from '../core/pbr/assess-pbr.js';
import type { PbrTest } from '../core/pbr/binary-pbr.js';
import { FrequencyPbr } from '../core/pbr/frequency-pbr.js';
import { simulatePbr, type PbrSimulation, type SimulatedMeasure } from '../core/pbr/simulate-pbr.js';
import { writeFileAtomic } from '../io/atomic.js';
import { pbrCurveSvg } from '../report/svg/pbr-curve-svg.js';

/** The parsed request: every option already checked for range by the caller. */
export interface PbrRequest {
  cohort: number;
  baselineRate: number;
  trueRate: number;
  alpha: number;
  targetProbability: number;
  test: PbrTest;
  pricePerPoint: number | null;
  pricePerReoffence: number | null;
  frequencyBaseline: number | null;
  frequencyTrue: number | null;
  /** Simulated cohorts for the Monte Carlo check, or undefined for none. */
  reps: number | undefined;
  seed: number | undefined;
  /** Whether a seed was given (it is only meaningful with reps). */
  seedGiven: boolean;
  /** Where to write the SVG curve, if anywhere. */
  plot: string | undefined;
  onProgress?: (text: string) => void;
}

export interface SimulationCheck extends PbrSimulation {
  /** |simulated - exact| <= 3 MCSE for each simulated quantity. */
  agrees: boolean;
  checks: Array<{ quantity: string; exact: number; simulated: number; mcse: number; z: number }>;
}

export type PbrCommandResult = PbrResult & { simulation: SimulationCheck | null; plot: string | null };

function compare(
  checks: SimulationCheck['checks'],
  quantity: string,
  exact: number | null,
  sim: SimulatedMeasure,
  which: 'prob' | 'pay',
): void {
  const simulated = which === 'prob' ? sim.probability_paid : sim.expected_payment_gbp;
  let mcse = which === 'prob' ? sim.probability_paid_mcse : sim.expected_payment_mcse;
  if (exact === null || simulated === null || mcse === null) return;
  // A simulated proportion of exactly 0 or 1 has MCSE 0; use the exact-probability SE instead.
  if (which === 'prob' && mcse === 0) mcse = Math.sqrt((exact * (1 - exact)) / 1e9);
  checks.push({
    quantity,
    exact,
    simulated,
    mcse,
    z: mcse > 0 ? (simulated - exact) / mcse : simulated === exact ? 0 : Infinity,
  });
}

/** Assesses the payment-by-results risk; returns the contract object plus simulation and plot path. */
export function assessPbrRisk(r: PbrRequest): PbrCommandResult {
  const { cohort, baselineRate, trueRate, alpha, test, pricePerPoint, targetProbability } = r;
  const { frequencyBaseline, frequencyTrue, pricePerReoffence, reps, seed } = r;
  if (reps === undefined && r.seedGiven) throw new UsageError('--seed is only used with --simulate <reps>');
  if (reps !== undefined && cohort * reps > 5e9)
    throw new UsageError(
      `--simulate ${reps} with --cohort ${cohort} is too much work (cohort x reps must be at most 5e9)`,
    );

  r.onProgress?.('computing exact payment probabilities');
  const result = assessPbr({
    cohort,
    baselineRate,
    trueRate,
    alpha,
    test,
    pricePerPoint,
    targetProbability,
    frequencyBaseline,
    frequencyTrue,
    pricePerReoffence,
  });

  let simulation: SimulationCheck | null = null;
  if (reps !== undefined && seed !== undefined) {
    const freq =
      frequencyBaseline !== null && frequencyTrue !== null
        ? new FrequencyPbr(frequencyBaseline, frequencyTrue, alpha, test)
        : null;
    const sim = simulatePbr(
      {
        n: cohort,
        p0: baselineRate,
        p1: trueRate,
        alpha,
        test,
        pricePerPoint,
        frequency: freq,
        pricePerReoffence,
        reps,
        seed,
      },
      createRng(seed),
      (done) =>
        r.onProgress?.(`simulating: ${done.toLocaleString('en-GB')} of ${reps.toLocaleString('en-GB')} cohorts`),
    );
    const checks: SimulationCheck['checks'] = [];
    compare(checks, 'probability_paid', result.probability_paid, sim.binary, 'prob');
    compare(checks, 'expected_payment_gbp', result.expected_payment_gbp, sim.binary, 'pay');
    if (sim.frequency && result.frequency) {
      compare(checks, 'frequency.probability_paid', result.frequency.probability_paid, sim.frequency, 'prob');
      compare(checks, 'frequency.expected_payment_gbp', result.frequency.expected_payment_gbp, sim.frequency, 'pay');
    }
    simulation = { ...sim, agrees: checks.every((c) => Math.abs(c.z) <= 3), checks };
  }

  let plot: string | null = null;
  if (r.plot !== undefined) {
    writeFileAtomic(r.plot, pbrCurveSvg(result));
    plot = r.plot;
  }
  return { ...result, simulation, plot };
}
