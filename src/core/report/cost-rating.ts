/**
 * Cost per participant and the EEF-style cost rating (docs/reference/reports.md#cost-rating): 1 very low
 * <= GBP 100; 2 low <= 250; 3 moderate <= 1,000; 4 high <= 2,500; 5 very high above. The bands are
 * adjustable in the trial file.
 */
import type { CostCategory, CostRow } from './types.js';

export const DEFAULT_COST_BANDS: readonly number[] = [100, 250, 1000, 2500];
export const COST_RATING_WORDS = ['very low', 'low', 'moderate', 'high', 'very high'] as const;

/** Rating 1-5 for a cost per participant, given four increasing upper bounds. */
export function costRating(perParticipant: number, bands: readonly number[] = DEFAULT_COST_BANDS): number {
  if (!Number.isFinite(perParticipant) || perParticipant < 0)
    throw new Error(`costRating(): cost must be a finite number >= 0, got ${perParticipant}`);
  if (bands.length !== 4) throw new Error('costRating(): exactly four band limits are needed');
  const i = bands.findIndex((b) => perParticipant <= b);
  return i === -1 ? 5 : i + 1;
}

export interface CostSummary {
  per_participant_gbp: number | null;
  rating: number | null;
  rating_words: string | null;
  participants: number;
  total_gbp: number;
  start_up_gbp: number;
  recurring_gbp: number;
  start_up_per_participant_gbp: number | null;
  recurring_per_participant_gbp: number | null;
  by_category: Array<{ category: CostCategory; amount_gbp: number; per_participant_gbp: number | null }>;
  /** Items charged to the control arm (usual practice): shown, not counted in the incremental cost. */
  control_total_gbp: number;
  items: number;
  note: string;
}

/**
 * The incremental cost of the intervention per participant: every item charged to the treatment
 * arm (or to no arm) divided by the number of people allocated to treatment. Control-arm items are
 * usual practice and are shown separately.
 */
export function costSummary(
  costs: CostRow[],
  treatmentArm: string,
  controlArm: string,
  participants: number,
  bands: readonly number[] = DEFAULT_COST_BANDS,
): CostSummary {
  const counted = costs.filter((c) => c.arm === '' || c.arm === treatmentArm || c.arm === 'all' || c.arm === 'both');
  const controlTotal = costs.filter((c) => c.arm === controlArm).reduce((s, c) => s + c.amount_gbp, 0);
  const total = counted.reduce((s, c) => s + c.amount_gbp, 0);
  const startUp = counted.filter((c) => !c.recurring).reduce((s, c) => s + c.amount_gbp, 0);
  const recurring = total - startUp;
  // No cost items means the cost is unknown, not zero.
  const per = participants > 0 && costs.length > 0 ? total / participants : null;
  const cats = new Map<CostCategory, number>();
  for (const c of counted) cats.set(c.category, (cats.get(c.category) ?? 0) + c.amount_gbp);
  const order: CostCategory[] = ['staff_training', 'staff_time', 'enabling_fund', 'grant_fund', 'third_party', 'other'];
  const rating = per === null ? null : costRating(per, bands);
  return {
    per_participant_gbp: per,
    rating,
    rating_words: rating === null ? null : COST_RATING_WORDS[rating - 1]!,
    participants,
    total_gbp: total,
    start_up_gbp: startUp,
    recurring_gbp: recurring,
    start_up_per_participant_gbp: participants > 0 ? startUp / participants : null,
    recurring_per_participant_gbp: participants > 0 ? recurring / participants : null,
    by_category: order
      .filter((k) => cats.has(k))
      .map((k) => ({
        category: k,
        amount_gbp: cats.get(k)!,
        per_participant_gbp: participants > 0 ? cats.get(k)! / participants : null,
      })),
    control_total_gbp: controlTotal,
    items: costs.length,
    note:
      costs.length === 0
        ? 'No cost items were supplied, so no cost per participant can be given.'
        : participants > 0
          ? `Incremental cost: items charged to the ${treatmentArm} arm divided by the ${participants} people allocated to it; ${controlArm}-arm items (usual practice) are not counted.`
          : `No one was allocated to the ${treatmentArm} arm, so no cost per participant can be given.`,
  };
}
