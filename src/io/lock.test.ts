import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { acquireLock, lockPathFor } from './lock.js';

const ws = () => mkdtempSync(join(tmpdir(), 'lock-test-'));

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('file lock', () => {
  it('is exclusive: many waiters in turn, never two inside at once', async () => {
    const target = join(ws(), 'ledger.csv');
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const l = await acquireLock(target, { pollMs: 2 });
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        done++;
        l.release();
      }),
    );
    expect(done).toBe(12);
    expect(most).toBe(1);
    expect(existsSync(lockPathFor(target))).toBe(false);
  });

  it('a second writer waits for the first and then gets the lock', async () => {
    const target = join(ws(), 'ledger.csv');
    const first = await acquireLock(target);
    setTimeout(() => first.release(), 150);
    const t0 = Date.now();
    const second = await acquireLock(target, { waitMs: 5000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(JSON.parse(readFileSync(lockPathFor(target), 'utf8')).token).toBe(second.holder.token);
    second.release();
  });

  it('gives up after the bounded wait with exit 2 naming the holder', async () => {
    const target = join(ws(), 'ledger.csv');
    const first = await acquireLock(target);
    const err = await acquireLock(target, { waitMs: 120, what: 'ledger L' }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain(
      `ledger L is locked by pid ${process.pid} on host ${hostname()} since ${first.holder.since}`,
    );
    first.release();
  });

  it('takes over a stale lock of a dead process on this host, but not a lock from another host', async () => {
    const d = ws();
    const target = join(d, 'ledger.csv');
    writeFileSync(
      lockPathFor(target),
      JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00.000Z', token: 'old' }),
    );
    // Several waiters see the same stale lock: exactly one at a time gets it.
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const l = await acquireLock(target, { waitMs: 5000, pollMs: 2 });
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 3));
        inside--;
        l.release();
      }),
    );
    expect(most).toBe(1);
    const other = join(d, 'other.csv');
    writeFileSync(
      lockPathFor(other),
      JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, since: '2026-01-01T00:00:00.000Z', token: 'far' }),
    );
    await expect(acquireLock(other, { waitMs: 100 })).rejects.toThrow(
      `on host not-${hostname()} since 2026-01-01T00:00:00.000Z`,
    );
  });

  it("release leaves another holder's lock alone", async () => {
    const target = join(ws(), 'ledger.csv');
    const l = await acquireLock(target);
    writeFileSync(
      lockPathFor(target),
      JSON.stringify({ pid: process.pid, host: hostname(), since: 'x', token: 'someone-else' }),
    );
    l.release();
    expect(existsSync(lockPathFor(target))).toBe(true);
  });
});

describe('file lock for readers', () => {
  it('goes on without a lock in a read-only folder or one that does not exist (and creates nothing)', async () => {
    const d = ws();
    const missing = join(d, 'no', 'such', 'ledger.csv');
    const l = await acquireLock(missing, { readOnlyOk: true });
    l.release();
    expect(existsSync(join(d, 'no'))).toBe(false);
    if (process.getuid?.() !== 0) {
      const ro = join(d, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      const r = await acquireLock(join(ro, 'ledger.csv'), { readOnlyOk: true });
      r.release();
      await expect(acquireLock(join(ro, 'ledger.csv'))).rejects.toThrow('cannot lock');
      chmodSync(ro, 0o700);
    }
  });
});

describe('leftovers of a killed locker', () => {
  it('an old private lock file of a dead process is removed when the lock is next taken; a fresh one is left', async () => {
    const d = ws();
    const target = join(d, 'ledger.csv');
    const dead = deadPid();
    const old = `${lockPathFor(target)}.${dead}.00ff`;
    const fresh = `${lockPathFor(target)}.${dead}.11ee`;
    writeFileSync(old, '{}');
    writeFileSync(fresh, '{}');
    const past = new Date(Date.now() - 60_000);
    utimesSync(old, past, past);
    const l = await acquireLock(target);
    l.release();
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});
