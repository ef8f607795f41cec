/**
 * Reading an offences file into per-person outcomes, on this thread or, for a large file, on a
 * worker thread that starts before the cases are read. `startOffenceReader` begins; `link` (given
 * the cases) finishes. Measured on 1M cases + 1.5M offences on the 2-core machine: reading the two
 * files one after the other took ~6.4 s; with the offences on a worker, see docs/performance.md.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataError, ProblemList, UsageError, type DataProblem } from '../core/errors.js';
import { OutcomeAccumulator, type OutcomeRules } from '../core/outcomes/proven-reoffending.js';
import type { IdIndex } from '../core/outcomes/id-index.js';
import { readCsv } from './csv-reader.js';
import type { ColumnMap } from './column-map.js';
import { OffenceLinker, OffenceRowParser, type OffenceColumns } from './offence-rows.js';

export interface OffenceWorkerData {
  path: string;
  file: string;
  delimiter: string;
  map: ColumnMap;
  hash: boolean;
}

export type SerialisedError =
  | { kind: 'data'; problems: DataProblem[]; total: number }
  | { kind: 'usage'; message: string }
  | { kind: 'other'; message: string; code?: string; stack?: string };

export type OffenceWorkerMessage =
  | { type: 'header'; hasSeverity: boolean }
  | { type: 'batch'; batch: OffenceColumns }
  | { type: 'done'; records: number; sha256: string | null }
  | { type: 'error'; error: SerialisedError };

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

function finish(linker: OffenceLinker, acc: OutcomeAccumulator, hasSeverity: boolean, records: number, sha256: string | null): LinkedOffences {
  linker.problems.throwIfAny();
  return { acc, maxDisposal: linker.maxDisposal, hasSeverity, records, sha256 };
}

/** Starts reading an offences file (on a worker for a large file; otherwise when `link` is called). */
export function startOffenceReader(path: string, options: { file: string; delimiter: string; map: ColumnMap; casesFile: string; hash: boolean }): OffenceReader {
  const { file, delimiter, map, hash } = options;
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
        const result = await readCsv(
          path,
          { delimiter, displayName: file, hash },
          (header) => {
            parser = new OffenceRowParser(file, header, map, delimiter);
            state = makeLinker(cases, rules, parser.hasSeverity);
          },
          (batch) => state!.linker.consume(parser!.parse(batch)),
        );
        const s = state as ReturnType<typeof makeLinker> | null;
        return finish(s!.linker, s!.acc, (parser as OffenceRowParser | null)!.hasSeverity, result.records, result.sha256);
      },
    };
  }

  const data: OffenceWorkerData = { path, file, delimiter, map, hash };
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
        const settle = (err: Error | null, value?: LinkedOffences) => {
          if (settled) return;
          settled = true;
          if (err) {
            void worker.terminate();
            reject(err);
          } else resolve(value!);
        };
        onFailure = (e) => settle(e);
        deliver = (m) => {
          if (settled) return;
          try {
            if (m.type === 'header') {
              hasSeverity = m.hasSeverity;
              state = makeLinker(cases, rules, hasSeverity);
            } else if (m.type === 'batch') state!.linker.consume(m.batch);
            else if (m.type === 'done') settle(null, finish(state!.linker, state!.acc, hasSeverity, m.records, m.sha256));
            else settle(reviveError(m.error));
          } catch (err) {
            settle(err as Error);
          }
        };
        if (failure) return settle(failure);
        for (const m of queue.splice(0)) deliver(m);
      });
    },
  };
}
