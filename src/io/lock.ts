/**
 * Exclusive locks on output files, held across a read-append-write (a ledger and its manifest).
 *
 * The lock is a file `<target>.lock` created with O_EXCL (so exactly one creator wins), holding the
 * holder's pid, host and start time. A second writer polls until the lock is released or a bounded
 * wait runs out, then fails with exit 2 naming the holder. A lock left by a process that no longer
 * exists on this host is stale: it is taken over under a short-lived takeover lock, after checking
 * again that it is the same stale lock, so two waiters can never both take it. A lock held from
 * another host is never assumed stale (its pid cannot be checked from here).
 */
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  token: string;
}

export interface Lock {
  path: string;
  holder: LockHolder;
  release(): void;
}

export interface LockOptions {
  /** How long to wait for another holder, in milliseconds (default 10 s). */
  waitMs?: number;
  /** Poll interval in milliseconds (default 50). */
  pollMs?: number;
  /** What is locked, for messages (e.g. "ledger ledger.csv"). */
  what?: string;
  /**
   * For readers: when the lock file cannot be created because the folder is read-only to this
   * user (EACCES, EPERM, EROFS), go on without a lock instead of failing.
   */
  readOnlyOk?: boolean;
}

const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR']);

class LockFileError extends UsageError {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A takeover lock older than this is itself stale (taking over takes milliseconds). */
const TAKEOVER_STALE_MS = 10_000;

export function lockPathFor(target: string): string {
  return `${target}.lock`;
}

function readHolder(path: string): LockHolder | null | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (typeof h.pid === 'number' && typeof h.host === 'string') return h;
  } catch {
    // A lock file being written right now (or a torn one): unknown holder.
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  // Written in full to a private file, then hard-linked into place: link() fails if the lock
  // exists, so the lock appears atomically and is never seen half-written.
  const temp = `${path}.${holder.pid}.${holder.token}`;
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(holder)}\n`);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new LockFileError(`cannot lock ${path}: ${code ?? (err as Error).message}`, code);
  } finally {
    rmSync(temp, { force: true });
  }
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.host === b.host && a.since === b.since && a.token === b.token;
}

/** Removes `path` if it still holds the stale `holder`, under a takeover lock. True if removed. */
function takeOverStale(path: string, holder: LockHolder): boolean {
  const guard = `${path}.takeover`;
  try {
    if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) rmSync(guard, { force: true });
  } catch {
    // no takeover in progress
  }
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  if (!tryCreate(guard, me)) return false;
  try {
    const now = readHolder(path);
    if (now === 'gone') return true;
    if (now === null || !sameHolder(now, holder)) return false;
    rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * Removes the private files of lock attempts by processes that died between writing and linking
 * them (`<lock>.<pid>.<token>`): only when the pid is gone and the file is older than a takeover.
 */
function removeDeadTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+$/.exec(name.slice(prefix.length)) : null;
    if (!m || alive(Number(m[1]))) continue;
    const p = join(dir, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > TAKEOVER_STALE_MS) rmSync(p, { force: true });
    } catch {
      // gone already
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Takes the lock on `target`, waiting up to `waitMs` for another holder. */
export async function acquireLock(target: string, options: LockOptions = {}): Promise<Lock> {
  const path = lockPathFor(target);
  const waitMs = options.waitMs ?? 10_000;
  const pollMs = options.pollMs ?? 50;
  const host = hostname();
  const me: LockHolder = {
    pid: process.pid,
    host,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  if (options.readOnlyOk && !existsSync(dirname(path))) return { path, holder: me, release() {} };
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const deadline = Date.now() + waitMs;
  let last: LockHolder | null = null;
  for (;;) {
    let created: boolean;
    try {
      created = tryCreate(path, me);
    } catch (err) {
      if (options.readOnlyOk && err instanceof LockFileError && READ_ONLY.has(err.code ?? ''))
        return { path, holder: me, release() {} };
      throw err;
    }
    if (created) {
      removeDeadTemps(path);
      let released = false;
      return {
        path,
        holder: me,
        release() {
          if (released) return;
          released = true;
          const h = readHolder(path);
          if (h !== 'gone' && h !== null && sameHolder(h, me)) rmSync(path, { force: true });
        },
      };
    }
    const h = readHolder(path);
    if (h === 'gone') continue;
    if (h) {
      last = h;
      if (h.host === host && !alive(h.pid) && takeOverStale(path, h)) continue;
    }
    if (Date.now() >= deadline) {
      const who = last ? `pid ${last.pid} on host ${last.host} since ${last.since}` : 'another process';
      throw new UsageError(
        `${options.what ?? target} is locked by ${who} (lock file ${path}): another pilot-eval run is writing it. Try again when it has finished; if that process is gone and the lock is from another host, delete ${path}`,
      );
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

/** Takes locks on several targets in a fixed order (so two runs cannot deadlock); all or none. */
export async function acquireLocks(targets: string[], options: LockOptions = {}): Promise<Lock[]> {
  const unique = [...new Set(targets)].sort();
  const locks: Lock[] = [];
  try {
    for (const t of unique) locks.push(await acquireLock(t, { ...options, what: options.what ?? t }));
  } catch (err) {
    for (const l of locks.reverse()) l.release();
    throw err;
  }
  return locks;
}
