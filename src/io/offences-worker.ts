/**
 * Worker thread for a large offences file: reads and validates it (OffenceRowParser) while the main
 * thread reads the cases file. Each batch is split by id hash (splitByIdHash): part 0 is posted to
 * the main thread as it is ready, part 1 is kept. When the main thread has the cases it sends their
 * id index; the worker then links its part (OffenceLinker) while the main thread links the other,
 * and posts back its accumulator and problems. See offence-rows.ts and offence-reader.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProblemList } from '../core/errors.js';
import { IdIndex } from '../core/outcomes/id-index.js';
import { OutcomeAccumulator } from '../core/outcomes/proven-reoffending.js';
import { scanOffences } from './offence-scan.js';
import {
  OffenceLinker,
  splitByIdHash,
  transferList,
  type OffenceColumns,
  type OffenceRowParser,
} from './offence-rows.js';
import {
  serialiseError,
  type LinkRequest,
  type OffenceWorkerData,
  type OffenceWorkerMessage,
} from './offence-reader.js';

const data = workerData as OffenceWorkerData;
if (data.mapCheck) data.map.check = data.mapCheck;
const port = parentPort!;
const post = (m: OffenceWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let parser: OffenceRowParser | null = null;
const kept: OffenceColumns[] = [];
let read = false;
let request: LinkRequest | null = null;

/** Links the kept part once the file is read and the cases' index has arrived. */
function linkKept(): void {
  if (!read || !request) return;
  try {
    const acc = new OutcomeAccumulator(request.startDay, request.rules, parser!.hasSeverity);
    const linker = new OffenceLinker(
      data.file,
      request.casesFile,
      IdIndex.lookupOnly(request.index),
      acc,
      new ProblemList(),
    );
    for (const b of kept.splice(0)) linker.consume(b);
    const state = acc.state();
    const buffers = [state.reoffences, state.firstDay, ...(state.severity ? [state.severity] : [])].map(
      (a) => a.buffer as ArrayBuffer,
    );
    post(
      {
        type: 'linked',
        state,
        maxDisposal: linker.maxDisposal,
        problems: linker.problems.shown,
        total: linker.problems.total,
      },
      buffers,
    );
  } catch (err) {
    post({ type: 'error', error: serialiseError(err) });
  }
  port.close();
}

port.on('message', (m: LinkRequest) => {
  request = m;
  linkKept();
});

scanOffences(
  data.path,
  { file: data.file, delimiter: data.delimiter, map: data.map, hash: data.hash, read: data.read },
  (p) => {
    parser = p;
    post({ type: 'header', hasSeverity: p.hasSeverity });
  },
  (batch) => {
    const [forMain, forHere] = splitByIdHash(batch);
    post({ type: 'batch', batch: forMain }, transferList(forMain));
    kept.push(forHere);
  },
).then(
  (result) => {
    post({ type: 'done', records: result.records, sha256: result.sha256 });
    read = true;
    linkKept();
  },
  (err: unknown) => {
    post({ type: 'error', error: serialiseError(err) });
    port.close();
  },
);
