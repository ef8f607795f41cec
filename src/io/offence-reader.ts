/**
 * Reading an offences file into per-person outcomes, on this thread or, for a large file, on a
 * worker thread that starts before the cases are read. `startOffenceReader` begins; `link` (given
 * the cases) finishes, the two threads linking half the ids each. Measured on 1M cases + 1.5M
 * offences on the 2-core machine: reading the two files one after the other took ~6.4 s; with the
 * offences on a worker, see docs/performance.md. Linking on both threads took the main thread's
 * linking from ~0.9 s to ~0.5 s.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataError, MAX_REPORTED_PROBLEMS, ProblemList, UsageError, type DataProblem } from '../core/errors.js';
import { OutcomeAccumulator, type AccumulatorState, type OutcomeRules } from '../core/outcomes/proven-reoffending.js';
import type { IdIndex, IdLookupParts } from '../core/outcomes/id-index.js';
import { scanOffences } from './offence-scan.js';
import { tableDisplayName } from './xlsx-reader.js';
import type { ColumnMap, MapCheck } from './column-map.js';
import type { ReadOptions } from './read-options.js';
import { OffenceLinker, type OffenceColumns, type OffenceRowParser } from './offence-rows.js';

export interface OffenceWorkerData {
  path: string;
  file: string;
  delimiter: string;
  map: ColumnMap;
  /** The map's check (a Map's own properties do not survive the copy to the worker). */
  mapCheck?: MapCheck;
  hash: boolean;
  read?: Partial<ReadOptions>;
}

export type SerialisedError =
  | { kind: 'data'; problems: DataProblem[]; total: number }
  | { kind: 'usage'; message: string }
  | { kind: 'other'; message: string; code?: string; stack?: string };

/** Worker -> main thread. `batch` carries the rows the main thread links (part 0 of splitByIdHash). */
export type OffenceWorkerMessage =
  | { type: 'header'; hasSeverity: boolean }
  | { type: 'batch'; batch: OffenceColumns }
  | { type: 'done'; records: number; sha256: string | null }
  | { type: 'linked'; state: AccumulatorState; maxDisposal: number; problems: DataProblem[]; total: number }
  | { type: 'error'; error: SerialisedError };

/** Main thread -> worker, once the cases are read: link the rows you kept (part 1). */
export interface LinkRequest {
  type: 'link';
  index: IdLookupParts;
  startDay: Int32Array;
  rules: OutcomeRules;
  casesFile: string;
}

export function serialiseError(err: unknown): SerialisedError {
  if (err instanceof DataError) return { kind: 'data', problems: err.problems, total: err.total };
  if (err instanceof UsageError) return { kind: 'usage', message: err.message };
  const e = err as NodeJS.ErrnoException;
  return { kind: 'other', message: e?.message ?? String(err), code: e?.code, stack: e?.stack };
}

function reviveError(s: SerialisedError): Error {
  if (s.kind === 'data') return new DataError(s.problems, s.total);
  if (s.kind === 'usage') return new UsageError(s.message);
  const e = new Error(s.message) as NodeJS.ErrnoException;
  if (s.code !== undefined) e.code = s.code;
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}

/** What linking needs from the cases. */
export interface LinkTarget {
  file: string;
  startDay: Int32Array;
  indexOf: IdIndex;
}

/** The offences read and linked: the accumulator (not yet finished) and what else was learned. */
export interface LinkedOffences {
  acc: OutcomeAccumulator;
  maxDisposal: number;
  hasSeverity: boolean;
  records: number;
  /** sha256 of the offences file, computed while reading it, when asked for. */
  sha256: string | null;
}

export interface OffenceReader {
  /** Reads (or finishes reading) the offences and links them to `cases`. Call once. */
  link(cases: LinkTarget, rules: OutcomeRules): Promise<LinkedOffences>;
  /** Stops a worker that is no longer wanted (the cases failed). Safe to call at any time. */
  cancel(): void;
}

/** Offence files at least this large are read on a worker thread (start-up costs ~50 ms). */
export const WORKER_MIN_BYTES = 4 << 20;

const WORKER_URL = new URL('./offences-worker.js', import.meta.url);

/**
 * Whether to read `path` on a worker: a file (not stdin) of WORKER_MIN_BYTES or more, when the
 * compiled worker exists (tests that run the TypeScript sources read on this thread).
 * PILOT_EVAL_OFFENCE_WORKER=always|never overrides the size rule (for tests and diagnosis).
 */
function wantWorker(path: string): boolean {
  if (path === '-' || !existsSync(fileURLToPath(WORKER_URL))) return false;
  const force = process.env.PILOT_EVAL_OFFENCE_WORKER;
  if (force === 'never') return false;
  if (force === 'always') return true;
  try {
    return statSync(path).size >= WORKER_MIN_BYTES;
  } catch {
    return false;
  }
}

function finish(
  linker: OffenceLinker,
  acc: OutcomeAccumulator,
  hasSeverity: boolean,
  records: number,
  sha256: string | null,
): LinkedOffences {
  linker.problems.throwIfAny();
  return { acc, maxDisposal: linker.maxDisposal, hasSeverity, records, sha256 };
}

/**
 * The problems of the two parts of a file as one list in file order: each part's list holds its
 * first problems in file order, so the first of both, by line, are the file's first.
 */
export function mergeProblems(a: ProblemList, shown: DataProblem[], total: number): ProblemList {
  const merged = new ProblemList();
  // Array.prototype.sort is stable: a row's own problems keep their order.
  const all = [...a.shown, ...shown].sort((x, y) => (x.line ?? 0) - (y.line ?? 0));
  for (const p of all.slice(0, MAX_REPORTED_PROBLEMS)) merged.add(p);
  merged.total = a.total + total;
  return merged;
}

/** Starts reading an offences file (on a worker for a large file; otherwise when `link` is called). */
export function startOffenceReader(
  path: string,
  options: {
    file: string;
    delimiter: string;
    map: ColumnMap;
    casesFile: string;
    hash: boolean;
    read?: Partial<ReadOptions>;
  },
): OffenceReader {
  const { delimiter, map, hash, read } = options;
  const file = tableDisplayName(path, options.file, read?.sheet);
  const makeLinker = (cases: LinkTarget, rules: OutcomeRules, hasSeverity: boolean) => {
    const acc = new OutcomeAccumulator(cases.startDay, rules, hasSeverity);
    return { acc, linker: new OffenceLinker(file, options.casesFile, cases.indexOf, acc, new ProblemList()) };
  };

  if (!wantWorker(path)) {
    return {
      cancel: () => undefined,
      async link(cases, rules) {
        let parser: OffenceRowParser | null = null;
        let state: ReturnType<typeof makeLinker> | null = null;
        const result = await scanOffences(
          path,
          { file, delimiter, map, hash, read },
          (p) => {
            parser = p;
            state = makeLinker(cases, rules, p.hasSeverity);
          },
          (batch) => state!.linker.consume(batch),
        );
        const s = state as ReturnType<typeof makeLinker> | null;
        return finish(
          s!.linker,
          s!.acc,
          (parser as OffenceRowParser | null)!.hasSeverity,
          result.records,
          result.sha256,
        );
      },
    };
  }

  const data: OffenceWorkerData = {
    path,
    file,
    delimiter,
    map,
    hash,
    ...(map.check ? { mapCheck: map.check } : {}),
    ...(read ? { read: { ...read } } : {}),
  };
  const worker = new Worker(WORKER_URL, { workerData: data });
  // Messages wait here until the cases are loaded and `link` is called.
  const queue: OffenceWorkerMessage[] = [];
  let deliver: ((m: OffenceWorkerMessage) => void) | null = null;
  let failure: Error | null = null;
  let onFailure: ((e: Error) => void) | null = null;
  let settled = false;
  const fail = (e: Error) => {
    if (settled) return;
    failure = e;
    onFailure?.(e);
  };
  worker.on('message', (m: OffenceWorkerMessage) => (deliver ? deliver(m) : queue.push(m)));
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => {
    if (code !== 0) fail(new Error(`the offences reader stopped with exit code ${code}`));
  });

  return {
    cancel: () => {
      settled = true;
      void worker.terminate();
    },
    link(cases, rules) {
      return new Promise<LinkedOffences>((resolve, reject) => {
        let state: ReturnType<typeof makeLinker> | null = null;
        let hasSeverity = false;
        let done: Extract<OffenceWorkerMessage, { type: 'done' }> | null = null;
        let linked: Extract<OffenceWorkerMessage, { type: 'linked' }> | null = null;
        // Both halves are linked at once: this thread links the rows the worker posts, the worker
        // the rows it kept. Once the file is read and the worker's half is back, the two add up.
        const complete = () => {
          if (!done || !linked) return;
          const { acc, linker } = state!;
          acc.merge(linked.state);
          mergeProblems(linker.problems, linked.problems, linked.total).throwIfAny();
          settle(null, {
            acc,
            maxDisposal: Math.max(linker.maxDisposal, linked.maxDisposal),
            hasSeverity,
            records: done.records,
            sha256: done.sha256,
          });
        };
        const settle = (err: Error | null, value?: LinkedOffences) => {
          if (settled) return;
          settled = true;
          void worker.terminate();
          if (err) reject(err);
          else resolve(value!);
        };
        onFailure = (e) => settle(e);
        deliver = (m) => {
          if (settled) return;
          try {
            if (m.type === 'header') {
              hasSeverity = m.hasSeverity;
              state = makeLinker(cases, rules, hasSeverity);
            } else if (m.type === 'batch') state!.linker.consume(m.batch);
            else if (m.type === 'done') {
              done = m;
              complete();
            } else if (m.type === 'linked') {
              linked = m;
              complete();
            } else settle(reviveError(m.error));
          } catch (err) {
            settle(err as Error);
          }
        };
        if (failure) return settle(failure);
        const request: LinkRequest = {
          type: 'link',
          index: cases.indexOf.lookupParts(),
          startDay: cases.startDay,
          rules,
          casesFile: options.casesFile,
        };
        worker.postMessage(request);
        for (const m of queue.splice(0)) deliver(m);
      });
    },
  };
}
