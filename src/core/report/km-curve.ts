/**
 * Kaplan-Meier step curves for the report's picture (the numbers in the effects table come from
 * `analyse`). S(t) = prod over event times t_i <= t of (1 - d_i / n_i), as R `survfit`.
 */
import type { PersonOutcome } from './types.js';

export interface KmCurve {
  arm: string;
  n: number;
  events: number;
  /** Steps: survival (not re-offended) just after each event time, starting at (0, 1). */
  steps: Array<{ time: number; survival: number; at_risk: number }>;
  max_time: number;
}

export function kmCurves(data: PersonOutcome[], armOrder: string[]): KmCurve[] {
  const arms = armOrder.filter((a) => data.some((d) => d.arm === a));
  return arms.map((arm) => {
    const rows = data.filter((d) => d.arm === arm);
    const times = [...new Set(rows.filter((r) => r.event === 1).map((r) => r.time))].sort((a, b) => a - b);
    let s = 1;
    const steps: KmCurve['steps'] = [{ time: 0, survival: 1, at_risk: rows.length }];
    for (const t of times) {
      const atRisk = rows.filter((r) => r.time >= t).length;
      const d = rows.filter((r) => r.time === t && r.event === 1).length;
      s *= 1 - d / atRisk;
      steps.push({ time: t, survival: s, at_risk: atRisk });
    }
    return {
      arm,
      n: rows.length,
      events: rows.filter((r) => r.event === 1).length,
      steps,
      max_time: rows.reduce((m, r) => Math.max(m, r.time), 0),
    };
  });
}
