/**
 * A large offences file is read on a worker thread (src/io/offence-reader.ts) while the main thread
 * reads the cases. The two paths run the same parser and linker; these tests run the built CLI (its
 * main() in this process, see bothWays) with
 * PILOT_EVAL_OFFENCE_WORKER=always and =never over good and bad inputs and require the same exit
 * code, the same stdout and the same stderr, byte for byte: outcomes, problem lists (order, the
 * first 20, the count of the rest) and errors in the cases while the worker is still reading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, pool, runCli } from '../hostile/cli-runner.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  // Without the compiled worker both runs would silently take the one-thread path.
  expect(existsSync('dist/io/offences-worker.js')).toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'pilot-eval-worker-'));
}, 200_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `args` both ways; expects identical results and returns them. The compiled CLI runs in
 * this process (runCli with `dist: true`): the worker thread it starts is real, from dist/.
 */
async function bothWays(args: string[]) {
  const [w, m] = await Promise.all([
    runCli(args, { env: { PILOT_EVAL_OFFENCE_WORKER: 'always' }, timeoutMs: 60_000, dist: true }),
    runCli(args, { env: { PILOT_EVAL_OFFENCE_WORKER: 'never' }, timeoutMs: 60_000, dist: true }),
  ]);
  expect({ code: w.code, stdout: w.stdout, stderr: w.stderr }, args.join(' ')).toEqual({
    code: m.code,
    stdout: m.stdout,
    stderr: m.stderr,
  });
  return w;
}

describe('offences read on a worker thread give what one thread gives', () => {
  it('outcomes and the per-person file of every concept fixture', async () => {
    const slugs = readdirSync('fixtures').filter(
      (d) => !['bad', 'rossi'].includes(d) && readdirSync(join('fixtures', d)).includes('offences.csv'),
    );
    expect(slugs.length).toBe(5);
    await pool(slugs, 2, async (slug) => {
      const base = [
        'reoffending',
        '--cases',
        `fixtures/${slug}/cases.csv`,
        '--offences',
        `fixtures/${slug}/offences.csv`,
        '--by',
        'arm,site',
      ];
      const r = await bothWays([...base, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).groups.length).toBeGreaterThan(1);
      const outW = join(dir, `${slug}-w.csv`);
      const outM = join(dir, `${slug}-m.csv`);
      const [w, m] = await Promise.all([
        runCli([...base, '--out', outW], { env: { PILOT_EVAL_OFFENCE_WORKER: 'always' }, dist: true }),
        runCli([...base, '--out', outM], { env: { PILOT_EVAL_OFFENCE_WORKER: 'never' }, dist: true }),
      ]);
      expect([w.code, m.code]).toEqual([0, 0]);
      expect(readFileSync(outW, 'utf8')).toBe(readFileSync(outM, 'utf8'));
      const a = await bothWays([
        'analyse',
        `fixtures/${slug}/cases.csv`,
        '--offences',
        `fixtures/${slug}/offences.csv`,
        '--outcome',
        'reoffended',
        '--json',
      ]);
      expect(a.code).toBe(0);
    });
  }, 200_000);

  it('every bad offences file: the same exit code and the same located problems', async () => {
    const bad = [
      ...readdirSync('fixtures/bad')
        .filter((f) => f.startsWith('offences-'))
        .map((f) => ['fixtures/bad/good-cases.csv', `fixtures/bad/${f}`]),
      ...readdirSync('fixtures/bad/hostile')
        .filter(
          (f) =>
            f.startsWith('offences-') ||
            ['binary.csv', 'empty.csv', 'unclosed-quote.csv', 'utf16le.csv', 'latin1.csv', 'stray-quote.csv'].includes(
              f,
            ),
        )
        .map((f) => ['fixtures/bad/hostile/good-cases.csv', `fixtures/bad/hostile/${f}`]),
    ];
    expect(bad.length).toBeGreaterThanOrEqual(12);
    const runs = await pool(bad, 2, ([cases, offences]) =>
      bothWays(['reoffending', '--cases', cases!, '--offences', offences!]),
    );
    // 3 = data error; 2 for the header-only file (no offences, so --as-of has no default).
    for (const r of runs) expect([2, 3], `${r.args.join(' ')}\n${r.stderr}`).toContain(r.code);
    expect(runs.filter((r) => r.code === 3).length).toBeGreaterThanOrEqual(bad.length - 1);
  }, 200_000);

  it('many mixed problems: unknown ids, bad dates and ragged rows in file order, 20 shown and the rest counted', async () => {
    const rows = ['id,offence_date,disposal_date,disposal_type,severity'];
    for (let i = 0; i < 60; i++) {
      if (i % 5 === 0)
        rows.push(`Z${i},2023-13-01,2023-02-01,conviction,1`); // unknown id and a bad date in one row
      else if (i % 7 === 0)
        rows.push(`A1,2023-03-01,2023-04-01`); // ragged
      else if (i % 3 === 0)
        rows.push(`A2,2023-03-01,2023-04-01,sentence,-2`); // bad type and severity
      else rows.push(`A1,2023-03-01,2023-04-01,conviction,1`);
    }
    const f = join(dir, 'mixed.csv');
    writeFileSync(f, rows.join('\n') + '\n');
    const r = await bothWays(['reoffending', '--cases', 'fixtures/bad/good-cases.csv', '--offences', f]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/and \d+ more problem\(s\)/);
    expect(r.stderr).toContain(`${f}:2: column id value "Z0": id is not in the cases file`);
    expect(r.stderr).toContain(`${f}:2: column offence_date value "2023-13-01"`);
    expect(r.stderr.indexOf('value "Z0"')).toBeLessThan(r.stderr.indexOf('value "2023-13-01"'));
  }, 60_000);

  it('a large cases file: batches that arrive before the cases are loaded wait, in order', async () => {
    // 300,000 cases take long enough to read that the worker has posted batches by then (measured:
    // 7-14 batches waiting; with 80,000 cases none were, as the worker was still starting).
    const cases = ['id,arm,site,start_date'];
    for (let i = 0; i < 300_000; i++)
      cases.push(`C${i},${i % 2 ? 'treatment' : 'control'},S${i % 3},2022-0${1 + (i % 9)}-1${i % 10}`);
    const offences = ['id,offence_date,disposal_date,disposal_type,severity'];
    for (let i = 0; i < 120_000; i++) {
      const p = (i * 7919) % 80_000;
      offences.push(
        `C${p},2022-${String(2 + (i % 11)).padStart(2, '0')}-15,2023-0${1 + (i % 9)}-20,${i % 13 ? 'conviction' : 'breach'},${i % 4}`,
      );
    }
    const cf = join(dir, 'big-cases.csv');
    const of = join(dir, 'big-offences.csv');
    writeFileSync(cf, cases.join('\n') + '\n');
    writeFileSync(of, offences.join('\n') + '\n');
    const goodArgs = ['reoffending', '--cases', cf, '--offences', of, '--by', 'arm,site', '--json'];
    const good = await bothWays(goodArgs);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout).overall.n_cohort).toBe(300_000);
    // With no room for batches to wait, the worker stops reading (Atomics.wait) until the cases
    // are loaded, then reads and links the rest: the same answer.
    const blocked = { PILOT_EVAL_OFFENCE_WORKER: 'always', PILOT_EVAL_OFFENCE_BUFFER_BYTES: '1' };
    const waited = await runCli(goodArgs, { env: blocked, timeoutMs: 60_000, dist: true });
    expect({ code: waited.code, stdout: waited.stdout }).toEqual({ code: 0, stdout: good.stdout });
    // The same with problems early and late in the offences file.
    offences[3] = 'NOPE,2022-03-01,2022-04-01,conviction,1';
    for (let k = 0; k < 30; k++) offences[100_000 + k] = `C${k},2022-02-30,2022-04-01,conviction,1`;
    writeFileSync(of, offences.join('\n') + '\n');
    const bad = await bothWays(['reoffending', '--cases', cf, '--offences', of]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`${of}:4: column id value "NOPE"`);
    expect(bad.stderr).toContain('31 data problems');
    const badWaited = await runCli(['reoffending', '--cases', cf, '--offences', of], {
      env: blocked,
      timeoutMs: 60_000,
      dist: true,
    });
    expect({ code: badWaited.code, stderr: badWaited.stderr }).toEqual({ code: 3, stderr: bad.stderr });
  }, 120_000);

  it('a problem in the cases stops the run while the worker is still reading, and is what is reported', async () => {
    // A long offences file, so the worker is mid-read when the cases fail.
    const rows = ['id,offence_date,disposal_date,disposal_type'];
    for (let i = 0; i < 200_000; i++) rows.push(`A${1 + (i % 2)},2023-03-01,2023-04-01,conviction`);
    const offences = join(dir, 'long-offences.csv');
    writeFileSync(offences, rows.join('\n') + '\n');
    for (const cmd of [
      ['reoffending', '--cases', 'fixtures/bad/duplicate-id.csv', '--offences', offences],
      ['analyse', 'fixtures/bad/duplicate-id.csv', '--offences', offences],
    ]) {
      const r = await bothWays(cmd);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('duplicate id');
      // A worker blocked waiting for the cases is woken and stopped: the run ends, it does not hang.
      const w = await runCli(cmd, {
        env: { PILOT_EVAL_OFFENCE_WORKER: 'always', PILOT_EVAL_OFFENCE_BUFFER_BYTES: '1' },
        timeoutMs: 30_000,
        dist: true,
      });
      expect({ timedOut: w.timedOut, code: w.code, stderr: w.stderr }).toEqual({
        timedOut: false,
        code: 3,
        stderr: r.stderr,
      });
    }
    const by = await bothWays([
      'reoffending',
      '--cases',
      'fixtures/bad/good-cases.csv',
      '--offences',
      offences,
      '--by',
      'nosuch',
    ]);
    expect(by.code).toBe(2);
    expect(by.stderr).toContain('--by: column "nosuch" not in');
  }, 120_000);
});
