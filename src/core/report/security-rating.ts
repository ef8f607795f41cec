/**
 * EEF security rating (padlocks, 2019 classification, adapted; docs/reference/reports.md#security-rating).
 * Initial rating = the lowest of design, MDES at randomisation and attrition; threats to validity
 * then drop it by at most two padlocks. Every step is recorded as a reason a reader can check.
 */
import type { DesignKind, Threat } from './types.js';

export const DESIGN_PADLOCKS: Record<DesignKind, number> = {
  randomised: 5,
  matched_all_observables: 3,
  matched_some_observables: 2,
  no_relevant_confounders: 1,
  no_comparator: 0,
};

const DESIGN_WORDS: Record<DesignKind, string> = {
  randomised: 'randomised controlled trial',
  matched_all_observables: 'comparison group matched on all relevant observables',
  matched_some_observables: 'comparison group matched on some relevant observables',
  no_relevant_confounders: 'comparison group with no evidence on relevant confounders',
  no_comparator: 'no comparison group',
};

/** MDES bands: <=0.2: 5, <=0.3: 4, <=0.4: 3, <=0.5: 2, <=0.6: 1, else 0. */
export function mdesPadlocks(mdes: number): number {
  if (!(mdes >= 0)) throw new Error(`mdesPadlocks(): MDES must be >= 0, got ${mdes}`);
  const bounds = [0.2, 0.3, 0.4, 0.5, 0.6];
  const i = bounds.findIndex((b) => mdes <= b + 1e-12);
  return i === -1 ? 0 : 5 - i;
}

/** Attrition bands (fraction lost): <=10%: 5, <=20%: 4, <=30%: 3, <=40%: 2, <=50%: 1, else 0. */
export function attritionPadlocks(attrition: number): number {
  if (!(attrition >= 0 && attrition <= 1))
    throw new Error(`attritionPadlocks(): attrition must be in [0, 1], got ${attrition}`);
  const bounds = [0.1, 0.2, 0.3, 0.4, 0.5];
  const i = bounds.findIndex((b) => attrition <= b + 1e-12);
  return i === -1 ? 0 : 5 - i;
}

export interface SecurityInput {
  design: DesignKind;
  /** MDES at randomisation on the effect-size scale (binary: logit d); null when not computable. */
  mdes: number | null;
  /** Overall attrition (fraction of randomised people not analysed); null when unknown. */
  attrition: number | null;
  threats: Threat[];
}

export interface SecurityRating {
  padlocks: number;
  /** The design, as classified (e.g. `randomised`). */
  design: DesignKind;
  mdes: number | null;
  attrition: number | null;
  design_padlocks: number;
  mdes_padlocks: number | null;
  attrition_padlocks: number | null;
  initial: number;
  drops: Array<{ threat: string; drop: number; reason: string }>;
  reasons: string[];
}

/**
 * @example securityRating({ design: 'randomised', mdes: 0.25, attrition: 0.12, threats: [] }).padlocks // => 4
 */
export function securityRating(input: SecurityInput): SecurityRating {
  const designP = DESIGN_PADLOCKS[input.design];
  const reasons: string[] = [];
  reasons.push(`Design: ${DESIGN_WORDS[input.design]} (${designP} padlock${designP === 1 ? '' : 's'} at most).`);
  let mdesP: number;
  if (input.mdes === null) {
    // Without an MDES the trial's sensitivity cannot be judged: treat it as the weakest band.
    mdesP = 0;
    reasons.push('MDES: not available (no sample size or outcome to compute it), so 0 padlocks for sensitivity.');
  } else {
    mdesP = mdesPadlocks(input.mdes);
    reasons.push(
      `MDES at randomisation: ${bandValue(input.mdes, [0.2, 0.3, 0.4, 0.5, 0.6])} (logit d) -> ${mdesP} padlock${mdesP === 1 ? '' : 's'} (<= 0.2: 5, <= 0.3: 4, <= 0.4: 3, <= 0.5: 2, <= 0.6: 1).`,
    );
  }
  let attrP: number;
  if (input.attrition === null) {
    attrP = 0;
    reasons.push('Attrition: not known (no outcome data), so 0 padlocks for attrition.');
  } else {
    attrP = attritionPadlocks(input.attrition);
    reasons.push(
      `Attrition: ${bandValue(100 * input.attrition, [10, 20, 30, 40, 50], 1)}% of randomised people whose outcome was due not analysed -> ${attrP} padlock${attrP === 1 ? '' : 's'} (<= 10%: 5, <= 20%: 4, <= 30%: 3, <= 40%: 2, <= 50%: 1).`,
    );
  }
  const initial = Math.min(designP, mdesP, attrP);
  const limiting = [
    designP === initial ? 'design' : null,
    mdesP === initial ? 'MDES' : null,
    attrP === initial ? 'attrition' : null,
  ].filter(Boolean);
  reasons.push(`Initial rating: ${initial} (the lowest of the three, set by ${limiting.join(' and ')}).`);

  // Threats drop the rating by at most two in total; each drop names its reason.
  let budget = 2;
  let padlocks = initial;
  const drops: SecurityRating['drops'] = [];
  for (const t of input.threats) {
    const wanted = Math.max(0, Math.round(t.drop));
    const d = Math.min(wanted, budget, padlocks);
    if (wanted === 0) {
      reasons.push(`Threat (${t.threat.replace(/_/g, ' ')}): ${t.reason} - noted, no drop.`);
      continue;
    }
    if (d <= 0) {
      reasons.push(
        `Threat (${t.threat.replace(/_/g, ' ')}): ${t.reason} - no further drop (${budget === 0 ? 'at most two padlocks are dropped for threats' : 'the rating is already 0'}).`,
      );
      continue;
    }
    budget -= d;
    padlocks -= d;
    drops.push({ threat: t.threat, drop: d, reason: t.reason });
    reasons.push(`Threat (${t.threat.replace(/_/g, ' ')}): ${t.reason} -> drop ${d} padlock${d === 1 ? '' : 's'}.`);
  }
  if (input.threats.length === 0) reasons.push('Threats to validity: none recorded, no drop.');
  reasons.push(`Final rating: ${padlocks} padlock${padlocks === 1 ? '' : 's'}.`);
  return {
    padlocks,
    design: input.design,
    mdes: input.mdes,
    attrition: input.attrition,
    design_padlocks: designP,
    mdes_padlocks: mdesP,
    attrition_padlocks: attrP,
    initial,
    drops,
    reasons,
  };
}

/**
 * A value printed beside band limits with the decimals it needs not to seem to sit in another band:
 * 0.6003 is "0.6003", not "0.60" beside "<= 0.6: 1 padlock" when it earned 0.
 */
export function bandValue(x: number, limits: readonly number[], minDp = 2): string {
  for (let dp = minDp; dp < minDp + 6; dp++) {
    const t = x.toFixed(dp);
    if (!limits.some((l) => Number(t) === l && x !== l)) return t;
  }
  return String(x);
}
