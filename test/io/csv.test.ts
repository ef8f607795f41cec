import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readCsv } from '../../src/io/csv-reader.js';
import { formatCsvLine, neutraliseCell, toCsv } from '../../src/io/csv-writer.js';
import { AtomicWriter, writeFileAtomic } from '../../src/io/atomic.js';
import { DataError } from '../../src/core/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pilot-eval-csv-'));

async function readAll(text: string, delimiter = ',') {
  const path = join(tmp(), 'x.csv');
  writeFileSync(path, text);
  const rows: Array<{ line: number; fields: string[] }> = [];
  let header: string[] = [];
  await readCsv(
    path,
    { delimiter, batchSize: 2 },
    (h) => (header = h),
    (b) => b.fields.forEach((f, i) => rows.push({ line: b.lines[i]!, fields: f })),
  );
  return { header, rows };
}

describe('streaming CSV reader', () => {
  it('gives the physical start line of each record across quoted line breaks, CRLF and blank lines', async () => {
    const { header, rows } = await readAll('id,note\r\n1,"a\r\nb"\r\n\r\n2,plain\r\n3,"x\ny\nz"\r\n4,last');
    expect(header).toEqual(['id', 'note']);
    expect(rows.map((r) => r.line)).toEqual([2, 5, 6, 9]);
    expect(rows[0]!.fields).toEqual(['1', 'a\r\nb']);
  });
  it('strips a BOM, honours another delimiter and RFC 4180 quotes', async () => {
    const { header, rows } = await readAll('\uFEFFid;name\n1;"Smith; ""Jo"""\n', ';');
    expect(header).toEqual(['id', 'name']);
    expect(rows[0]!.fields).toEqual(['1', 'Smith; "Jo"']);
  });
  it('rejects an empty file and an unclosed quote with the line', async () => {
    await expect(readAll('')).rejects.toThrow('the file is empty');
    const err = await readAll('id\n1\n"2\n3\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).problems[0]!.line).toBe(3);
  });
  it('handles a field of nearly the 1 MiB record limit', async () => {
    const big = 'x'.repeat(1_000_000);
    const { rows } = await readAll(`id,blob\n1,"${big}"\n2,b\n`);
    expect(rows[0]!.fields[1]!.length).toBe(1_000_000);
    expect(rows[1]!.line).toBe(3);
  });
  it('property: any table written by the writer reads back identically with the right lines', async () => {
    // eslint-disable-next-line no-control-regex -- NUL is removed on purpose (tested elsewhere)
    const cell = fc.string({ maxLength: 12 }).map((s) => s.replace(/\u0000/g, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }),
        async (table) => {
          const rows = table.map((r) => ['k' + r[0], r[1]!]).filter((r) => !(r[0] === 'k' && r[1] === ''));
          const text = toCsv(['a', 'b'], rows);
          const got = await readAll(text);
          expect(got.rows.map((r) => r.fields)).toEqual(rows.map((r) => r.map((c) => neutraliseCell(c))));
          let line = 2;
          got.rows.forEach((r, i) => {
            expect(r.line).toBe(line);
            line += 1 + (formatCsvLine(rows[i]!).match(/\r\n|\n|\r/g)?.length ?? 0);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('CSV writer', () => {
  it('neutralises spreadsheet formulas but leaves numbers alone', () => {
    expect(neutraliseCell('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutraliseCell('+44 7700')).toBe("'+44 7700");
    expect(neutraliseCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseCell('\tcmd')).toBe("'\tcmd");
    expect(neutraliseCell('-0.25')).toBe('-0.25');
    expect(neutraliseCell('+3')).toBe('+3');
    expect(neutraliseCell('-x')).toBe("'-x");
    expect(formatCsvLine(['a,b', 'say "hi"', 1.5, null, true])).toBe('"a,b","say ""hi""",1.5,,yes');
  });
});

describe('atomic writes', () => {
  it('leaves the old file when a write is aborted, and no temp files', () => {
    const dir = tmp();
    const target = join(dir, 'out.csv');
    writeFileAtomic(target, 'old\n');
    const w = new AtomicWriter(target);
    w.write('half of a new fi');
    w.abort();
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });
  it('names an unwritable path as a usage error', () => {
    const dir = tmp();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    // A folder path that runs through a regular file cannot be created.
    expect(() => writeFileAtomic(join(file, 'out.csv'), 'x')).toThrow(/cannot write .*ENOTDIR|cannot write .*EEXIST/);
    expect(existsSync(join(file, 'out.csv'))).toBe(false);
  });
});
