/**
 * "When will the answer exist": from the recruitment rate, the start date and the outcome's
 * windows, the date recruitment closes and the date the primary outcome can be analysed.
 *
 * Recruitment runs in whole calendar months from the start date (rate x teams people a month);
 * it closes at the end of the month in which the people needed are reached. The last person
 * randomised (the day before the close) has an outcome window of `followUpDays` (365: the MoJ's
 * 12-month follow-up) plus `waitingDays` (183: six months for an offence to be proven), and the data
 * extract arrives `extractLagDays` after that: that day is `analysable_on`. Day numbers are whole
 * days since 1970-01-01 (src/core/dates.ts).
 */
import { UsageError } from '../errors.js';
import { civilFromDays, daysFromCivil, daysInMonth } from '../dates.js';

export interface RecruitmentPlan {
  /** People recruited per month, per team (or in all when there are no teams). */
  perMonth: number;
  /** Teams recruiting in parallel (1). */
  teams?: number;
  startDay: number;
  followUpDays?: number;
  waitingDays?: number;
  extractLagDays?: number;
}

/** The day `months` calendar months after `day` (the day of the month clamped to the month's end). */
export function addMonths(day: number, months: number): number {
  const { y, m, d } = civilFromDays(day);
  const index = y * 12 + (m - 1) + months;
  const yy = Math.floor(index / 12);
  const mm = (index % 12) + 1;
  return daysFromCivil(yy, mm, Math.min(d, daysInMonth(yy, mm)));
}

export interface CalendarPoint {
  months: number;
  people: number;
  /** The day recruitment closes (exclusive: the first day no one is randomised). */
  closesDay: number;
  /** The day the last person's outcome can be analysed. */
  analysableDay: number;
}

function check(plan: RecruitmentPlan): Required<RecruitmentPlan> {
  const teams = plan.teams ?? 1;
  if (!(plan.perMonth > 0) || !Number.isFinite(plan.perMonth))
    throw new UsageError(`--recruit-per-month must be positive, got ${plan.perMonth}`);
  if (!(Number.isInteger(teams) && teams >= 1))
    throw new UsageError(`--teams must be a whole number >= 1, got ${teams}`);
  const out = {
    perMonth: plan.perMonth,
    teams,
    startDay: plan.startDay,
    followUpDays: plan.followUpDays ?? 365,
    waitingDays: plan.waitingDays ?? 183,
    extractLagDays: plan.extractLagDays ?? 0,
  };
  for (const k of ['followUpDays', 'waitingDays', 'extractLagDays'] as const) {
    if (!(Number.isInteger(out[k]) && out[k] >= 0))
      throw new UsageError(`${k} must be a whole number of days >= 0, got ${out[k]}`);
  }
  return out;
}

/** The calendar point of recruiting for `months` months. */
export function calendarAt(plan: RecruitmentPlan, months: number): CalendarPoint {
  const p = check(plan);
  const closesDay = addMonths(p.startDay, months);
  return {
    months,
    people: months * p.perMonth * p.teams,
    closesDay,
    analysableDay: closesDay - 1 + p.followUpDays + p.waitingDays + p.extractLagDays,
  };
}

/** Months of recruitment needed for `people` people, and the calendar point they give. */
export function calendarFor(plan: RecruitmentPlan, people: number): CalendarPoint {
  const p = check(plan);
  if (!(people > 0) || !Number.isFinite(people)) throw new UsageError(`nothing to recruit: ${people} people`);
  const months = Math.max(1, Math.ceil(people / (p.perMonth * p.teams) - 1e-9));
  return calendarAt(plan, months);
}
