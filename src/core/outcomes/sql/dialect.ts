/**
 * The few places where DuckDB, Spark SQL and Trino differ, for the proven re-offending script
 * (emit-sql.ts). Everything else in the script is standard SQL that all three accept. Pure text.
 */

export type SqlDialect = 'duckdb' | 'spark' | 'trino';
export const SQL_DIALECTS: readonly SqlDialect[] = ['duckdb', 'spark', 'trino'];

export interface Dialect {
  name: SqlDialect;
  /** A quoted identifier (any text, escaped). */
  ident(name: string): string;
  /** A quoted string literal (any text, escaped). */
  literal(text: string): string;
  /** The expression as text (a typed column becomes its text form; a date becomes YYYY-MM-DD). */
  text(expr: string): string;
  /** True when `expr` matches `pattern` (a regular expression, anchored here) as a whole. */
  fullMatch(expr: string, pattern: string): string;
  /** `trim(x)`: the text without edge spaces (`x` is a text expression, not NULL; it may be repeated). */
  trim(x: string): string;
  /**
   * Day number of a text that is exactly `YYYY-MM-DD` for a real calendar date in the years
   * 1900-2200, else NULL. `t` is the text and `date` the dialect's non-failing cast of it to a date
   * (tryDate), both column references (they may be repeated).
   */
  isoDay(t: string, date: string): string;
  /**
   * Day number of a slash date (`t` a column reference that fully matches `pattern`, whose groups
   * `y`, `m`, `d` are the year, month and day) in the years 1900-2200, else NULL; null: the script
   * rewrites it as ISO text and reads that as an ISO date.
   */
  slashDay: ((t: string, pattern: string, order: 'dmy' | 'mdy' | 'ymd', y: number) => string) | null;
  /** A date from ISO text, NULL when the text is not a real date. */
  tryDate(isoText: string): string;
  /** A double from text, NULL when the text is not a number. */
  tryDouble(text: string): string;
  /** Days since 1970-01-01 of a date expression (an integer). */
  dayNumber(dateExpr: string): string;
  /** A DATE literal. */
  dateLiteral(iso: string): string;
  /** `sum(x)` in the order of `orderBy` when the dialect can say so (else a plain sum). */
  orderedSum(expr: string, orderBy: string | null): string;
  /** The statement that names a relation for the rest of the script (null: use WITH instead). */
  createRelation: ((name: string, materialise: boolean) => string) | null;
  /** An expression that fails the query with `message` (a guard against unvalidated input). */
  fail(message: string): string;
}

function doubleQuoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function fullMatchDuck(e: string, p: string): string {
  return `regexp_full_match(${e}, ${sqlString(p)})`;
}

/** Day number of an ISO text by the generic route: the pattern, the year range, then the cast. */
function isoDayGeneric(fullMatch: (e: string, p: string) => string, dayNumber: (d: string) => string) {
  return (t: string, date: string) =>
    `CASE WHEN ${fullMatch(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}')} AND substr(${t}, 1, 4) BETWEEN '1900' AND '2200' THEN ${dayNumber(date)} END`;
}

const DUCKDB: Dialect = {
  name: 'duckdb',
  ident: doubleQuoted,
  literal: sqlString,
  text: (e) => `CAST(${e} AS VARCHAR)`,
  fullMatch: (e, p) => `regexp_full_match(${e}, ${sqlString(p)})`,
  // DuckDB's trim removes space separators (U+0020, U+00A0, ...); an ASCII text needs it only when
  // it starts or ends with a space, and these byte tests cost far less than the call.
  trim: (x) =>
    `CASE WHEN prefix(${x}, ' ') OR suffix(${x}, ' ') OR strlen(${x}) <> length(${x}) THEN trim(${x}) ELSE ${x} END`,
  // A text is YYYY-MM-DD for a real date when DuckDB reads it as a date and writes that date back
  // as the same ten characters (its cast alone also reads 2023-1-5, edge spaces and era suffixes).
  isoDay: (t, date) =>
    `CASE WHEN ${date} BETWEEN DATE '1900-01-01' AND DATE '2200-12-31' AND CAST(${date} AS VARCHAR) = ${t} THEN CAST(${date} - DATE '1970-01-01' AS INTEGER) END`,
  slashDay: (t, p, order, y) =>
    `CASE WHEN ${fullMatchDuck(t, p)} AND regexp_extract(${t}, ${sqlString(p)}, ${y}) BETWEEN '1900' AND '2200' THEN CAST(date_diff('day', DATE '1970-01-01', CAST(try_strptime(${t}, ${sqlString(order === 'dmy' ? '%d/%m/%Y' : order === 'mdy' ? '%m/%d/%Y' : '%Y/%m/%d')}) AS DATE)) AS INTEGER) END`,
  tryDate: (t) => `TRY_CAST(${t} AS DATE)`,
  tryDouble: (t) => `TRY_CAST(${t} AS DOUBLE)`,
  dayNumber: (d) => `CAST(date_diff('day', DATE '1970-01-01', ${d}) AS INTEGER)`,
  dateLiteral: (iso) => `DATE '${iso}'`,
  orderedSum: (e, o) => (o === null ? `sum(${e})` : `sum(${e} ORDER BY ${o})`),
  createRelation: (name, materialise) =>
    `CREATE OR REPLACE TEMP ${materialise ? 'TABLE' : 'VIEW'} ${doubleQuoted(name)} AS`,
  fail: (m) => `error(${sqlString(m)})`,
};

/** Spark string literals read backslash escapes (spark.sql.parser.escapedStringLiterals=false). */
function sparkString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function sparkFullMatch(e: string, p: string): string {
  return `(${e} RLIKE ${sparkString(`^(?:${p})$`)})`;
}

function sparkDayNumber(d: string): string {
  return `datediff(${d}, DATE '1970-01-01')`;
}

const SPARK: Dialect = {
  name: 'spark',
  ident: (n) => `\`${n.replace(/`/g, '``')}\``,
  literal: sparkString,
  text: (e) => `CAST(${e} AS STRING)`,
  fullMatch: sparkFullMatch,
  trim: (x) => `trim(${x})`,
  isoDay: isoDayGeneric(sparkFullMatch, sparkDayNumber),
  slashDay: null,
  tryDate: (t) => `try_cast(${t} AS DATE)`,
  tryDouble: (t) => `try_cast(${t} AS DOUBLE)`,
  dayNumber: sparkDayNumber,
  dateLiteral: (iso) => `DATE '${iso}'`,
  orderedSum: (e) => `sum(${e})`,
  createRelation: (name) => `CREATE OR REPLACE TEMPORARY VIEW \`${name.replace(/`/g, '``')}\` AS`,
  fail: (m) => `raise_error(${sparkString(m)})`,
};

function trinoFullMatch(e: string, p: string): string {
  return `regexp_like(${e}, ${sqlString(`^(?:${p})$`)})`;
}

function trinoDayNumber(d: string): string {
  return `CAST(date_diff('day', DATE '1970-01-01', ${d}) AS INTEGER)`;
}

const TRINO: Dialect = {
  name: 'trino',
  ident: doubleQuoted,
  literal: sqlString,
  text: (e) => `CAST(${e} AS VARCHAR)`,
  fullMatch: trinoFullMatch,
  trim: (x) => `trim(${x})`,
  isoDay: isoDayGeneric(trinoFullMatch, trinoDayNumber),
  slashDay: null,
  tryDate: (t) => `try_cast(${t} AS DATE)`,
  tryDouble: (t) => `try_cast(${t} AS DOUBLE)`,
  dayNumber: trinoDayNumber,
  dateLiteral: (iso) => `DATE '${iso}'`,
  orderedSum: (e) => `sum(${e})`,
  // Trino has no temporary views: the script is one WITH query, needing no write access.
  createRelation: null,
  fail: (m) => `fail(${sqlString(m)})`,
};

export function dialectOf(name: SqlDialect): Dialect {
  return name === 'duckdb' ? DUCKDB : name === 'spark' ? SPARK : TRINO;
}
