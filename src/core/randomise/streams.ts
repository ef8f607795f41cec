/**
 * Named random streams: every piece of a randomisation draws from its own generator derived from
 * (seed, names), so a stratum's permuted blocks or a ledger batch do not depend on what else is in
 * the file, and rolling recruitment reproduces one sequential run.
 */
import { createHash } from 'node:crypto';
import { createRng, type Rng } from '../random.js';

/** A generator for the stream named by `parts` under `seed` (48 bits of SHA-256 as the seed). */
export function streamRng(seed: number, ...parts: Array<string | number>): Rng {
  const digest = createHash('sha256')
    .update(JSON.stringify([seed, ...parts]))
    .digest();
  return createRng(digest.readUIntBE(0, 6));
}

/** Sorted distinct labels with, for each label, the indices (in order) where it occurs. */
export function groupIndices(labels: readonly string[]): { keys: string[]; members: Map<string, number[]> } {
  const members = new Map<string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    const m = members.get(k);
    if (m) m.push(i);
    else members.set(k, [i]);
  }
  const keys = [...members.keys()].sort(compareText);
  return { keys, members };
}

/** Code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
