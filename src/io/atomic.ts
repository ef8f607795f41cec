/**
 * Atomic output: every file pilot-eval writes goes to a temporary file in the same folder, is
 * fsynced, then renamed over the target. A crash or a rejected input leaves the old file or nothing.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.js';

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems do not allow fsync on a directory; the rename is still atomic.
  }
}

/** Writes text in chunks to a temp file, then renames it into place. */
export class AtomicWriter {
  private fd: number;
  private readonly temp: string;
  private done = false;

  constructor(readonly target: string) {
    const dir = dirname(target);
    // Checked before anything is staged, so a multi-file write fails before any file is replaced.
    if (isDirectory(target)) throw new UsageError(`cannot write ${target}: EISDIR (it is a directory; give a file path)`);
    try {
      mkdirSync(dir, { recursive: true });
      this.temp = tempPathFor(target);
      this.fd = openSync(this.temp, 'wx', 0o644);
    } catch (err) {
      throw new UsageError(`cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  write(text: string | Uint8Array): void {
    if (this.done) throw new Error('AtomicWriter: write after commit/abort');
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      // A full disk or quota (ENOSPC, EDQUOT) is the environment, not a bug: say which file.
      throw new UsageError(`cannot write ${this.target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    try {
      fsyncSync(this.fd);
    } catch (err) {
      closeSync(this.fd);
      rmSync(this.temp, { force: true });
      throw new UsageError(`cannot write ${this.target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    closeSync(this.fd);
    try {
      renameSync(this.temp, this.target);
    } catch (err) {
      rmSync(this.temp, { force: true });
      throw new UsageError(`cannot write ${this.target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    fsyncDir(dirname(this.target));
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
    } finally {
      rmSync(this.temp, { force: true });
    }
  }
}

/** Writes a whole file atomically. */
export function writeFileAtomic(target: string, content: string | Uint8Array): void {
  const w = new AtomicWriter(target);
  try {
    w.write(content);
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
}

/**
 * Writes several files as one unit: all are staged first, then renamed in turn. If staging any of
 * them fails, none is written.
 */
export function writeFilesAtomic(files: Array<{ path: string; content: string | Uint8Array }>): void {
  const writers: AtomicWriter[] = [];
  try {
    for (const f of files) {
      const w = new AtomicWriter(f.path);
      writers.push(w);
      w.write(f.content);
    }
  } catch (err) {
    for (const w of writers) w.abort();
    throw err;
  }
  // If one rename fails, the files not yet renamed are withdrawn (no temp file is left behind).
  let committed = 0;
  try {
    for (const w of writers) {
      w.commit();
      committed++;
    }
  } catch (err) {
    for (const w of writers.slice(committed + 1)) w.abort();
    throw err;
  }
}
