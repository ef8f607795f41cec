/**
 * Key conclusions written from the numbers, with honest wording: an interval that includes zero is
 * "inconclusive" and says more people would be needed; never "no effect". Pilots say outcomes are
 * indicative only.
 */
import type { Stage } from '../concepts.js';
import { eff, fixed, gbp, pct } from './format.js';
import type { ProgressionDecision, ProgressionItem } from './progression.js';
import type { Verdict } from './types.js';

export interface HeadlineNumbers {
  estimate: number | null;
  conf_low: number | null;
  conf_high: number | null;
  per_100: number | null;
  per_100_conf_low: number | null;
  per_100_conf_high: number | null;
  verdict: Verdict | null;
  computed_verdict: Verdict | null;
  rate_control: number | null;
  rate_treatment: number | null;
}

/** "for every 100 people" wording of a per-100 difference (negative = fewer re-offenders). */
export function per100Phrase(x: number): string {
  const a = Math.abs(x);
  const n = fixed(a, 1);
  if (Number(n) === 0) return 'about the same number of re-offenders';
  return x < 0 ? `${n} fewer re-offender${n === '1.0' ? '' : 's'}` : `${n} more re-offender${n === '1.0' ? '' : 's'}`;
}

/** The interval in words: "between 3.1 fewer and 2.4 more re-offenders". */
export function per100Interval(lo: number, hi: number): string {
  const word = (x: number) => (Number(fixed(Math.abs(x), 1)) === 0 ? '0.0' : `${fixed(Math.abs(x), 1)} ${x < 0 ? 'fewer' : 'more'}`);
  return `between ${word(lo)} and ${word(hi)} re-offenders`;
}

export function headlineSentence(h: HeadlineNumbers, stage: Stage, nTreat: number | null, nControl: number | null): string | null {
  if (h.per_100 === null || h.per_100_conf_low === null || h.per_100_conf_high === null) return null;
  const rates = h.rate_treatment !== null && h.rate_control !== null ? ` (${pct(h.rate_treatment)} of the treatment group re-offended within a year, against ${pct(h.rate_control)} of the control group)` : '';
  const interval = `the 95% confidence interval runs ${per100Interval(h.per_100_conf_low, h.per_100_conf_high)} per 100 people`;
  const size = nTreat !== null && nControl !== null ? ` with ${nTreat} and ${nControl} people analysed` : '';
  if (stage === 'pilot') {
    return `Indicative only: for every 100 people supported, there were ${per100Phrase(h.per_100)} than in the control group${rates}, but ${interval}. A pilot${size} is not designed to detect an effect on re-offending, so no verdict is given.`;
  }
  const v = h.verdict ?? h.computed_verdict;
  if (v === 'significant_reduction') {
    return `For every 100 people supported, there were ${per100Phrase(h.per_100)} than in the control group${rates}; ${interval}, so the evidence points to a reduction in proven re-offending.`;
  }
  if (v === 'significant_increase') {
    return `For every 100 people supported, there were ${per100Phrase(h.per_100)} than in the control group${rates}; ${interval}, so the evidence points to an increase in proven re-offending, which needs to be understood before the approach is used more widely.`;
  }
  return `The result on proven re-offending is inconclusive: for every 100 people there were ${per100Phrase(h.per_100)}${rates}, but ${interval}, which includes no difference. More people would be needed to tell whether the approach reduces re-offending${size ? `; this trial had ${nTreat} and ${nControl} people analysed` : ''}.`;
}

export interface ConclusionInputs {
  stage: Stage;
  headline: HeadlineNumbers;
  n_treatment: number | null;
  n_control: number | null;
  padlocks: number | null;
  padlock_limit: string | null;
  cost_per_participant: number | null;
  cost_rating_words: string | null;
  progression: ProgressionItem[] | null;
  decision: ProgressionDecision | null;
  fidelity: number | null;
  engagement: number | null;
  subgroup: { name: string; estimate: number; conf_low: number; conf_high: number } | null;
  top_theme: { theme: string; participants: number } | null;
}

/** Three to five sentences from the numbers. */
export function keyConclusions(c: ConclusionInputs): string[] {
  const out: string[] = [];
  if (c.stage === 'pilot') {
    if (c.decision) out.push(`Progression: ${c.decision.text}`);
    const parts: string[] = [];
    if (c.engagement !== null) parts.push(`people attended ${pct(c.engagement)} of the sessions offered`);
    if (c.fidelity !== null) parts.push(`delivery scored ${pct(c.fidelity)} on the fidelity checklist`);
    if (parts.length) out.push(`Feasibility: ${parts.join(', and ')}.`);
  }
  const hs = headlineSentence(c.headline, c.stage, c.n_treatment, c.n_control);
  if (hs) out.push(hs);
  else out.push('No re-offending outcomes were supplied, so the report cannot say anything about the effect on proven re-offending.');
  if (c.stage !== 'pilot' && c.padlocks !== null) {
    const conf = c.padlocks >= 4 ? 'high' : c.padlocks === 3 ? 'moderate' : c.padlocks >= 1 ? 'low' : 'very low';
    out.push(`Security: ${c.padlocks} of 5 padlocks - ${conf} confidence in this finding${c.padlock_limit ? ` (${c.padlock_limit})` : ''}.`);
  }
  if (c.subgroup) {
    const s = c.subgroup;
    const inconclusive = s.conf_low <= 0 && s.conf_high >= 0;
    out.push(
      `${s.name}: a difference of ${fixed(100 * s.estimate, 1)} re-offenders per 100 people (95% CI ${fixed(100 * s.conf_low, 1)} to ${fixed(100 * s.conf_high, 1)})${inconclusive ? '; inconclusive, more people would be needed to tell the two apart' : ''}.`,
    );
  }
  if (c.cost_per_participant !== null && c.cost_rating_words) {
    out.push(`Cost: about ${gbp(c.cost_per_participant)} per participant, a ${c.cost_rating_words} cost.`);
  }
  if (out.length < 5 && c.top_theme && c.stage === 'pilot') {
    out.push(`Qualitative findings: the theme raised by most participants was "${c.top_theme.theme.replace(/_/g, ' ')}" (${c.top_theme.participants} participants).`);
  }
  return out.slice(0, 5);
}

export { eff };
