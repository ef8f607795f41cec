/**
 * Attrition (EEF: the share of randomised people not in the primary analysis, overall and the
 * difference between arms) and CONSORT flow counts per arm. People whose outcome window had not
 * closed by the extract date are pending: they are neither analysed nor lost, so they are left out
 * of the denominators (pending is never attrition).
 */
import { fin } from './effect-row.js';

export interface Attrition {
  randomised: number;
  analysed: number;
  /** People whose outcome was not yet measurable (pending): not attrition. */
  pending: number;
  /** 1 - analysed / (randomised - pending). */
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
  const due = [0, 0];
  let notMeasurable = 0;
  let missing = 0;
  for (let i = 0; i < arm.length; i++) {
    rand[arm[i]!]!++;
    if (measurable[i]) due[arm[i]!]!++;
    if (analysed[i]) an[arm[i]!]!++;
    else if (!measurable[i]) notMeasurable++;
    else missing++;
  }
  const rate = (a: number, r: number) => (r > 0 ? 1 - a / r : NaN);
  const aT = rate(an[1]!, due[1]!);
  const aC = rate(an[0]!, due[0]!);
  return {
    randomised: rand[0]! + rand[1]!,
    analysed: an[0]! + an[1]!,
    pending: notMeasurable,
    overall: fin(rate(an[0]! + an[1]!, due[0]! + due[1]!)),
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
  /** Outcome window not yet closed at the extract date: neither lost nor analysed. */
  pending: number;
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
export function consortArms(
  labels: { control: string; treatment: string },
  arm: Uint8Array,
  analysed: Uint8Array,
  received: Uint8Array | null,
  cluster: Int32Array | null,
  measurable: Uint8Array | null = null,
): ConsortArm[] {
  return [0, 1].map((code) => {
    let allocated = 0;
    let rec = 0;
    let an = 0;
    let pending = 0;
    const cAll = new Set<number>();
    const cAn = new Set<number>();
    for (let i = 0; i < arm.length; i++) {
      if (arm[i] !== code) continue;
      allocated++;
      if (received && received[i]) rec++;
      if (analysed[i]) an++;
      else if (measurable && !measurable[i]) pending++;
      if (cluster) {
        cAll.add(cluster[i]!);
        if (analysed[i]) cAn.add(cluster[i]!);
      }
    }
    return {
      arm: code ? labels.treatment : labels.control,
      allocated,
      received: received ? rec : null,
      pending,
      lost: allocated - an - pending,
      analysed: an,
      clusters_allocated: cluster ? cAll.size : null,
      clusters_analysed: cluster ? cAn.size : null,
    };
  });
}
