/**
 * Issue 17, run as a user would: inputs that are not files, input without end, a file too large for
 * the heap, column-map mistakes, US dates, Excel shapes, R's NA, and escape sequences in data
 * reaching the terminal. Every run must end with its documented exit code (never 1), quickly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, pool, runCli, type CliRun } from './cli-runner.js';

const H = 'fixtures/bad/hostile';
const GOOD_CASES = `${H}/good-cases.csv`;
const GOOD_OFFENCES = `${H}/good-offences.csv`;
const REPORT = ['report', '--concept', 'pcp', '--stage', 'pilot', '--format', 'json'];

let dir = '';
const show = (r: CliRun) => `${r.args.join(' ')}\nexit ${r.code} after ${r.ms} ms\n${r.stderr.slice(0, 2000)}`;

/** Each command's way of reading one input `x` (its output goes under `o`). */
const READERS: Array<{ name: string; args: (x: string, o: string) => string[] }> = [
  { name: 'import --cases', args: (x, o) => ['import', '--cases', x, '--out-dir', join(o, 'imp')] },
  {
    name: 'import --offences',
    args: (x, o) => ['import', '--cases', GOOD_CASES, '--offences', x, '--out-dir', join(o, 'imp')],
  },
  { name: 'import --map', args: (x, o) => ['import', '--cases', GOOD_CASES, '--map', x, '--out-dir', join(o, 'imp')] },
  {
    name: 'import --salt-file',
    args: (x, o) => ['import', '--cases', GOOD_CASES, '--pseudonymise', '--salt-file', x, '--out-dir', join(o, 'imp')],
  },
  { name: 'analyse', args: (x) => ['analyse', x] },
  {
    name: 'match --treated',
    args: (x, o) => [
      'match',
      '--treated',
      x,
      '--pool',
      'test/data/match-pool.csv',
      '--covariates',
      'age',
      '--out',
      join(o, 'm.csv'),
    ],
  },
  {
    name: 'randomise',
    args: (x, o) => ['randomise', x, '--method', 'complete', '--seed', '1', '--out', join(o, 'a.csv')],
  },
  { name: 'reoffending --cases', args: (x) => ['reoffending', '--cases', x, '--offences', GOOD_OFFENCES] },
  { name: 'reoffending --offences', args: (x) => ['reoffending', '--cases', GOOD_CASES, '--offences', x] },
  { name: 'report --cases', args: (x, o) => [...REPORT, '--cases', x, '--out', join(o, 'r.json')] },
  {
    name: 'report --costs',
    args: (x, o) => [
      ...REPORT,
      '--cases',
      GOOD_CASES,
      '--offences',
      GOOD_OFFENCES,
      '--costs',
      x,
      '--out',
      join(o, 'r.json'),
    ],
  },
  {
    name: 'report --process',
    args: (x, o) => [
      ...REPORT,
      '--cases',
      GOOD_CASES,
      '--offences',
      GOOD_OFFENCES,
      '--process',
      x,
      '--out',
      join(o, 'r.json'),
    ],
  },
  {
    name: 'report --themes',
    args: (x, o) => [
      ...REPORT,
      '--cases',
      GOOD_CASES,
      '--offences',
      GOOD_OFFENCES,
      '--themes',
      x,
      '--out',
      join(o, 'r.json'),
    ],
  },
];

describe('inputs that are not regular files: exit 2 naming the path, for every command', () => {
  const kinds = ['missing', 'directory', 'fifo', '/dev/null', '/dev/zero'] as const;
  const paths = (d: string): Record<(typeof kinds)[number], string> => ({
    missing: join(d, 'missing.csv'),
    directory: d,
    fifo: join(d, 'fifo'),
    '/dev/null': '/dev/null',
    '/dev/zero': '/dev/zero',
  });
  const plan = READERS.flatMap((r) => kinds.map((k) => ({ r, k })));
  let results: CliRun[] = [];
  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'pilot-eval-real-cli-'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    results = await pool(plan, 3, ({ r, k }) => runCli(r.args(paths(dir)[k], dir), { timeoutMs: 20_000 }));
  }, 300_000);
  plan.forEach(({ r, k }, i) => {
    it(`${r.name} ${k}`, () => {
      const run = results[i]!;
      expect(run.timedOut, show(run)).toBe(false);
      expect(run.code, show(run)).toBe(2);
      expect(run.stderr, show(run)).toContain(paths(dir)[k]);
      expect(run.stderr, show(run)).not.toContain('internal error');
    });
  });
});

describe('input without end, and a file too large for the heap', () => {
  let d = '';
  beforeAll(() => {
    ensureBuilt();
    d = mkdtempSync(join(tmpdir(), 'pilot-eval-endless-'));
  });
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  it('NUL bytes without a line break on stdin (as /dev/zero): exit 3 within seconds', async () => {
    const run = await runCli(['import', '--cases', '-', '--out-dir', join(d, 'o1')], {
      input: Buffer.alloc(12 << 20),
      timeoutMs: 30_000,
      spawn: true,
    });
    expect(run.code, show(run)).toBe(3);
    expect(run.stderr).toContain('NUL bytes');
    expect(run.ms).toBeLessThan(20_000);
  }, 40_000);
  it('one line of 12 MB: exit 3 naming the limit, within seconds', async () => {
    const p = join(d, 'long.csv');
    writeFileSync(p, `id,note\n1,${'x'.repeat(12 << 20)}\n`);
    const run = await runCli(['analyse', p], { timeoutMs: 30_000, spawn: true });
    expect(run.code, show(run)).toBe(3);
    expect(run.stderr).toContain('longer than 1,048,576 characters');
    expect(run.ms).toBeLessThan(20_000);
  }, 40_000);
  it('a one-column file larger than a 128 MB heap: exit 3 with a hint, not a V8 crash', async () => {
    const p = join(d, 'big.csv');
    const rows = ['id'];
    for (let i = 0; i < 3_000_000; i++) rows.push(`P${i}`);
    writeFileSync(p, `${rows.join('\n')}\n`);
    const run = await runCli(
      ['match', '--treated', p, '--pool', 'test/data/match-pool.csv', '--covariates', 'id', '--out', join(d, 'm.csv')],
      {
        env: { NODE_OPTIONS: '--max-old-space-size=128' },
        timeoutMs: 60_000,
        spawn: true,
      },
    );
    expect(run.code, show(run)).toBe(3);
    expect(run.stderr).toContain('too large to hold in memory');
    expect(run.stderr).toContain('--max-old-space-size');
  }, 80_000);
});

describe('real data shapes through the CLI', () => {
  let d = '';
  const f = (name: string, content: string | Buffer) => {
    const p = join(d, name);
    writeFileSync(p, content);
    return p;
  };
  beforeAll(() => {
    ensureBuilt();
    d = mkdtempSync(join(tmpdir(), 'pilot-eval-shapes-'));
  });
  afterAll(() => rmSync(d, { recursive: true, force: true }));

  it("R's write.csv output imports with NA as missing (test/data/r-write-csv.R)", async () => {
    const run = await runCli(['import', '--cases', 'test/data/r-write-csv.csv', '--out-dir', join(d, 'r'), '--json']);
    expect(run.code, show(run)).toBe(0);
    expect(JSON.parse(run.stdout).cases).toEqual({ read: 6, accepted: 6, rejected: 0 });
  });
  it('--na configures the tokens; NA is then an error again', async () => {
    const p = f('na.csv', 'id,age\nA,NA\nB,-99\n');
    const run = await runCli(['import', '--cases', p, '--out-dir', join(d, 'na'), '--na', '-99']);
    expect(run.code, show(run)).toBe(3);
    expect(run.stderr).toContain(`${p}:2: column age value "NA": expected a number`);
  });
  it('a US date column is refused whole, even with --allow-rejects; --date-format mdy reads it', async () => {
    const p = f('us.csv', 'id,start_date\nA,10/08/2019\nB,10/25/2019\n');
    const bad = await runCli(['import', '--cases', p, '--out-dir', join(d, 'us1'), '--allow-rejects']);
    expect(bad.code, show(bad)).toBe(3);
    expect(bad.stderr).toContain('--date-format mdy');
    expect(existsSync(join(d, 'us1', 'cases.csv'))).toBe(false);
    const good = await runCli(['import', '--cases', p, '--out-dir', join(d, 'us2'), '--date-format', 'mdy']);
    expect(good.code, show(good)).toBe(0);
    expect(readFileSync(join(d, 'us2', 'cases.csv'), 'utf8')).toBe('id,start_date\nA,2019-10-08\nB,2019-10-25\n');
  });
  it('column-map mistakes are exit 2 naming the line of the map; a circular alias too', async () => {
    const cases = f('mapped.csv', 'id,release_date,fin\nA,2023-01-01,x\n');
    const expectations: Array<[string, string]> = [
      [
        'id: id\nstart-date: release_date\n',
        'line 2: "start-date" is not a canonical column name (did you mean start_date?)',
      ],
      ['id: id\n\nstart_date: releasedate\n', 'line 3: start_date: column "releasedate" is not in'],
      ['arm: fun\n', 'line 1: arm: column "fun" is not in'],
      ['ogrs: OGRS Score\n', 'line 1: "ogrs" is not a canonical column name (did you mean ogrs3?)'],
      ['id: &a [*a]\n', 'line 1: id: the site column name must be one column name'],
      ['constructor: id\n', 'line 1: "constructor" is not a canonical column name'],
    ];
    const runs = await pool(expectations, 3, ([yaml]) =>
      runCli([
        'import',
        '--cases',
        cases,
        '--map',
        f(`m${expectations.findIndex((e) => e[0] === yaml)}.yaml`, yaml),
        '--out-dir',
        join(d, 'mo'),
      ]),
    );
    runs.forEach((run, i) => {
      expect(run.code, show(run)).toBe(2);
      expect(run.stderr, show(run)).toContain(expectations[i]![1]);
    });
  });
  it('--ogrs-percent refuses probabilities, with a hint; percentages convert exactly', async () => {
    const bad = await runCli([
      'import',
      '--cases',
      f('p1.csv', 'id,ogrs3\nA,0.207\n'),
      '--out-dir',
      join(d, 'p1'),
      '--ogrs-percent',
    ]);
    expect(bad.code, show(bad)).toBe(3);
    expect(bad.stderr).toContain('drop --ogrs-percent');
    const good = await runCli([
      'import',
      '--cases',
      f('p2.csv', 'id,ogrs3\nA,12.3\n'),
      '--out-dir',
      join(d, 'p2'),
      '--ogrs-percent',
    ]);
    expect(good.code, show(good)).toBe(0);
    expect(readFileSync(join(d, 'p2', 'cases.csv'), 'utf8')).toBe('id,ogrs3\nA,0.123\n');
  });
  it('arm labels differing only in case: exit 3 with a hint in analyse and import', async () => {
    const p = f('arms.csv', 'id,arm,reoffended\nA,Yes,1\nB,yes,0\nC,No,1\nD,Yes,0\n');
    for (const args of [
      ['analyse', p],
      ['import', '--cases', p, '--out-dir', join(d, 'arms')],
    ]) {
      const run = await runCli(args);
      expect(run.code, show(run)).toBe(3);
      expect(run.stderr).toContain('differ only in letter case');
    }
  });
  it('Excel: UTF-16 "Unicode text" (tab-separated) imports; decimal commas are read with --decimal-comma and hinted without', async () => {
    const text = 'id\tstart_date\tage\r\nA\t2019-10-08 00:00:00\t23\r\n';
    const p = f('u16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const run = await runCli(['import', '--cases', p, '--delimiter', 'tab', '--out-dir', join(d, 'u16')]);
    expect(run.code, show(run)).toBe(0);
    expect(readFileSync(join(d, 'u16', 'cases.csv'), 'utf8')).toBe('id,start_date,age\nA,2019-10-08,23\n');
    const dc = f('dc.csv', 'id;ogrs3\nA;0,207\n');
    const hinted = await runCli(['import', '--cases', dc, '--delimiter', ';', '--out-dir', join(d, 'dc1')]);
    expect(hinted.code, show(hinted)).toBe(3);
    expect(hinted.stderr).toContain('--decimal-comma');
    const read = await runCli([
      'import',
      '--cases',
      dc,
      '--delimiter',
      ';',
      '--decimal-comma',
      '--out-dir',
      join(d, 'dc2'),
    ]);
    expect(read.code, show(read)).toBe(0);
    expect(readFileSync(join(d, 'dc2', 'cases.csv'), 'utf8')).toBe('id,ogrs3\nA,0.207\n');
  });
  it('escape sequences in data never reach the terminal raw (error messages, tables)', async () => {
    const esc = '\u001b]0;owned\u0007\u001b[2J';
    // A header name is quoted raw in the missing-column reason (values are JSON-quoted already).
    const p = f('esc.csv', `name${esc},start_date\nA,2023-01-01\n`);
    const run = await runCli(['import', '--cases', p, '--out-dir', join(d, 'esc')]);
    expect(run.code, show(run)).toBe(3);
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr).not.toContain('\u0007');
    expect(run.stderr).toContain('\\x1b]0;owned\\x07');
    const cases = f('esc-cases.csv', `id,start_date,site\nA,2023-01-01,north${esc}\nB,2023-02-01,south\n`);
    const off = f('esc-off.csv', 'id,offence_date,disposal_date,disposal_type\nA,2023-03-01,2023-04-01,conviction\n');
    const table = await runCli(['reoffending', '--cases', cases, '--offences', off, '--by', 'site']);
    expect(table.code, show(table)).toBe(0);
    expect(table.stdout).not.toContain('\u001b');
    expect(table.stdout).toContain('north\\x1b]0;owned');
  });
});
