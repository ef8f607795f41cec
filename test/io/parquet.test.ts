/**
 * Parquet input: a `.parquet` path is read wherever a CSV path is, into the same cell text, so the
 * same checks apply and the results are the CSV's. The Parquet files are written here by DuckDB
 * (`COPY (SELECT ...) TO 'x.parquet' (FORMAT parquet)`, through @duckdb/node-api), the way an analyst
 * would make them; without DuckDB's binary the tests are skipped, saying so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCsv } from '../../src/io/csv-reader.js';
import { formatProblem, type DataError } from '../../src/core/errors.js';

type Con = { run(sql: string): Promise<unknown> };
let con: Con | null = null;
try {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  con = await (await DuckDBInstance.create(':memory:')).connect();
} catch (err) {
  process.stderr.write(
    `parquet.test.ts: skipped, @duckdb/node-api cannot be loaded here (${(err as Error).message})\n`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-parquet-'));
const sqlPath = (p: string) => p.replace(/'/g, "''");

/** Writes `select` to dir/name as Parquet. */
async function parquet(name: string, select: string): Promise<string> {
  const out = join(dir, name);
  await con!.run(`COPY (${select}) TO '${sqlPath(out)}' (FORMAT parquet)`);
  return out;
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/pilot-eval', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON with each input's path and sha256 (which name the file, so differ) taken out. */
function withoutInputs(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) =>
    key === 'path' || key === 'sha256' || key === 'file' ? undefined : value,
  );
}

async function readAll(path: string) {
  let header: string[] = [];
  const rows: string[][] = [];
  const lines: number[] = [];
  const result = await readCsv(
    path,
    {},
    (h) => (header = h),
    (b) => {
      rows.push(...b.fields);
      lines.push(...b.lines);
    },
  );
  return { header, rows, lines, result };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(con === null)('Parquet input', () => {
  const fixtures = ['pcp', 'community-navigation'];
  const files: Record<string, { cases: string; offences: string }> = {};
  beforeAll(async () => {
    for (const f of fixtures) {
      // DuckDB infers the types as an analyst's export would have them: DATE, BIGINT, DOUBLE, VARCHAR.
      files[f] = {
        cases: await parquet(
          `${f}-cases.parquet`,
          `SELECT * FROM read_csv('${resolve('fixtures', f, 'cases.csv')}', header = true)`,
        ),
        offences: await parquet(
          `${f}-offences.parquet`,
          `SELECT * FROM read_csv('${resolve('fixtures', f, 'offences.csv')}', header = true)`,
        ),
      };
    }
  });

  it('turns each Parquet type into the text a CSV would hold', async () => {
    const p = await parquet(
      'types.parquet',
      `SELECT * FROM (VALUES
        (1, DATE '2024-03-05', TIMESTAMP '2024-03-05 00:00:00', TIMESTAMP '2024-03-05 10:20:30.5', 12345678901234::BIGINT, 0.1::DOUBLE, 0.1::FLOAT, 12.50::DECIMAL(6,2), true, 'a,b "q"'),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (3, DATE '1999-12-31', TIMESTAMP '1969-12-31 00:00:00', TIMESTAMP '1969-12-31 23:59:59.000001', -7::BIGINT, -2.5e-7::DOUBLE, 3.25::FLOAT, -0.05::DECIMAL(6,2), false, '')
      ) t(n, d, ts0, ts, big, dbl, flt, dec, b, s)`,
    );
    const { header, rows, lines, result } = await readAll(p);
    expect(header).toEqual(['n', 'd', 'ts0', 'ts', 'big', 'dbl', 'flt', 'dec', 'b', 's']);
    expect(rows).toEqual([
      [
        '1',
        '2024-03-05',
        '2024-03-05',
        '2024-03-05T10:20:30.5',
        '12345678901234',
        '0.1',
        '0.1',
        '12.5',
        'true',
        'a,b "q"',
      ],
      ['2', '', '', '', '', '', '', '', '', ''],
      ['3', '1999-12-31', '1969-12-31', '1969-12-31T23:59:59.000001', '-7', '-2.5e-7', '3.25', '-0.05', 'false', ''],
    ]);
    expect(lines).toEqual([1, 2, 3]);
    expect(result).toMatchObject({ records: 3, sha256: null });
  });

  it('decodes only the columns the caller reads when it says which ({ readColumns })', async () => {
    const p = await parquet(
      'some-columns.parquet',
      `SELECT * FROM (VALUES (1, 'a', [1, 2], DATE '2024-01-02'), (2, 'b', NULL, NULL)) t(n, s, list, d)`,
    );
    const rows: string[][] = [];
    await readCsv(
      p,
      {},
      () => ({ readColumns: [0, 3] }),
      (b) => rows.push(...b.fields),
    );
    // The list column is not read, so its nested value is no problem; unread cells are ''.
    expect(rows).toEqual([
      ['1', '', '', '2024-01-02'],
      ['2', '', '', ''],
    ]);
    // Read whole, the nested value is refused.
    await expect(readAll(p)).rejects.toThrow(/nested value/);
  });

  it('streams a file of several row groups in order', async () => {
    await con!.run('SET preserve_insertion_order = true');
    const out = join(dir, 'groups.parquet');
    await con!.run(
      `COPY (SELECT i AS id, i * 2 AS twice FROM range(25000) r(i)) TO '${sqlPath(out)}' (FORMAT parquet, ROW_GROUP_SIZE 4096)`,
    );
    const { rows, lines, result } = await readAll(out);
    expect(result.records).toBe(25000);
    expect(rows[0]).toEqual(['0', '0']);
    expect(rows[24999]).toEqual(['24999', '49998']);
    expect(lines[24999]).toBe(25000);
    expect(rows.every((r, i) => r[0] === String(i))).toBe(true);
  });

  for (const f of fixtures) {
    it(`${f}: reoffending --json and analyse --json from Parquet equal those from CSV`, () => {
      const csv = { cases: `fixtures/${f}/cases.csv`, offences: `fixtures/${f}/offences.csv` };
      const pq = files[f]!;
      for (const args of [
        (x: typeof csv) => ['reoffending', '--cases', x.cases, '--offences', x.offences, '--by', 'arm', '--json'],
        (x: typeof csv) => ['analyse', x.cases, '--offences', x.offences, '--covariates', 'age,ogrs3', '--json'],
      ]) {
        const a = cli(args(csv));
        const b = cli(args(pq));
        expect(a.code, a.stderr).toBe(0);
        expect(b.code, b.stderr).toBe(0);
        expect(withoutInputs(b.stdout)).toEqual(withoutInputs(a.stdout));
        // Only the file names and hashes differ: the text is otherwise byte for byte the same.
        const strip = (s: string) => s.replaceAll(/"(path|sha256|file)": "[^"]*"/g, '');
        expect(strip(b.stdout.replaceAll(pq.cases, csv.cases).replaceAll(pq.offences, csv.offences))).toBe(
          strip(a.stdout),
        );
      }
    });
  }

  it('applies the same checks, located by file, data row and column', async () => {
    const bad = await parquet(
      'bad-offences.parquet',
      `SELECT * FROM (VALUES ('P000001', '2024-01-05', '2024-02-01', 'conviction'), ('P000002', '2024-13-01', '2024-02-01', 'conviction'), ('NOBODY', '2024-01-05', '2024-02-01', 'warning')) t(id, offence_date, disposal_date, disposal_type)`,
    );
    const r = cli(['reoffending', '--cases', files.pcp!.cases, '--offences', bad, '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as {
      problems: Array<{ line: number; column: string; value: string }>;
      total_problems: number;
    };
    expect(doc.total_problems).toBe(2);
    expect(doc.problems[0]).toMatchObject({ line: 2, column: 'offence_date', value: '2024-13-01' });
    expect(doc.problems[1]).toMatchObject({ line: 3, column: 'id', value: 'NOBODY' });
    const text = cli(['reoffending', '--cases', files.pcp!.cases, '--offences', bad]);
    expect(text.code).toBe(3);
    expect(text.stderr).toContain(`${bad}, row 2, column offence_date: value "2024-13-01"`);
  });

  it('a file that is not Parquet is a data error naming it (exit 3)', async () => {
    const fake = join(dir, 'not.parquet');
    writeFileSync(fake, 'id,start_date\nA,2024-01-01\n');
    let err: DataError | null = null;
    await readAll(fake).catch((e: DataError) => (err = e));
    expect(err).not.toBeNull();
    expect(formatProblem(err!.problems[0]!)).toMatch(/not\.parquet: is not a readable Parquet file/);
    const r = cli(['reoffending', '--cases', fake, '--offences', 'fixtures/pcp/offences.csv']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('not.parquet');
    const truncated = join(dir, 'truncated.parquet');
    const whole = spawnSync('head', ['-c', '2000', files.pcp!.offences]).stdout;
    writeFileSync(truncated, Buffer.concat([whole, Buffer.from('PAR1')]));
    const t = cli(['reoffending', '--cases', 'fixtures/pcp/cases.csv', '--offences', truncated]);
    expect(t.code).toBe(3);
    expect(t.stderr).toContain('truncated.parquet');
  });
});
