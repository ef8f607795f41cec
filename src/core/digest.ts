/** SHA-256 of text (pure computation: used by the ledger's hash chain and by the I/O layer). */
import { createHash } from 'node:crypto';

/** SHA-256 (hex) of a text's UTF-8 bytes. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
