/**
 * Worker thread for a large offences file: reads and validates it (OffenceRowParser) while the main
 * thread reads the cases file, and posts each batch of typed columns as it is ready. The main
 * thread links the ids to cases (OffenceLinker) in file order. See offence-rows.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCsv } from './csv-reader.js';
import { OffenceRowParser, transferList } from './offence-rows.js';
import { serialiseError, type OffenceWorkerData, type OffenceWorkerMessage } from './offence-reader.js';

const data = workerData as OffenceWorkerData;
const port = parentPort!;
const post = (m: OffenceWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let parser: OffenceRowParser | null = null;
readCsv(
  data.path,
  { delimiter: data.delimiter, displayName: data.file, hash: data.hash },
  (header) => {
    parser = new OffenceRowParser(data.file, header, data.map, data.delimiter);
    post({ type: 'header', hasSeverity: parser.hasSeverity });
  },
  (batch) => {
    const b = parser!.parse(batch);
    post({ type: 'batch', batch: b }, transferList(b));
  },
).then(
  (result) => post({ type: 'done', records: result.records, sha256: result.sha256 }),
  (err: unknown) => post({ type: 'error', error: serialiseError(err) }),
);
