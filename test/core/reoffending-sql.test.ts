// `reoffending --emit-sql`: the DuckDB dialect is run (in-process, @duckdb/node-api) over the
// fixtures loaded as text tables, and its per-group rows must equal the JavaScript engine's groups
// (counts and ratios exactly; the Kaplan-Meier value and the severity mean to 1e-12, since the SQL
// uses the closed form and its own summation order). Spark and Trino are not run here (no engine on
// this machine): their scripts are checked for shape, escaping and dialect functions.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveReoffending, emitReoffendingScript } from '../../src/app/reoffending.js';
import { emitReoffendingSql, type EmitSqlOptions } from '../../src/core/outcomes/sql/emit-sql.js';
import { duckDbAvailable, loadDuckDb } from '../../src/io/duckdb/load.js';
import { DATE_FORMATS, parseDate } from '../../src/core/dates.js';

const available = await duckDbAvailable();
if (!available)
  console.warn(
    'skipped: running the DuckDB dialect needs the optional package @duckdb/node-api, which cannot be loaded here',
  );

/** Splits a script into statements (`;` at a line end; the generator never puts one inside a literal). */
function statements(script: string): string[] {
  return script
    .split(/;\n/)
    .map((s) => s.replace(/^(--[^\n]*\n|\s)*/g, '').trim())
    .filter((s) => s !== '' && !s.startsWith('--'));
}

async function runDuckDb(
  cases: string,
  offences: string,
  script: string,
  delimiter = ',',
): Promise<{ rows: Record<string, unknown>[]; exclusions: Record<string, unknown> }> {
  const duckdb = await loadDuckDb();
  const inst = await duckdb.DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    const load = (name: string, path: string) =>
      con.run(
        `CREATE TABLE ${name} AS SELECT * FROM read_csv('${path}', header = true, all_varchar = true, delim = '${delimiter}', quote = '"', escape = '"')`,
      );
    await load('cases', cases);
    await load('offences', offences);
    const st = statements(script);
    for (const s of st.slice(0, -1)) await con.run(s);
    const rows = (await con.runAndReadAll(st.at(-1)!)).getRowObjectsJS();
    const exclusions = (await con.runAndReadAll('SELECT * FROM pe_exclusions')).getRowObjectsJS()[0]!;
    return { rows, exclusions };
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

const EXACT = [
  'n_cohort',
  'n_measurable',
  'n_pending',
  'n_withdrawn',
  'reoffenders',
  'binary_rate',
  'reoffences',
  'frequency_per_offender',
  'frequency_per_reoffender',
  'median_days_to_first',
  'n_severity_missing',
] as const;

const CASES = [
  { name: 'pcp by arm', cases: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv', by: ['arm'] },
  {
    name: 'pcp by arm and site, as of 2024-06-30 (people pending)',
    cases: 'fixtures/pcp/cases.csv',
    offences: 'fixtures/pcp/offences.csv',
    by: ['arm', 'site'],
    asOf: '2024-06-30',
  },
  {
    name: 'pcp-fund by sub_arm, 180 + 90 day windows',
    cases: 'fixtures/pcp-fund/cases.csv',
    offences: 'fixtures/pcp-fund/offences.csv',
    by: ['sub_arm'],
    followUpDays: 180,
    waitingDays: 90,
  },
  {
    name: 'community-navigation, whole cohort',
    cases: 'fixtures/community-navigation/cases.csv',
    offences: 'fixtures/community-navigation/offences.csv',
    by: [],
  },
  {
    name: 'user-grants by arm',
    cases: 'fixtures/user-grants/cases.csv',
    offences: 'fixtures/user-grants/offences.csv',
    by: ['arm'],
  },
  {
    name: 'women-pcp-fund by arm',
    cases: 'fixtures/women-pcp-fund/cases.csv',
    offences: 'fixtures/women-pcp-fund/offences.csv',
    by: ['arm'],
  },
  {
    name: 'rossi by arm (no severity column)',
    cases: 'fixtures/rossi/cases.csv',
    offences: 'fixtures/rossi/offences.csv',
    by: ['arm'],
  },
];

describe.skipIf(!available)('--emit-sql duckdb run by DuckDB equals the JavaScript engine', () => {
  it.each(CASES)('$name', async (c) => {
    const opts = {
      cases: c.cases,
      offences: c.offences,
      by: c.by,
      asOf: c.asOf,
      followUpDays: c.followUpDays,
      waitingDays: c.waitingDays,
    };
    const js = await deriveReoffending({ ...opts, engine: 'js' });
    const script = await emitReoffendingScript({ dialect: 'duckdb', ...opts });
    const { rows, exclusions } = await runDuckDb(c.cases, c.offences, script);
    expect(rows.length).toBe(js.groups.length);
    js.groups.forEach((g, i) => {
      const row = rows[i]!;
      for (const b of c.by) expect(row[b]).toBe(g.group[b]);
      for (const k of EXACT) expect(row[k] === null ? null : Number(row[k]), `${k} of group ${i}`).toBe(g[k]);
      for (const k of ['km_reoffending_365', 'severity_per_offender'] as const) {
        if (g[k] === null) expect(row[k]).toBeNull();
        else expect(Math.abs(Number(row[k]) - g[k])).toBeLessThan(1e-12);
      }
    });
    for (const [k, v] of Object.entries(js.exclusions)) expect(Number(exclusions[k]), k).toBe(v);
  });

  it('DD/MM/YYYY dates, missing-value tokens, a withdrawn column and a ;-delimited file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-sql-'));
    const cases = join(dir, 'cases.csv');
    const offences = join(dir, 'offences.csv');
    writeFileSync(
      cases,
      'id;arm;start_date;withdrawn\nA;x;05/01/2023;no\nB;y;2023-01-06;NA\nC;x;7/1/2023;yes\nD;NA;2023-01-08;\n',
    );
    writeFileSync(
      offences,
      'id;offence_date;disposal_date;disposal_type;severity\nA;2023-03-01;01/04/2023;Conviction;2.5\nA;2023-03-02;2023-04-01;caution;NA\nB;2023-02-01;2023-03-01;breach;1\nC;2023-02-01;2023-03-01;conviction;1\nD;2023-02-01;2023-03-01;caution;0.5\n',
    );
    const opts = { cases, offences, by: ['arm'], read: { delimiter: ';' } };
    const js = await deriveReoffending({ ...opts, engine: 'js' });
    const { rows } = await runDuckDb(cases, offences, await emitReoffendingScript({ dialect: 'duckdb', ...opts }), ';');
    expect(
      rows.map((r) => [
        r.arm,
        Number(r.n_cohort),
        Number(r.n_withdrawn),
        Number(r.reoffenders),
        Number(r.reoffences),
        Number(r.n_severity_missing),
      ]),
    ).toEqual(
      js.groups.map((g) => [g.group.arm, g.n_cohort, g.n_withdrawn, g.reoffenders, g.reoffences, g.n_severity_missing]),
    );
    expect(js.groups.map((g) => g.group.arm)).toEqual(['', 'x', 'y']);
  });

  it('refuses to answer while pe_problems lists a problem, and lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-sql-'));
    const cases = join(dir, 'cases.csv');
    const offences = join(dir, 'offences.csv');
    writeFileSync(cases, 'id,arm,start_date\nA,x,2023-01-05\nB,y,2023-02-30\n');
    writeFileSync(
      offences,
      'id,offence_date,disposal_date,disposal_type\nA,2023-03-01,2023-04-01,conviction\nZ,2023-03-01,2023-04-01,fine\n',
    );
    const script = await emitReoffendingScript({ dialect: 'duckdb', cases, offences, by: ['arm'] });
    await expect(runDuckDb(cases, offences, script)).rejects.toThrow(/pe_problems/);
    const duckdb = await loadDuckDb();
    const con = await (await duckdb.DuckDBInstance.create(':memory:')).connect();
    await con.run(`CREATE TABLE cases AS SELECT * FROM read_csv('${cases}', header = true, all_varchar = true)`);
    await con.run(`CREATE TABLE offences AS SELECT * FROM read_csv('${offences}', header = true, all_varchar = true)`);
    for (const s of statements(script).slice(0, -1)) await con.run(s);
    const problems = (
      await con.runAndReadAll('SELECT source, row_key, column_name, value FROM pe_problems ORDER BY 1, 2, 3')
    ).getRowsJS();
    expect(problems).toEqual([
      ['cases', 'B', 'start_date', '2023-02-30'],
      ['offences', 'Z', 'disposal_type', 'fine'],
      ['offences', 'Z', 'id', 'Z'],
    ]);
  });
});

/** Date texts near every edge of the accepted forms (ISO, and slash dates in each order). */
function dateTexts(): string[] {
  const out = new Set<string>([
    '',
    '2023-01-05',
    ' 2023-01-05 ',
    '2023-1-05',
    '2023-01-5',
    '2023-02-29',
    '2024-02-29',
    '2100-02-29',
    '2000-02-29',
    '1899-12-31',
    '1900-01-01',
    '2200-12-31',
    '2201-01-01',
    '0999-01-01',
    '-2023-01-05',
    '+2023-01-05',
    '2023-00-10',
    '2023-13-01',
    '2023-01-00',
    '2023-01-32',
    '2023-04-31',
    '20230105',
    '2023-01-05 (BC)',
    '2023-01-05x',
    '2023-01-0５',
    '2023 01 05',
    '2023\\01\\05',
    '2023-01- 5',
    '10000-01-01',
    'NA',
  ]);
  const days = ['0', '00', '1', '01', '9', '09', '10', '12', '13', '28', '29', '30', '31', '32', '001', ' 1'];
  const months = ['0', '00', '1', '01', '2', '02', '04', '4', '12', '13', '012'];
  const years = ['1899', '1900', '2000', '2023', '2024', '2100', '2200', '2201', '0000', '999', '02023'];
  for (const a of days)
    for (const b of months)
      for (const y of years) {
        out.add(`${a}/${b}/${y}`);
        out.add(`${b}/${a}/${y}`);
        out.add(`${y}/${b}/${a}`);
      }
  return [...out];
}

describe.skipIf(!available)('the script reads dates exactly as src/core/dates.ts does', () => {
  it.each(DATE_FORMATS)('--date-format %s: the same texts accepted, as the same days', async (format) => {
    const texts = dateTexts();
    const { statements: st } = emitReoffendingSql({
      dialect: 'duckdb',
      followUpDays: 365,
      waitingDays: 183,
      asOfDay: null,
      dateFormat: format,
      na: ['NA'],
      hasSeverity: false,
      hasWithdrawn: false,
    });
    const duckdb = await loadDuckDb();
    const inst = await duckdb.DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    try {
      await con.run('CREATE TABLE cases (k INTEGER, id VARCHAR, start_date VARCHAR)');
      const app = await con.createAppender('cases');
      texts.forEach((t, k) => {
        app.appendInteger(k);
        app.appendVarchar(`P${k}`);
        app.appendVarchar(t);
        app.endRow();
      });
      app.closeSync();
      await con.run(st[0]!);
      const rows = (await con.runAndReadAll('SELECT k, pe_start FROM pe_cases ORDER BY k')).getRowsJS();
      expect(rows).toHaveLength(texts.length);
      let accepted = 0;
      for (const [k, day] of rows) {
        const text = texts[Number(k)]!;
        const js = text.trim() === 'NA' ? ({ ok: false } as const) : parseDate(text.trim(), format);
        expect(day === null ? null : Number(day), `${JSON.stringify(text)} (${format})`).toBe(js.ok ? js.day : null);
        if (js.ok) accepted++;
      }
      // The grid holds dates of every form that this format accepts.
      expect(accepted).toBeGreaterThan(50);
    } finally {
      con.closeSync();
      inst.closeSync();
    }
  });
});

const BASE: EmitSqlOptions = {
  dialect: 'trino',
  by: ['arm'],
  followUpDays: 365,
  waitingDays: 183,
  asOfDay: 20269, // 2025-06-30
  dateFormat: 'auto',
  na: ['NA', "O'Brien"],
  hasSeverity: true,
  hasWithdrawn: true,
};

/** Quotes and parentheses balance outside comments and literals; returns the text with literals blanked. */
function checkBalanced(sql: string, backslashEscapes: boolean): string {
  let depth = 0;
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += '\n';
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (backslashEscapes && sql[j] === '\\') j++;
        else if (sql[j] === "'" && sql[j + 1] === "'" && !backslashEscapes) j++;
        else if (sql[j] === "'") break;
      }
      expect(j, 'an unterminated string literal').toBeLessThan(sql.length);
      out += "''";
      i = j;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
    out += ch;
  }
  expect(depth).toBe(0);
  return out;
}

describe('--emit-sql trino and spark: the text has the dialect shape', () => {
  it('trino: one WITH statement (no temporary views), Trino functions, double-quoted identifiers', () => {
    const { statements: st, script } = emitReoffendingSql({ ...BASE, by: ['arm', 'we"ird'] });
    expect(st).toHaveLength(1);
    expect(st[0]!.startsWith('WITH')).toBe(true);
    const code = checkBalanced(script, false);
    expect(code.match(/;/g)).toHaveLength(1);
    expect(code.trim().endsWith(';')).toBe(true);
    for (const fn of ['regexp_like(', 'try_cast(', "date_diff('day'", 'fail(', 'regexp_extract(', 'lpad('])
      expect(script).toContain(fn);
    for (const bad of ['regexp_full_match', 'CREATE', '`', 'RLIKE', 'error(', 'datediff(', 'TRY_CAST('])
      expect(code).not.toContain(bad);
    expect(script).toContain('"we""ird"');
    expect(script).toContain("'O''Brien'");
    expect(script).toContain("DATE '2025-06-30'");
    // Integer division would truncate the rates in Trino: every ratio divides a DOUBLE.
    expect(code).not.toMatch(/g\.(reoffenders|reoffences) \//);
  });

  it('spark: temporary views, then the final SELECT; backticks, backslash-escaped literals, Spark functions', () => {
    const { statements: st, script } = emitReoffendingSql({
      ...BASE,
      dialect: 'spark',
      by: ['we`ird'],
      na: ["it's", 'back\\slash'],
    });
    expect(st.length).toBeGreaterThan(5);
    for (const s of st.slice(0, -1)) expect(s.startsWith('CREATE OR REPLACE TEMPORARY VIEW `pe_')).toBe(true);
    expect(st.at(-1)!.startsWith('WITH')).toBe(true);
    const code = checkBalanced(script, true);
    expect(code.match(/;/g)).toHaveLength(st.length);
    for (const fn of ['RLIKE', 'try_cast(', 'datediff(', 'raise_error(']) expect(script).toContain(fn);
    for (const bad of ['regexp_full_match', 'regexp_like', "date_diff('day'", 'fail(']) expect(code).not.toContain(bad);
    expect(script).toContain('`we``ird`');
    expect(script).toContain("'it\\'s'");
    expect(script).toContain("'back\\\\slash'");
  });

  it('the header comment names the version and the options; control characters cannot end a comment line', async () => {
    const script = await emitReoffendingScript({
      dialect: 'duckdb',
      by: ['arm'],
      asOf: '2025-06-30',
      followUpDays: 365,
      waitingDays: 183,
    });
    expect(script).toMatch(
      /^-- Made by pilot-eval \d+\.\d+\.\d+: reoffending --emit-sql duckdb --by arm --follow-up-days 365 --waiting-days 183 --as-of 2025-06-30/,
    );
    const hostile = emitReoffendingSql({ ...BASE, dialect: 'duckdb', header: ['x\nDROP TABLE cases; --'] }).script;
    expect(hostile.split('\n')[0]).toBe('-- x DROP TABLE cases; --');
  });
});
