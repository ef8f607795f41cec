/**
 * Issue 17, "Allocation integrity", run as a user (or an attacker) would, through the built CLI:
 * - two `randomise` runs appending to one ledger at once: both succeed, every allocation either
 *   printed (its --out file) is in the final ledger, and the ledger verifies;
 * - a kill at any step of the ledger + manifest (+ allocation + manifest) write leaves a set that
 *   verifies, and `--recover` (or the next run) finishes or clears the write;
 * - --out naming the ledger or the input is refused (exit 2) and nothing is overwritten;
 * - with --key-file, swapping two people's ids and recomputing the chain no longer verifies;
 * - a date-like or small seed is warned about; --seed random draws one and records it;
 * - a 0600 output stays 0600 when it is replaced.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ensureBuilt, ROOT, runCli } from './cli-runner.js';
import { runRandomise, runRecover, runVerify } from '../../src/app/randomise.js';
import { KILL_STEPS, killedAt as killAt } from './kill-at.js';

let dir = '';
const SEED = '83920471';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pilot-eval-integrity-'));
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function casesCsv(n: number, start = 0, prefix = 'P'): string {
  const lines = ['id,site,sex'];
  for (let i = start; i < start + n; i++)
    lines.push(
      `${prefix}${String(i).padStart(4, '0')},${['North', 'South', 'East'][i % 3]},${i % 5 < 2 ? 'female' : 'male'}`,
    );
  return `${lines.join('\n')}\n`;
}

function csvRows(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function leftovers(d: string): string[] {
  return readdirSync(d).filter(
    (f) => f.endsWith('.tmp') || f.endsWith('.lock') || f.endsWith('.journal') || f.includes('.lock.'),
  );
}

describe('concurrent appends to one ledger', () => {
  it('four rounds of two simultaneous appends: both succeed, every printed allocation is in the ledger, which verifies', async () => {
    // Two rounds race to create the ledger and two to extend it (each round starts two processes).
    for (let round = 0; round < 4; round++) {
      const d = join(dir, `race-${round}`);
      const ledger = join(d, 'ledger.csv');
      rmSync(d, { recursive: true, force: true });
      const a = join(dir, `race-${round}-a.csv`);
      const b = join(dir, `race-${round}-b.csv`);
      writeFileSync(a, casesCsv(200, 0, 'A'));
      writeFileSync(b, casesCsv(200, 0, 'B'));
      // Even rounds race to create the ledger; odd rounds race to extend one that exists.
      if (round % 2 === 1) {
        const first = join(dir, `race-${round}-first.csv`);
        writeFileSync(first, casesCsv(50, 0, 'F'));
        const r = await runCli([
          'randomise',
          first,
          '--method',
          'permuted-block',
          '--block',
          'site',
          '--seed',
          SEED,
          '--ledger',
          ledger,
        ]);
        expect(r.code, r.stderr).toBe(0);
      }
      const common = ['--method', 'permuted-block', '--block', 'site', '--seed', SEED, '--ledger', ledger];
      // Two processes racing for the ledger's lock: this needs real processes.
      const [ra, rb] = await Promise.all([
        runCli(['randomise', a, ...common, '--out', join(d, 'a-alloc.csv')], { spawn: true }),
        runCli(['randomise', b, ...common, '--out', join(d, 'b-alloc.csv')], { spawn: true }),
      ]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);
      expect(ra.stdout).toContain('200 appended');
      expect(rb.stdout).toContain('200 appended');
      const ledgerArm = new Map(csvRows(ledger).map((r) => [r[1]!, r[2]!]));
      expect(ledgerArm.size).toBe(round % 2 === 1 ? 450 : 400);
      for (const out of ['a-alloc.csv', 'b-alloc.csv']) {
        for (const r of csvRows(join(d, out))) expect(ledgerArm.get(r[0]!), `${out} ${r[0]}`).toBe(r[1]);
      }
      expect((await runVerify({ file: ledger })).rows).toBe(ledgerArm.size);
      expect(leftovers(d)).toEqual([]);
    }
  }, 240_000);

  it('a writer that cannot get the lock in time exits 2 naming the holder (pid, host, since)', async () => {
    const d = join(dir, 'held');
    const cases = join(dir, 'held.csv');
    writeFileSync(cases, casesCsv(10));
    // A live process (this test's) holds the lock.
    const lock = join(d, 'ledger.csv.lock');
    rmSync(d, { recursive: true, force: true });
    await runCli(['randomise', cases, '--method', 'complete', '--seed', SEED, '--ledger', join(d, 'ledger.csv')]);
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        since: '2026-01-01T00:00:00.000Z',
        token: 'x',
      }),
    );
    const before = readFileSync(join(d, 'ledger.csv'));
    const r = await runCli([
      'randomise',
      join(dir, 'held.csv'),
      '--method',
      'complete',
      '--ledger',
      join(d, 'ledger.csv'),
      '--lock-wait',
      '0.3',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is locked by pid ${process.pid} on host`);
    expect(r.stderr).toContain('since 2026-01-01T00:00:00.000Z');
    expect(readFileSync(join(d, 'ledger.csv'))).toEqual(before);
    rmSync(lock);
  });
});

/** Runs runRandomise in a child process and SIGKILLs it at `step` of the write. */
const killedAt = (step: string, options: Record<string, unknown>) =>
  killAt(ROOT, 'app/randomise.js', 'runRandomise', step, options);

describe('a kill at any point of the multi-file write', () => {
  // Files of the set, in write order: ledger, ledger manifest, allocation, allocation manifest.
  const STEPS = KILL_STEPS;
  for (const step of STEPS) {
    it(`killed at ${step}: the set verifies, --recover finishes or clears it, and the ledger holds the old or the new rows`, async () => {
      const d = join(dir, `kill-${step.replace(':', '-')}`);
      rmSync(d, { recursive: true, force: true });
      const ledger = join(d, 'ledger.csv');
      const c1 = join(dir, 'kill-c1.csv');
      const c2 = join(dir, 'kill-c2.csv');
      writeFileSync(c1, casesCsv(30));
      writeFileSync(c2, casesCsv(30, 30));
      const design = { method: 'permuted-block', block: 'site', blockSizes: '2,4' };
      const out = join(d, 'alloc.csv');
      await runRandomise({ cases: c1, ...design, seed: Number(SEED), ledger, now: '2026-01-01T00:00:00.000Z' });
      const before = sha(ledger);
      const k = await killedAt(step, { cases: c2, ...design, ledger, out, now: '2026-01-01T00:00:00.000Z' });
      expect(k.signal, k.stderr).toBe('SIGKILL');
      const committed = step === 'journal' || step.startsWith('renamed');
      // The set verifies as it stands (a committed write is read through its staged copies).
      if (step === 'renamed:1') {
        // Through the CLI once: exit 0, with a warning that names --recover.
        const v = await runCli(['randomise', '--verify', ledger, '--json']);
        expect(v.code, v.stderr).toBe(0);
        expect(JSON.parse(v.stdout).rows).toBe(60);
        expect(v.stderr).toContain('--recover');
        const rec = await runCli(['randomise', '--recover', '--ledger', ledger, '--out', out]);
        expect(rec.code, rec.stderr).toBe(0);
        expect(rec.stdout).toContain('finished an interrupted write');
      } else {
        const v = await runVerify({ file: ledger });
        expect(v.rows).toBe(committed ? 60 : 30);
        expect(v.pending_write !== undefined).toBe(committed && step !== 'renamed:3');
        await runRecover({ file: ledger, out });
      }
      expect(leftovers(d)).toEqual([]);
      const v2 = await runVerify({ file: ledger });
      expect(v2.rows).toBe(committed ? 60 : 30);
      expect(v2.pending_write).toBeUndefined();
      if (!committed) expect(sha(ledger)).toBe(before);
      if (committed) expect((await runVerify({ file: out })).verified).toBe(true);
    }, 60_000);
  }

  it('an allocation without a ledger (file + manifest): killed between the renames, it verifies and --recover finishes it', async () => {
    const d = join(dir, 'kill-out');
    rmSync(d, { recursive: true, force: true });
    const cases = join(dir, 'kill-out.csv');
    writeFileSync(cases, casesCsv(30));
    const out = join(d, 'a.csv');
    await runRandomise({ cases, method: 'complete', seed: Number(SEED), out });
    const k = await killedAt('renamed:0', { cases, method: 'complete', seed: 51207733, out });
    expect(k.signal, k.stderr).toBe('SIGKILL');
    // The new allocation was renamed in, its manifest not yet: read through the record, it verifies.
    const v = await runVerify({ file: out });
    expect(v.seed).toBe(51207733);
    expect(v.pending_write).toBe(`${out}.journal`);
    expect((await runRecover({ file: out })).finished).toEqual([`${out}.json`]);
    expect((await runVerify({ file: out })).pending_write).toBeUndefined();
    expect(leftovers(d)).toEqual([]);
  });

  it('the next run finishes an interrupted write by itself before appending', async () => {
    const d = join(dir, 'kill-next');
    const ledger = join(d, 'ledger.csv');
    writeFileSync(join(dir, 'kn1.csv'), casesCsv(30));
    writeFileSync(join(dir, 'kn2.csv'), casesCsv(30, 30));
    writeFileSync(join(dir, 'kn3.csv'), casesCsv(30, 60));
    const args = ['--method', 'permuted-block', '--block', 'site', '--ledger', ledger];
    expect((await runCli(['randomise', join(dir, 'kn1.csv'), ...args, '--seed', SEED])).code).toBe(0);
    const k = await killedAt('renamed:0', {
      cases: join(dir, 'kn2.csv'),
      method: 'permuted-block',
      block: 'site',
      ledger,
      now: '2026-01-01T00:00:00.000Z',
    });
    expect(k.signal).toBe('SIGKILL');
    const r = await runCli(['randomise', join(dir, 'kn3.csv'), ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('finished an interrupted earlier write first');
    expect(r.stdout).toContain('30 appended; 90 row(s)');
    expect((await runCli(['randomise', '--verify', ledger])).code).toBe(0);
    expect(leftovers(d)).toEqual([]);
  });
});

describe('outputs that name an input or each other', () => {
  it('--out naming the ledger (another spelling, or a link), or the input, is exit 2 and overwrites nothing', async () => {
    const d = join(dir, 'names');
    const cases = join(d, 'cases.csv');
    rmSync(d, { recursive: true, force: true });
    expect(
      (
        await runCli([
          'randomise',
          join(dir, 'held.csv'),
          '--method',
          'complete',
          '--seed',
          SEED,
          '--ledger',
          join(d, 'ledger.csv'),
        ])
      ).code,
    ).toBe(0);
    writeFileSync(cases, casesCsv(20, 100));
    symlinkSync(join(d, 'ledger.csv'), join(d, 'link.csv'));
    const ledgerBefore = readFileSync(join(d, 'ledger.csv'));
    const casesBefore = readFileSync(cases);
    const tries = [
      [
        'randomise',
        cases,
        '--method',
        'complete',
        '--ledger',
        join(d, 'ledger.csv'),
        '--out',
        join(d, '.', 'ledger.csv'),
      ],
      ['randomise', cases, '--method', 'complete', '--ledger', join(d, 'ledger.csv'), '--out', join(d, 'link.csv')],
      ['randomise', cases, '--method', 'complete', '--seed', SEED, '--out', cases],
      ['randomise', cases, '--method', 'complete', '--seed', SEED, '--out', join(d, '..', 'names', 'cases.csv')],
      ['randomise', cases, '--method', 'complete', '--ledger', cases],
      [
        'randomise',
        cases,
        '--method',
        'complete',
        '--seed',
        SEED,
        '--out',
        join(d, 'x.csv'),
        '--ledger',
        join(d, 'x.csv.json'),
      ],
    ];
    for (const args of tries) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/is the same file as|must be different files/);
    }
    expect(readFileSync(join(d, 'ledger.csv'))).toEqual(ledgerBefore);
    expect(readFileSync(cases)).toEqual(casesBefore);
    expect(existsSync(join(d, 'x.csv'))).toBe(false);
  });
});

describe('keyed chain', () => {
  it('swapping two ids within a stratum and recomputing the chain passes without a key but not with --key-file', async () => {
    const d = join(dir, 'keyed');
    rmSync(d, { recursive: true, force: true });
    const cases = join(dir, 'keyed.csv');
    writeFileSync(cases, casesCsv(40));
    const key = join(dir, 'trial.key');
    writeFileSync(key, 'c0ffee11223344556677889900aabbccddeeff00112233445566778899aabbcc\n');
    const plain = join(d, 'plain.csv');
    const keyed = join(d, 'keyed.csv');
    const design = ['--method', 'permuted-block', '--block', 'site', '--seed', SEED];
    expect((await runCli(['randomise', cases, ...design, '--ledger', plain])).code).toBe(0);
    expect((await runCli(['randomise', cases, ...design, '--ledger', keyed, '--key-file', key])).code).toBe(0);
    expect((await runCli(['randomise', '--verify', keyed, '--key-file', key])).code).toBe(0);
    // Without the key, a keyed ledger cannot be checked or extended (exit 2, naming --key-file).
    const nokey = await runCli(['randomise', '--verify', keyed]);
    expect(nokey.code).toBe(2);
    expect(nokey.stderr).toContain('--key-file');

    // The forger: swap the ids of two people in the same stratum with different arms, then
    // recompute every hash with plain SHA-256 and rewrite the manifest's head hash.
    const { rowHash, genesisHash, canonicalJson } = await import('../../src/core/randomise/ledger.js');
    const forge = (file: string) => {
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      const rows = lines.slice(1).map((l) => l.split(','));
      const i = rows.findIndex((r) => r[4] === 'North');
      const j = rows.findIndex((r, k) => k > i && r[4] === 'North' && r[2] !== rows[i]![2]);
      [rows[i]![1], rows[j]![1]] = [rows[j]![1]!, rows[i]![1]!];
      const m = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
      delete m.chain;
      delete m.key_id;
      let prev = genesisHash(
        canonicalJson({
          design: m.design.design,
          block_column: m.design.block_column,
          cluster_column: m.design.cluster_column,
          seed: m.seed,
        }),
      );
      for (const r of rows) {
        prev = rowHash(prev, r.slice(0, -1));
        r[r.length - 1] = prev;
      }
      m.head_hash = prev;
      writeFileSync(file, `${[lines[0], ...rows.map((r) => r.join(','))].join('\n')}\n`);
      writeFileSync(`${file}.json`, `${JSON.stringify(m, null, 2)}\n`);
    };
    forge(plain);
    forge(keyed);
    // The finding: without a key the rewrite passes.
    expect((await runCli(['randomise', '--verify', plain])).code).toBe(0);
    // With the key it is caught (exit 4).
    const caught = await runCli(['randomise', '--verify', keyed, '--key-file', key]);
    expect(caught.code).toBe(4);
    expect(caught.stderr).toContain('unkeyed chain');
  });

  it('--expect-head: a head hash kept elsewhere catches a rewrite of both files', async () => {
    const d = join(dir, 'head');
    rmSync(d, { recursive: true, force: true });
    const cases = join(dir, 'head.csv');
    writeFileSync(cases, casesCsv(40));
    const ledger = join(d, 'l.csv');
    const r = await runCli([
      'randomise',
      cases,
      '--method',
      'permuted-block',
      '--block',
      'site',
      '--seed',
      SEED,
      '--ledger',
      ledger,
      '--json',
    ]);
    const head = JSON.parse(r.stdout).ledger.head_hash as string;
    expect((await runCli(['randomise', '--verify', ledger, '--expect-head', head])).code).toBe(0);
    const { rowHash, genesisHash, canonicalJson } = await import('../../src/core/randomise/ledger.js');
    const lines = readFileSync(ledger, 'utf8').trimEnd().split('\n');
    const rows = lines.slice(1).map((l) => l.split(','));
    const i = rows.findIndex((x) => x[4] === 'North');
    const j = rows.findIndex((x, k) => k > i && x[4] === 'North' && x[2] !== rows[i]![2]);
    [rows[i]![1], rows[j]![1]] = [rows[j]![1]!, rows[i]![1]!];
    const m = JSON.parse(readFileSync(`${ledger}.json`, 'utf8'));
    let prev = genesisHash(
      canonicalJson({
        design: m.design.design,
        block_column: m.design.block_column,
        cluster_column: m.design.cluster_column,
        seed: m.seed,
      }),
    );
    for (const x of rows) {
      prev = rowHash(prev, x.slice(0, -1));
      x[x.length - 1] = prev;
    }
    m.head_hash = prev;
    writeFileSync(ledger, `${[lines[0], ...rows.map((x) => x.join(','))].join('\n')}\n`);
    writeFileSync(`${ledger}.json`, `${JSON.stringify(m, null, 2)}\n`);
    expect((await runCli(['randomise', '--verify', ledger])).code).toBe(0);
    const caught = await runCli(['randomise', '--verify', ledger, '--expect-head', head]);
    expect(caught.code).toBe(4);
    expect(caught.stderr).toContain(`does not contain the head hash ${head}`);
  });
});

describe('guessable seeds', () => {
  it('warns on stderr for a date or a small seed (exit 0), not for a drawn one; --seed random draws and records one', async () => {
    const cases = join(dir, 'seeds.csv');
    writeFileSync(cases, casesCsv(10));
    for (const [seed, warned] of [
      ['20240117', 'looks like a date'],
      ['17012024', 'looks like a date'],
      ['12345', 'below 1,000,000'],
      [SEED, null],
    ] as const) {
      const out = join(dir, `seed-${seed}.csv`);
      const r = await runCli(['randomise', cases, '--method', 'complete', '--seed', seed, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      if (warned) expect(r.stderr).toContain(warned);
      else expect(r.stderr).toBe('');
    }
    const out = join(dir, 'seed-random.csv');
    const r = await runCli(['randomise', cases, '--method', 'complete', '--seed', 'random', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const drawn = JSON.parse(readFileSync(`${out}.json`, 'utf8')).seed as number;
    expect(r.stderr).toContain(`--seed random; drew seed ${drawn}`);
    expect((await runCli(['randomise', '--verify', out])).code).toBe(0);
  });
  it('the --help examples use drawn seeds, none of them guessable', async () => {
    const r = await runCli(['randomise', '--help']);
    const seeds = [...r.stdout.matchAll(/--seed (\d+)/g)].map((m) => Number(m[1]));
    expect(seeds.length).toBeGreaterThan(2);
    const { guessableSeed } = await import('../../src/core/randomise/seed-strength.js');
    for (const s of seeds) expect(guessableSeed(s), String(s)).toBeNull();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const m of readme.matchAll(/randomise [^\n]*--seed (\d+)/g))
      expect(guessableSeed(Number(m[1])), m[0]).toBeNull();
  });
});

describe('file modes', () => {
  it('a 0600 allocation, manifest and ledger stay 0600 when they are replaced', async () => {
    const d = join(dir, 'modes');
    rmSync(d, { recursive: true, force: true });
    const cases = join(dir, 'modes.csv');
    writeFileSync(cases, casesCsv(10));
    const out = join(d, 'a.csv');
    const ledger = join(d, 'l.csv');
    expect((await runCli(['randomise', cases, '--method', 'complete', '--seed', SEED, '--out', out])).code).toBe(0);
    expect((await runCli(['randomise', cases, '--method', 'complete', '--seed', SEED, '--ledger', ledger])).code).toBe(
      0,
    );
    for (const f of [out, `${out}.json`, ledger, `${ledger}.json`]) chmodSync(f, 0o600);
    writeFileSync(join(dir, 'modes2.csv'), casesCsv(10, 10));
    expect((await runCli(['randomise', cases, '--method', 'complete', '--seed', SEED, '--out', out])).code).toBe(0);
    expect(
      (await runCli(['randomise', join(dir, 'modes2.csv'), '--method', 'complete', '--ledger', ledger])).code,
    ).toBe(0);
    for (const f of [out, `${out}.json`, ledger, `${ledger}.json`])
      expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
  });
});
