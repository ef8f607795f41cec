import { PIECE_BITS, cellStart, packColumn, pieceOf, type PackedColumn } from '../packed-column.js';

const OFFSET_MASK = (1 << PIECE_BITS) - 1;

/**
 * id text -> row index, for linking offences to cases. An open-addressing table over typed arrays
 * (FNV-1a hash of the id's UTF-16 code units, linear probing, load factor <= 0.75: at 5M people a table at <= 0.5 took 268 MB, at <= 0.75 134 MB) that stores row
 * numbers, not strings. The ids are packed into a few long strings (PackedColumn's pieces), and
 * each slot records the piece and where its id starts there, so a lookup reads one slot and one run
 * of characters: on 1M ids and 1.5M lookups in
 * random order that took 0.88 s to 0.50 s against comparing through the ids' own string objects
 * (memory misses dominate). That earlier version had measured ~5x faster to build and ~1.6x faster
 * to look up than a Map<string, number>.
 */
export class IdIndex {
  /** Every id, joined, in pieces. */
  private readonly packed: string[];
  /** The ids (for `addRow`); null in a lookup-only copy. */
  private readonly ids: PackedColumn | null;
  /** Slot p holds [row + 1, hash, piece << PIECE_BITS | start in the piece, length] at 4p.. (0 = empty, so a new table is empty): one cache line per probe. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private count = 0;

  /** An index over the ids column `ids` (rows are its indices); `capacity` = expected number of ids. */
  static of(ids: readonly string[], capacity = ids.length): IdIndex {
    return new IdIndex(packColumn(ids), capacity);
  }

  /** An index over a packed ids column (`capacity` = expected number of ids), or a lookup-only copy. */
  constructor(ids: PackedColumn | IdLookupParts, capacity = 'ends' in ids ? ids.ends.length : 0) {
    if (!('ends' in ids)) {
      this.packed = ids.packed;
      this.ids = null;
      this.table = ids.table;
      this.mask = ids.mask;
      return;
    }
    this.packed = ids.texts;
    this.ids = ids;
    let size = 16;
    while (size * 3 < capacity * 4) size *= 2;
    // Shared memory: the table is handed to the offences worker without a copy (at 5M people it is
    // 256 MB, which structured cloning would have duplicated).
    this.table = new Int32Array(new SharedArrayBuffer(size * 16));
    this.mask = size - 1;
  }

  /** What another thread needs to look ids up (not to add them): see `lookupOnly`. */
  lookupParts(): IdLookupParts {
    return { packed: this.packed, table: this.table, mask: this.mask };
  }

  /** An index rebuilt from `lookupParts` (posted from another thread): `get`/`getRange` only. */
  static lookupOnly(parts: IdLookupParts): IdIndex {
    return new IdIndex(parts);
  }

  /** Ids added (0 for a lookup-only copy, which only looks up). */
  get size(): number {
    return this.count;
  }

  /** Row of `id`, or undefined. */
  get(id: string): number | undefined {
    return this.getRange(id, 0, id.length);
  }

  /** Row of the id `text.slice(start, end)`, or undefined; the slice is never made. */
  getRange(text: string, start: number, end: number): number | undefined {
    const s = this.find(text, start, end, hashRange(text, start, end));
    const row = this.table[s]!;
    return row === 0 ? undefined : row - 1;
  }

  /**
   * Rows of many ids at once: id r is `text.slice(start(r), ends[r])` (start(0) = 0, start(r) =
   * ends[r - 1]). Writes each row, or -1 when absent (an empty id is never present), to `rows`.
   * Two tight passes (hash every id, then probe) instead of one loop per id: the probes of many ids
   * are then in flight at once, where one id's work at a time waits for each cache miss in turn
   * (measured on 1.5M lookups into 1M ids: ~40% less time).
   */
  rowsOf(text: string, ends: Int32Array, n: number, rows: Int32Array): void {
    const hashes = rows;
    for (let r = 0; r < n; r++) hashes[r] = hashRange(text, r === 0 ? 0 : ends[r - 1]!, ends[r]!);
    const table = this.table;
    for (let r = 0; r < n; r++) {
      const start = r === 0 ? 0 : ends[r - 1]!;
      const row = table[this.find(text, start, ends[r]!, hashes[r]!)]!;
      rows[r] = row - 1;
    }
  }

  /** The slot (its first index in `table`) holding the id, or the empty slot where it would go. */
  private find(text: string, start: number, end: number, h: number): number {
    const len = end - start;
    const { table, mask, packed } = this;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const s = 4 * p;
      if (table[s] === 0) return s;
      if (table[s + 1] === h && table[s + 3] === len) {
        const where = table[s + 2]!;
        const piece = packed[where >>> PIECE_BITS]!;
        const at = where & OFFSET_MASK;
        let k = 0;
        while (k < len && piece.charCodeAt(at + k) === text.charCodeAt(start + k)) k++;
        if (k === len) return s;
      }
    }
  }

  /**
   * addRow for every row in order, the empty ids left out: `onDuplicate(row, earlier)` for each id
   * already present. The same result as calling addRow row by row, but all the ids are hashed
   * first, so that the table is then filled in a tight loop with many probes in flight (see rowsOf).
   */
  addAll(onDuplicate: (row: number, earlier: number) => void): void {
    const ids = this.ids;
    if (ids === null) throw new Error('IdIndex: a lookup-only copy cannot add ids');
    const n = ids.ends.length;
    if ((this.count + n) * 4 > (this.mask + 1) * 3) throw new RangeError('IdIndex: more ids than its capacity');
    const hashes = new Int32Array(n);
    for (let k = 0, row = 0; k < ids.texts.length; k++) {
      const text = ids.texts[k]!;
      const last = k + 1 < ids.firstRow.length ? ids.firstRow[k + 1]! : n;
      for (let start = 0; row < last; row++) {
        hashes[row] = hashRange(text, start, ids.ends[row]!);
        start = ids.ends[row]!;
      }
    }
    const table = this.table;
    for (let k = 0, row = 0; k < ids.texts.length; k++) {
      const text = ids.texts[k]!;
      const last = k + 1 < ids.firstRow.length ? ids.firstRow[k + 1]! : n;
      for (let start = 0; row < last; row++) {
        const end = ids.ends[row]!;
        if (end > start) {
          const h = hashes[row]!;
          const s = this.find(text, start, end, h);
          if (table[s] !== 0) onDuplicate(row, table[s]! - 1);
          else {
            table[s] = row + 1;
            table[s + 1] = h;
            table[s + 2] = (k << PIECE_BITS) | start;
            table[s + 3] = end - start;
            this.count++;
          }
        }
        start = end;
      }
    }
  }

  /**
   * Records that `ids[row]` is at `row`, unless that id is already present: then returns the
   * earlier row and leaves the index unchanged. Returns undefined when added.
   */
  addRow(row: number): number | undefined {
    const ids = this.ids;
    if (ids === null) throw new Error('IdIndex: a lookup-only copy cannot add ids');
    const piece = pieceOf(ids, row);
    const text = ids.texts[piece]!;
    const start = cellStart(ids, row, piece);
    const end = ids.ends[row]!;
    const h = hashRange(text, start, end);
    const { table, mask } = this;
    const s = this.find(text, start, end, h);
    if (table[s] !== 0) return table[s]! - 1;
    if ((this.count + 1) * 4 > (mask + 1) * 3) throw new RangeError('IdIndex: more ids than its capacity');
    table[s] = row + 1;
    table[s + 1] = h;
    table[s + 2] = (piece << PIECE_BITS) | start;
    table[s + 3] = end - start;
    this.count++;
    return undefined;
  }
}

/** An IdIndex's lookup state, as posted between threads (the table is shared memory, not copied; the text is copied). */
export interface IdLookupParts {
  packed: string[];
  table: Int32Array;
  mask: number;
}

/** FNV-1a over UTF-16 code units (32-bit), then a murmur3 finaliser. */
export function hashId(s: string): number {
  return hashRange(s, 0, s.length);
}

/** hashId of `s.slice(start, end)`, without making the slice. */
export function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return avalanche(h);
}

/** hashRange of the text whose characters are bytes[start, end), one per byte (the same hash). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
  return avalanche(h);
}

/** Final avalanche (murmur3 fmix32) so that the low bits used for the slot mix every character. */
function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
