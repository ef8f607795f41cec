/**
 * Atomic output: every file pilot-eval writes goes to a temporary file in the same folder, is
 * fsynced, then renamed over the target. A crash or a rejected input leaves the old file or nothing.
 * A file that is replaced keeps its permission bits (a 0600 file stays 0600).
 *
 * A set of files that must change together (a ledger and its manifest) can be written with a
 * write-ahead record: every file is staged and fsynced, then the record listing them (target,
 * staged file, sha256) is written atomically: that is the commit point. The renames follow and the
 * record is removed. A crash before the record leaves the old set (and stray staged files, removed
 * by `removeStrayTemps`); a crash after it is finished by `recoverFileSet`, which renames what is
 * left (it can be run any number of times), and `pendingFileSet` shows a reader the set as it
 * will be once finished.
 */
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { IntegrityError, UsageError } from '../core/errors.js';

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Permission bits of an existing regular file, or null when there is none. */
function existingMode(path: string): number | null {
  try {
    const st = statSync(path);
    return st.isFile() ? st.mode & 0o7777 : null;
  } catch {
    return null;
  }
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
  private state: 'open' | 'staged' | 'finished' = 'open';
  private readonly digest = createHash('sha256');
  private digestHex: string | null = null;

  constructor(readonly target: string) {
    const dir = dirname(target);
    // Checked before anything is staged, so a multi-file write fails before any file is replaced.
    if (isDirectory(target))
      throw new UsageError(`cannot write ${target}: EISDIR (it is a directory; give a file path)`);
    try {
      mkdirSync(dir, { recursive: true });
      this.temp = tempPathFor(target);
      const keep = existingMode(target);
      // A replaced file keeps its mode; the staged copy is never more open than the file it replaces.
      this.fd = openSync(this.temp, 'wx', keep === null ? 0o644 : keep & 0o600);
      if (keep !== null) fchmodSync(this.fd, keep);
    } catch (err) {
      throw new UsageError(`cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  write(text: string | Uint8Array): void {
    if (this.state !== 'open') throw new Error('AtomicWriter: write after commit/abort');
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
      this.digest.update(buf);
    } catch (err) {
      // A full disk or quota (ENOSPC, EDQUOT) is the environment, not a bug: say which file.
      throw new UsageError(
        `cannot write ${this.target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }

  commit(): void {
    if (this.state === 'finished') return;
    this.stage();
    this.rename();
  }

  /** Flushes the staged file to disk and closes it (the first half of commit). */
  stage(): void {
    if (this.state !== 'open') return;
    this.state = 'staged';
    try {
      fsyncSync(this.fd);
    } catch (err) {
      this.state = 'finished';
      closeSync(this.fd);
      rmSync(this.temp, { force: true });
      throw new UsageError(
        `cannot write ${this.target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    closeSync(this.fd);
  }

  /** sha256 (hex) of everything written; the file can take no more writes once this is read. */
  get sha256(): string {
    if (this.state === 'open') throw new Error('AtomicWriter: sha256 before stage');
    this.digestHex ??= this.digest.digest('hex');
    return this.digestHex;
  }

  /** The staged file's path. */
  get stagedPath(): string {
    return this.temp;
  }

  /**
   * Renames the staged file over the target (the second half of commit). `keepOnFailure` keeps
   * the staged copy when the rename fails (a committed journalled write still needs it).
   */
  rename(keepOnFailure = false): void {
    if (this.state !== 'staged') return;
    this.state = 'finished';
    try {
      renameSync(this.temp, this.target);
    } catch (err) {
      if (!keepOnFailure) rmSync(this.temp, { force: true });
      throw new UsageError(
        `cannot write ${this.target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    fsyncDir(dirname(this.target));
  }

  abort(): void {
    if (this.state === 'finished') return;
    const wasOpen = this.state === 'open';
    this.state = 'finished';
    try {
      if (wasOpen) closeSync(this.fd);
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

/** A step of a journalled write, for fault-injection tests: `staged:<i>`, `journal`, `renamed:<i>`. */
export type WriteStep = string;

export interface FileSetOptions {
  /** Path of the write-ahead record (e.g. `<ledger>.journal`); without it, files are renamed in turn. */
  journal?: string;
  /** Called after each step (tests use it to kill the process at that point). */
  hook?: (step: WriteStep) => void;
}

interface JournalEntry {
  target: string;
  staged: string;
  sha256: string;
}

interface Journal {
  schema_version: 1;
  kind: 'pilot-eval write-ahead record';
  files: JournalEntry[];
  /** Files of the old set that the new set does not have: removed after the renames. */
  remove?: string[];
}

function sha256Bytes(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes several files as one unit with a write-ahead record (see the top of this file): after the
 * record is written, the new set is committed even if the process dies before every rename.
 */
export function writeFileSetJournalled(
  files: Array<{ path: string; content: string | Uint8Array }>,
  journal: string,
  hook?: (step: WriteStep) => void,
): void {
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
  commitWritersJournalled(writers, journal, hook);
}

function readJournal(path: string): Journal | null {
  if (!existsSync(path)) return null;
  let doc: Journal;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  } catch (err) {
    // The record is written atomically, so a torn one means someone else wrote it.
    throw new IntegrityError(`write-ahead record ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (doc?.kind !== 'pilot-eval write-ahead record' || !Array.isArray(doc.files))
    throw new IntegrityError(`${path} is not a pilot-eval write-ahead record`);
  for (const f of doc.files) {
    // A staged file always sits beside its target, named after it.
    const ok =
      typeof f.target === 'string' &&
      typeof f.staged === 'string' &&
      dirname(f.staged) === dirname(f.target) &&
      basename(f.staged).startsWith(`.${basename(f.target)}.`) &&
      f.staged.endsWith('.tmp');
    if (!ok)
      throw new IntegrityError(
        `write-ahead record ${path} names ${JSON.stringify(f.staged)} for ${JSON.stringify(f.target)}, which is not a staged copy of it`,
      );
  }
  // A file to remove is always one of the set, so it sits beside the record.
  if (
    doc.remove !== undefined &&
    (!Array.isArray(doc.remove) ||
      doc.remove.some((r) => typeof r !== 'string' || dirname(r) !== dirname(resolve(path))))
  ) {
    throw new IntegrityError(`write-ahead record ${path} lists files to remove outside its own folder`);
  }
  return doc;
}

/** Files a committed but unfinished write will replace: target -> staged copy (absolute paths). */
export function pendingFileSet(journal: string): Map<string, string> {
  const doc = readJournal(journal);
  const out = new Map<string, string>();
  for (const f of doc?.files ?? []) if (existsSync(f.staged)) out.set(f.target, f.staged);
  return out;
}

/**
 * Finishes a committed write whose process died before every rename: renames the staged copies
 * still there (each checked against its recorded sha256) and removes the record. Returns the
 * targets it renamed (and the old files it removed, when the record lists some), or null when
 * there was nothing to finish.
 */
export function recoverFileSet(journal: string): string[] | null {
  const doc = readJournal(journal);
  if (!doc) return null;
  const renamed: string[] = [];
  for (const f of doc.files) {
    if (existsSync(f.staged)) {
      const sha = sha256Bytes(readFileSync(f.staged));
      if (sha !== f.sha256)
        throw new IntegrityError(
          `staged file ${f.staged} (for ${f.target}) does not have the sha256 recorded in ${journal}; it has been changed since it was written`,
        );
      renameSync(f.staged, f.target);
      fsyncDir(dirname(f.target));
      renamed.push(f.target);
    } else if (!existsSync(f.target) || sha256Bytes(readFileSync(f.target)) !== f.sha256) {
      throw new IntegrityError(
        `${journal} records a write of ${f.target}, but neither the staged copy nor the target holds it (sha256 ${f.sha256})`,
      );
    }
  }
  for (const r of doc.remove ?? []) {
    if (existsSync(r)) {
      rmSync(r, { force: true });
      renamed.push(r);
    }
  }
  if (doc.remove?.length) fsyncDir(dirname(journal));
  rmSync(journal, { force: true });
  fsyncDir(dirname(journal));
  return renamed;
}

/**
 * Removes staged copies of `target` left by a process that died before committing (call it only
 * while holding the target's lock, after `recoverFileSet`). Returns what it removed.
 */
export function removeStrayTemps(target: string): string[] {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && /^\d+\.[0-9a-f]+\.tmp$/.test(name.slice(prefix.length))) {
      rmSync(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}

/**
 * Commits files already written through AtomicWriters (large outputs streamed in chunks) as one
 * unit with a write-ahead record, like `writeFileSetJournalled`: each is staged (fsynced), the
 * record is written (the commit point), then each is renamed and the record removed. On a failure
 * before the record, every writer is withdrawn and the old set stays.
 */
export function commitWritersJournalled(
  writers: AtomicWriter[],
  journal: string,
  hook?: (step: WriteStep) => void,
  remove: string[] = [],
): void {
  try {
    writers.forEach((w, i) => {
      w.stage();
      hook?.(`staged:${i}`);
    });
    const record: Journal = {
      schema_version: 1,
      kind: 'pilot-eval write-ahead record',
      files: writers.map((w) => ({ target: resolve(w.target), staged: resolve(w.stagedPath), sha256: w.sha256 })),
      ...(remove.length ? { remove: remove.map((r) => resolve(r)) } : {}),
    };
    writeFileAtomic(journal, `${JSON.stringify(record, null, 2)}\n`);
  } catch (err) {
    for (const w of writers) w.abort();
    throw err;
  }
  hook?.('journal');
  writers.forEach((w, i) => {
    try {
      w.rename(true);
    } catch (err) {
      throw new UsageError(
        `${(err as Error).message}; the write was committed but not finished: run the same command with --recover to finish it`,
      );
    }
    hook?.(`renamed:${i}`);
  });
  if (remove.length) {
    for (const r of remove) rmSync(r, { force: true });
    fsyncDir(dirname(journal));
    hook?.('removed');
  }
  rmSync(journal, { force: true });
  fsyncDir(dirname(journal));
}

/** The write-ahead record `import` keeps in its output folder while it replaces its files. */
export const IMPORT_JOURNAL = 'import.json.journal';
/** The files `import` writes into its output folder. */
const IMPORT_OUTPUTS = new Set(['cases.csv', 'offences.csv', 'rejects.csv', 'import.json']);

/**
 * Refuses to read a file of an import output folder whose import was interrupted mid-write (its
 * write-ahead record is still there): its files may be part old set, part new (new cases beside
 * old offences). IntegrityError (exit 4) naming the folder and the command that finishes the
 * import. Every reader of CSV input calls this, so analyse, report, match, reoffending and
 * randomise all refuse such a folder, not only the next import.
 */
export function checkNotInterruptedImport(path: string): void {
  if (!IMPORT_OUTPUTS.has(basename(path))) return;
  const dir = dirname(path);
  const journal = join(dir, IMPORT_JOURNAL);
  if (!existsSync(journal)) return;
  throw new IntegrityError(
    `${dir === '' ? '.' : dir} holds an import that was interrupted while it wrote its files (${journal} is still there), so ${basename(path)} may not belong with the other files in it. Run \`pilot-eval import --recover --out-dir ${dir}\` to finish that import (or run the import again), then run this command again.`,
  );
}
