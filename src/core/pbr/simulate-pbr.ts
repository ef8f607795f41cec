/**
 * Monte Carlo check of the exact payment-by-results answers: draw cohorts under the true rates,
 * apply the same tests, and count how often the provider is paid. MCSE of a proportion is
 * sqrt(p(1 - p)/reps); of a mean payment, sd/sqrt(reps).
 */
import { binomial, poisson, type Rng } from '../random.js';
import { binaryPayment, criticalReoffenders, type PbrTest } from './binary-pbr.js';
import type { FrequencyPbr } from './frequency-pbr.js';

export interface SimulatedMeasure {
  probability_paid: number;
  probability_paid_mcse: number;
  expected_payment_gbp: number | null;
  expected_payment_mcse: number | null;
}

export interface PbrSimulation {
  reps: number;
  seed: number;
  binary: SimulatedMeasure;
  frequency: SimulatedMeasure | null;
}

export interface PbrSimulationInput {
  n: number;
  p0: number;
  p1: number;
  alpha: number;
  test: PbrTest;
  pricePerPoint: number | null;
  frequency: FrequencyPbr | null;
  pricePerReoffence: number | null;
  reps: number;
  seed: number;
}

function summarise(paid: number, reps: number, sum: number, sumSq: number, priced: boolean): SimulatedMeasure {
  const p = paid / reps;
  const mean = sum / reps;
  const variance = reps > 1 ? Math.max(0, (sumSq - reps * mean * mean) / (reps - 1)) : 0;
  return {
    probability_paid: p,
    probability_paid_mcse: Math.sqrt((p * (1 - p)) / reps),
    expected_payment_gbp: priced ? mean : null,
    expected_payment_mcse: priced ? Math.sqrt(variance / reps) : null,
  };
}

/** Simulates `reps` cohorts with an injected generator. */
export function simulatePbr(input: PbrSimulationInput, rng: Rng, onProgress?: (done: number) => void): PbrSimulation {
  const { n, p0, p1, reps } = input;
  const critical = criticalReoffenders(n, p0, input.alpha, input.test);
  const bin = { paid: 0, sum: 0, sumSq: 0 };
  const freq = { paid: 0, sum: 0, sumSq: 0 };
  const f = input.frequency;
  for (let r = 0; r < reps; r++) {
    const x = binomial(rng, n, p1);
    if (critical !== null && x <= critical) bin.paid++;
    if (input.pricePerPoint !== null) {
      const pay = binaryPayment(x, n, p0, input.pricePerPoint, critical);
      bin.sum += pay;
      bin.sumSq += pay * pay;
    }
    if (f) {
      const t = x > 0 ? poisson(rng, x * f.f1) : 0;
      const c = f.critical(x);
      const paid = c !== null && t <= c;
      if (paid) freq.paid++;
      if (input.pricePerReoffence !== null && paid) {
        const pay = Math.max(0, input.pricePerReoffence * (x * f.f0 - t));
        freq.sum += pay;
        freq.sumSq += pay * pay;
      }
    }
    if (onProgress && (r + 1) % 1000 === 0) onProgress(r + 1);
  }
  return {
    reps,
    seed: input.seed,
    binary: summarise(bin.paid, reps, bin.sum, bin.sumSq, input.pricePerPoint !== null),
    frequency: f ? summarise(freq.paid, reps, freq.sum, freq.sumSq, input.pricePerReoffence !== null) : null,
  };
}
