// Issue 18: `reoffending --engine duckdb` must give the same JSON and the same --out bytes as
// `--engine js` on every fixture, the demo data, the Rossi fixture and bench data, and the same
// errors (located problems: the first 20 and the total) on bad inputs. On good inputs DuckDB itself
// must answer (no hand-over to the JS readers), or the comparison would prove nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveReoffending, type DeriveReoffendingOptions } from '../../src/app/reoffending.js';
import { simulateToFolder } from '../../src/app/simulate.js';
import { findConcept } from '../../src/core/concepts.js';
import { DataError } from '../../src/core/errors.js';
import { duckDbAvailable, loadDuckDb } from '../../src/io/duckdb/load.js';
import { memoryLimit } from '../../src/io/duckdb/outcomes.js';
import { jsonReplacer } from '../../src/cli/output.js';

const available = await duckDbAvailable();
if (!available)
  console.warn(
    'skipped: the DuckDB engine tests need the optional package @duckdb/node-api, which cannot be loaded here',
  );

const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  json?: string;
  out?: Buffer | null;
  error?: string;
  notices: string[];
}

function describeError(e: unknown): string {
  if (e instanceof DataError) return `DataError ${e.total} ${JSON.stringify(e.problems)}`;
  const err = e as Error;
  return `${err.constructor.name}: ${err.message}`;
}

async function run(engine: 'js' | 'duckdb', o: DeriveReoffendingOptions): Promise<Outcome> {
  const notices: string[] = [];
  if (o.out) rmSync(o.out, { force: true });
  try {
    const r = await deriveReoffending({ ...o, engine, onNotice: (m) => notices.push(m) });
    return {
      json: JSON.stringify({ schema_version: 1, ...r }, jsonReplacer, 2),
      out: o.out ? readFileSync(o.out) : null,
      notices,
    };
  } catch (e) {
    return { error: describeError(e), notices };
  }
}

/** Runs both engines; `duckdbAnswers`: DuckDB must answer itself (no hand-over). */
async function same(o: DeriveReoffendingOptions, duckdbAnswers: boolean): Promise<Outcome> {
  const js = await run('js', o);
  const db = await run('duckdb', o);
  expect(db.json).toBe(js.json);
  expect(db.error).toBe(js.error);
  if (o.out) expect(db.out?.equals(js.out ?? Buffer.alloc(0))).toBe(true);
  if (duckdbAnswers) expect(db.notices).toEqual([]);
  return js;
}

const FIXTURES = ['pcp', 'pcp-fund', 'community-navigation', 'user-grants', 'women-pcp-fund', 'rossi'];

describe.skipIf(!available)('--engine duckdb gives the same results as --engine js', () => {
  let demo = '';
  let bench = '';
  beforeAll(async () => {
    demo = join(dir, 'demo');
    await simulateToFolder({ concept: findConcept('pcp')!, stage: 'efficacy', seed: 101, outDir: demo });
    bench = join(dir, 'bench');
    execFileSync(process.execPath, [
      'bench/gen-reoffending.mjs',
      '--people',
      '10000',
      '--seed',
      '7',
      '--out-dir',
      bench,
    ]);
  });

  it.each(FIXTURES)('fixtures/%s: by arm, whole cohort, --out, --as-of and other windows', async (name) => {
    const cases = `fixtures/${name}/cases.csv`;
    const offences = `fixtures/${name}/offences.csv`;
    const r = await same({ cases, offences, by: ['arm'] }, true);
    expect(r.json).toContain('"reoffenders"');
    await same({ cases, offences }, true);
    await same({ cases, offences, by: ['arm'], out: join(dir, `${name}.csv`) }, true);
    await same({ cases, offences, by: ['arm'], followUpDays: 180, waitingDays: 90 }, true);
  });

  it('as-of dates that leave people pending, and --by on two columns', async () => {
    const base = { cases: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv' };
    const r = await same({ ...base, by: ['arm', 'site'], asOf: '2024-06-30', out: join(dir, 'pending.csv') }, true);
    expect(r.json).toMatch(/"n_pending": [1-9]/);
    await same({ ...base, by: ['sex'], asOf: '30/09/2024' }, true);
  });

  it('the demo data (a simulated pcp efficacy trial)', async () => {
    await same(
      {
        cases: join(demo, 'cases.csv'),
        offences: join(demo, 'offences.csv'),
        by: ['arm'],
        out: join(dir, 'demo-out.csv'),
      },
      true,
    );
  });

  it('bench data at 10k people (bench/gen-reoffending.mjs)', async () => {
    const r = await same(
      {
        cases: join(bench, 'cases.csv'),
        offences: join(bench, 'offences.csv'),
        by: ['arm'],
        out: join(dir, 'bench-out.csv'),
      },
      true,
    );
    expect(r.json).toContain('"n_cohort": 10000');
  });

  it('every bad cases fixture (with good offences) and every bad offences fixture (with good cases)', async () => {
    const hostile = 'fixtures/bad/hostile';
    const files = readdirSync(hostile).filter((f) => f.endsWith('.csv'));
    for (const f of files) {
      await same({ cases: join(hostile, f), offences: join(hostile, 'good-offences.csv'), by: ['arm'] }, false);
      await same({ cases: join(hostile, 'good-cases.csv'), offences: join(hostile, f), by: ['arm'] }, false);
    }
    for (const f of readdirSync('fixtures/bad').filter((x) => x.endsWith('.csv'))) {
      await same({ cases: join('fixtures/bad', f), offences: join(hostile, 'good-offences.csv') }, false);
      await same({ cases: 'fixtures/bad/good-cases.csv', offences: join('fixtures/bad', f) }, false);
    }
  });

  it('more than 20 problems: the first 20 and the total agree', async () => {
    const cases = join(dir, 'many-cases.csv');
    const offences = join(dir, 'many-offences.csv');
    writeFileSync(
      cases,
      `id,arm,start_date\n${Array.from({ length: 30 }, (_, i) => `P${i},${i % 2 ? 'a' : 'b'},2023-0${(i % 9) + 1}-01`).join('\n')}\n`,
    );
    const rows = Array.from({ length: 40 }, (_, i) => {
      if (i % 4 === 0) return `X${i},2023-05-01,2023-06-01,conviction`; // unknown id
      if (i % 4 === 1) return `P${i % 30},2023-02-30,2023-06-01,conviction`; // impossible date
      if (i % 4 === 2) return `P${i % 30},2023-05-01,2023-04-01,caution`; // disposal before offence
      return `P${i % 30},2023-05-01,2023-06-01,fine`; // unknown disposal type
    });
    writeFileSync(offences, `id,offence_date,disposal_date,disposal_type\n${rows.join('\n')}\n`);
    const r = await same({ cases, offences, by: ['arm'] }, false);
    expect(r.error).toMatch(/^DataError 40 /);
  });

  it('a missing --by column, wrong dates, duplicate ids, a missing column, and edge cases of the readers', async () => {
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const goodOff = write(
      'g-off.csv',
      'id,offence_date,disposal_date,disposal_type,severity\nA,2023-03-01,2023-04-01,conviction,2.5\nB,2023-03-01,2023-04-01,breach,\nA,2023-03-05,2023-04-01,CAUTION,0.1\n',
    );
    const goodCases = write('g-cases.csv', 'id,arm,start_date,withdrawn\nA,x,2023-01-01,no\nB,y,01/02/2023,\n');
    const r = await same({ cases: goodCases, offences: goodOff, by: ['arm'], out: join(dir, 'g-out.csv') }, true);
    expect(r.json).toContain('"severity_per_offender"');
    const err = await same({ cases: goodCases, offences: goodOff, by: ['team'] }, false);
    expect(err.error).toMatch(/UsageError: --by: column "team" not in/);
    await same(
      { cases: write('dup.csv', 'id,arm,start_date\nA,x,2023-01-01\nA,y,2023-01-02\n'), offences: goodOff },
      false,
    );
    await same(
      { cases: write('us.csv', 'id,arm,start_date\nA,x,10/25/2023\nB,y,2023-01-02\n'), offences: goodOff },
      false,
    );
    await same(
      {
        cases: write('dt.csv', 'id,arm,start_date\nA,x,2023-01-01 00:00:00\nB,y,2023-01-02\n'),
        offences: goodOff,
        by: ['arm'],
      },
      false,
    );
    await same({ cases: write('nostart.csv', 'id,arm\nA,x\nB,y\n'), offences: goodOff }, false);
    await same(
      { cases: goodCases, offences: write('notype.csv', 'id,offence_date,disposal_date\nA,2023-03-01,2023-04-01\n') },
      false,
    );
    await same(
      {
        cases: write('wd.csv', 'id,arm,start_date,withdrawn\nA,x,2023-01-01,maybe\nB,y,2023-01-02,yes\n'),
        offences: goodOff,
      },
      false,
    );
    await same(
      {
        cases: write('na.csv', 'id,arm,start_date\nA,NA,2023-01-01\nB, y ,2023-01-02\n'),
        offences: goodOff,
        by: ['arm'],
        out: join(dir, 'na-out.csv'),
      },
      true,
    );
    await same(
      {
        cases: write('tab.csv', 'id,arm,start_date\nA,\tx,2023-01-01\nB,y,2023-01-02\n'),
        offences: goodOff,
        by: ['arm'],
      },
      false,
    );
    await same(
      {
        cases: write('case.csv', 'id,arm,start_date\nA,Treat,2023-01-01\nB,treat,2023-01-02\n'),
        offences: goodOff,
        by: ['arm'],
      },
      false,
    );
    await same(
      {
        cases: goodCases,
        offences: write(
          'sev.csv',
          'id,offence_date,disposal_date,disposal_type,severity\nA,2023-03-01,2023-04-01,conviction,1e1\n',
        ),
        by: ['arm'],
      },
      false,
    );
    await same(
      { cases: goodCases, offences: write('none.csv', 'id,offence_date,disposal_date,disposal_type\n') },
      false,
    );
    await same(
      {
        cases: goodCases,
        offences: write('none2.csv', 'id,offence_date,disposal_date,disposal_type\n'),
        asOf: '2024-12-31',
      },
      false,
    );
    const semi = write('semi.csv', 'id;arm;start_date\nA;x;2023-01-01\nB;y;2023-01-02\n');
    const semiOff = write(
      'semi-off.csv',
      'id;offence_date;disposal_date;disposal_type\nA;2023-03-01;2023-04-01;conviction\n',
    );
    await same({ cases: semi, offences: semiOff, by: ['arm'], read: { delimiter: ';' } }, true);
  });
});

describe.skipIf(!available)('--engine duckdb reads .parquet inputs (typed columns) as it reads the CSV', () => {
  it('pcp as Parquet with DATE and DOUBLE columns gives the groups, exclusions and as-of of the CSV', async () => {
    const duckdb = await loadDuckDb();
    const inst = await duckdb.DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const cases = join(dir, 'pcp-cases.parquet');
    const offences = join(dir, 'pcp-offences.parquet');
    await con.run(
      `COPY (SELECT * REPLACE (CAST(start_date AS DATE) AS start_date) FROM read_csv('fixtures/pcp/cases.csv', header = true, all_varchar = true)) TO '${cases}' (FORMAT parquet)`,
    );
    await con.run(
      `COPY (SELECT * REPLACE (CAST(offence_date AS DATE) AS offence_date, CAST(disposal_date AS DATE) AS disposal_date, CAST(severity AS DOUBLE) AS severity) FROM read_csv('fixtures/pcp/offences.csv', header = true, all_varchar = true)) TO '${offences}' (FORMAT parquet)`,
    );
    con.closeSync();
    inst.closeSync();
    const notices: string[] = [];
    const pq = await deriveReoffending({
      cases,
      offences,
      by: ['arm'],
      engine: 'duckdb',
      onNotice: (m) => notices.push(m),
    });
    const csv = await deriveReoffending({
      cases: 'fixtures/pcp/cases.csv',
      offences: 'fixtures/pcp/offences.csv',
      by: ['arm'],
      engine: 'js',
    });
    expect(notices).toEqual([]);
    expect(pq.groups).toEqual(csv.groups);
    expect(pq.exclusions).toEqual(csv.exclusions);
    expect(pq.as_of).toBe(csv.as_of);
  });
});

/**
 * Whether `--engine auto` chose DuckDB for these inputs (with PILOT_EVAL_DUCKDB_MIN_BYTES = `threshold`,
 * or unset): with the package made unavailable, it says so in a note exactly when it chose DuckDB.
 */
async function autoChoseDuckDb(cases: string, offences: string, threshold: string | undefined): Promise<boolean> {
  const names = ['PILOT_EVAL_DUCKDB_MIN_BYTES', 'PILOT_EVAL_NO_DUCKDB'] as const;
  const saved = names.map((n) => process.env[n]);
  if (threshold === undefined) delete process.env.PILOT_EVAL_DUCKDB_MIN_BYTES;
  else process.env.PILOT_EVAL_DUCKDB_MIN_BYTES = threshold;
  process.env.PILOT_EVAL_NO_DUCKDB = '1';
  try {
    const r = await deriveReoffending({ cases, offences, by: ['arm'], engine: 'auto' });
    return r.notes.some((n) => n.startsWith('--engine auto: the DuckDB engine is unavailable'));
  } finally {
    names.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
  }
}

describe.skipIf(!available)('--engine auto chooses by input size', () => {
  const bad = { cases: 'fixtures/bad/duplicate-id.csv', offences: 'fixtures/bad/hostile/good-offences.csv' };
  const tryAuto = async (threshold: string) => {
    const before = process.env.PILOT_EVAL_DUCKDB_MIN_BYTES;
    process.env.PILOT_EVAL_DUCKDB_MIN_BYTES = threshold;
    const notices: string[] = [];
    try {
      await deriveReoffending({ ...bad, engine: 'auto', onNotice: (m) => notices.push(m) }).catch(() => undefined);
    } finally {
      if (before === undefined) delete process.env.PILOT_EVAL_DUCKDB_MIN_BYTES;
      else process.env.PILOT_EVAL_DUCKDB_MIN_BYTES = before;
    }
    return notices;
  };

  it('at or above the threshold DuckDB is tried (here it hands the bad input to the JS readers, and says so)', async () => {
    expect(await tryAuto('0')).toEqual([
      expect.stringMatching(/^--engine auto: the JavaScript engine answers for this input \(\d+ problem row/),
    ]);
  });

  it('below the threshold the JS engine answers at once', async () => {
    expect(await tryAuto(String(1 << 30))).toEqual([]);
  });

  it('a .parquet input counts 5 times its size (about the CSV it holds)', async () => {
    const duckdb = await loadDuckDb();
    const inst = await duckdb.DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const cases = join(dir, 'auto-cases.parquet');
    const offences = join(dir, 'auto-offences.parquet');
    await con.run(
      `COPY (SELECT * FROM read_csv('fixtures/pcp/cases.csv', header = true)) TO '${cases}' (FORMAT parquet)`,
    );
    await con.run(
      `COPY (SELECT * FROM read_csv('fixtures/pcp/offences.csv', header = true)) TO '${offences}' (FORMAT parquet)`,
    );
    con.closeSync();
    inst.closeSync();
    const bytes = statSync(cases).size + statSync(offences).size;
    // With the package made unavailable, --engine auto says so in a note exactly when it chose DuckDB.
    const chose = (threshold: number) => autoChoseDuckDb(cases, offences, String(threshold));
    expect(await chose(2 * bytes)).toBe(true);
    expect(await chose(5 * bytes)).toBe(true);
    expect(await chose(5 * bytes + 1)).toBe(false);
  });

  it('by default: Parquet inputs of 1 MiB or more go to DuckDB, CSV inputs of any size to the JS engine', async () => {
    const duckdb = await loadDuckDb();
    const inst = await duckdb.DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    // 60,000 people with random-looking ids: just over 1 MiB of Parquet, 2.5 MB of CSV.
    const people = `SELECT 'P' || md5(i::VARCHAR) AS id, CASE WHEN i % 2 = 0 THEN 'control' ELSE 'treatment' END AS arm, DATE '2022-01-01' + (i % 700)::INTEGER AS start_date FROM range(60000) r(i)`;
    const offences = `SELECT 'P' || md5((i * 7 % 60000)::VARCHAR) AS id, DATE '2022-06-01' + (i % 500)::INTEGER AS offence_date, DATE '2022-07-01' + (i % 500)::INTEGER AS disposal_date, 'conviction' AS disposal_type FROM range(30000) r(i)`;
    const files: Record<string, string> = {};
    for (const [name, sql] of [
      ['cases', people],
      ['offences', offences],
    ] as const) {
      for (const ext of ['parquet', 'csv']) {
        files[`${name}.${ext}`] = join(dir, `auto-big-${name}.${ext}`);
        await con.run(
          `COPY (${sql}) TO '${files[`${name}.${ext}`]}' (FORMAT ${ext === 'csv' ? 'csv, HEADER true' : 'parquet'})`,
        );
      }
    }
    con.closeSync();
    inst.closeSync();
    expect(statSync(files['cases.parquet']!).size + statSync(files['offences.parquet']!).size).toBeGreaterThan(1 << 20);
    const chose = (cases: string, offences: string) => autoChoseDuckDb(cases, offences, undefined);
    expect(await chose(files['cases.parquet']!, files['offences.parquet']!)).toBe(true);
    expect(await chose(files['cases.csv']!, files['offences.csv']!)).toBe(false);
    expect(await chose('fixtures/pcp/cases.csv', 'fixtures/pcp/offences.csv')).toBe(false);
  });
});

describe('without the DuckDB package (PILOT_EVAL_NO_DUCKDB=1)', () => {
  const bin = 'bin/pilot-eval';
  const built = existsSync('dist/cli/main.js');
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      env: { ...process.env, PILOT_EVAL_NO_DUCKDB: '1', PILOT_EVAL_DUCKDB_MIN_BYTES: '0' },
    });
    return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  const args = [
    'reoffending',
    '--cases',
    'fixtures/pcp/cases.csv',
    '--offences',
    'fixtures/pcp/offences.csv',
    '--by',
    'arm',
    '--json',
  ];

  it.skipIf(!built)('--engine duckdb exits 2 saying the package is unavailable and that --engine js works', () => {
    const r = cli([...args, '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DuckDB engine is unavailable/);
    expect(r.stderr).toMatch(/--engine js works/);
  });

  it.skipIf(!built)('commands where DuckDB brings nothing accept --engine, read with JS, and say so', () => {
    const r = cli([
      'import',
      '--cases',
      'fixtures/bad/good-cases.csv',
      '--out-dir',
      join(dir, 'imported'),
      '--engine',
      'duckdb',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--engine duckdb: import reads its inputs with the JavaScript engine/);
    const bad = cli(['match', '--engine', 'sql']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--engine must be one of js, duckdb, auto/);
  });

  it.skipIf(!built)('--engine auto falls back to js and says so in a note; the groups are those of --engine js', () => {
    const auto = cli([...args, '--engine', 'auto']);
    const js = cli([...args, '--engine', 'js']);
    expect(auto.code).toBe(0);
    const a = JSON.parse(auto.stdout) as { notes: string[]; groups: unknown };
    const j = JSON.parse(js.stdout) as { notes: string[]; groups: unknown };
    expect(a.notes[0]).toMatch(/--engine auto: the DuckDB engine is unavailable.*JavaScript engine was used/);
    expect(a.groups).toEqual(j.groups);
    // auto is reoffending's default: with no --engine the same choice is made, and said.
    const byDefault = cli(args);
    expect(byDefault.code).toBe(0);
    expect((JSON.parse(byDefault.stdout) as { notes: string[] }).notes).toEqual(a.notes);
  });
});

describe("the DuckDB engine's memory budget", () => {
  it('is 256 MB up to 1 GiB of input, then three quarters of the input (a Parquet byte counting 5)', () => {
    const saved = process.env.PILOT_EVAL_DUCKDB_MEMORY;
    delete process.env.PILOT_EVAL_DUCKDB_MEMORY;
    const tmp = mkdtempSync(join(tmpdir(), 'pilot-eval-budget-'));
    try {
      // Sparse files: the size is what counts, and nothing is written.
      const big = join(tmp, 'big.csv');
      const pq = join(tmp, 'small.parquet');
      writeFileSync(big, '');
      truncateSync(big, 2 * 1024 ** 3);
      writeFileSync(pq, '');
      truncateSync(pq, 100 * 1024 ** 2);
      expect(memoryLimit(['fixtures/pcp/cases.csv', 'fixtures/pcp/offences.csv'])).toBe('256MB');
      expect(memoryLimit([pq, 'fixtures/pcp/offences.csv'])).toBe('256MB');
      expect(memoryLimit([big, 'fixtures/pcp/offences.csv'])).toBe(
        `${Math.ceil(((2 * 1024 ** 3 + statSync('fixtures/pcp/offences.csv').size) * 0.75) / 1024 ** 2)}MB`,
      );
      truncateSync(pq, 300 * 1024 ** 2);
      expect(memoryLimit([pq])).toBe(`${Math.ceil((300 * 5 * 0.75 * 1024 ** 2) / 1024 ** 2)}MB`);
      process.env.PILOT_EVAL_DUCKDB_MEMORY = '3GB';
      expect(memoryLimit([big])).toBe('3GB');
    } finally {
      if (saved === undefined) delete process.env.PILOT_EVAL_DUCKDB_MEMORY;
      else process.env.PILOT_EVAL_DUCKDB_MEMORY = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
