// The fast paths added for scale (issue 8) must give exactly what the slow paths gave: per-chunk
// scanning in the CSV reader, trimCell, readTable's `columns`, `packed` and string pooling, the IdIndex
// and the ISO date reader.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readCsv, scanChunk } from '../../src/io/csv-reader.js';
import { readTable, trimCell } from '../../src/io/table.js';
import { IdIndex } from '../../src/core/outcomes/id-index.js';
import { isoDay, parseDate } from '../../src/core/dates.js';
import { DataError } from '../../src/core/errors.js';
import { StringPool } from '../../src/core/string-pool.js';
import { packColumn, packedCell, PackedColumnBuilder } from '../../src/core/packed-column.js';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'pilot-eval-fast-')), 'x.csv');
  writeFileSync(path, text);
  return path;
};

async function lines(path: string) {
  const out: Array<{ line: number; fields: string[] }> = [];
  await readCsv(
    path,
    {},
    () => undefined,
    (b) => b.fields.forEach((f, i) => out.push({ line: b.lines[i]!, fields: f })),
  );
  return out;
}

/** Rows of plain text worth ~2.5 MB, so that what follows arrives in a later 1 MB chunk. */
const PLAIN_ROWS = 100_000;
const plain = (eol: string) =>
  Array.from({ length: PLAIN_ROWS }, (_, i) => `P${i},2024-01-01,some text`).join(eol) + eol;

describe('scanChunk', () => {
  it('flags only what needs per-field work', () => {
    expect(scanChunk('a,b\n1,2\n', -1)).toEqual({ nul: false, badUtf8: false, multiline: false });
    expect(scanChunk('a,b\r\n1,2\r\n', -1)).toEqual({ nul: false, badUtf8: false, multiline: false });
    expect(scanChunk('a,"b"\n', -1).multiline).toBe(true);
    expect(scanChunk('a,b\r1,2\n', -1).multiline).toBe(true); // lone CR
    expect(scanChunk('a,b\r\n1,2\n3\r\n', -1).multiline).toBe(true); // LF without CR in a CRLF chunk
    expect(scanChunk('\n1,2\r\n', 13).multiline).toBe(false); // CRLF split across two chunks
    expect(scanChunk('1,2\r\n', 13).multiline).toBe(true); // previous chunk ended in a lone CR
    expect(scanChunk('\n1,2\r\n', 50).multiline).toBe(true);
    expect(scanChunk('a\u0000b\n', -1).nul).toBe(true);
    expect(scanChunk('a\uFFFDb\n', -1).badUtf8).toBe(true);
  });
});

describe('CSV reader fast path keeps exact lines', () => {
  it('counts quoted line breaks that first appear megabytes into the file', async () => {
    const rows = await lines(file(`id,date,note\n${plain('\n')}X,2024-01-01,"two\nlines"\nY,2024-01-02,after\n`));
    expect(rows.length).toBe(PLAIN_ROWS + 2);
    expect(rows[PLAIN_ROWS - 1]!.line).toBe(PLAIN_ROWS + 1);
    expect(rows[PLAIN_ROWS]!).toEqual({ line: PLAIN_ROWS + 2, fields: ['X', '2024-01-01', 'two\nlines'] });
    expect(rows[PLAIN_ROWS + 1]!.line).toBe(PLAIN_ROWS + 4);
  });
  it('counts a lone CR inside an unquoted field of a CRLF file as a line break, as before', async () => {
    const rows = await lines(file(`id,date,note\r\n${plain('\r\n')}X,2024-01-01,a\rb\r\nY,2024-01-02,after\r\n`));
    expect(rows[PLAIN_ROWS]!.fields).toEqual(['X', '2024-01-01', 'a\rb']);
    expect(rows[PLAIN_ROWS + 1]!.line).toBe(PLAIN_ROWS + 4);
  });
  it('plain CRLF files keep one line per record', async () => {
    const rows = await lines(file(`id,date,note\r\n${plain('\r\n')}`));
    expect(rows.length).toBe(PLAIN_ROWS);
    expect(rows.every((r, i) => r.line === i + 2 && r.fields[2] === 'some text')).toBe(true);
  });
  it('still locates NUL and invalid UTF-8 that first appear late in the file', async () => {
    const nul = await lines(file(`id,date,note\n${plain('\n')}X,2024-01-01,a\u0000b\n`)).catch((e: unknown) => e);
    expect(nul).toBeInstanceOf(DataError);
    expect((nul as DataError).problems[0]!.line).toBe(PLAIN_ROWS + 2);
    const path = file('');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from(`id,date,note\n${plain('\n')}X,2024-01-01,`),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('\n'),
      ]),
    );
    const bad = await lines(path).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DataError);
    expect((bad as DataError).problems[0]!.line).toBe(PLAIN_ROWS + 2);
    expect((bad as DataError).problems[0]!.reason).toContain('UTF-8');
  });
});

describe('trimCell', () => {
  it('equals String.prototype.trim, including Unicode spaces', () => {
    for (const s of [
      '',
      'a',
      ' a',
      'a ',
      '\ta\n',
      '\u00a0x\u00a0',
      '\u2003y',
      'z\u3000',
      '\ufeffq',
      'é',
      'a b',
      '\u2028',
    ])
      expect(trimCell(s)).toBe(s.trim());
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 8 }), (s) => trimCell(s) === s.trim()));
  });
});

describe('readTable columns', () => {
  it('keeps only the asked-for columns (and the required ones), reports every header column', async () => {
    const t = await readTable(file('ID,arm,site,age\nA, control ,S1,30\nB,treatment,S2,41\n'), {
      columns: ['arm'],
      required: ['id'],
    });
    expect(t.columns).toEqual(['id', 'arm', 'site', 'age']);
    expect([...t.cells.keys()]).toEqual(['id', 'arm']);
    expect(t.cells.get('arm')).toEqual(['control', 'treatment']);
    expect(t.lines).toEqual([2, 3]);
  });
  it('still rejects ragged rows in columns it does not keep', async () => {
    const err = await readTable(file('id,arm,site\nA,control\n'), { columns: ['id'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).problems[0]!.line).toBe(2);
  });
});

describe('IdIndex', () => {
  it('finds what a Map finds and reports the first row of a duplicate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 200 }),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 50 }),
        (ids, probes) => {
          const index = IdIndex.of(ids);
          const map = new Map<string, number>();
          ids.forEach((id, row) => {
            const prev = index.addRow(row);
            expect(prev).toBe(map.get(id));
            if (!map.has(id)) map.set(id, row);
          });
          expect(index.size).toBe(map.size);
          for (const p of [...probes, ...ids]) expect(index.get(p)).toBe(map.get(p));
        },
      ),
    );
  });
  it('addAll gives what addRow row by row gives (empty ids left out), over several pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 4 }), { maxLength: 150 }),
        fc.integer({ min: 4, max: 40 }),
        (ids, pieceChars) => {
          const one = new IdIndex(packColumn(ids, pieceChars));
          const expected: Array<[number, number]> = [];
          ids.forEach((id, row) => {
            if (id === '') return;
            const prev = one.addRow(row);
            if (prev !== undefined) expected.push([row, prev]);
          });
          const all = new IdIndex(packColumn(ids, pieceChars));
          const got: Array<[number, number]> = [];
          all.addAll((row, earlier) => got.push([row, earlier]));
          expect(got).toEqual(expected);
          expect(all.size).toBe(one.size);
          for (const id of ids) expect(all.get(id)).toBe(one.get(id));
        },
      ),
    );
  });
  it('refuses more ids than its capacity', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `id${i}`);
    const index = IdIndex.of(ids, 3);
    expect(() => ids.forEach((_, r) => index.addRow(r))).toThrow(RangeError);
  });
});

describe('isoDay and parseDate', () => {
  // An oracle that shares no code with either: the JavaScript Date of the same civil date.
  const oracle = (y: number, m: number, d: number): number | null => {
    if (y < 1900 || y > 2200) return null;
    const t = Date.UTC(y, m - 1, d);
    const back = new Date(t);
    return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d
      ? t / 86_400_000
      : null;
  };
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  it('read every YYYY-MM-DD (and DD/MM/YYYY) as the calendar does, and decline the rest', () => {
    for (const y of [1899, 1900, 1970, 2000, 2023, 2024, 2100, 2200, 2201]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const want = oracle(y, m, d);
          const iso = `${y}-${pad(m, 2)}-${pad(d, 2)}`;
          expect(isoDay(iso)).toBe(want);
          expect(parseDate(iso)).toEqual(
            want === null ? { ok: false, reason: expect.any(String) } : { ok: true, day: want },
          );
          // A value only valid month-first (day <= 12, month > 12) is also refused, and says so.
          const monthFirst = want === null && m > 12 && d >= 1 && d <= 12 && oracle(y, d, m) !== null;
          expect(parseDate(` ${d}/${m}/${y} `)).toEqual(
            want !== null
              ? { ok: true, day: want }
              : monthFirst
                ? { ok: false, reason: expect.any(String), monthFirst: true }
                : { ok: false, reason: expect.any(String) },
          );
        }
      }
    }
    for (const t of ['01/02/2023', '2023-1-01', ' 2023-01-01', '2023/01/01', '2023-0a-01', '２０２３-01-01', ''])
      expect(isoDay(t)).toBeNull();
    expect(parseDate(' 2023-01-01 ')).toEqual({ ok: true, day: oracle(2023, 1, 1) });
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), (t) => {
        const v = isoDay(t);
        if (v === null) return;
        const [y, m, d] = [+t.slice(0, 4), +t.slice(5, 7), +t.slice(8, 10)];
        expect(/^\d{4}-\d{2}-\d{2}$/.test(t)).toBe(true);
        expect(v).toBe(oracle(y, m, d));
      }),
    );
  });
});

describe('StringPool', () => {
  it('returns an equal string, the same object for a repeat, and gives up past its limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (texts, limit) => {
          const pool = new StringPool(limit);
          const first = new Map<string, string>();
          for (const t of texts) {
            const copy = [...t].join(''); // a distinct string object with the same text
            const got = pool.intern(copy);
            expect(got).toBe(t);
            if (!pool.gaveUp && first.has(t)) expect(Object.is(got, first.get(t))).toBe(true);
            if (!first.has(t)) first.set(t, got);
          }
          expect(pool.gaveUp).toBe(first.size > limit);
        },
      ),
    );
  });
});

describe('packed columns', () => {
  it('PackedColumnBuilder (across its internal joins) equals packColumn, cell by cell', () => {
    const cells = Array.from({ length: 20_000 }, (_, i) =>
      i % 97 === 0 ? '' : `P${i.toString(36)}${i % 3 ? 'é' : ''}`,
    );
    const b = new PackedColumnBuilder();
    for (const c of cells) b.push(c);
    const built = b.finish();
    const packed = packColumn(cells);
    expect(built.texts).toEqual(packed.texts);
    expect([...built.ends]).toEqual([...packed.ends]);
    for (const r of [0, 1, 96, 97, 8191, 8192, 8193, 19_999]) expect(packedCell(built, r)).toBe(cells[r]);
  });
  it('readTable `packed` holds the column packed, not as cells, rows aligned with the others', async () => {
    const path = file('id,arm\n A ,control\nB,treatment\n,control\nD,treatment\n');
    const t = await readTable(path, { packed: ['id'] });
    expect(t.cells.has('id')).toBe(false);
    expect(Array.from({ length: t.n }, (_, r) => packedCell(t.packed!.get('id')!, r))).toEqual(['A', 'B', '', 'D']);
    expect(t.cells.get('arm')).toEqual(['control', 'treatment', 'control', 'treatment']);
    const index = new IdIndex(t.packed!.get('id')!);
    expect([0, 1, 2, 3].map((r) => index.addRow(r))).toEqual([undefined, undefined, undefined, undefined]);
    expect(index.get('D')).toBe(3);
    expect(index.get('')).toBe(2);
    expect(index.get('C')).toBeUndefined();
  });
});
