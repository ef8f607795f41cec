/**
 * Justice Data Lab style verdict per outcome from the primary measure's confidence interval:
 * significant_reduction when the whole interval is below no-effect (fewer re-offences),
 * significant_increase when it is wholly above, inconclusive otherwise (never "no effect").
 */
import type { EffectRow } from './effect-row.js';
import { measureInfo, type Measure } from './measures.js';
import type { OutcomeKind } from './trial-data.js';

export type Verdict = 'significant_reduction' | 'significant_increase' | 'inconclusive';

/** The measure a verdict is read from, per outcome kind. */
export const PRIMARY_MEASURE: Record<OutcomeKind, Measure> = {
  binary: 'risk_difference',
  count: 'rate_ratio',
  time: 'hazard_ratio',
  continuous: 'hedges_g',
};

/**
 * The no-difference value of a measure from the measures table: 1 for every ratio (odds, risk,
 * rate, hazard; adjusted, robust or stratified), else 0 (also for tests and descriptions, which
 * have none: their intervals, if any, are read on a difference scale).
 */
export function nullValue(measure: string): 0 | 1 {
  return measureInfo(measure)?.nullValue === 1 ? 1 : 0;
}

/** A null interval (not estimable) is inconclusive. */
export function verdictFor(row: EffectRow | undefined): Verdict {
  if (!row || row.conf_low === null || row.conf_high === null) return 'inconclusive';
  const none = nullValue(row.measure);
  if (row.conf_high < none) return 'significant_reduction';
  if (row.conf_low > none) return 'significant_increase';
  return 'inconclusive';
}
