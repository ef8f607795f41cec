/** SHA-256 digests (hex) of files and text, for manifests, import.json and report appendices. */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { checkInputPath } from './csv-reader.js';

/**
 * SHA-256 (hex) of a file's bytes, streamed in 1 MiB chunks. A path that is not a regular file
 * (missing, a directory, a FIFO or device) is the reader's usage error, as when it is read.
 */
export async function sha256File(path: string): Promise<string> {
  checkInputPath(path, path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export { sha256Text } from '../core/digest.js';
