/**
 * Proven re-offending (Ministry of Justice definition) as one SQL script, for an engine that holds
 * the data: DuckDB, Spark SQL or Trino. The same rules as proven-reoffending.ts:
 *
 *   an offence counts for a person with start day s when  s < offence_day <= s + F,
 *   it is proven by its disposal (not breach/other) and  disposal_day <= s + F + W;
 *   a person is measurable when  as_of >= s + F + W  (else pending: counted, not in rates);
 *   each offence is put in exactly one class, in the order on_or_before_start, after_follow_up,
 *   breach, other_disposal, disposed_after_waiting, proven, so that the totals reconcile.
 *
 * The input tables `cases` and `offences` are as loaded from the files (every column text, or as
 * the engine inferred it): the script trims cells, reads missing-value tokens, and parses dates and
 * numbers itself with the dialect's non-failing casts, each cell once (a relation reads its input in
 * nested levels: text, then the date casts, then the day numbers). Problems (empty or duplicate ids,
 * unknown ids, impossible dates, disposal before offence, unknown disposal types, bad severities)
 * are listed by the relation `pe_problems`; `pe_problem_count` says in two scans whether there is
 * any, and the last statement refuses to answer while there is. Offences are joined to their cases
 * once (`pe_offences_linked`), and every later relation reads that join.
 *
 * Pure: text in, text out. Parameters are written as typed literals; every identifier and string
 * literal is escaped by the dialect, so no user text reaches the script unescaped.
 */
import { DISPOSAL_TYPES, NON_PROVING_DISPOSALS } from '../../cells.js';
import { formatDate, type DateFormat } from '../../dates.js';
import { dialectOf, type Dialect, type SqlDialect } from './dialect.js';

export interface SqlColumns {
  /** Source column names of the cases table for each canonical role (default: the canonical name). */
  cases?: Partial<Record<'id' | 'start_date' | 'withdrawn', string>>;
  /** Source column names of the offences table. */
  offences?: Partial<Record<'id' | 'offence_date' | 'disposal_date' | 'disposal_type' | 'severity', string>>;
}

export interface EmitSqlOptions {
  dialect: SqlDialect;
  /** Case columns to group by (canonical names; also the output column names). */
  by?: readonly string[];
  /** Source names of the --by columns when they differ (same order as `by`). */
  bySource?: readonly string[];
  followUpDays: number;
  waitingDays: number;
  /** Day number of --as-of; null: the latest disposal date among the valid, linked offences. */
  asOfDay: number | null;
  /** How slash dates are read (auto and dmy: DD/MM/YYYY; mdy: MM/DD/YYYY; ymd: YYYY/MM/DD). */
  dateFormat: DateFormat;
  /** Cell texts read as missing (after trimming), besides the empty cell. */
  na: readonly string[];
  /** The offences table has a severity column. */
  hasSeverity: boolean;
  /** The cases table has a withdrawn (yes/no) column. */
  hasWithdrawn: boolean;
  /** Table names (default `cases` and `offences`). */
  casesTable?: string;
  offencesTable?: string;
  columns?: SqlColumns;
  /** A unique whole-number column of `cases` to link per-person totals by (cheaper than the text id); default: the id. */
  caseKeyColumn?: string | null;
  /** A column of `offences` giving file order, so severities are summed in that order (DuckDB). */
  offenceOrderColumn?: string | null;
  /** Temporary tables instead of views (DuckDB run in-process: each is computed once): all, or these relations. */
  materialise?: boolean | readonly string[];
  /** For a materialised relation: only these columns (or `expression AS name`) are kept in its table. */
  materialiseColumns?: Readonly<Record<string, readonly string[]>>;
  /** Sum each person's severities in file order (`offenceOrderColumn`): needed for byte-equal sums only when they are not all exact. */
  orderedSeveritySum?: boolean;
  /** Lines for the header comment (version and options); control characters are removed. */
  header?: readonly string[];
}

export interface EmittedSql {
  /** The statements, in order, without their `;`. */
  statements: string[];
  /** The relation each statement but the last creates (empty for Trino's single statement). */
  relations: string[];
  /** The whole script: header comment, then each statement with its comment, `;`-terminated. */
  script: string;
}

/** One named relation of the script: its comment and its query. */
interface Relation {
  name: string;
  comment: string;
  query: string;
}

const SLASH_PATTERN = '([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})';
const YMD_SLASH_PATTERN = '([0-9]{4})/([0-9]{2})/([0-9]{2})';
const YES = ['yes', 'y', 'true', '1'];
const NO = ['no', 'n', 'false', '0'];

/** A comment line: control characters (line breaks included) become spaces. */
function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}

/** Builds the proven re-offending script (see the file comment). */
export function emitReoffendingSql(o: EmitSqlOptions): EmittedSql {
  const d = dialectOf(o.dialect);
  if (!Number.isInteger(o.followUpDays) || o.followUpDays < 1)
    throw new RangeError(`followUpDays must be a whole number >= 1, got ${o.followUpDays}`);
  if (!Number.isInteger(o.waitingDays) || o.waitingDays < 0)
    throw new RangeError(`waitingDays must be a whole number >= 0, got ${o.waitingDays}`);
  if (o.asOfDay !== null && !Number.isInteger(o.asOfDay))
    throw new RangeError(`asOfDay must be a day number, got ${o.asOfDay}`);
  const by = [...(o.by ?? [])];
  const bySource = o.bySource ?? by;
  if (bySource.length !== by.length) throw new RangeError('bySource must name one source column per --by column');
  const F = o.followUpDays;
  const W = o.waitingDays;
  const id = d.ident.bind(d);
  const lit = d.literal.bind(d);
  const cc = { id: 'id', start_date: 'start_date', withdrawn: 'withdrawn', ...(o.columns?.cases ?? {}) };
  const oc = {
    id: 'id',
    offence_date: 'offence_date',
    disposal_date: 'disposal_date',
    disposal_type: 'disposal_type',
    severity: 'severity',
    ...(o.columns?.offences ?? {}),
  };
  const na = [...new Set(o.na.filter((t) => t !== ''))];

  /** Trimmed text of a column ('' for NULL). */
  const trimmed = (col: string) => d.trim(`coalesce(${d.text(col)}, '')`);
  /** Trimmed text with missing-value tokens read as ''. */
  const norm = (col: string) =>
    na.length === 0
      ? trimmed(col)
      : `CASE WHEN ${trimmed(col)} IN (${na.map(lit).join(', ')}) THEN '' ELSE ${trimmed(col)} END`;
  /**
   * Day number of a (normalised) date text column `t`, or NULL when it is in no accepted form;
   * `date` is the column holding the dialect's cast of `t` to a date (computed once, a level below).
   */
  const dayOf = (t: string, date: string) => {
    const [pattern, order, y, m, day] =
      o.dateFormat === 'ymd'
        ? ([YMD_SLASH_PATTERN, 'ymd', 1, 2, 3] as const)
        : o.dateFormat === 'mdy'
          ? ([SLASH_PATTERN, 'mdy', 3, 1, 2] as const)
          : ([SLASH_PATTERN, 'dmy', 3, 2, 1] as const);
    const ex = (g: number) => `regexp_extract(${t}, ${lit(pattern)}, ${g})`;
    const iso = `concat(${ex(y)}, '-', lpad(${ex(m)}, 2, '0'), '-', lpad(${ex(day)}, 2, '0'))`;
    const slash =
      d.slashDay !== null
        ? d.slashDay(t, pattern, order, y)
        : `CASE WHEN ${d.fullMatch(t, pattern)} THEN ${d.isoDay(iso, d.tryDate(iso))} END`;
    // ISO first; a text in the ISO form is never a slash date, so the slash form is tried only when
    // the ISO reading gives nothing.
    return `coalesce(${d.isoDay(t, date)}, ${slash})`;
  };

  const byOut = by.map((_, i) => `pe_by_${i}`);
  const rel: Relation[] = [];
  rel.push({
    name: 'pe_cases',
    comment:
      'Cases: cells trimmed, missing-value tokens read as empty; the start day as a day number (days since 1970-01-01; NULL when the date is in no accepted form) and withdrawn as 1/0 (NULL when unreadable).',
    query: [
      'SELECT t.*,',
      `  ${dayOf('t.pe_start_text', 't.pe_start_date')} AS pe_start,`,
      `  CASE WHEN t.pe_withdrawn_text IN (${YES.map(lit).join(', ')}) THEN 1 WHEN t.pe_withdrawn_text IN ('', ${NO.map(lit).join(', ')}) THEN 0 END AS pe_withdrawn`,
      `FROM (SELECT s.*, ${d.tryDate('s.pe_start_text')} AS pe_start_date FROM (SELECT c.*,`,
      `  ${norm(`c.${id(cc.id)}`)} AS pe_id,`,
      `  ${norm(`c.${id(cc.start_date)}`)} AS pe_start_text,`,
      ...by.map((_, i) => `  ${norm(`c.${id(bySource[i]!)}`)} AS ${byOut[i]},`),
      o.hasWithdrawn ? `  lower(${norm(`c.${id(cc.withdrawn)}`)}) AS pe_withdrawn_text` : `  '' AS pe_withdrawn_text`,
      `FROM ${id(o.casesTable ?? 'cases')} c) s) t`,
    ].join('\n'),
  });
  const order = o.offenceOrderColumn ? `o.${id(o.offenceOrderColumn)}` : null;
  const caseKey = o.caseKeyColumn ? `c.${id(o.caseKeyColumn)}` : 'c.pe_id';
  rel.push({
    name: 'pe_offences',
    comment:
      'Offences: cells trimmed (missing-value tokens read as empty in dates and severity; ids and disposal types are only trimmed); dates as day numbers, disposal types in lower case, severity as a number (NULL when empty or unreadable).',
    query: [
      'SELECT t.*,',
      `  ${dayOf('t.pe_offence_text', 't.pe_offence_date')} AS pe_offence,`,
      `  ${dayOf('t.pe_disposal_text', 't.pe_disposal_date')} AS pe_disposal,`,
      '  lower(t.pe_type_text) AS pe_type,',
      `  CASE WHEN t.pe_severity_text <> '' THEN ${d.tryDouble('t.pe_severity_text')} END AS pe_severity`,
      `FROM (SELECT s.*, ${d.tryDate('s.pe_offence_text')} AS pe_offence_date, ${d.tryDate('s.pe_disposal_text')} AS pe_disposal_date FROM (SELECT`,
      ...(order ? [`  ${order} AS pe_order,`] : []),
      `  ${trimmed(`o.${id(oc.id)}`)} AS pe_id,`,
      `  ${norm(`o.${id(oc.offence_date)}`)} AS pe_offence_text,`,
      `  ${norm(`o.${id(oc.disposal_date)}`)} AS pe_disposal_text,`,
      `  ${trimmed(`o.${id(oc.disposal_type)}`)} AS pe_type_text,`,
      `  ${o.hasSeverity ? norm(`o.${id(oc.severity)}`) : "''"} AS pe_severity_text`,
      `FROM ${id(o.offencesTable ?? 'offences')} o) s) t`,
    ].join('\n'),
  });
  const types = DISPOSAL_TYPES.map(lit).join(', ');
  /** The offence row has no problem (given its case's key, NULL when no case has its id). */
  const offenceOk = (key: string) =>
    [
      `${key} IS NOT NULL AND o.pe_id <> ''`,
      'o.pe_offence IS NOT NULL AND o.pe_disposal IS NOT NULL AND o.pe_disposal >= o.pe_offence',
      `o.pe_type IN (${types}) AND (o.pe_severity_text = '' OR o.pe_severity >= 0)`,
    ].join(' AND ');
  rel.push({
    name: 'pe_offences_linked',
    comment:
      'Each offence with its case (key and start day; NULL when no case has its id) and pe_ok = 1 when the offence row has no problem.',
    query: [
      `SELECT o.*, c.pe_key, c.pe_start, CASE WHEN ${offenceOk('c.pe_key')} THEN 1 ELSE 0 END AS pe_ok`,
      `FROM pe_offences o LEFT JOIN (SELECT ${caseKey} AS pe_key, c.pe_id, c.pe_start FROM pe_cases c) c ON c.pe_id = o.pe_id`,
    ].join('\n'),
  });
  const caseFlagged = [
    "c.pe_id = ''",
    'c.pe_start IS NULL',
    ...(o.hasWithdrawn ? ['c.pe_withdrawn IS NULL'] : []),
  ].join(' OR ');
  rel.push({
    name: 'pe_problem_count',
    comment:
      'One row: n_flagged, the case rows with a problem, the repeats of ids, and the offence rows with a problem. It is 0 exactly when pe_problems is empty, and costs two scans.',
    query: [
      'SELECT k.n + x.n AS n_flagged',
      `FROM (SELECT coalesce(sum(CASE WHEN ${caseFlagged} THEN 1 ELSE 0 END), 0) + count(*) - count(DISTINCT c.pe_id) AS n FROM pe_cases c) k`,
      'CROSS JOIN (SELECT coalesce(sum(1 - pe_ok), 0) AS n FROM pe_offences_linked) x',
    ].join('\n'),
  });
  const problem = (
    source: string,
    key: string,
    column: string,
    value: string,
    reason: string,
    from: string,
    where: string,
  ) =>
    `SELECT ${lit(source)} AS source, ${key} AS row_key, ${lit(column)} AS column_name, ${value} AS value, ${lit(reason)} AS reason FROM ${from} WHERE ${where}`;
  const dateProblems = (column: string, text: string, day: string) => [
    problem(
      'offences',
      'o.pe_id',
      column,
      `o.${text}`,
      `${column} is empty or missing: a date is required`,
      'pe_offences o',
      `o.${text} = ''`,
    ),
    problem(
      'offences',
      'o.pe_id',
      column,
      `o.${text}`,
      'not a valid date',
      'pe_offences o',
      `o.${text} <> '' AND o.${day} IS NULL`,
    ),
  ];
  rel.push({
    name: 'pe_problems',
    comment:
      'Every problem row (source table, its id, column, value, reason). The last statement refuses to answer while any exists (it asks pe_problem_count, which is cheaper).',
    query: [
      problem(
        'cases',
        'c.pe_id',
        'id',
        "''",
        'id is empty: every case needs an identifier',
        'pe_cases c',
        "c.pe_id = ''",
      ),
      problem(
        'cases',
        'k.pe_id',
        'id',
        'k.pe_id',
        'duplicate id',
        `(SELECT pe_id, count(*) AS pe_n FROM pe_cases GROUP BY pe_id) k`,
        "k.pe_n > 1 AND k.pe_id <> ''",
      ),
      problem(
        'cases',
        'c.pe_id',
        'start_date',
        'c.pe_start_text',
        "start_date is empty: proven re-offending needs each case's start date",
        'pe_cases c',
        "c.pe_start_text = ''",
      ),
      problem(
        'cases',
        'c.pe_id',
        'start_date',
        'c.pe_start_text',
        'not a valid date',
        'pe_cases c',
        "c.pe_start_text <> '' AND c.pe_start IS NULL",
      ),
      ...(o.hasWithdrawn
        ? [
            problem(
              'cases',
              'c.pe_id',
              'withdrawn',
              'c.pe_withdrawn_text',
              'expected yes or no',
              'pe_cases c',
              'c.pe_withdrawn IS NULL',
            ),
          ]
        : []),
      problem(
        'offences',
        'o.pe_id',
        'id',
        'o.pe_id',
        'id is not in the cases table',
        'pe_offences o LEFT JOIN (SELECT DISTINCT pe_id AS pe_case_id FROM pe_cases) k ON k.pe_case_id = o.pe_id',
        "k.pe_case_id IS NULL OR o.pe_id = ''",
      ),
      ...dateProblems('offence_date', 'pe_offence_text', 'pe_offence'),
      ...dateProblems('disposal_date', 'pe_disposal_text', 'pe_disposal'),
      problem(
        'offences',
        'o.pe_id',
        'disposal_date',
        'o.pe_disposal_text',
        'disposal_date is before offence_date',
        'pe_offences o',
        'o.pe_disposal < o.pe_offence',
      ),
      problem(
        'offences',
        'o.pe_id',
        'disposal_type',
        'o.pe_type_text',
        `expected one of ${DISPOSAL_TYPES.join(', ')}`,
        'pe_offences o',
        `o.pe_type NOT IN (${types})`,
      ),
      ...(o.hasSeverity
        ? [
            problem(
              'offences',
              'o.pe_id',
              'severity',
              'o.pe_severity_text',
              'expected a number >= 0',
              'pe_offences o',
              "o.pe_severity_text <> '' AND (o.pe_severity IS NULL OR o.pe_severity < 0)",
            ),
          ]
        : []),
    ].join('\nUNION ALL\n'),
  });
  rel.push({
    name: 'pe_linked',
    comment: 'Valid offences linked to their case (start day).',
    query: `SELECT ${order ? 'pe_order, ' : ''}pe_key, pe_offence, pe_disposal, pe_type, pe_severity, pe_start FROM pe_offences_linked WHERE pe_ok = 1 AND pe_start IS NOT NULL`,
  });
  rel.push({
    name: 'pe_as_of',
    comment:
      o.asOfDay === null
        ? 'The as-of date (day number): the latest disposal date among the linked offences (no --as-of given).'
        : `The as-of date (day number): --as-of ${formatDate(o.asOfDay)}.`,
    query:
      o.asOfDay === null
        ? 'SELECT max(pe_disposal) AS as_of_day FROM pe_linked'
        : `SELECT ${d.dayNumber(d.dateLiteral(formatDate(o.asOfDay)))} AS as_of_day`,
  });
  const nonProving = [...NON_PROVING_DISPOSALS];
  rel.push({
    name: 'pe_classified',
    comment: `Each offence in exactly one class, tested in this order (follow-up ${F} days, waiting period ${W} days).`,
    query: [
      'SELECT l.*, CASE',
      "    WHEN l.pe_offence <= l.pe_start THEN 'on_or_before_start'",
      `    WHEN l.pe_offence > l.pe_start + ${F} THEN 'after_follow_up'`,
      `    WHEN l.pe_type = ${lit('breach')} THEN 'breach'`,
      `    WHEN l.pe_type IN (${nonProving
        .filter((t) => t !== 'breach')
        .map(lit)
        .join(', ')}) THEN 'other_disposal'`,
      `    WHEN l.pe_disposal > l.pe_start + ${F + W} THEN 'disposed_after_waiting'`,
      "    ELSE 'proven' END AS pe_class",
      'FROM pe_linked l',
    ].join('\n'),
  });
  const perPerson = [
    'SELECT pe_key, count(*) AS pe_k, min(pe_offence) AS pe_first,',
    '  sum(pe_severity) AS pe_sev,',
    '  sum(CASE WHEN pe_severity IS NULL THEN 1 ELSE 0 END) AS pe_sev_missing',
    "FROM pe_classified WHERE pe_class = 'proven' GROUP BY pe_key",
  ].join('\n');
  const ordered =
    order !== null && o.orderedSeveritySum !== false && d.orderedSum('x', 'y') !== d.orderedSum('x', null);
  if (ordered)
    rel.push({
      name: 'pe_proven',
      comment:
        'Per person with a proven re-offence: the count, the first offence day, the severity sum in any order and how many had no severity.',
      query: perPerson,
    });
  rel.push({
    name: 'pe_per_person',
    comment: ordered
      ? 'Per person with a proven re-offence: pe_proven, with the severity sum added in file order (floating-point sums depend on order; one or two terms give the same sum in any order, so only people with three or more are sorted).'
      : 'Per person with a proven re-offence: the count, the first offence day, the severity sum and how many had no severity.',
    query: ordered
      ? [
          'SELECT p.pe_key, p.pe_k, p.pe_first, CASE WHEN p.pe_k <= 2 THEN p.pe_sev ELSE s.pe_sev END AS pe_sev, p.pe_sev_missing',
          'FROM pe_proven p',
          `LEFT JOIN (SELECT l.pe_key, ${d.orderedSum('l.pe_severity', 'l.pe_order')} AS pe_sev FROM pe_classified l`,
          "  JOIN pe_proven q ON q.pe_key = l.pe_key AND q.pe_k > 2 WHERE l.pe_class = 'proven'",
          '  GROUP BY l.pe_key) s ON s.pe_key = p.pe_key',
        ].join('\n')
      : perPerson,
  });
  const M = `a.as_of_day >= c.pe_start + ${F + W}`;
  rel.push({
    name: 'pe_person',
    comment:
      'One row per case: measurable (1/0), reoffended, reoffences, days_to_reoffence, follow_up_days, severity (NULL when pending; severity NULL when a proven re-offence has none), withdrawn.',
    query: [
      'SELECT c.*,',
      `  CASE WHEN ${M} THEN 1 ELSE 0 END AS pe_measurable,`,
      `  CASE WHEN ${M} THEN CASE WHEN p.pe_k > 0 THEN 1 ELSE 0 END END AS pe_reoffended,`,
      `  CASE WHEN ${M} THEN coalesce(p.pe_k, 0) END AS pe_reoffences,`,
      `  CASE WHEN ${M} AND p.pe_k > 0 THEN p.pe_first - c.pe_start END AS pe_days_to_reoffence,`,
      `  CASE WHEN ${M} THEN CASE WHEN p.pe_k > 0 THEN p.pe_first - c.pe_start ELSE ${F} END END AS pe_follow_up_days,`,
      o.hasSeverity
        ? `  CASE WHEN ${M} AND coalesce(p.pe_sev_missing, 0) = 0 THEN coalesce(p.pe_sev, 0) END AS pe_severity,`
        : '  CAST(NULL AS DOUBLE) AS pe_severity,',
      o.hasSeverity
        ? `  CASE WHEN ${M} AND p.pe_sev_missing > 0 THEN 1 ELSE 0 END AS pe_severity_missing,`
        : '  0 AS pe_severity_missing,',
      `  CASE WHEN ${M} THEN 0 ELSE coalesce(p.pe_k, 0) END AS pe_pending_proven`,
      `FROM pe_cases c CROSS JOIN pe_as_of a LEFT JOIN pe_per_person p ON p.pe_key = ${caseKey}`,
    ].join('\n'),
  });
  const countClass = (c: string) => `coalesce(sum(CASE WHEN pe_class = '${c}' THEN 1 ELSE 0 END), 0) AS ${c}`;
  rel.push({
    name: 'pe_offence_classes',
    comment: 'Linked offence counts by class.',
    query: `SELECT count(*) AS offences_total, ${['proven', 'on_or_before_start', 'after_follow_up', 'breach', 'other_disposal', 'disposed_after_waiting'].map(countClass).join(', ')} FROM pe_classified`,
  });
  rel.push({
    name: 'pe_exclusions',
    comment:
      'Offence counts by class: offences_total = counted + every other count (pending_person: proven re-offences of people not yet measurable).',
    query: [
      'SELECT x.offences_total, x.proven - y.pending_person AS counted, x.on_or_before_start, x.after_follow_up, x.breach, x.other_disposal, x.disposed_after_waiting, y.pending_person',
      'FROM pe_offence_classes x',
      'CROSS JOIN (SELECT coalesce(sum(pe_pending_proven), 0) AS pending_person FROM pe_person) y',
    ].join('\n'),
  });

  // The last statement: one row per group.
  const part = by.length ? `PARTITION BY ${byOut.join(', ')} ` : '';
  const groupBy = by.length ? `GROUP BY ${byOut.join(', ')}` : '';
  const inRates = 'pe_measurable = 1 AND pe_withdrawn = 0';
  const dbl = (e: string) => `CAST(${e} AS DOUBLE)`;
  const finalRel: Relation[] = [
    {
      name: 'pe_first_days',
      comment: 'Days to first re-offence of re-offenders, ranked within each group (for the median).',
      query: `SELECT ${[...byOut, ''].join(', ')}pe_days_to_reoffence, row_number() OVER (${part}ORDER BY pe_days_to_reoffence) AS pe_rank, count(*) OVER (${part}) AS pe_count FROM pe_person WHERE ${inRates} AND pe_reoffended = 1`,
    },
    {
      name: 'pe_medians',
      comment: 'Median days to first re-offence (the mean of the middle two for an even count, as R median).',
      query: `SELECT ${[...byOut, ''].join(', ')}avg(CASE WHEN 2 * pe_rank IN (pe_count, pe_count + 1, pe_count + 2) THEN pe_days_to_reoffence END) AS pe_median FROM pe_first_days ${groupBy}`,
    },
    {
      name: 'pe_groups',
      comment: 'Per-group counts.',
      query: [
        `SELECT ${[...byOut, ''].join(', ')}count(*) AS n_cohort,`,
        `  sum(CASE WHEN ${inRates} THEN 1 ELSE 0 END) AS n_measurable,`,
        '  sum(CASE WHEN pe_measurable = 0 AND pe_withdrawn = 0 THEN 1 ELSE 0 END) AS n_pending,',
        '  sum(pe_withdrawn) AS n_withdrawn,',
        `  sum(CASE WHEN ${inRates} THEN pe_reoffended ELSE 0 END) AS reoffenders,`,
        `  sum(CASE WHEN ${inRates} THEN pe_reoffences ELSE 0 END) AS reoffences,`,
        `  sum(CASE WHEN ${inRates} AND pe_severity_missing = 0 THEN pe_severity END) AS pe_severity_sum,`,
        `  sum(CASE WHEN ${inRates} THEN pe_severity_missing ELSE 0 END) AS pe_severity_missing,`,
        `  sum(CASE WHEN ${inRates} AND pe_reoffended = 1 AND pe_days_to_reoffence <= 365 THEN 1 ELSE 0 END) AS pe_by_365`,
        `FROM pe_person ${groupBy}`,
      ].join('\n'),
    },
  ];
  const known = 'g.n_measurable - g.pe_severity_missing';
  const finalSelect = [
    'SELECT',
    ...by.map((b, i) => `  g.${byOut[i]} AS ${id(b)},`),
    '  g.n_cohort, g.n_measurable, g.n_pending, g.n_withdrawn, g.reoffenders,',
    `  CASE WHEN g.n_measurable > 0 THEN ${dbl('g.reoffenders')} / g.n_measurable END AS binary_rate,`,
    '  g.reoffences,',
    `  CASE WHEN g.n_measurable > 0 THEN ${dbl('g.reoffences')} / g.n_measurable END AS frequency_per_offender,`,
    `  CASE WHEN g.reoffenders > 0 THEN ${dbl('g.reoffences')} / g.reoffenders END AS frequency_per_reoffender,`,
    '  m.pe_median AS median_days_to_first,',
    o.hasSeverity
      ? `  CASE WHEN ${known} > 0 THEN ${dbl('g.pe_severity_sum')} / (${known}) END AS severity_per_offender,`
      : '  CAST(NULL AS DOUBLE) AS severity_per_offender,',
    o.hasSeverity ? '  g.pe_severity_missing AS n_severity_missing,' : '  CAST(NULL AS BIGINT) AS n_severity_missing,',
    `  CASE WHEN g.n_measurable > 0 THEN ${dbl('g.pe_by_365')} / g.n_measurable END AS km_reoffending_365`,
    `FROM pe_groups g ${by.length ? `LEFT JOIN pe_medians m ON ${byOut.map((b) => `m.${b} = g.${b}`).join(' AND ')}` : 'CROSS JOIN pe_medians m'}`,
    `WHERE (SELECT CASE WHEN n_flagged > 0 THEN ${d.fail('pilot-eval: the input has problems: see SELECT * FROM pe_problems')} ELSE 0 END FROM pe_problem_count) = 0`,
    ...(by.length ? [`ORDER BY ${byOut.map((b) => `g.${b}`).join(', ')}`] : []),
  ].join('\n');

  return assemble(d, rel, finalRel, finalSelect, o);
}

function assemble(
  d: Dialect,
  rel: Relation[],
  finalRel: Relation[],
  finalSelect: string,
  o: EmitSqlOptions,
): EmittedSql {
  const head = [
    ...(o.header ?? []).map((l) => `-- ${commentText(l)}`),
    `-- Dialect: ${d.name}. Input tables: ${commentText(o.casesTable ?? 'cases')} (one row per person) and ${commentText(o.offencesTable ?? 'offences')} (one row per offence), every column text or as the engine inferred it.`,
    '-- Rules: an offence counts when start < offence_date <= start + follow-up, its disposal proves it (not breach/other)',
    '-- and disposal_date <= start + follow-up + waiting period; people are measurable when as_of >= start + follow-up + waiting.',
    '-- Per-person outcomes: the relation pe_person; offence classes: pe_exclusions; problems: pe_problems.',
    '-- The last statement returns one row per group.',
  ].join('\n');
  const statements: string[] = [];
  const relations: string[] = [];
  const parts: string[] = [head];
  if (d.createRelation !== null) {
    for (const r of rel) {
      const m = o.materialise === true || (Array.isArray(o.materialise) && o.materialise.includes(r.name));
      const keep = m ? o.materialiseColumns?.[r.name] : undefined;
      const s = `${d.createRelation(r.name, m)}\n${keep ? `SELECT ${keep.join(', ')} FROM (\n${r.query}\n) pe_q` : r.query}`;
      statements.push(s);
      relations.push(r.name);
      parts.push(`-- ${r.name}: ${r.comment}\n${s};`);
    }
    const last = `WITH ${finalRel.map((r) => `${r.name} AS (\n${r.query}\n)`).join(',\n')}\n${finalSelect}`;
    statements.push(last);
    parts.push(
      `-- The result: one row per group (${finalRel.map((r) => `${r.name}: ${r.comment}`).join(' ')})\n${last};`,
    );
  } else {
    const all = [...rel, ...finalRel];
    const last = `WITH\n${all.map((r) => `-- ${r.name}: ${r.comment}\n${r.name} AS (\n${r.query}\n)`).join(',\n')}\n${finalSelect}`;
    statements.push(last);
    parts.push(`-- One statement (Trino has no temporary views): each part is a named WITH query.\n${last};`);
  }
  return { statements, relations, script: `${parts.join('\n\n')}\n` };
}
