/**
 * Baseline balance: standardised mean difference (mean_t - mean_c) / sqrt((var_t + var_c) / 2) per
 * covariate, sample variances (n - 1). Reported, never tested (CONSORT).
 */
import { meanVar } from '../stats/welch-t-test.js';
import { fin } from './effect-row.js';

export interface BalanceRow {
  covariate: string;
  mean_control: number | null;
  mean_treatment: number | null;
  smd: number | null;
  n_control: number;
  n_treatment: number;
}

/**
 * @param include rows to use (1) or not (0), e.g. the analysed sample; missing values (NaN) are skipped.
 * @example balanceRow('age', Float64Array.of(30, 40, 40, 60), Uint8Array.of(0, 0, 1, 1), Uint8Array.of(1, 1, 1, 1)).smd // => 1.3416408 // (50 - 35) / sqrt((var(c(40, 60)) + var(c(30, 40))) / 2)
 */
export function balanceRow(name: string, values: Float64Array, arm: Uint8Array, include: Uint8Array): BalanceRow {
  const t: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (!include[i] || Number.isNaN(values[i]!)) continue;
    (arm[i] ? t : c).push(values[i]!);
  }
  const mt = meanVar(t);
  const mc = meanVar(c);
  const pooled = Math.sqrt((mt.variance + mc.variance) / 2);
  const smd = pooled > 0 ? (mt.mean - mc.mean) / pooled : mt.mean === mc.mean && t.length > 1 && c.length > 1 ? 0 : NaN;
  return {
    covariate: name,
    mean_control: c.length ? fin(mc.mean) : null,
    mean_treatment: t.length ? fin(mt.mean) : null,
    smd: fin(smd),
    n_control: c.length,
    n_treatment: t.length,
  };
}
