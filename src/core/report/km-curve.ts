/**
 * Kaplan-Meier step curves for the report's picture (the numbers in the effects table come from
 * `analyse`). S(t) = prod over event times t_i <= t of (1 - d_i / n_i), as R `survfit`.
 */
import { kaplanMeier } from '../stats/kaplan-meier.js';
import type { PersonOutcome } from './types.js';

export interface KmCurve {
  arm: string;
  n: number;
  events: number;
  /** Steps: survival (not re-offended) just after each event time, starting at (0, 1). */
  steps: Array<{ time: number; survival: number; at_risk: number }>;
  max_time: number;
}

/** One curve per arm present, from the product-limit fit `analyse` uses (one sort per arm). */
export function kmCurves(data: PersonOutcome[], armOrder: string[]): KmCurve[] {
  const byArm = new Map<string, { time: number[]; status: number[] }>(
    armOrder.map((a) => [a, { time: [], status: [] }]),
  );
  for (const d of data) {
    const g = byArm.get(d.arm);
    if (g) {
      g.time.push(d.time);
      g.status.push(d.event);
    }
  }
  return armOrder.flatMap((arm) => {
    const g = byArm.get(arm)!;
    if (g.time.length === 0) return [];
    const km = kaplanMeier(g.time, g.status);
    const steps: KmCurve['steps'] = [{ time: 0, survival: 1, at_risk: km.n }];
    for (const st of km.steps)
      if (st.nEvent > 0) steps.push({ time: st.time, survival: st.survival, at_risk: st.nRisk });
    return [{ arm, n: km.n, events: km.events, steps, max_time: Math.max(0, km.maxTime) }];
  });
}
