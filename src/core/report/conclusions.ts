/**
 * Key conclusions written from the numbers, with honest wording: an interval that includes zero is
 * "inconclusive" and says more people would be needed; never "no effect". Pilots say outcomes are
 * indicative only.
 */
import type { Stage } from '../concepts.js';
import { digitsFor, eff, fixed, gbp, pct } from './format.js';
import type { ProgressionDecision, ProgressionItem } from './progression.js';
import { nullValue } from '../analysis/verdict.js';
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
  /** Other estimates of the primary outcome and whether each agrees with the primary analysis. */
  sensitivity?: ReadonlyArray<{
    outcome: string;
    measure: string;
    verdict: Verdict;
    agrees: boolean;
    p_value: number | null;
  }>;
  /** One sentence naming the primary analysis. */
  method?: string;
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
  // An interval that excludes zero never prints a limit of 0.0: it gets the digits it needs.
  const d = digitsFor(lo, hi, 1);
  const word = (x: number) =>
    Number(fixed(Math.abs(x), d)) === 0 ? fixed(0, d) : `${fixed(Math.abs(x), d)} ${x < 0 ? 'fewer' : 'more'}`;
  return `between ${word(lo)} and ${word(hi)} re-offenders`;
}

export function headlineSentence(
  h: HeadlineNumbers & { measure?: string; estimate: number | null },
  stage: Stage,
  nTreat: number | null,
  nControl: number | null,
): string | null {
  if (h.per_100 === null && h.estimate !== null && h.conf_low !== null && h.conf_high !== null && h.measure) {
    // A primary measure other than the risk difference (hazard ratio, mean difference).
    const nul = nullValue(h.measure);
    const d = digitsFor(h.conf_low, h.conf_high, 2, nul);
    const what = `${h.measure.replace(/_/g, ' ')} ${fixed(h.estimate, d)} (95% CI ${fixed(h.conf_low, d)} to ${fixed(h.conf_high, d)})`;
    if (stage === 'pilot')
      return `Indicative only: the primary analysis gave a ${what}; a pilot is not designed to detect an effect, so no verdict is given.`;
    const v = h.verdict ?? h.computed_verdict;
    return v === 'significant_reduction'
      ? `The primary analysis gave a ${what}: the evidence points to a reduction in re-offending.`
      : v === 'significant_increase'
        ? `The primary analysis gave a ${what}: the evidence points to an increase in re-offending, which needs to be understood.`
        : `The result is inconclusive: the primary analysis gave a ${what}, which includes no difference; more people would be needed to tell.`;
  }
  if (h.per_100 === null || h.per_100_conf_low === null || h.per_100_conf_high === null) return null;
  const rates =
    h.rate_treatment !== null && h.rate_control !== null
      ? ` (unadjusted, ${pct(h.rate_treatment)} of the treatment group re-offended within a year, against ${pct(h.rate_control)} of the control group)`
      : '';
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
  /** Pending people, in a sentence (null when none). */
  pending?: string | null;
  /** The headline was withheld by disclosure control. */
  suppressed?: boolean;
}

const SENSITIVITY_WORDS: Record<string, string> = {
  risk_difference: 'the unadjusted risk difference',
  adjusted_odds_ratio: 'the covariate-adjusted odds ratio',
  cluster_robust_odds_ratio: 'the cluster-robust odds ratio',
  cluster_level_risk_difference: 'the cluster-level risk difference',
  odds_ratio: 'the unadjusted odds ratio',
  hazard_ratio: 'the hazard ratio for time to first re-offence',
  stratified_hazard_ratio: 'the stratified hazard ratio',
  rate_ratio: 'the rate ratio',
  mean_difference: 'the mean difference',
  hedges_g: "Hedges' g",
};

/** A sentence when sensitivity analyses disagree with the primary analysis in significance or direction. */
export function sensitivitySentence(h: HeadlineNumbers): string | null {
  const off = (h.sensitivity ?? []).filter((s) => !s.agrees);
  if (!off.length || h.computed_verdict === null) return null;
  const list = off.map(
    (s) =>
      `${Object.hasOwn(SENSITIVITY_WORDS, s.measure) ? SENSITIVITY_WORDS[s.measure] : s.measure.replace(/_/g, ' ')}${s.p_value !== null ? ` (p = ${s.p_value < 0.001 ? '<0.001' : fixed(s.p_value, 3)})` : ''} is ${s.verdict === 'inconclusive' ? 'inconclusive' : s.verdict === 'significant_reduction' ? 'a significant reduction' : 'a significant increase'}`,
  );
  const primary =
    h.computed_verdict === 'inconclusive'
      ? 'inconclusive'
      : h.computed_verdict === 'significant_reduction'
        ? 'a significant reduction'
        : 'a significant increase';
  return `Sensitivity analyses disagree with the primary analysis, which is ${primary}: ${list.join('; ')}. The verdict rests on the pre-specified primary analysis, but it is not robust to how the effect is estimated.`;
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
  else if (c.suppressed)
    out.push('The re-offending result is not shown: it would reveal a count of fewer than 5 people.');
  else
    out.push(
      'No re-offending outcomes were supplied, so the report cannot say anything about the effect on proven re-offending.',
    );
  const sens = c.stage === 'pilot' ? null : sensitivitySentence(c.headline);
  if (sens) out.push(sens);
  if (c.pending) out.push(c.pending);
  if (c.stage !== 'pilot' && c.padlocks !== null) {
    const conf = c.padlocks >= 4 ? 'high' : c.padlocks === 3 ? 'moderate' : c.padlocks >= 1 ? 'low' : 'very low';
    out.push(
      `Security: ${c.padlocks} of 5 padlocks - ${conf} confidence in this finding${c.padlock_limit ? ` (${c.padlock_limit})` : ''}.`,
    );
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
    out.push(
      `Qualitative findings: the theme raised by most participants was "${c.top_theme.theme.replace(/_/g, ' ')}" (${c.top_theme.participants} participants).`,
    );
  }
  return out.slice(0, 5);
}

export { eff };
