/**
 * The rolling-recruitment ledger's hash chain (pure functions; reading and writing live in
 * src/io/allocation.ts). Row k carries hash_k = H(hash_{k-1} + "\n" + JSON of row k's cells as
 * written, without the hash). hash_0 is the genesis hash of the ledger's design (method, arms,
 * ratio, options, seed commitment), so changing any row, deleting, inserting or reordering rows,
 * or changing the design breaks the chain from that row on. Cutting rows off the end is caught by
 * the row count and head hash kept in the ledger manifest.
 *
 * H is plain SHA-256 by default: anyone holding the files can recompute the chain after an edit.
 * With a key (`--key-file`), H is HMAC-SHA256 under that key (RFC 2104), so only a key holder can
 * produce a chain that verifies; a rewrite of both the ledger and its manifest is then caught by
 * whoever keeps the key.
 */
import { createHash, createHmac } from 'node:crypto';
import { sha256Text } from '../digest.js';

/** Ledger columns, in order. `factors` holds the minimisation levels as a JSON array. */
export const LEDGER_COLUMNS = [
  'sequence',
  'id',
  'arm',
  'sub_arm',
  'stratum',
  'cluster',
  'factors',
  'batch',
  'recorded_at',
  'hash',
] as const;

/** A chain key (the bytes of the key file), or null for the plain SHA-256 chain. */
export type ChainKey = Uint8Array | null;

/** The name of the keyed chain recorded in the manifest (`chain`). */
export const KEYED_CHAIN = 'hmac-sha256';

function digest(key: ChainKey, text: string): string {
  return key ? createHmac('sha256', key).update(text, 'utf8').digest('hex') : sha256Text(text);
}

/** hash_0: binds the chain to the ledger's design. */
export function genesisHash(designCanonicalJson: string, key: ChainKey = null): string {
  return key
    ? digest(key, `pilot-eval ledger v1 ${KEYED_CHAIN}\n${designCanonicalJson}`)
    : sha256Text(`pilot-eval ledger v1\n${designCanonicalJson}`);
}

/** hash_k from hash_{k-1} and row k's cells (every column but `hash`, as written). */
export function rowHash(previous: string, cells: readonly string[], key: ChainKey = null): string {
  return digest(key, `${previous}\n${JSON.stringify(cells)}`);
}

/**
 * A short public name for a key, recorded in the manifest so that a wrong key file is named as
 * such (rather than as a broken chain). It is a hash of the key, not the key.
 */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update('pilot-eval ledger key id\n').update(key).digest('hex').slice(0, 16);
}

/** The first row whose stored hash is not what the chain gives, or null if all agree. */
export interface ChainBreak {
  index: number;
  expected: string;
  found: string;
}

export function verifyChain(
  genesis: string,
  rows: ReadonlyArray<readonly string[]>,
  hashes: readonly string[],
  key: ChainKey = null,
): ChainBreak | null {
  let prev = genesis;
  for (let i = 0; i < rows.length; i++) {
    const h = rowHash(prev, rows[i]!, key);
    if (h !== hashes[i]) return { index: i, expected: h, found: hashes[i] ?? '' };
    prev = h;
  }
  return null;
}

/** JSON with object keys sorted at every level: one text per value, for hashing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
