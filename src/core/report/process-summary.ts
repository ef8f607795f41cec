/**
 * Implementation and process measures summarised by arm and level (person or team), and what the
 * enabling fund or grant bought (spend by category). Units are never listed, only summaries.
 */
import type { ProcessRow } from './types.js';

export interface ProcessMeasureSummary {
  measure: string;
  label: string;
  level: 'person' | 'team';
  arm: string;
  n: number;
  mean: number;
  sd: number | null;
  median: number;
  min: number;
  max: number;
  total: number;
}

export interface FundUse {
  measure: 'fund_spend_gbp' | 'grant_spend_gbp';
  categories: Array<{ category: string; units: number; amount_gbp: number }>;
  units_with_spend: number;
  total_gbp: number;
}

export interface ProcessSummary {
  measures: ProcessMeasureSummary[];
  fund_use: FundUse | null;
}

export const MEASURE_LABELS: Record<string, string> = {
  fidelity_pct: 'Fidelity checklist score (%)',
  coproduction_score: 'Co-production scale score',
  staff_trained: 'Staff trained',
  fund_spend_gbp: 'Enabling fund spend (£)',
  peer_contacts: 'Peer-support contacts',
  network_size: 'Social network size',
  services_created: 'Services created',
  grant_spend_gbp: 'Grant spend (£)',
  orgs_mapped: 'Community organisations mapped',
  orgs_used: 'Community organisations used',
  volunteering_hours: 'Volunteering hours',
  staff_experience_score: 'Staff experience score',
};

function quantile50(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export function processSummary(rows: ProcessRow[], armOrder: string[]): ProcessSummary {
  const groups = new Map<string, { measure: string; level: 'person' | 'team'; arm: string; values: number[] }>();
  for (const r of rows) {
    const v = Number(r.value);
    if (r.value.trim() === '' || !Number.isFinite(v)) continue;
    const key = `${r.measure}\u0000${r.level}\u0000${r.arm}`;
    const g = groups.get(key) ?? { measure: r.measure, level: r.level, arm: r.arm, values: [] };
    g.values.push(v);
    groups.set(key, g);
  }
  const measureOrder = [...new Set(rows.map((r) => r.measure))];
  const measures: ProcessMeasureSummary[] = [...groups.values()]
    .sort(
      (a, b) =>
        measureOrder.indexOf(a.measure) - measureOrder.indexOf(b.measure) ||
        (a.level < b.level ? -1 : a.level > b.level ? 1 : 0) ||
        rank(armOrder, a.arm) - rank(armOrder, b.arm),
    )
    .map((g) => {
      const s = [...g.values].sort((x, y) => x - y);
      const n = s.length;
      const total = s.reduce((a, b) => a + b, 0);
      const mean = total / n;
      const sd = n > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : null;
      return {
        measure: g.measure,
        label: Object.hasOwn(MEASURE_LABELS, g.measure) ? MEASURE_LABELS[g.measure]! : g.measure.replace(/_/g, ' '),
        level: g.level,
        arm: g.arm,
        n,
        mean,
        sd,
        median: quantile50(s),
        min: s[0]!,
        max: s[n - 1]!,
        total,
      };
    });
  return { measures, fund_use: fundUse(rows) };
}

function rank(order: string[], arm: string): number {
  const i = order.indexOf(arm);
  return i === -1 ? order.length : i;
}

/** Spend by category: joins each unit's spend to its `fund_category` (text) row. */
export function fundUse(rows: ProcessRow[]): FundUse | null {
  for (const measure of ['fund_spend_gbp', 'grant_spend_gbp'] as const) {
    const spend = rows.filter(
      (r) => r.measure === measure && Number.isFinite(Number(r.value)) && r.value.trim() !== '',
    );
    if (spend.length === 0) continue;
    const catOf = new Map<string, string>();
    for (const r of rows)
      if (r.measure === 'fund_category' || r.measure === 'grant_category')
        catOf.set(`${r.level}\u0000${r.unit}`, r.value.trim() || 'not recorded');
    const cats = new Map<string, { units: Set<string>; amount: number }>();
    let total = 0;
    const units = new Set<string>();
    for (const r of spend) {
      const v = Number(r.value);
      if (v <= 0) continue;
      const key = `${r.level}\u0000${r.unit}`;
      const c = catOf.get(key) ?? 'not recorded';
      const e = cats.get(c) ?? { units: new Set<string>(), amount: 0 };
      e.units.add(key);
      e.amount += v;
      cats.set(c, e);
      total += v;
      units.add(key);
    }
    return {
      measure,
      categories: [...cats.entries()]
        .map(([category, e]) => ({ category, units: e.units.size, amount_gbp: e.amount }))
        .sort((a, b) => b.amount_gbp - a.amount_gbp || (a.category < b.category ? -1 : 1)),
      units_with_spend: units.size,
      total_gbp: total,
    };
  }
  return null;
}
