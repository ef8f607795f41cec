/**
 * Attrition (EEF: the share of randomised people not in the primary analysis, overall and the
 * difference between arms) and CONSORT flow counts per arm.
 */
import { fin } from './effect-row.js';

export interface Attrition {
  randomised: number;
  analysed: number;
  /** 1 - analysed / randomised. */
  overall: number | null;
  /** |attrition treatment - attrition control|. */
  differential: number | null;
  control: number | null;
  treatment: number | null;
  /** Why people are not analysed. */
  not_measurable: number;
  missing_outcome: number;
}

/**
 * @param arm 1 treatment / 0 control per randomised row
 * @param analysed 1 when the row is in the primary analysis
 * @param measurable 0 when the outcome is not yet measurable (pending)
 */
export function attrition(arm: Uint8Array, analysed: Uint8Array, measurable: Uint8Array): Attrition {
  const rand = [0, 0];
  const an = [0, 0];
  let notMeasurable = 0;
  let missing = 0;
  for (let i = 0; i < arm.length; i++) {
    rand[arm[i]!]!++;
    if (analysed[i]) an[arm[i]!]!++;
    else if (!measurable[i]) notMeasurable++;
    else missing++;
  }
  const rate = (a: number, r: number) => (r > 0 ? 1 - a / r : NaN);
  const aT = rate(an[1]!, rand[1]!);
  const aC = rate(an[0]!, rand[0]!);
  return {
    randomised: rand[0]! + rand[1]!,
    analysed: an[0]! + an[1]!,
    overall: fin(rate(an[0]! + an[1]!, rand[0]! + rand[1]!)),
    differential: fin(Math.abs(aT - aC)),
    control: fin(aC),
    treatment: fin(aT),
    not_measurable: notMeasurable,
    missing_outcome: missing,
  };
}

export interface ConsortArm {
  arm: string;
  allocated: number;
  received: number | null;
  lost: number;
  analysed: number;
  clusters_allocated: number | null;
  clusters_analysed: number | null;
}

/**
 * CONSORT flow per arm (the shape of the `report` JSON `consort.arms`).
 * @param received 1/0 per row from `received_intervention`, or null when the column is absent
 * @param cluster 0-based cluster per row, or null for individual designs
 */
export function consortArms(labels: { control: string; treatment: string }, arm: Uint8Array, analysed: Uint8Array, received: Uint8Array | null, cluster: Int32Array | null): ConsortArm[] {
  return [0, 1].map((code) => {
    let allocated = 0;
    let rec = 0;
    let an = 0;
    const cAll = new Set<number>();
    const cAn = new Set<number>();
    for (let i = 0; i < arm.length; i++) {
      if (arm[i] !== code) continue;
      allocated++;
      if (received && received[i]) rec++;
      if (analysed[i]) an++;
      if (cluster) {
        cAll.add(cluster[i]!);
        if (analysed[i]) cAn.add(cluster[i]!);
      }
    }
    return {
      arm: code ? labels.treatment : labels.control,
      allocated,
      received: received ? rec : null,
      lost: allocated - an,
      analysed: an,
      clusters_allocated: cluster ? cAll.size : null,
      clusters_analysed: cluster ? cAn.size : null,
    };
  });
}
