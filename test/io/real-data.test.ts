/**
 * Real data in, nothing misread (issue 17 items 1, 4, 5, 6 and issue 15 item 8): R's write.csv
 * output, US dates, Excel date-times, UTF-16, decimal commas, column maps, OGRS percentages, arm
 * labels, unreadable inputs, records without end, and what reaches people (terminal, Markdown, CSV).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/io/csv-reader.js';
import { readTable } from '../../src/io/table.js';
import { importData } from '../../src/io/import-data.js';
import { loadColumnMap, mapFor } from '../../src/io/column-map.js';
import { loadCasesForOutcomes } from '../../src/io/outcomes-input.js';
import { CASE_RULES, validateRow } from '../../src/core/case-schema.js';
import { neutraliseCell } from '../../src/io/csv-writer.js';
import { parseDate, daysFromCivil } from '../../src/core/dates.js';
import { parseNumberCell, percentToFraction } from '../../src/core/cells.js';
import { DataError, UsageError } from '../../src/core/errors.js';
import { table, terminalSafe, terminalSafeKeepColour, jsonTerminalSafe } from '../../src/cli/output.js';
import { renderBlockMd } from '../../src/report/render-md.js';
import { parseReadOptions } from '../../src/cli/command-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-real-'));
let k = 0;
function file(content: string | Buffer, name = `f${k++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => null,
    (err: unknown) => err as Error,
  );
  if (e === null) throw new Error('expected a failure');
  return e;
}
const out = () => {
  const d = join(dir, `out${k++}`);
  mkdirSync(d);
  return d;
};

describe("R's write.csv output (NA, NULL and . are missing)", () => {
  // test/data/r-write-csv.csv was written by test/data/r-write-csv.R:
  //   write.csv(d, "test/data/r-write-csv.csv")   (R 4.2; d holds NA in character, Date, double and integer columns)
  // and read back there with read.csv: colSums(is.na(r)) gives arm 1, start_date 1, age 2, ogrs3 2,
  // reoffended 1; mean(r$age, na.rm = TRUE) = 32.125; mean(r$ogrs3, na.rm = TRUE) = 0.39675.
  const R_FILE = 'test/data/r-write-csv.csv';
  it('reads the cells R reads as missing as missing, and the rest as R does', async () => {
    const t = await readTable(R_FILE);
    const missing = (c: string) => t.cells.get(c)!.filter((v) => v === '').length;
    expect({
      arm: missing('arm'),
      start_date: missing('start_date'),
      age: missing('age'),
      ogrs3: missing('ogrs3'),
      reoffended: missing('reoffended'),
    }).toEqual({
      arm: 1,
      start_date: 1,
      age: 2,
      ogrs3: 2,
      reoffended: 1,
    });
    const mean = (c: string) => {
      const v = t.cells
        .get(c)!
        .filter((x) => x !== '')
        .map(Number);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(mean('age')).toBeCloseTo(32.125, 12);
    expect(mean('ogrs3')).toBeCloseTo(0.39675, 12);
  });
  it('imports it: NA becomes an empty cell, no row is rejected', async () => {
    const d = out();
    const r = await importData({ casesPath: R_FILE, outDir: d });
    expect(r.cases).toEqual({ read: 6, accepted: 6, rejected: 0 });
    const lines = readFileSync(join(d, 'cases.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,arm,start_date,age,ogrs3,reoffended');
    expect(lines[2]).toBe('P02,treatment,,,0.45,0');
    expect(lines[3]).toBe('P03,,2023-02-10,41,,');
  });
  it('NULL and . are missing too; --na replaces the list (empty stays missing)', async () => {
    const p = file('id,age,note\nA,NULL,x\nB,.,NA\nC,-99,\n');
    const t = await readTable(p);
    expect(t.cells.get('age')).toEqual(['', '', '-99']);
    const t2 = await readTable(p, { read: { na: ['-99'] } });
    expect(t2.cells.get('age')).toEqual(['NULL', '.', '']);
    expect(t2.cells.get('note')).toEqual(['x', 'NA', '']);
    expect(parseReadOptions({ na: '-99, n/a' }).na).toEqual(['-99', 'n/a']);
    expect(parseReadOptions({ na: '' }).na).toEqual([]);
  });
  it('a missing start_date token reads as empty in the outcomes loader (and is named so)', async () => {
    const err = await failure(loadCasesForOutcomes(file('id,start_date\nA,NA\nB,2023-01-01\n')));
    expect((err as DataError).problems[0]).toMatchObject({
      line: 2,
      column: 'start_date',
      reason: expect.stringContaining('start_date is empty'),
    });
  });
});

describe('dates: no silent misread', () => {
  const day = (y: number, m: number, d: number) => ({ ok: true, day: daysFromCivil(y, m, d) });
  it('refuses a value only valid month-first, naming --date-format mdy; reads it with mdy', () => {
    const us = parseDate('10/25/2019');
    expect(us).toMatchObject({ ok: false, monthFirst: true, reason: expect.stringContaining('--date-format mdy') });
    expect(parseDate('10/25/2019', 'mdy')).toEqual(day(2019, 10, 25));
    expect(parseDate('10/08/2019', 'mdy')).toEqual(day(2019, 10, 8));
    expect(parseDate('10/08/2019')).toEqual(day(2019, 8, 10));
    expect(parseDate('10/25/2019', 'dmy')).toMatchObject({
      ok: false,
      reason: 'month 25 does not exist (dates are YYYY-MM-DD or DD/MM/YYYY)',
    });
    expect(parseDate('2019/10/08', 'ymd')).toEqual(day(2019, 10, 8));
    expect(parseDate('08/10/2019', 'ymd')).toMatchObject({ ok: false });
    expect(parseDate('2019-10-08', 'mdy')).toEqual(day(2019, 10, 8));
  });
  it('accepts date-times with a zero time (as Excel exports dates) and refuses any other time', () => {
    expect(parseDate('2019-10-08 00:00:00')).toEqual(day(2019, 10, 8));
    expect(parseDate('08/10/2019 00:00')).toEqual(day(2019, 10, 8));
    expect(parseDate('2019-10-08T00:00:00.000Z')).toEqual(day(2019, 10, 8));
    expect(parseDate('2019-10-08 13:45')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('has a time of day (13:45)'),
    });
    expect(parseDate('08/10/2019 00:00:01')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('time of day'),
    });
  });
  it('import refuses a month-first column as a whole, even with --allow-rejects, and writes nothing', async () => {
    const p = file('id,start_date\nA,10/08/2019\nB,10/25/2019\nC,2019-01-01\n');
    const d = out();
    const err = await failure(importData({ casesPath: p, outDir: d, allowRejects: true }));
    expect(err).toBeInstanceOf(DataError);
    // The column-level problem first, then the row problems found.
    expect((err as DataError).problems).toEqual([
      {
        file: p,
        line: 3,
        column: 'start_date',
        value: '10/25/2019',
        reason: expect.stringMatching(/^the whole start_date column is refused.*--date-format mdy/),
      },
      {
        file: p,
        line: 3,
        column: 'start_date',
        value: '10/25/2019',
        reason: expect.stringMatching(/^dates are read day-first/),
      },
    ]);
    expect(existsSync(join(d, 'cases.csv'))).toBe(false);
    const d2 = out();
    await importData({ casesPath: p, outDir: d2, read: { dateFormat: 'mdy' } });
    expect(readFileSync(join(d2, 'cases.csv'), 'utf8')).toBe(
      'id,start_date\nA,2019-10-08\nB,2019-10-25\nC,2019-01-01\n',
    );
  });
  it('import reads Excel date-times in date columns', async () => {
    const d = out();
    await importData({ casesPath: file('id,start_date\nA,2019-10-08 00:00:00\nB,08/10/2019 00:00\n'), outDir: d });
    expect(readFileSync(join(d, 'cases.csv'), 'utf8')).toBe('id,start_date\nA,2019-10-08\nB,2019-10-08\n');
  });
  it('--date-format is checked', () => {
    expect(parseReadOptions({ dateFormat: 'MDY' }).dateFormat).toBe('mdy');
    expect(() => parseReadOptions({ dateFormat: 'us' })).toThrow(UsageError);
  });
});

describe('column maps are validated', () => {
  const map = (text: string) => file(text, `m${k++}.yaml`);
  const cases = () => file('id,release_date,fin\nA,2023-01-01,x\n');
  it('an unknown canonical name is a usage error naming the line (with the likely name)', () => {
    const m = map('id: id\nstart-date: release_date\n');
    expect(() => loadColumnMap(m)).toThrow(
      new UsageError(
        `--map ${m} line 2: "start-date" is not a canonical column name (did you mean start_date?); the left side names a canonical column, the right side your file's column`,
      ),
    );
    expect(() => loadColumnMap(map('ogrs: OGRS Score\n'))).toThrow(
      /line 1: "ogrs" is not a canonical column name \(did you mean ogrs3\?\)/,
    );
  });
  it('a source column missing from the file is a usage error naming the line', async () => {
    const m = loadColumnMap(map('# site columns\nid: id\nstart_date: releasedate\n'));
    const err = await failure(importData({ casesPath: cases(), outDir: out(), maps: m }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain('line 3: start_date: column "releasedate" is not in');
    const m2 = loadColumnMap(map('cases:\n  arm: fin2\n'));
    const err2 = await failure(readTable(cases(), { map: mapFor(m2, 'cases') }));
    expect(err2.message).toContain('line 2: arm: column "fin2" is not in');
  });
  it('a good map still renames, per file section too', async () => {
    const m = loadColumnMap(map('start_date: release_date\ncases:\n  arm: FIN\n'));
    const t = await readTable(cases(), { map: mapFor(m, 'cases') });
    expect(t.columns).toEqual(['id', 'start_date', 'arm']);
  });
  it('circular aliases and prototype words are usage errors, never a crash', () => {
    for (const text of [
      'id: &a [*a]\n',
      'a: &x id\nid: *x\n',
      'constructor: id\n',
      '__proto__: id\n',
      'toString: id\n',
      'cases:\n  __proto__: x\n',
    ]) {
      const m = map(text);
      expect(() => loadColumnMap(m), text).toThrow(UsageError);
    }
    expect(() => loadColumnMap(map('id: [unclosed\n'))).toThrow(DataError);
  });
});

describe('OGRS percentages and arm labels', () => {
  const rules = new Map(CASE_RULES);
  const ogrs = (t: string, pct: boolean) => validateRow([t], ['ogrs3'], rules, { ogrsPercent: pct });
  it('--ogrs-percent converts to the exact decimal and refuses scores already in [0, 1]', () => {
    expect(ogrs('12.3', true).values).toEqual(['0.123']);
    expect(ogrs('20.7', true).values).toEqual(['0.207']);
    expect(ogrs('1.5e1', true).values).toEqual(['0.15']);
    expect(12.3 / 100).not.toBe(0.123); // the naive division this replaces
    expect(percentToFraction('12.3')).toBe(0.123);
    expect(ogrs('0.207', true).problems).toEqual([
      { column: 'ogrs3', value: '0.207', reason: expect.stringContaining('drop --ogrs-percent') },
    ]);
    expect(ogrs('0.207', false).values).toEqual(['0.207']);
  });
  it('labels that differ only in case are refused, by readTable and by import', async () => {
    const p = file('id,arm\nA,Yes\nB, yes \nC,no\nD,yes\n');
    const err = await failure(readTable(p));
    expect((err as DataError).problems).toEqual([
      {
        file: p,
        line: 3,
        column: 'arm',
        value: 'yes',
        reason: expect.stringContaining('"Yes" (line 2) and "yes" differ only in letter case'),
      },
    ]);
    const err2 = await failure(importData({ casesPath: p, outDir: out(), allowRejects: true }));
    expect((err2 as DataError).problems[0]).toMatchObject({ line: 3, column: 'arm', value: 'yes' });
    const ok = await readTable(file('id,arm\nA,yes\nB, yes\n'));
    expect(ok.cells.get('arm')).toEqual(['yes', 'yes']);
  });
});

describe('Excel shapes', () => {
  const text = 'id\tarm\tage\r\nA\tcontrol\t23\r\nB\ttreatment\t41\r\n';
  it('reads UTF-16 LE and BE with a byte-order mark (Excel "Unicode text")', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    expect([be[0], be[1]]).toEqual([0xfe, 0xff]);
    for (const b of [le, be]) {
      const t = await readTable(file(b), { delimiter: '\t', hash: true });
      expect(t.columns).toEqual(['id', 'arm', 'age']);
      expect(t.cells.get('arm')).toEqual(['control', 'treatment']);
      expect(t.lines).toEqual([2, 3]);
      expect(t.sha256).toBe(
        execFileSync('sha256sum', [join(dir, `f${k - 1}.csv`)])
          .toString()
          .split(' ')[0],
      );
    }
  });
  it('names UTF-16 without a byte-order mark', async () => {
    const err = await failure(readTable(file(Buffer.from(text, 'utf16le'))));
    expect(err.message).toContain('looks like UTF-16 text without a byte-order mark');
  });
  it('--decimal-comma reads 0,207 as 0.207; without it the error says so', async () => {
    const p = file('id;ogrs3;note\nA;0,207;a,b\nB;,5;x\n');
    const t = await readTable(p, { read: { delimiter: ';', decimalComma: true } });
    expect(t.cells.get('ogrs3')).toEqual(['0.207', '.5']);
    expect(t.cells.get('note')).toEqual(['a,b', 'x']);
    expect(parseNumberCell('0,207')).toEqual({ ok: false, reason: expect.stringContaining('pass --decimal-comma') });
    const err = await failure(importData({ casesPath: p, outDir: out(), delimiter: ';' }));
    expect((err as DataError).problems[0]).toMatchObject({
      line: 2,
      column: 'ogrs3',
      reason: expect.stringContaining('--decimal-comma'),
    });
    expect(() => parseReadOptions({ decimalComma: true })).toThrow(UsageError);
  });
});

describe('inputs that are not CSV files', () => {
  it('missing, directory, FIFO and device inputs are usage errors naming the path', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: Array<[string, string]> = [
      [join(dir, 'nope.csv'), 'no such file'],
      [dir, 'it is a directory'],
      [fifo, 'not a regular file'],
      ['/dev/null', 'not a regular file'],
      ['/dev/zero', 'not a regular file'],
    ];
    for (const [p, why] of cases) {
      const err = await failure(
        readCsv(
          p,
          {},
          () => undefined,
          () => undefined,
        ),
      );
      expect(err, p).toBeInstanceOf(UsageError);
      expect(err.message).toBe(`cannot read ${p}: ${err.message.slice(`cannot read ${p}: `.length)}`);
      expect(err.message).toContain(why);
    }
  });
  it('a record longer than the limit (no line break, or a quote never closed) is a data error, quickly', async () => {
    const noBreak = file('x'.repeat(600_000));
    const t0 = Date.now();
    const err = await failure(
      readCsv(
        noBreak,
        { maxRecordChars: 100_000 },
        () => undefined,
        () => undefined,
      ),
    );
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).problems[0]).toMatchObject({
      line: 1,
      reason: expect.stringContaining('longer than 100,000 characters'),
    });
    const open = file(`id,note\n1,ok\n2,"never closed\n${'y,z\n'.repeat(200_000)}`);
    const err2 = await failure(
      readCsv(
        open,
        { maxRecordChars: 100_000 },
        () => undefined,
        () => undefined,
      ),
    );
    expect((err2 as DataError).problems[0]!.reason).toContain('a quote never closed');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it('a wide file is handed on in bounded batches', async () => {
    const width = 50_000;
    const header = Array.from({ length: width }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: width }, () => '1').join(',');
    const p = file(`${header}\n${`${row}\n`.repeat(45)}`);
    const sizes: number[] = [];
    await readCsv(
      p,
      {},
      () => undefined,
      (b) => sizes.push(b.fields.length),
    );
    expect(sizes).toEqual([20, 20, 5]);
  });
});

describe('what reaches people is escaped', () => {
  it('terminal: control characters and escape sequences are shown, colour codes kept only where asked', () => {
    const evil = 'a\u001b]0;owned\u0007b\u001b[2Jc\rd\u009be\u202Ef';
    expect(terminalSafe(evil)).toBe('a\\x1b]0;owned\\x07b\\x1b[2Jc\\x0dd\\x9be\\u202ef');
    expect(terminalSafe('tab\tand\nnewline')).toBe('tab\tand\nnewline');
    expect(terminalSafeKeepColour('\u001b[1mbold\u001b[22m\u001b[2J')).toBe('\u001b[1mbold\u001b[22m\\x1b[2J');
    expect(table([['h'], ['x\u001b[2Jy']])).toBe('h\nx\\x1b[2Jy');
    expect(JSON.parse(jsonTerminalSafe(JSON.stringify({ v: 'a\u009bb\u202e' })))).toEqual({ v: 'a\u009bb\u202e' });
    expect(jsonTerminalSafe(JSON.stringify({ v: 'a\u009bb' }))).toBe('{"v":"a\\u009bb"}');
  });
  it('Markdown: images, links and reference definitions from data are not markup', () => {
    const md = renderBlockMd({
      kind: 'list',
      ordered: false,
      items: ['theme (user): "![x](http://evil.example/t.png) and [click](http://x) [r]: http://y"'],
    });
    expect(md).toBe('- theme (user): "!\\[x\\](http://evil.example/t.png) and [click\\](http://x) [r\\]: http://y"');
    expect(renderBlockMd({ kind: 'table', header: ['a'], rows: [['![i](http://e/x)']] })).toContain(
      '| !\\[i\\](http://e/x) |',
    );
    expect(renderBlockMd({ kind: 'p', text: 'CI [0.1, 0.2] stays' })).toBe('CI [0.1, 0.2] stays');
    expect(renderBlockMd({ kind: 'p', text: 'one\n# two' })).toBe('one # two');
    expect(renderBlockMd({ kind: 'code', text: 'a\n```\nb' })).toBe('````\na\n```\nb\n````');
  });
  it("CSV: a formula after a ';' is neutralised (Excel in ';' locales splits there)", () => {
    expect(neutraliseCell('a;=HYPERLINK("http://x")')).toBe('a;\'=HYPERLINK("http://x")');
    expect(neutraliseCell('a;"=1+1')).toBe('a;\'"=1+1');
    expect(neutraliseCell('=1;@x')).toBe("'=1;'@x");
    expect(neutraliseCell('a;-5;b')).toBe('a;-5;b');
    expect(neutraliseCell('x;y')).toBe('x;y');
  });
});
