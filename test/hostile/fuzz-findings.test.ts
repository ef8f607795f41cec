/**
 * Findings of the mutation fuzzer (bench/fuzz.mjs), each replayable with `npm run fuzz -- --replay
 * <seed>`, kept here as plain tests through the built CLI:
 * - mutant 707711260 (good-cases.csv + 100,000 extra header columns): import ran for 52 s (a
 *   column search per output column, quadratic in the columns), reoffending and report grew to
 *   4.7 GB (a 64 KB string-pool table per column, made before any cell was read).
 * - mutant 689171893 (cases-control-chars.csv + a 5 MB run of x inside an ogrs3 cell): match ran
 *   past 30 s: one non-number made ogrs3 a factor with a level per distinct score (825 people, ~800
 *   parameters in the propensity model). Now the stray cell is named (exit 3), and a text factor
 *   of more than 100 levels is refused.
 * - mutant 1136202497 (cases-valid-numbers.csv, delimiters changed, line breaks removed, 9 MB):
 *   every reader ran past 30 s on the loaded machine (~5 s of CPU) before refusing the record at
 *   the old 8 MiB limit: papaparse re-reads an unfinished record with each 256 KiB chunk. The
 *   limit is now 1 MiB, far above any real record.
 * - mutant 2418327132 (offences-small.xlsx + 1,000,000 spaces inside the sheet's compressed
 *   data): exceljs's unzip waited for data that never came, with nothing left to do; in the CLI
 *   Node's event loop emptied and the process ended with exit 0, having written nothing. (Ten more
 *   .xlsx mutants hung the same way: 1267268812, 1419534350, 2170875016, 2454767621, 2925710153,
 *   3039713332, 317376374, 3707845952, 4253998255.) The reader now watches for that stall and
 *   refuses the file as damaged (exit 3).
 * - mutant 1471610928 (offences-small.xlsx + two long runs, truncated: 10.9 MB): reoffending,
 *   analyse and report hung for good. An offences file that large is read on a worker thread,
 *   whose message port the stall watch took for work in progress. It no longer does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './cli-runner.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pilot-eval-fuzz-findings-'));
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** good-cases.csv with `extra` more columns in the header (and, with `fill`, in every row). */
function wide(extra: number, fill: boolean): string {
  const lines = readFileSync(join(ROOT, 'fixtures/bad/hostile/good-cases.csv'), 'utf8').trim().split('\n');
  lines[0] += Array.from({ length: extra }, (_, i) => `,c${i}`).join('');
  if (fill) for (let i = 1; i < lines.length; i++) lines[i] += ','.repeat(extra);
  return `${lines.join('\n')}\n`;
}

/** Peak RSS in MB of one CLI run, from /usr/bin/time (null where it is not installed). */
function peakRssMb(args: string[]): { mb: number | null; code: number } {
  if (!existsSync('/usr/bin/time')) return { mb: null, code: -1 };
  const out = join(dir, `time-${Math.random().toString(36).slice(2)}`);
  let code = 0;
  try {
    execFileSync('/usr/bin/time', ['-f', '%M', '-o', out, process.execPath, join(ROOT, 'bin', 'pilot-eval'), ...args], {
      cwd: ROOT,
      stdio: 'ignore',
      timeout: 60_000,
    });
  } catch (err) {
    code = (err as { status?: number }).status ?? -1;
  }
  const kb = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
  return { mb: kb / 1024, code };
}

describe('fuzz mutant 707711260: a header of 100,000 columns', () => {
  it('import answers within seconds, whether the rows are short (exit 3) or as wide as the header (exit 0)', async () => {
    const short = join(dir, 'wide-short.csv');
    const full = join(dir, 'wide-full.csv');
    writeFileSync(short, wide(100_000, false));
    writeFileSync(full, wide(100_000, true));
    const a = await runCli(['import', '--cases', short, '--out-dir', join(dir, 'o1')], { timeoutMs: 60_000 });
    expect(a.code, a.stderr).toBe(3);
    expect(a.stderr).toContain('but the header has 100008');
    expect(a.ms).toBeLessThan(20_000);
    const b = await runCli(['import', '--cases', full, '--out-dir', join(dir, 'o2')], { timeoutMs: 60_000 });
    expect(b.code, b.stderr).toBe(0);
    expect(b.ms).toBeLessThan(20_000);
    expect(
      readFileSync(join(dir, 'o2', 'cases.csv'), 'utf8')
        .split('\n')[0]!
        .split(',').length,
    ).toBe(100_008);
  }, 120_000);

  it('reoffending --out (every column kept) stays far under 1 GB and answers within seconds', async () => {
    const short = join(dir, 'wide-short-r.csv');
    writeFileSync(short, wide(100_000, false));
    const offences = join(ROOT, 'fixtures/bad/hostile/good-offences.csv');
    const r = peakRssMb([
      'reoffending',
      '--cases',
      short,
      '--offences',
      offences,
      '--as-of',
      '2025-06-30',
      '--out',
      join(dir, 'out.csv'),
    ]);
    expect(r.code).toBe(3);
    if (r.mb !== null) expect(r.mb).toBeLessThan(600);
    const full = join(dir, 'wide-full-r.csv');
    writeFileSync(full, wide(100_000, true));
    const t0 = Date.now();
    const f = peakRssMb([
      'reoffending',
      '--cases',
      full,
      '--offences',
      offences,
      '--as-of',
      '2025-06-30',
      '--out',
      join(dir, 'out2.csv'),
    ]);
    expect(f.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(25_000);
    if (f.mb !== null) expect(f.mb).toBeLessThan(900);
  }, 120_000);
});

describe('fuzz mutant 689171893: one stray cell in a numeric covariate', () => {
  it('match names the cell (exit 3) within seconds instead of fitting a factor of ~800 levels', async () => {
    const lines = readFileSync(join(ROOT, 'fixtures/pcp/cases.csv'), 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const treated = lines.filter((l, i) => i === 0 || l.includes(',treatment,')).map((l) => l.replace(/^P/, 'T'));
    const ogrs = header.indexOf('ogrs3');
    expect(ogrs).toBe(8);
    // Line 6 of the treated file: ogrs3 becomes 0.xxxx... (the score column is the 9th, after a quoted site).
    treated[5] = treated[5]!.replace(/,(0\.\d+),(\d+),(\d{4}-\d\d-\d\d)/, `,0.${'x'.repeat(100_000)},$2,$3`);
    expect(treated[5]!.length).toBeGreaterThan(100_000);
    const t = join(dir, 'treated-stray.csv');
    writeFileSync(t, `${treated.join('\n')}\n`);
    const r = await runCli(
      [
        'match',
        '--treated',
        t,
        '--pool',
        join(ROOT, 'fixtures/pcp/cases.csv'),
        '--covariates',
        'age,ogrs3',
        '--out',
        join(dir, 'm.csv'),
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr.slice(0, 500)).toBe(3);
    expect(r.stderr).toContain(`${t}:6: column ogrs3`);
    expect(r.stderr).toContain('not a number');
    expect(r.stderr.length).toBeLessThan(5_000);
    expect(r.ms).toBeLessThan(20_000);
  }, 90_000);

  it('a text covariate of more than 100 levels is refused with exit 3 naming the column', async () => {
    const cases = readFileSync(join(ROOT, 'fixtures/pcp/cases.csv'), 'utf8').trim().split('\n');
    const treated = cases.filter((l, i) => i === 0 || l.includes(',treatment,')).map((l) => l.replace(/^P/, 'T'));
    const t = join(dir, 'treated-levels.csv');
    writeFileSync(t, `${treated.join('\n')}\n`);
    const r = await runCli(
      [
        'match',
        '--treated',
        t,
        '--pool',
        join(ROOT, 'fixtures/pcp/cases.csv'),
        '--covariates',
        'age,id',
        '--out',
        join(dir, 'm2.csv'),
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr.slice(0, 500)).toBe(3);
    expect(r.stderr).toMatch(/column id.*distinct text values/);
  }, 90_000);
});

/** `zip` with `bytes` inserted inside the compressed data of entry `name`, at `share` of its length. */
function insideEntry(zip: Buffer, name: string, share: number, bytes: Buffer): Buffer {
  const sig = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  for (let p = zip.indexOf(sig); p >= 0; p = zip.indexOf(sig, p + 1)) {
    const nameLen = zip.readUInt16LE(p + 26);
    if (zip.subarray(p + 30, p + 30 + nameLen).toString() !== name) continue;
    const at = p + 30 + nameLen + zip.readUInt16LE(p + 28) + Math.floor(zip.readUInt32LE(p + 18) * share);
    return Buffer.concat([zip.subarray(0, at), bytes, zip.subarray(at)]);
  }
  throw new Error(`no entry ${name}`);
}

describe('fuzz findings of the .xlsx reader and the record limit', () => {
  it('mutant 1136202497: a 2 MB file with no line break is refused at the 1 MiB record limit, naming it', async () => {
    const p = join(dir, 'no-breaks.csv');
    const line = readFileSync(join(ROOT, 'fixtures/bad/hostile/cases-valid-numbers.csv'), 'utf8').replace(
      /[\r\n]+/g,
      ',',
    );
    writeFileSync(p, line.repeat(Math.ceil(2_000_000 / line.length)));
    for (const args of [
      ['import', '--cases', p, '--out-dir', join(dir, 'nb-out')],
      ['analyse', p],
    ]) {
      const r = await runCli(args, { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain('has a record longer than 1,048,576 characters');
    }
  }, 130_000);

  it('mutant 2418327132: an .xlsx whose unzip stalls is refused as damaged (exit 3), not exit 0 with nothing done', async () => {
    const good = readFileSync(join(ROOT, 'bench/fuzz-corpus/offences-small.xlsx'));
    const p = join(dir, 'stalls.xlsx');
    writeFileSync(p, insideEntry(good, 'xl/worksheets/sheet1.xml', 0.6, Buffer.alloc(1_000_000, ' ')));
    const out = join(dir, 'stall-out');
    const r = await runCli(
      ['import', '--cases', join(ROOT, 'bench/fuzz-corpus/cases.csv'), '--offences', p, '--out-dir', out],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`${p}: cannot be read as an Excel workbook (.xlsx): the archive is damaged`);
    expect(existsSync(join(out, 'cases.csv'))).toBe(false);
  }, 70_000);

  it('mutant 1471610928: the same stall while the offences are read on a worker thread is refused too (it hung for good)', async () => {
    const p = join(dir, 'stalls.xlsx');
    const r = await runCli(
      [
        'reoffending',
        '--cases',
        join(ROOT, 'bench/fuzz-corpus/cases.csv'),
        '--offences',
        p,
        '--as-of',
        '2025-06-30',
        '--out',
        join(dir, 'stall-outcomes.csv'),
      ],
      {
        timeoutMs: 60_000,
        env: { PILOT_EVAL_OFFENCE_WORKER: 'always' },
      },
    );
    expect(r.timedOut).toBe(false);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('the archive is damaged');
  }, 70_000);
});
