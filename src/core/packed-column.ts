/**
 * A text column held as a few long strings instead of one string per cell. For a column of a
 * million distinct values (ids) that is read to be matched, not shown: a few strings and one
 * Int32Array instead of a million string objects for the garbage collector to copy.
 *
 * The cells are joined into pieces of at most PIECE_CHARS characters (no cell spans two pieces):
 * one string of every id would stop at V8's maximum string length (2^29 - 24 characters, about 55M
 * ten-character ids). Cell r lies in piece `pieceOf(c, r)`, at [ends[r - 1], ends[r]) of that piece
 * (from 0 when r is the piece's first row).
 */
export interface PackedColumn {
  /** The pieces. */
  texts: string[];
  /** End of cell r within its piece. */
  ends: Int32Array;
  /** First row of each piece (firstRow[0] = 0). */
  firstRow: number[];
}

/** Longest piece, in characters (2^27: well under V8's limit, and a piece number fits in 4 bits of an offset). */
export const PIECE_BITS = 27;
export const PIECE_CHARS = 1 << PIECE_BITS;
/** Most pieces a column can have (so piece << PIECE_BITS | offset fits in a positive int32). */
export const MAX_PIECES = 16;

/** The piece that holds cell `r`. */
export function pieceOf(c: PackedColumn, r: number): number {
  const f = c.firstRow;
  let k = f.length - 1;
  while (k > 0 && f[k]! > r) k--;
  return k;
}

/** Start of cell `r` within piece `k` (which holds it). */
export function cellStart(c: PackedColumn, r: number, k: number): number {
  return r === c.firstRow[k] ? 0 : c.ends[r - 1]!;
}

/** Cell `r` of a packed column. */
export function packedCell(c: PackedColumn, r: number): string {
  const k = pieceOf(c, r);
  return c.texts[k]!.slice(cellStart(c, r, k), c.ends[r]!);
}

/** Packs a column of strings. */
export function packColumn(cells: readonly string[], pieceChars = PIECE_CHARS): PackedColumn {
  const b = new PackedColumnBuilder(pieceChars);
  for (const c of cells) b.push(c);
  return b.finish();
}

/** Builds a packed column cell by cell (amortised growth; one join per 8192 cells). */
export class PackedColumnBuilder {
  private readonly texts: string[] = [];
  private readonly firstRow: number[] = [0];
  private parts: string[] = [];
  private pending: string[] = [];
  private ends = new Int32Array(1 << 12);
  private n = 0;
  private at = 0;

  /** `pieceChars`: longest piece (PIECE_CHARS; smaller in tests). */
  constructor(private readonly pieceChars = PIECE_CHARS) {}

  push(cell: string): void {
    if (this.n === this.ends.length) {
      const grown = new Int32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    if (this.at + cell.length > this.pieceChars && this.at > 0) {
      this.endPiece();
      this.firstRow.push(this.n);
      this.at = 0;
    }
    if (cell.length > this.pieceChars)
      throw new RangeError(`a cell of ${cell.length} characters is longer than a packed column's piece`);
    this.ends[this.n++] = this.at += cell.length;
    this.pending.push(cell);
    if (this.pending.length >= 8192) this.flush();
  }

  private flush(): void {
    if (this.pending.length) this.parts.push(this.pending.join(''));
    this.pending = [];
  }

  private endPiece(): void {
    this.flush();
    this.texts.push(this.parts.join(''));
    this.parts = [];
    if (this.texts.length > MAX_PIECES)
      throw new RangeError(`a packed column holds at most ${MAX_PIECES} x ${this.pieceChars} characters`);
  }

  finish(): PackedColumn {
    this.endPiece();
    return { texts: this.texts, ends: this.ends.slice(0, this.n), firstRow: this.firstRow };
  }
}
