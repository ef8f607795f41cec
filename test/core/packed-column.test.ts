/**
 * Packed columns in pieces: one string of every id would stop at V8's maximum string length (about
 * 55M ten-character ids), so the ids are held in pieces of at most PIECE_CHARS characters. Here the
 * pieces are made small (a few hundred characters) so that many boundaries are crossed.
 */
import { describe, expect, it } from 'vitest';
import {
  PackedColumnBuilder,
  packColumn,
  packedCell,
  pieceOf,
  PIECE_CHARS,
  MAX_PIECES,
} from '../../src/core/packed-column.js';
import { IdIndex } from '../../src/core/outcomes/id-index.js';

// About 3,400 characters: 12-14 pieces of 256 (a column may have at most 16 pieces).
const cells = Array.from({ length: 700 }, (_, i) =>
  i % 53 === 0 ? '' : `P${(i * 7919).toString(36)}${i % 5 ? '' : 'é'}`,
);

describe('packed columns in pieces', () => {
  it('every cell reads back, across piece boundaries; no piece is longer than asked', () => {
    const c = packColumn(cells, 256);
    expect(c.texts.length).toBeGreaterThan(10);
    expect(c.texts.length).toBeLessThanOrEqual(MAX_PIECES);
    expect(c.texts.length).toBe(c.firstRow.length);
    for (const t of c.texts) expect(t.length).toBeLessThanOrEqual(256);
    for (let r = 0; r < cells.length; r++) expect(packedCell(c, r)).toBe(cells[r]);
    expect(c.texts.join('')).toBe(cells.join(''));
    expect(pieceOf(c, cells.length - 1)).toBe(c.texts.length - 1);
    const b = new PackedColumnBuilder(256);
    for (const x of cells) b.push(x);
    expect(b.finish()).toEqual(c);
  });

  it('one piece for a column that fits (the usual case)', () => {
    const c = packColumn(cells);
    expect(c.texts).toEqual([cells.join('')]);
    expect(PIECE_CHARS).toBe(2 ** 27);
  });

  it('refuses more pieces than an offset can name', () => {
    expect(() => packColumn(cells, 64)).toThrow(/at most 16/);
  });

  it('an IdIndex over many pieces finds every id; duplicates are found across pieces', () => {
    const withDup = [...cells, cells[1]!, cells[600]!];
    const c = packColumn(withDup, 256);
    expect(c.texts.length).toBeGreaterThan(10);
    const index = new IdIndex(c);
    const dup: Array<[number, number]> = [];
    for (let r = 0; r < withDup.length; r++) {
      const prev = index.addRow(r);
      if (prev !== undefined) dup.push([r, prev]);
    }
    // The empty ids repeat (rows 53, 106, ...; the first is row 0), then the two copies.
    expect(dup).toEqual([
      ...Array.from({ length: Math.floor(699 / 53) }, (_, k): [number, number] => [(k + 1) * 53, 0]),
      [700, 1],
      [701, 600],
    ]);
    for (let r = 1; r < cells.length; r++) if (cells[r] !== '') expect(index.get(cells[r]!)).toBe(r);
    expect(index.get('nobody')).toBeUndefined();
    const copy = IdIndex.lookupOnly(index.lookupParts());
    for (let r = 1; r < cells.length; r += 7)
      if (cells[r] !== '') expect(copy.getRange(`xx${cells[r]}yy`, 2, 2 + cells[r]!.length)).toBe(r);
  });
});
