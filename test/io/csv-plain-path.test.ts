/**
 * readCsv reads a plain file (ASCII, no quote, CR or NUL) by splitting lines and fields itself
 * instead of through papaparse (csv-reader.ts, readPlainCsv). It must give exactly what papaparse
 * gives: the header, every record with its physical line, the record and line counts, the sha256
 * and the errors, whatever the blank lines, trailing line breaks, empty fields or batch sizes.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readCsv, surveyPlain } from '../../src/io/csv-reader.js';
import { readTable } from '../../src/io/table.js';
import { DataError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-plain-'));
let k = 0;
const file = (text: string) => {
  const path = join(dir, `f${k++}.csv`);
  writeFileSync(path, text);
  return path;
};

async function read(path: string, general: boolean, delimiter = ',', batchSize?: number, maxRecordChars?: number) {
  const out: Array<[number, string[]]> = [];
  const headers: string[][] = [];
  try {
    const r = await readCsv(
      path,
      {
        delimiter,
        hash: true,
        general,
        ...(batchSize ? { batchSize } : {}),
        ...(maxRecordChars ? { maxRecordChars } : {}),
      },
      (h) => headers.push(h),
      (b) => b.fields.forEach((f, i) => out.push([b.lines[i]!, f])),
    );
    return { headers, out, ...r };
  } catch (err) {
    if (err instanceof DataError) return { error: err.message, headers, n: out.length };
    throw err;
  }
}

async function same(text: string, delimiter = ',', batchSize?: number, maxRecordChars?: number) {
  const path = file(text);
  const plain = await read(path, false, delimiter, batchSize, maxRecordChars);
  const general = await read(path, true, delimiter, batchSize, maxRecordChars);
  expect(plain).toEqual(general);
  return plain;
}

describe('readCsv on a plain file gives what papaparse gives', () => {
  const shapes: Record<string, string> = {
    simple: 'a,b,c\n1,2,3\n4,5,6\n',
    'no final line break': 'a,b,c\n1,2,3\n4,5,6',
    'blank lines everywhere': '\n\na,b\n\n1,2\n\n\n3,4\n\n\n',
    'empty fields and ragged rows': 'a,b,c\n,,\n1\n1,2,3,4\n,\n',
    'spaces kept': ' a , b \n  1 ,2  \n   \n',
    'header only': 'id,start_date\n',
    'header only, no line break': 'id,start_date',
    'one column': 'x\n1\n\n2\n',
  };
  for (const [name, text] of Object.entries(shapes)) {
    it(name, async () => {
      const r = await same(text);
      expect('error' in r).toBe(false);
    });
  }

  it('semicolon and tab delimiters', async () => {
    await same('a;b\n1;2\n3,5;4\n', ';');
    await same('a\tb\n1\t2\n\n3\t4', '\t');
  });

  it('batches of one row, and the same errors: blank file, over-long record', async () => {
    await same('a,b\n1,2\n3,4\n5,6\n', ',', 1);
    const blank = await same('\n\n\n');
    expect(blank).toMatchObject({ error: expect.stringContaining('the file is empty') });
    // An over-long record is refused by both; papaparse's reader counts by chunk, so it may name
    // an earlier line ("starting on this line or a later one").
    const long = file(`a\n${'x'.repeat(3000)}\n`);
    for (const general of [false, true])
      expect(await read(long, general, ',', undefined, 1000)).toMatchObject({
        error: expect.stringContaining('longer than 1,000 characters'),
      });
  });

  it('any mix of lines, fields and blank lines (property)', async () => {
    const cell = fc.stringMatching(/^[a-z0-9 .-]{0,4}$/);
    const row = fc.oneof(
      fc.constant(''),
      fc.array(cell, { minLength: 1, maxLength: 4 }).map((c) => c.join(',')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 12 }), fc.boolean(), async (rows, finalBreak) => {
        const text = rows.join('\n') + (finalBreak ? '\n' : '');
        if (text.trim() === '') return;
        await same(text, ',', 3);
      }),
      { numRuns: 150, seed: 20261206 },
    );
  });

  it('with { readColumns } from onHeader, the other fields are left empty and the rows keep their length', async () => {
    const text = 'a,b,c\n1,2,3\n\n4,,6,7\n8\n,9,\n';
    const path = file(text);
    const rows = async (general: boolean) => {
      const out: string[][] = [];
      await readCsv(
        path,
        { general },
        () => ({ readColumns: [1] }),
        (b) => out.push(...b.fields),
      );
      return out;
    };
    const plain = await rows(false);
    expect(plain).toEqual([['', '2', ''], ['', '', '', ''], [''], ['', '9', '']]);
    // The general reader gives every field; the kept one is the same.
    expect((await rows(true)).map((r) => r.map((v, i) => (i === 1 ? v : '')))).toEqual(plain);
  });

  it('a file with a quote, CR, NUL or non-ASCII byte is not plain', async () => {
    for (const t of ['a\n"x"\n', 'a\r\n1\r\n', 'a\n\u0000\n', 'a\né\n', '\ufeffa\n1\n', ''])
      expect((await surveyPlain(file(t), false)).plain, JSON.stringify(t)).toBe(false);
    expect(await surveyPlain(file('a,b\n1,2\n'), true)).toEqual({
      plain: true,
      // printf 'a,b\n1,2\n' | sha256sum
      sha256: '492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470',
    });
  });
});

describe('readTable on a plain file gives what it gives through papaparse', () => {
  async function table(text: string, options: Parameters<typeof readTable>[1] = {}) {
    const path = file(text);
    const run = async (general: boolean) => {
      try {
        const t = await readTable(path, { ...options, general, hash: true });
        return {
          columns: t.columns,
          cells: [...t.cells.entries()],
          packed: t.packed ? [...t.packed.entries()].map(([k, v]) => [k, v.texts.join('|'), [...v.ends]]) : null,
          lines: t.lines,
          n: t.n,
          sha256: t.sha256,
        };
      } catch (err) {
        if (err instanceof DataError) return { error: err.message };
        throw err;
      }
    };
    const plain = await run(false);
    expect(plain).toEqual(await run(true));
    return plain;
  }

  it('edge spaces and tabs, missing-value tokens, ragged rows, blank lines, kept and packed columns', async () => {
    const text = [
      '',
      'id,arm,start_date,site',
      ' A1 ,treatment,2024-01-05,S1',
      'A2,\tcontrol\t,NA,S2',
      '',
      'A3,NULL,.,  ',
      'A4,control,2024-01-05',
      'A5,control,2024-01-05,S1,extra',
      'A6, \u000b treatment\f ,2024-02-01,\u0001x\u0001',
      'A7,treatment,N A,S1',
    ].join('\n');
    const all = await table(text);
    expect(all).toMatchObject({ error: expect.stringContaining('field(s) but the header has 4') });
    const good = text.replace('A4,control,2024-01-05\n', '').replace('A5,control,2024-01-05,S1,extra\n', '');
    const t = await table(good);
    expect(t).toMatchObject({ n: 5 });
    await table(good, { columns: ['arm'], required: ['id', 'start_date'], packed: ['id'] });
    await table(good, { read: { na: ['N A', '-'] } });
    await table(good, { map: new Map([['site', 'arm']]) as never });
  });

  it('any table (property): cells, lines and errors', async () => {
    const cell = fc.stringMatching(/^[ \tA-Za-z0-9.]{0,5}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant(''),
            fc.array(cell, { minLength: 3, maxLength: 3 }).map((c) => c.join(',')),
          ),
          {
            maxLength: 15,
          },
        ),
        fc.boolean(),
        async (rows, packId) => {
          const text = ['id,arm,x', ...rows].join('\n');
          await table(text, packId ? { packed: ['id'], columns: ['x'], required: ['id'] } : {});
        },
      ),
      { numRuns: 120, seed: 20261206 },
    );
  });
});
