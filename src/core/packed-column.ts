/**
 * A text column held as one string: cell r is `text.slice(r === 0 ? 0 : ends[r - 1], ends[r])`.
 * For a column of a million distinct values (ids) that is read to be matched, not shown: one
 * string and one Int32Array instead of a million string objects for the garbage collector to copy.
 */
export interface PackedColumn {
  text: string;
  ends: Int32Array;
}

/** Cell `r` of a packed column. */
export function packedCell(c: PackedColumn, r: number): string {
  return c.text.slice(r === 0 ? 0 : c.ends[r - 1]!, c.ends[r]!);
}

/** Packs a column of strings. */
export function packColumn(cells: readonly string[]): PackedColumn {
  const ends = new Int32Array(cells.length);
  for (let r = 0, at = 0; r < cells.length; r++) ends[r] = at += cells[r]!.length;
  return { text: cells.join(''), ends };
}

/** Builds a packed column cell by cell (amortised growth; one join per `flush`). */
export class PackedColumnBuilder {
  private readonly parts: string[] = [];
  private pending: string[] = [];
  private ends = new Int32Array(1 << 12);
  private n = 0;
  private at = 0;

  push(cell: string): void {
    if (this.n === this.ends.length) {
      const grown = new Int32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.n++] = this.at += cell.length;
    this.pending.push(cell);
    if (this.pending.length >= 8192) this.flush();
  }

  private flush(): void {
    if (this.pending.length) this.parts.push(this.pending.join(''));
    this.pending = [];
  }

  finish(): PackedColumn {
    this.flush();
    return { text: this.parts.join(''), ends: this.ends.slice(0, this.n) };
  }
}
