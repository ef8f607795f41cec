import { describe, expect, it } from 'vitest';
import { costRating, costSummary } from './cost-rating.js';
import type { CostRow } from './types.js';

describe('cost rating (docs/reference/reports.md: <=100, <=250, <=1,000, <=2,500, above)', () => {
  it('bands per-participant cost, limits inclusive', () => {
    expect([0, 100, 100.01, 250, 999, 1000, 2500, 2500.5, 1e6].map((x) => costRating(x))).toEqual([
      1, 1, 2, 2, 3, 3, 4, 5, 5,
    ]);
  });
  it('uses the trial file bands', () => {
    expect(costRating(150, [50, 100, 200, 400])).toBe(3);
  });
  it('rejects a negative or non-finite cost', () => {
    expect(() => costRating(-1)).toThrow('cost must be a finite number >= 0');
  });
  it('divides the treatment-arm cost by the people allocated to treatment; control items are not counted', () => {
    const rows: CostRow[] = [
      { item: 'training', category: 'staff_training', amount_gbp: 10000, arm: 'treatment', recurring: false },
      { item: 'time', category: 'staff_time', amount_gbp: 20000, arm: 'treatment', recurring: true },
      { item: 'fund', category: 'enabling_fund', amount_gbp: 5000, arm: '', recurring: true },
      { item: 'usual', category: 'staff_time', amount_gbp: 99999, arm: 'control', recurring: true },
    ];
    const s = costSummary(rows, 'treatment', 'control', 100);
    expect(s.total_gbp).toBe(35000);
    expect(s.per_participant_gbp).toBe(350);
    expect(s.start_up_per_participant_gbp).toBe(100);
    expect(s.recurring_per_participant_gbp).toBe(250);
    expect(s.rating).toBe(3);
    expect(s.rating_words).toBe('moderate');
    expect(s.control_total_gbp).toBe(99999);
    expect(s.by_category.map((c) => c.category)).toEqual(['staff_training', 'staff_time', 'enabling_fund']);
  });
  it('gives no cost per participant (null, not NaN) when no one is in the treatment arm', () => {
    const s = costSummary(
      [{ item: 'x', category: 'other', amount_gbp: 10, arm: 'treatment', recurring: false }],
      'treatment',
      'control',
      0,
    );
    expect(s.per_participant_gbp).toBeNull();
    expect(s.rating).toBeNull();
  });
  it('no cost items is an unknown cost, not a zero cost', () => {
    const s = costSummary([], 'treatment', 'control', 50);
    expect(s.per_participant_gbp).toBeNull();
    expect(s.note).toBe('No cost items were supplied, so no cost per participant can be given.');
  });
});
