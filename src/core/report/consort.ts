/**
 * CONSORT flow counts per arm: allocated, received the allocated intervention, lost (withdrawn or
 * not analysed), analysed, and clusters allocated / analysed in cluster designs.
 */
import type { AnalyseResult, ReportCase } from './types.js';

import type { ConsortArm } from '../analysis/attrition.js';

export type { ConsortArm };

export interface Consort {
  randomised: number;
  analysed: number;
  pending: number;
  clusters_randomised: number | null;
  arms: ConsortArm[];
  sub_arms: Array<{ arm: string; sub_arm: string; allocated: number }>;
}

export function buildConsort(
  cases: ReportCase[],
  armOrder: string[],
  treatmentArm: string,
  clusterDesign: boolean,
  analysis: AnalyseResult | null,
): Consort {
  const arms: ConsortArm[] = armOrder.map((arm) => {
    const inArm = cases.filter((c) => c.arm === arm);
    const known = inArm.some((c) => c.received_intervention !== null);
    let received: number | null = null;
    if (known) {
      const got = inArm.filter((c) => c.received_intervention === true).length;
      // The control arm's "allocated intervention" is usual practice: crossovers are those who got the treatment.
      received = arm === treatmentArm ? got : inArm.length - got;
    }
    const a = analysis?.arms.find((x) => x.arm === arm);
    // Pending people (outcome window still open at the extract date) are neither analysed nor lost.
    const pending = inArm.filter((c) => c.pending).length;
    const analysed = a ? a.n_analysed : inArm.filter((c) => c.withdrawn !== true && !c.pending).length;
    const teams = (list: ReportCase[]) =>
      new Set(list.map((c) => c.team).filter((t): t is string => t !== null && t !== '')).size;
    const clustersAnalysed = analysis?.design.n_clusters?.[arm];
    return {
      arm,
      allocated: inArm.length,
      received,
      pending,
      lost: inArm.length - analysed - pending,
      analysed,
      clusters_allocated: clusterDesign ? teams(inArm) : null,
      clusters_analysed: clusterDesign
        ? typeof clustersAnalysed === 'number'
          ? clustersAnalysed
          : teams(inArm.filter((c) => c.withdrawn !== true))
        : null,
    };
  });
  const subs = new Map<string, { arm: string; sub_arm: string; allocated: number }>();
  for (const c of cases) {
    if (!c.sub_arm) continue;
    const k = `${c.arm}\u0000${c.sub_arm}`;
    const e = subs.get(k) ?? { arm: c.arm, sub_arm: c.sub_arm, allocated: 0 };
    e.allocated++;
    subs.set(k, e);
  }
  return {
    randomised: cases.length,
    analysed: arms.reduce((s, a) => s + a.analysed, 0),
    pending: arms.reduce((s, a) => s + a.pending, 0),
    clusters_randomised: clusterDesign ? new Set(cases.map((c) => c.team).filter((t) => t)).size : null,
    arms,
    sub_arms: [...subs.values()].sort((a, b) => (a.arm + a.sub_arm < b.arm + b.sub_arm ? -1 : 1)),
  };
}
