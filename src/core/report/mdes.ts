/**
 * MDES at randomisation for the security rating: the smallest reduction in the binary
 * re-offending rate detectable with the trial's randomised sizes (80% power, two-sided 5%), as
 * logit d. Control rate and ICC from the trial file's assumptions; a cluster design without an
 * assumed ICC uses the ICC estimated from the data (floored at 0).
 */
import { binaryDetectable, designEffect } from '../power/binary-power.js';
import type { MdesInfo, TrialConfig } from './types.js';

export interface RandomisedSizes {
  n_control: number;
  n_treatment: number;
  /** Clusters randomised in the two arms (cluster designs), else null. */
  clusters: number | null;
}

export function mdesAtRandomisation(
  trial: TrialConfig,
  sizes: RandomisedSizes,
  estimatedIcc: number | null,
): MdesInfo | null {
  const { n_control: nC, n_treatment: nT } = sizes;
  if (nC === 0 || nT === 0) return null;
  let de = 1;
  let icc: number | null = null;
  if (sizes.clusters !== null) {
    icc = trial.assumptions.icc ?? (estimatedIcc === null ? null : Math.max(0, estimatedIcc));
    if (sizes.clusters > 0 && icc !== null) de = designEffect((nC + nT) / sizes.clusters, icc);
  }
  const p1 = trial.assumptions.control_rate;
  const d = binaryDetectable({
    p1,
    n1: nC,
    ratio: nT / nC,
    power: trial.assumptions.power,
    designEffect: de,
    alpha: 0.05,
  });
  if (d.logit_d === null || d.detectable_p2 === null) return null;
  return {
    logit_d: d.logit_d,
    control_rate: p1,
    detectable_rate: d.detectable_p2,
    n_control: nC,
    n_treatment: nT,
    design_effect: de,
    icc,
    method: `normal approximation (power.prop.test)${de > 1 ? `, design effect 1 + (m - 1) x ICC ${icc!.toFixed(3)}` : ''}`,
  };
}
