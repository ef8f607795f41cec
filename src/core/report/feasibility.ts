/**
 * Feasibility measures from the cases and process data: recruitment against target, consent,
 * retention, engagement (sessions attended / offered), fidelity, and fund or grant take-up.
 */
import { DEFAULT_PROGRESSION, trafficLight, type ProgressionItem } from './progression.js';
import type { ProcessRow, ProgressionThreshold, ReportCase } from './types.js';

export interface FeasibilityMeasures {
  randomised: number;
  target_recruitment: number | null;
  recruitment: number | null;
  consent: number | null;
  retention: number | null;
  engagement: number | null;
  fidelity: number | null;
  compliance: number | null;
  fund_take_up: number | null;
}

function share(xs: Array<boolean | null>): number | null {
  const known = xs.filter((x): x is boolean => x !== null);
  return known.length ? known.filter(Boolean).length / known.length : null;
}

/** Mean of a numeric process measure over one arm's rows, else rows for all arms (fidelity_pct is a percent). */
export function processMean(process: ProcessRow[] | null, measure: string, arm: string | null): number | null {
  if (!process) return null;
  const of = (pred: (r: ProcessRow) => boolean) =>
    process
      .filter((r) => r.measure === measure && r.value.trim() !== '' && pred(r))
      .map((r) => Number(r.value))
      .filter((v) => Number.isFinite(v));
  let vals = of((r) => arm === null || r.arm === arm);
  // Units that serve both arms (e.g. a women's centre) record arm "all" or leave it empty.
  if (vals.length === 0 && arm !== null) vals = of((r) => r.arm === 'all' || r.arm === '');
  return vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : null;
}

export function feasibilityMeasures(
  cases: ReportCase[],
  process: ProcessRow[] | null,
  treatmentArm: string,
  targetRecruitment: number | null,
): FeasibilityMeasures {
  const treated = cases.filter((c) => c.arm === treatmentArm);
  const offered = treated.reduce((s, c) => s + (c.sessions_offered ?? 0), 0);
  const attended = treated.reduce((s, c) => s + (c.sessions_attended ?? 0), 0);
  const hasSessions = treated.some((c) => c.sessions_offered !== null);
  const fidelityPct = processMean(process, 'fidelity_pct', treatmentArm);
  const fundKnown = treated.filter((c) => c.enabling_fund_gbp !== null);
  return {
    randomised: cases.length,
    target_recruitment: targetRecruitment,
    recruitment: targetRecruitment ? cases.length / targetRecruitment : null,
    consent: share(cases.map((c) => c.consented)),
    retention: cases.some((c) => c.withdrawn !== null) ? 1 - (share(cases.map((c) => c.withdrawn)) ?? 0) : null,
    engagement: hasSessions && offered > 0 ? attended / offered : null,
    fidelity: fidelityPct === null ? null : fidelityPct / 100,
    compliance: share(treated.map((c) => c.received_intervention)),
    fund_take_up: fundKnown.length
      ? fundKnown.filter((c) => (c.enabling_fund_gbp ?? 0) > 0).length / fundKnown.length
      : null,
  };
}

const LABELS: Record<string, [string, (m: FeasibilityMeasures) => string]> = {
  recruitment: [
    'Recruitment',
    (m) =>
      m.target_recruitment
        ? `${m.randomised} randomised of a target of ${m.target_recruitment}`
        : 'no recruitment target in the trial file',
  ],
  retention: ['Retention', () => 'share of randomised people not withdrawn or lost to follow-up'],
  engagement: ['Engagement', () => 'sessions attended / sessions offered, treatment arm'],
  fidelity: ['Fidelity', () => 'mean fidelity checklist score, treatment arm'],
  consent: ['Consent', () => 'share of approached people who consented'],
  compliance: ['Compliance', () => 'share of the treatment arm who received the intervention'],
  fund_take_up: ['Fund take-up', () => 'share of the treatment arm with any fund spend'],
};

/** Progression items for every criterion with thresholds (defaults plus any in the trial file). */
export function progressionItems(
  m: FeasibilityMeasures,
  thresholds: Record<string, ProgressionThreshold>,
): ProgressionItem[] {
  const all: Record<string, ProgressionThreshold> = { ...DEFAULT_PROGRESSION, ...thresholds };
  return Object.entries(all).map(([name, t]) => {
    // A criterion's name is data (a trial file may name one "constructor"): own keys only.
    const value = Object.hasOwn(m, name)
      ? ((m as unknown as Record<string, number | null | undefined>)[name] ?? null)
      : null;
    const [label, basis] = Object.hasOwn(LABELS, name)
      ? LABELS[name]!
      : [name.replace(/_/g, ' '), () => 'from the trial file'];
    return { name, label, value, green: t.green, amber: t.amber, status: trafficLight(value, t), basis: basis(m) };
  });
}
