/**
 * Worker thread for a large offences file: reads, validates and links it while the main thread
 * reads the cases file. Parsed batches wait here until the cases' id index arrives (over `linkPort`);
 * from then on each batch is linked as soon as it is parsed. So that memory stays flat whatever the
 * file's size, at most `bufferBytes` of parsed batches wait: beyond that the thread blocks
 * (Atomics.wait on `signal`) until the main thread sends the index, or cancels. When the file is
 * read and linked the worker posts the accumulator's arrays (transferred, not copied), the
 * problems and the totals. See offence-rows.ts and offence-reader.ts.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { ProblemList } from '../core/errors.js';
import { IdIndex } from '../core/outcomes/id-index.js';
import { OutcomeAccumulator } from '../core/outcomes/proven-reoffending.js';
import { scanOffences } from './offence-scan.js';
import { OffenceLinker, type OffenceColumns, type OffenceRowParser } from './offence-rows.js';
import {
  SIGNAL_CANCELLED,
  serialiseError,
  type LinkRequest,
  type OffenceWorkerData,
  type OffenceWorkerMessage,
} from './offence-reader.js';

const data = workerData as OffenceWorkerData;
if (data.mapCheck) data.map.check = data.mapCheck;
const port = parentPort!;
const post = (m: OffenceWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** Thrown out of the scan when the main thread no longer wants the result. */
class Cancelled extends Error {}

let parser: OffenceRowParser | null = null;
let linker: OffenceLinker | null = null;
let acc: OutcomeAccumulator | null = null;
const waiting: OffenceColumns[] = [];
let waitingBytes = 0;

const bytesOf = (b: OffenceColumns) => b.n * 26 + b.idText.length;

/** Starts linking with the main thread's request: the waiting batches first, in file order. */
function begin(request: LinkRequest): void {
  acc = new OutcomeAccumulator(request.startDay, request.rules, parser!.hasSeverity);
  linker = new OffenceLinker(data.file, request.casesFile, IdIndex.lookupOnly(request.index), acc, new ProblemList());
  for (const b of waiting.splice(0)) linker.consume(b);
  waitingBytes = 0;
}

/** Takes the link request if it has arrived; with `block`, waits for it (or for cancellation). */
function poll(block: boolean): void {
  if (linker) return;
  for (;;) {
    if (Atomics.load(data.signal, 0) === SIGNAL_CANCELLED) throw new Cancelled();
    const m = receiveMessageOnPort(data.linkPort);
    if (m) return begin(m.message as LinkRequest);
    if (!block) return;
    // The main thread posts the request, then sets the signal: wait for the signal (with a timeout,
    // in case the message is still on its way), then look again.
    Atomics.wait(data.signal, 0, 0, 1000);
  }
}

function finish(records: number, sha256: string | null): void {
  const state = acc!.state();
  const buffers = [state.reoffences, state.firstDay, ...(state.severity ? [state.severity] : [])].map(
    (a) => a.buffer as ArrayBuffer,
  );
  post(
    {
      type: 'linked',
      state,
      maxDisposal: linker!.maxDisposal,
      problems: linker!.problems.shown,
      total: linker!.problems.total,
      hasSeverity: parser!.hasSeverity,
      records,
      sha256,
    },
    buffers,
  );
  port.close();
  data.linkPort.close();
}

scanOffences(
  data.path,
  { file: data.file, delimiter: data.delimiter, map: data.map, hash: data.hash, read: data.read },
  (p) => {
    parser = p;
  },
  (batch) => {
    poll(false);
    if (linker) return linker.consume(batch);
    waiting.push(batch);
    waitingBytes += bytesOf(batch);
    if (waitingBytes > data.bufferBytes) poll(true);
  },
).then(
  (result) => {
    const done = () => {
      try {
        finish(result.records, result.sha256);
      } catch (err) {
        post({ type: 'error', error: serialiseError(err) });
        port.close();
      }
    };
    try {
      poll(false);
    } catch {
      return port.close();
    }
    if (linker) return done();
    // Read, but the cases are not: wait for the index without blocking the thread.
    data.linkPort.once('message', (m: LinkRequest) => {
      try {
        begin(m);
      } catch (err) {
        post({ type: 'error', error: serialiseError(err) });
        return port.close();
      }
      done();
    });
  },
  (err: unknown) => {
    if (err instanceof Cancelled) return port.close();
    post({ type: 'error', error: serialiseError(err) });
    port.close();
  },
);
