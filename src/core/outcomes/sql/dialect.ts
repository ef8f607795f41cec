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

const DUCKDB: Dialect = {
  name: 'duckdb',
  ident: doubleQuoted,
  literal: sqlString,
  text: (e) => `CAST(${e} AS VARCHAR)`,
  fullMatch: (e, p) => `regexp_full_match(${e}, ${sqlString(p)})`,
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

const SPARK: Dialect = {
  name: 'spark',
  ident: (n) => `\`${n.replace(/`/g, '``')}\``,
  literal: sparkString,
  text: (e) => `CAST(${e} AS STRING)`,
  fullMatch: (e, p) => `(${e} RLIKE ${sparkString(`^(?:${p})$`)})`,
  tryDate: (t) => `try_cast(${t} AS DATE)`,
  tryDouble: (t) => `try_cast(${t} AS DOUBLE)`,
  dayNumber: (d) => `datediff(${d}, DATE '1970-01-01')`,
  dateLiteral: (iso) => `DATE '${iso}'`,
  orderedSum: (e) => `sum(${e})`,
  createRelation: (name) => `CREATE OR REPLACE TEMPORARY VIEW \`${name.replace(/`/g, '``')}\` AS`,
  fail: (m) => `raise_error(${sparkString(m)})`,
};

const TRINO: Dialect = {
  name: 'trino',
  ident: doubleQuoted,
  literal: sqlString,
  text: (e) => `CAST(${e} AS VARCHAR)`,
  fullMatch: (e, p) => `regexp_like(${e}, ${sqlString(`^(?:${p})$`)})`,
  tryDate: (t) => `try_cast(${t} AS DATE)`,
  tryDouble: (t) => `try_cast(${t} AS DOUBLE)`,
  dayNumber: (d) => `CAST(date_diff('day', DATE '1970-01-01', ${d}) AS INTEGER)`,
  dateLiteral: (iso) => `DATE '${iso}'`,
  orderedSum: (e) => `sum(${e})`,
  // Trino has no temporary views: the script is one WITH query, needing no write access.
  createRelation: null,
  fail: (m) => `fail(${sqlString(m)})`,
};

export function dialectOf(name: SqlDialect): Dialect {
  return name === 'duckdb' ? DUCKDB : name === 'spark' ? SPARK : TRINO;
}
