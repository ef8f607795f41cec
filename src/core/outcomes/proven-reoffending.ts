/**
 * Proven re-offending per person, by the Ministry of Justice definition (docs/methods.md#proven-re-offending;
 * docs/reference/commands.md#reoffending). Pure: day numbers and typed arrays in, typed arrays out.
 *
 * For a person with start day s, follow-up F (365) and waiting period W (183), an offence counts as a
 * proven re-offence when
 *   s < offence_day <= s + F,  disposal_day <= s + F + W,  and the disposal proves it (not breach/other).
 * A person is measurable when as_of >= s + F + W; otherwise pending (counted, not in rates).
 * Offences are counted, not court appearances: several offences on one day all count.
 *
 * Offences are fed one at a time to an accumulator (so a large offences file is never held in
 * memory); each is put in exactly one class, checked in this order, so the totals reconcile:
 * on_or_before_start, after_follow_up, breach, other_disposal, disposed_after_waiting, then proven.
 * Proven offences of pending people are counted as `pending_person` in finish().
 */

/** How a disposal bears on proof: the io layer maps disposal types (NON_PROVING_DISPOSALS) onto these. */
export const DisposalClass = { Proving: 0, Breach: 1, OtherNonProving: 2 } as const;
export type DisposalClass = (typeof DisposalClass)[keyof typeof DisposalClass];

export interface OutcomeRules {
  /** Follow-up length in days (MoJ: 365). */
  followUpDays: number;
  /** Further days in which the offence must be proven (MoJ: 183). */
  waitingDays: number;
}

export const DEFAULT_RULES: Readonly<OutcomeRules> = { followUpDays: 365, waitingDays: 183 };

/** Offence counts by class. `offences_total` = counted + every other field. */
export interface OffenceExclusions {
  offences_total: number;
  /** Proven re-offences of measurable people: the sum of `reoffences` over all groups. */
  counted: number;
  on_or_before_start: number;
  after_follow_up: number;
  breach: number;
  other_disposal: number;
  disposed_after_waiting: number;
  /** Proven re-offences of people not yet measurable at as_of (left out of the rates). */
  pending_person: number;
}

/** Per-person outcomes, index = case row. Entries of pending people are 0 (their outcome is unknown). */
export interface PersonOutcomes {
  n: number;
  /** 1 = measurable at as_of, 0 = pending. */
  measurable: Uint8Array;
  reoffended: Uint8Array;
  /** Number of proven re-offences. */
  reoffences: Int32Array;
  /** Days from start to the first proven re-offence (>= 1); 0 when none (or pending). */
  daysToReoffence: Int32Array;
  /** Survival time: days to first proven re-offence for re-offenders, else the follow-up length; 0 when pending. */
  followUpDays: Int32Array;
  /** Sum of severity over proven re-offences; NaN when a proven re-offence has no severity; null without a severity column. */
  severity: Float64Array | null;
  exclusions: OffenceExclusions;
  rules: OutcomeRules;
  asOfDay: number;
}

const NO_DAY = 2147483647;

function checkRules(rules: OutcomeRules): void {
  if (!Number.isInteger(rules.followUpDays) || rules.followUpDays < 1) {
    throw new RangeError(`followUpDays must be a whole number >= 1, got ${rules.followUpDays}`);
  }
  if (!Number.isInteger(rules.waitingDays) || rules.waitingDays < 0) {
    throw new RangeError(`waitingDays must be a whole number >= 0, got ${rules.waitingDays}`);
  }
}

/**
 * Accumulates offences person by person, then decides measurability once as_of is known (its
 * default, the latest disposal date, is only known after the whole offences file has been read).
 * @example
 * const acc = new OutcomeAccumulator(Int32Array.of(19000), DEFAULT_RULES, false);
 * acc.add(0, 19010, 19040, DisposalClass.Proving, NaN);
 * acc.finish(19600).reoffences[0] // => 1
 */
export class OutcomeAccumulator {
  private readonly reoffences: Int32Array;
  private readonly firstDay: Int32Array;
  private readonly severity: Float64Array | null;
  private readonly counts = {
    offences_total: 0,
    on_or_before_start: 0,
    after_follow_up: 0,
    breach: 0,
    other_disposal: 0,
    disposed_after_waiting: 0,
    proven: 0,
  };
  private finished = false;

  /** `from`: arrays to adopt (fromState) instead of new ones. */
  constructor(
    private readonly startDay: Int32Array,
    readonly rules: OutcomeRules,
    hasSeverity: boolean,
    from?: AccumulatorState,
  ) {
    checkRules(rules);
    const n = startDay.length;
    this.reoffences = from ? from.reoffences : new Int32Array(n);
    this.firstDay = from ? from.firstDay : new Int32Array(n).fill(NO_DAY);
    this.severity = from ? from.severity : hasSeverity ? new Float64Array(n) : null;
  }

  /**
   * Adds one offence of person `person` (case row index). `severity` is ignored without a severity
   * column; NaN there means the cell was empty. Validation (dates, disposal not before offence) is
   * the caller's job; this only classifies.
   */
  add(person: number, offenceDay: number, disposalDay: number, disposal: DisposalClass, severity: number): void {
    const c = this.counts;
    c.offences_total++;
    const start = this.startDay[person]!;
    const windowEnd = start + this.rules.followUpDays;
    if (offenceDay <= start) c.on_or_before_start++;
    else if (offenceDay > windowEnd) c.after_follow_up++;
    else if (disposal === DisposalClass.Breach) c.breach++;
    else if (disposal === DisposalClass.OtherNonProving) c.other_disposal++;
    else if (disposalDay > windowEnd + this.rules.waitingDays) c.disposed_after_waiting++;
    else {
      c.proven++;
      this.reoffences[person]!++;
      if (offenceDay < this.firstDay[person]!) this.firstDay[person] = offenceDay;
      if (this.severity !== null) this.severity[person]! += severity;
    }
  }

  /** The running totals, to hand to another thread and `merge` there. */
  state(): AccumulatorState {
    return {
      reoffences: this.reoffences,
      firstDay: this.firstDay,
      severity: this.severity,
      counts: { ...this.counts },
    };
  }

  /**
   * The accumulator whose running totals are `state` (built on another thread over the same cases,
   * see `state`): its arrays are adopted, not copied.
   */
  static fromState(startDay: Int32Array, rules: OutcomeRules, state: AccumulatorState): OutcomeAccumulator {
    const n = startDay.length;
    if (state.reoffences.length !== n || state.firstDay.length !== n || (state.severity && state.severity.length !== n))
      throw new RangeError('OutcomeAccumulator.fromState: the state is over different cases');
    const acc = new OutcomeAccumulator(startDay, rules, false, state);
    Object.assign(acc.counts, state.counts);
    return acc;
  }

  /** Final per-person outcomes at `asOfDay`. The accumulator cannot be used afterwards. */
  finish(asOfDay: number): PersonOutcomes {
    if (this.finished) throw new Error('OutcomeAccumulator.finish called twice');
    if (!Number.isInteger(asOfDay)) throw new RangeError(`asOfDay must be a day number, got ${asOfDay}`);
    this.finished = true;
    const n = this.startDay.length;
    const { followUpDays, waitingDays } = this.rules;
    const measurable = new Uint8Array(n);
    const reoffended = new Uint8Array(n);
    const days = new Int32Array(n);
    const fu = new Int32Array(n);
    let pendingProven = 0;
    for (let i = 0; i < n; i++) {
      const start = this.startDay[i]!;
      if (asOfDay >= start + followUpDays + waitingDays) {
        measurable[i] = 1;
        if (this.reoffences[i]! > 0) {
          reoffended[i] = 1;
          days[i] = this.firstDay[i]! - start;
          fu[i] = days[i]!;
        } else {
          fu[i] = followUpDays;
        }
      } else {
        pendingProven += this.reoffences[i]!;
        this.reoffences[i] = 0;
        if (this.severity !== null) this.severity[i] = 0;
      }
    }
    const c = this.counts;
    return {
      n,
      measurable,
      reoffended,
      reoffences: this.reoffences,
      daysToReoffence: days,
      followUpDays: fu,
      severity: this.severity,
      exclusions: {
        offences_total: c.offences_total,
        counted: c.proven - pendingProven,
        on_or_before_start: c.on_or_before_start,
        after_follow_up: c.after_follow_up,
        breach: c.breach,
        other_disposal: c.other_disposal,
        disposed_after_waiting: c.disposed_after_waiting,
        pending_person: pendingProven,
      },
      rules: { ...this.rules },
      asOfDay,
    };
  }
}

/** What an OutcomeAccumulator has added up so far (see `state` and `merge`). */
export interface AccumulatorState {
  reoffences: Int32Array;
  firstDay: Int32Array;
  severity: Float64Array | null;
  counts: Record<
    | 'offences_total'
    | 'on_or_before_start'
    | 'after_follow_up'
    | 'breach'
    | 'other_disposal'
    | 'disposed_after_waiting'
    | 'proven',
    number
  >;
}

/** Offences as parallel arrays (already validated): `person` is the case row index. */
export interface OffenceArrays {
  person: Int32Array;
  offenceDay: Int32Array;
  disposalDay: Int32Array;
  disposal: Uint8Array;
  /** Per offence; NaN = empty cell. null when there is no severity column. */
  severity: Float64Array | null;
}

export interface DeriveOptions extends Partial<OutcomeRules> {
  /** Day number of the as-of date; default: the latest disposal day among the offences. */
  asOfDay?: number;
}

/**
 * Derives per-person proven re-offending outcomes in memory (for analyse, report and power code).
 * @throws RangeError when as_of cannot be defaulted (no offences) or a person index is out of range.
 * @example
 * const offences = { person: Int32Array.of(0), offenceDay: Int32Array.of(365), disposalDay: Int32Array.of(548),
 *   disposal: Uint8Array.of(DisposalClass.Proving), severity: null };
 * deriveOutcomes({ startDay: Int32Array.of(0) }, offences).reoffended[0] // => 1
 */
export function deriveOutcomes(
  cases: { startDay: Int32Array },
  offences: OffenceArrays,
  options: DeriveOptions = {},
): PersonOutcomes {
  const rules: OutcomeRules = {
    followUpDays: options.followUpDays ?? DEFAULT_RULES.followUpDays,
    waitingDays: options.waitingDays ?? DEFAULT_RULES.waitingDays,
  };
  const m = offences.person.length;
  if (
    offences.offenceDay.length !== m ||
    offences.disposalDay.length !== m ||
    offences.disposal.length !== m ||
    (offences.severity !== null && offences.severity.length !== m)
  ) {
    throw new RangeError('offence arrays must all have the same length');
  }
  let asOf = options.asOfDay;
  if (asOf === undefined) {
    if (m === 0)
      throw new RangeError('as_of cannot default to the latest disposal date: there are no offences; give asOfDay');
    asOf = -NO_DAY;
    for (let j = 0; j < m; j++) if (offences.disposalDay[j]! > asOf) asOf = offences.disposalDay[j]!;
  }
  const acc = new OutcomeAccumulator(cases.startDay, rules, offences.severity !== null);
  const n = cases.startDay.length;
  for (let j = 0; j < m; j++) {
    const p = offences.person[j]!;
    if (p < 0 || p >= n) throw new RangeError(`offence ${j}: person index ${p} is out of range (0..${n - 1})`);
    acc.add(
      p,
      offences.offenceDay[j]!,
      offences.disposalDay[j]!,
      offences.disposal[j]! as DisposalClass,
      offences.severity ? offences.severity[j]! : NaN,
    );
  }
  return acc.finish(asOf);
}
