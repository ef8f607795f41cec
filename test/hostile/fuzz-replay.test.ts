/**
 * The mutation fuzzer (bench/fuzz.mjs, `npm run fuzz`) is only useful if a failing mutant can be
 * rebuilt from the seed it prints: the same seed must give the same bytes, and the run seed must
 * spread mutants over the corpus and the mutations.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Mutant {
  seed: number;
  base: string;
  role: string;
  applied: string[];
  bytes: Buffer;
}
interface FuzzModule {
  makeMutant(seed: number, files: string[]): Mutant;
  corpus(): string[];
  mutantSeed(runSeed: number, i: number): number;
}

// Loaded at run time (a plain .mjs script, not part of the typed sources).
const load = async (): Promise<FuzzModule> => (await import(join(process.cwd(), 'bench', 'fuzz.mjs'))) as FuzzModule;

describe('fuzzer replay', () => {
  it('a mutant seed rebuilds the same mutant, and different seeds differ', async () => {
    const f = await load();
    const files = f.corpus();
    expect(files.length).toBeGreaterThan(40);
    const seeds = Array.from({ length: 40 }, (_, i) => f.mutantSeed(20261206, i));
    expect(new Set(seeds).size).toBe(40);
    const bases = new Set<string>();
    const mutations = new Set<string>();
    for (const s of seeds) {
      const a = f.makeMutant(s, files);
      const b = f.makeMutant(s, files);
      expect(b.base).toBe(a.base);
      expect(b.applied).toEqual(a.applied);
      expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
      bases.add(a.base);
      for (const m of a.applied) mutations.add(m);
    }
    expect(bases.size).toBeGreaterThan(15);
    expect(mutations.size).toBeGreaterThan(12);
    expect(f.mutantSeed(1, 0)).not.toBe(f.mutantSeed(2, 0));
  });
});
