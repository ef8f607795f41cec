/**
 * Reading an offences file into per-person outcomes, on this thread or, for a large file, on a
 * worker thread that starts before the cases are read. `startOffenceReader` begins; `link` (given
 * the cases) finishes. On the worker the file is parsed while this thread reads the cases, then
 * linked there too (offences-worker.ts): this thread only waits. Measured on 1M cases + 1.5M
 * offences on the 2-core machine: reading the two files one after the other took ~6.4 s. An
 * earlier design split the linking between the two threads by id hash; hashing, copying and
 * posting each batch in two parts cost ~0.35 s of CPU at 1M (profile), more than it saved.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { DataError, ProblemList, UsageError, type DataProblem } from '../core/errors.js';
import { OutcomeAccumulator, type AccumulatorState, type OutcomeRules } from '../core/outcomes/proven-reoffending.js';
import type { IdIndex, IdLookupParts } from '../core/outcomes/id-index.js';
import { scanOffences } from './offence-scan.js';
import { tableDisplayName } from './xlsx-reader.js';
import type { ColumnMap, MapCheck } from './column-map.js';
import type { ReadOptions } from './read-options.js';
import { OffenceLinker, type OffenceRowParser } from './offence-rows.js';

/** `signal[0]`: 0 = waiting for the cases, SIGNAL_LINK = the link request is posted, SIGNAL_CANCELLED = stop. */
export const SIGNAL_LINK = 1;
export const SIGNAL_CANCELLED = 2;

/**
 * Parsed offence batches that may wait on the worker for the cases (bytes, roughly 26 per row plus
 * the id): beyond this the worker stops reading until it can link, so memory stays flat however
 * large the file. 32 MB is about 1M offences. Measured at 5M people and 7.5M offences: peak 950 MB
 * with 64 MB, 877 MB with 16 MB, the same CPU. PILOT_EVAL_OFFENCE_BUFFER_BYTES overrides it
 * (tests use 1, so the worker waits at once).
 */
export const OFFENCE_BUFFER_BYTES = 32 << 20;

export interface OffenceWorkerData {
  path: string;
  file: string;
  delimiter: string;
  map: ColumnMap;
  /** The map's check (a Map's own properties do not survive the copy to the worker). */
  mapCheck?: MapCheck;
  hash: boolean;
  read?: Partial<ReadOptions>;
  /** The port the link request comes on (read with receiveMessageOnPort while parsing). */
  linkPort: MessagePort;
  /** Shared Int32Array(1): see SIGNAL_LINK. */
  signal: Int32Array;
  bufferBytes: number;
}

export type SerialisedError =
  | { kind: 'data'; problems: DataProblem[]; total: number }
  | { kind: 'usage'; message: string }
  | { kind: 'other'; message: string; code?: string; stack?: string };

/** Worker -> main thread: the file read and linked, or the error that stopped it. */
export type OffenceWorkerMessage =
  | {
      type: 'linked';
      state: AccumulatorState;
      maxDisposal: number;
      problems: DataProblem[];
      total: number;
      hasSeverity: boolean;
      records: number;
      sha256: string | null;
    }
  | { type: 'error'; error: SerialisedError };

/** Main thread -> worker (on `linkPort`), once the cases are read: link the rows. */
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

  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const envBuffer = Number(process.env.PILOT_EVAL_OFFENCE_BUFFER_BYTES);
  const data: OffenceWorkerData = {
    path,
    file,
    delimiter,
    map,
    hash,
    ...(map.check ? { mapCheck: map.check } : {}),
    ...(read ? { read: { ...read } } : {}),
    linkPort: port2,
    signal,
    bufferBytes: Number.isFinite(envBuffer) && envBuffer > 0 ? envBuffer : OFFENCE_BUFFER_BYTES,
  };
  const worker = new Worker(WORKER_URL, { workerData: data, transferList: [port2] });
  let message: OffenceWorkerMessage | null = null;
  let deliver: ((m: OffenceWorkerMessage) => void) | null = null;
  let failure: Error | null = null;
  let onFailure: ((e: Error) => void) | null = null;
  let settled = false;
  const fail = (e: Error) => {
    if (settled) return;
    failure = e;
    onFailure?.(e);
  };
  worker.on('message', (m: OffenceWorkerMessage) => (deliver ? deliver(m) : (message ??= m)));
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => {
    if (code !== 0) fail(new Error(`the offences reader stopped with exit code ${code}`));
  });
  const stop = () => {
    Atomics.store(signal, 0, SIGNAL_CANCELLED);
    Atomics.notify(signal, 0);
    port1.close();
    void worker.terminate();
  };

  return {
    cancel: () => {
      settled = true;
      stop();
    },
    link(cases, rules) {
      return new Promise<LinkedOffences>((resolve, reject) => {
        const settle = (err: Error | null, value?: LinkedOffences) => {
          if (settled) return;
          settled = true;
          stop();
          if (err) reject(err);
          else resolve(value!);
        };
        onFailure = (e) => settle(e);
        deliver = (m) => {
          if (settled) return;
          try {
            if (m.type === 'error') return settle(reviveError(m.error));
            const problems = new ProblemList();
            for (const p of m.problems) problems.add(p);
            problems.total = m.total;
            problems.throwIfAny();
            settle(null, {
              acc: OutcomeAccumulator.fromState(cases.startDay, rules, m.state),
              maxDisposal: m.maxDisposal,
              hasSeverity: m.hasSeverity,
              records: m.records,
              sha256: m.sha256,
            });
          } catch (err) {
            settle(err as Error);
          }
        };
        if (failure) return settle(failure);
        if (message) return deliver(message);
        const request: LinkRequest = {
          type: 'link',
          index: cases.indexOf.lookupParts(),
          startDay: cases.startDay,
          rules,
          casesFile: options.casesFile,
        };
        port1.postMessage(request);
        Atomics.store(signal, 0, SIGNAL_LINK);
        Atomics.notify(signal, 0);
      });
    },
  };
}
