import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IntegrityError, UsageError } from '../core/errors.js';
import { checkDistinctFiles, runRandomise, runRecover, runVerify } from './randomise.js';

const ws = () => mkdtempSync(join(tmpdir(), 'app-randomise-'));
const NOW = '2026-01-01T00:00:00.000Z';
const SEED = 83920471;

function casesCsv(n: number, start = 0, prefix = 'P'): string {
  const lines = ['id,site'];
  for (let i = start; i < start + n; i++) lines.push(`${prefix}${i},${['North', 'South'][i % 2]}`);
  return `${lines.join('\n')}\n`;
}

describe('runRandomise: the ledger is locked across read-append-write', () => {
  it('two appends started together in one process both land in the ledger', async () => {
    const d = ws();
    const ledger = join(d, 'ledger.csv');
    writeFileSync(join(d, 'a.csv'), casesCsv(30, 0, 'A'));
    writeFileSync(join(d, 'b.csv'), casesCsv(30, 0, 'B'));
    const design = { method: 'permuted-block', block: 'site', seed: SEED, ledger, now: NOW };
    // The first holds the lock a while after taking it; the second must wait, then read its rows.
    const slow = () => new Promise<void>((r) => setTimeout(r, 100));
    const [ra, rb] = await Promise.all([
      runRandomise({ cases: join(d, 'a.csv'), ...design, lockedHook: slow }),
      runRandomise({ cases: join(d, 'b.csv'), ...design }),
    ]);
    expect(ra.ledger!.appended + rb.ledger!.appended).toBe(60);
    expect([ra.ledger!.rows_after, rb.ledger!.rows_after].sort()).toEqual([30, 60]);
    expect((await runVerify({ file: ledger })).rows).toBe(60);
  });
  it('--verify during an append waits for it and sees the whole new set', async () => {
    const d = ws();
    const ledger = join(d, 'ledger.csv');
    writeFileSync(join(d, 'a.csv'), casesCsv(20));
    writeFileSync(join(d, 'b.csv'), casesCsv(20, 20));
    const design = { method: 'permuted-block', block: 'site', ledger, now: NOW };
    await runRandomise({ cases: join(d, 'a.csv'), ...design, seed: SEED });
    const append = runRandomise({
      cases: join(d, 'b.csv'),
      ...design,
      lockedHook: () => new Promise<void>((r) => setTimeout(r, 100)),
    });
    await new Promise((r) => setTimeout(r, 20));
    const v = await runVerify({ file: ledger });
    expect(v.rows).toBe(40);
    expect((await append).ledger!.rows_after).toBe(40);
  });
  it('a lock held too long is exit 2 naming the holder', async () => {
    const d = ws();
    const ledger = join(d, 'ledger.csv');
    writeFileSync(join(d, 'a.csv'), casesCsv(4));
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const first = runRandomise({
      cases: join(d, 'a.csv'),
      method: 'complete',
      seed: SEED,
      ledger,
      now: NOW,
      lockedHook: () => held,
    });
    await new Promise((r) => setTimeout(r, 30));
    const err = await runRandomise({
      cases: join(d, 'a.csv'),
      method: 'complete',
      seed: SEED,
      ledger,
      lockWaitMs: 100,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(
      new RegExp(`^ledger ${ledger} is locked by pid ${process.pid} on host .+ since \\d{4}-`),
    );
    release();
    expect((await first).ledger!.appended).toBe(4);
  });
});

describe('outputs that name an input or each other', () => {
  it('are refused with exit 2, whatever the spelling', () => {
    const d = ws();
    const cases = join(d, 'cases.csv');
    writeFileSync(cases, 'id\nA\n');
    symlinkSync(cases, join(d, 'link.csv'));
    const inputs = [{ option: 'the cases file', path: cases }];
    expect(() => checkDistinctFiles(inputs, [{ option: '--out', path: join(d, 'link.csv') }])).toThrow(
      '--out ' + join(d, 'link.csv') + ' is the same file as the cases file',
    );
    expect(() => checkDistinctFiles(inputs, [{ option: '--out', path: `${d}/./cases.csv` }])).toThrow(UsageError);
    expect(() =>
      checkDistinctFiles(
        [],
        [
          { option: '--ledger', path: join(d, 'l.csv') },
          { option: '--out', path: `${d}/../${d.split('/').pop()}/l.csv` },
        ],
      ),
    ).toThrow('is the same file as --ledger');
    expect(() =>
      checkDistinctFiles(inputs, [
        { option: '--out', path: join(d, 'new.csv') },
        { option: 'the allocation manifest', path: join(d, 'new.csv.json') },
      ]),
    ).not.toThrow();
  });
  it('runRandomise refuses --out = the cases file and leaves it alone', async () => {
    const d = ws();
    const cases = join(d, 'cases.csv');
    writeFileSync(cases, casesCsv(6));
    await expect(runRandomise({ cases, method: 'complete', seed: SEED, out: `${d}/./cases.csv` })).rejects.toThrow(
      UsageError,
    );
    expect(readFileSync(cases, 'utf8')).toBe(casesCsv(6));
  });
});

describe('keyed ledger', () => {
  it('needs its key to be extended or verified; a wrong key is named as such', async () => {
    const d = ws();
    const ledger = join(d, 'ledger.csv');
    const key = join(d, 'k');
    const wrong = join(d, 'w');
    writeFileSync(key, '0123456789abcdef0123456789abcdef');
    writeFileSync(wrong, 'fedcba9876543210fedcba9876543210');
    writeFileSync(join(d, 'short'), 'too short');
    writeFileSync(join(d, 'a.csv'), casesCsv(10));
    writeFileSync(join(d, 'b.csv'), casesCsv(10, 10));
    const base = { method: 'permuted-block', block: 'site', ledger, now: NOW };
    await expect(
      runRandomise({ cases: join(d, 'a.csv'), ...base, seed: SEED, keyFile: join(d, 'short') }),
    ).rejects.toThrow('a key needs at least 16 random bytes');
    await runRandomise({ cases: join(d, 'a.csv'), ...base, seed: SEED, keyFile: key });
    const m = JSON.parse(readFileSync(`${ledger}.json`, 'utf8'));
    expect(m.chain).toBe('hmac-sha256');
    expect(m.key_id).toMatch(/^[0-9a-f]{16}$/);
    await expect(runRandomise({ cases: join(d, 'b.csv'), ...base })).rejects.toThrow(UsageError);
    await expect(runRandomise({ cases: join(d, 'b.csv'), ...base, keyFile: wrong })).rejects.toThrow(
      'does not hold the key',
    );
    const r = await runRandomise({ cases: join(d, 'b.csv'), ...base, keyFile: key });
    expect(r.ledger!.rows_after).toBe(20);
    expect((await runVerify({ file: ledger, keyFile: key })).rows).toBe(20);
    await expect(runVerify({ file: ledger, keyFile: wrong })).rejects.toThrow(IntegrityError);
    await expect(runVerify({ file: ledger })).rejects.toThrow('give --key-file');
  });
  it('an unkeyed ledger is written as before (no chain fields) and --key-file cannot extend it', async () => {
    const d = ws();
    const ledger = join(d, 'ledger.csv');
    writeFileSync(join(d, 'k'), '0123456789abcdef0123456789abcdef');
    writeFileSync(join(d, 'a.csv'), casesCsv(10));
    await runRandomise({ cases: join(d, 'a.csv'), method: 'complete', seed: SEED, ledger, now: NOW });
    expect(Object.keys(JSON.parse(readFileSync(`${ledger}.json`, 'utf8')))).toEqual([
      'schema_version',
      'kind',
      'tool',
      'version',
      'design',
      'seed',
      'rows',
      'batches',
      'head_hash',
    ]);
    await expect(
      runRandomise({ cases: join(d, 'a.csv'), method: 'complete', ledger, keyFile: join(d, 'k') }),
    ).rejects.toThrow('unkeyed chain');
    await expect(runVerify({ file: ledger, keyFile: join(d, 'k') })).rejects.toThrow(IntegrityError);
  });
});

describe('seeds and recovery', () => {
  it('a date-like seed comes back as seed_warning (not in warnings); a drawn seed has none', async () => {
    const d = ws();
    writeFileSync(join(d, 'a.csv'), casesCsv(6));
    const r = await runRandomise({
      cases: join(d, 'a.csv'),
      method: 'complete',
      seed: 20240117,
      out: join(d, 'x.csv'),
    });
    expect(r.seed_warning).toContain('looks like a date');
    expect(r.warnings).toEqual([]);
    const g = await runRandomise({
      cases: join(d, 'a.csv'),
      method: 'complete',
      out: join(d, 'y.csv'),
      generateSeed: () => SEED,
    });
    expect(g.seed_warning).toBeNull();
  });
  it('--recover with nothing interrupted changes nothing', async () => {
    const d = ws();
    writeFileSync(join(d, 'a.csv'), casesCsv(6));
    await runRandomise({ cases: join(d, 'a.csv'), method: 'complete', seed: SEED, ledger: join(d, 'l.csv'), now: NOW });
    const before = readFileSync(join(d, 'l.csv'), 'utf8');
    expect(await runRecover({ file: join(d, 'l.csv') })).toEqual({ file: join(d, 'l.csv'), finished: [], removed: [] });
    expect(readFileSync(join(d, 'l.csv'), 'utf8')).toBe(before);
  });
});
