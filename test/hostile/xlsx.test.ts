/**
 * Issue 17: .xlsx read directly wherever a CSV table is read, one sheet (`--sheet <name|number>`,
 * default the first), through exceljs's streaming reader. The rows go through the same checks as a
 * CSV's; problems are located as `file.xlsx, sheet 'Cases', row 12, column C (release_date)`; a
 * corrupt, non-zip or password-protected file is exit 3 naming the file, never exit 1. The
 * workbooks are written here with exceljs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './cli-runner.js';
import { cellText, columnLetters, excelDateText, isDateFormat } from '../../src/io/xlsx-reader.js';
import { readTable } from '../../src/io/table.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pilot-eval-xlsx-'));
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const HEADER = ['id', 'arm', 'site', 'age', 'ogrs3', 'start_date'];
const utc = (y: number, m: number, d: number, h = 0, mi = 0) => new Date(Date.UTC(y, m - 1, d, h, mi));
type Cell = ExcelJS.CellValue;

/** The CSV text of rows (header first): what a user would have exported from the same sheet. */
function csvOf(rows: string[][]): string {
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}

/** Writes a workbook: sheets in order, each a list of rows; Date cells get a date format. */
async function workbook(path: string, sheets: Array<[string, Cell[][]]>, dateFormat = 'yyyy-mm-dd'): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of sheets) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) {
      const row = ws.addRow(r);
      row.eachCell((c) => {
        if (c.value instanceof Date) c.numFmt = dateFormat;
      });
    }
  }
  await wb.xlsx.writeFile(path);
  return path;
}

function caseRows(n: number): Cell[][] {
  const rows: Cell[][] = [HEADER];
  for (let i = 0; i < n; i++)
    rows.push([
      `P${String(i).padStart(3, '0')}`,
      i % 2 ? 'treatment' : 'control',
      ['North', 'South'][i % 2]!,
      20 + i,
      0.1 + i / 100,
      utc(2023, 1 + (i % 12), 1 + (i % 28)),
    ]);
  return rows;
}
const offenceRows: Cell[][] = [
  ['id', 'offence_date', 'disposal_date', 'disposal_type'],
  ['P001', utc(2023, 12, 5), utc(2024, 1, 20), 'caution'],
  ['P004', utc(2024, 2, 1), utc(2024, 3, 2), 'conviction'],
  ['P007', utc(2024, 4, 10), utc(2024, 5, 11), 'conviction'],
];
/** The same rows as text, as a CSV export would hold them. */
function asText(rows: Cell[][]): string[][] {
  return rows.map((r) =>
    r.map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null || v === undefined ? '' : String(v))),
  );
}

describe('cell conversion', () => {
  it('numbers, strings, booleans, blanks, dates and date-times', () => {
    expect(cellText({ value: 0.207 }, false)).toEqual({ text: '0.207' });
    expect(cellText({ value: -0 }, false)).toEqual({ text: '0' });
    expect(cellText({ value: 'x' }, false)).toEqual({ text: 'x' });
    expect(cellText({ value: null }, false)).toEqual({ text: '' });
    expect(cellText({ value: true }, false)).toEqual({ text: 'TRUE' });
    expect(cellText({ value: utc(2019, 10, 8) }, false)).toEqual({ text: '2019-10-08' });
    expect(cellText({ value: utc(2019, 10, 8, 13, 45) }, false)).toEqual({ text: '2019-10-08 13:45:00' });
    // A date serial under a date format (a formula's result): 43746 is 2019-10-08 in Excel's 1900 system.
    expect(cellText({ value: { formula: 'A1', result: 43746 }, numFmt: 'dd/mm/yyyy' }, false)).toEqual({
      text: '2019-10-08',
    });
    expect(cellText({ value: 43746, numFmt: 'yyyy-mm-dd' }, true)).toEqual({ text: '2023-10-09' });
    expect(cellText({ value: { richText: [{ text: 'treat' }, { text: 'ment' }] } }, false)).toEqual({
      text: 'treatment',
    });
    expect(cellText({ value: { error: '#N/A' } }, false)).toHaveProperty('problem');
    expect(cellText({ value: { formula: 'A1' } }, false)).toHaveProperty('problem');
    expect(cellText({ value: Number.NaN }, false)).toHaveProperty('problem');
    expect(excelDateText(new Date(Number.NaN))).toBeNull();
    expect(isDateFormat('0.00%')).toBe(false);
    expect(isDateFormat('General')).toBe(false);
    expect(isDateFormat('[$-809]dd mmmm yyyy')).toBe(true);
    expect(isDateFormat('"days" 0')).toBe(false);
    expect(['A', 'Z', 'AA', 'AZ', 'BA', 'XFD'].map((_, i) => columnLetters([1, 26, 27, 52, 53, 16384][i]!))).toEqual([
      'A',
      'Z',
      'AA',
      'AZ',
      'BA',
      'XFD',
    ]);
  });
});

describe('.xlsx wherever a CSV is read', () => {
  it('import gives byte-for-byte the same cleaned files from a workbook as from its CSV export', async () => {
    const cx = await workbook(join(dir, 'cases.xlsx'), [['Cases', caseRows(12)]]);
    const ox = await workbook(join(dir, 'offences.xlsx'), [['Offences', offenceRows]]);
    writeFileSync(join(dir, 'cases.csv'), csvOf(asText(caseRows(12))));
    writeFileSync(join(dir, 'offences.csv'), csvOf(asText(offenceRows)));
    const a = await runCli(['import', '--cases', cx, '--offences', ox, '--out-dir', join(dir, 'from-xlsx')]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli([
      'import',
      '--cases',
      join(dir, 'cases.csv'),
      '--offences',
      join(dir, 'offences.csv'),
      '--out-dir',
      join(dir, 'from-csv'),
    ]);
    expect(b.code, b.stderr).toBe(0);
    for (const f of ['cases.csv', 'offences.csv'])
      expect(readFileSync(join(dir, 'from-xlsx', f), 'utf8')).toBe(readFileSync(join(dir, 'from-csv', f), 'utf8'));
    // The table reader (analyse, match, randomise, report) too.
    const viaX = await readTable(cx, { required: ['id'] });
    const viaC = await readTable(join(dir, 'cases.csv'), { required: ['id'] });
    expect(viaX.columns).toEqual(viaC.columns);
    expect([...viaX.cells]).toEqual([...viaC.cells]);
    expect(viaX.lines).toEqual(viaC.lines);
    expect(viaX.file).toBe(`${cx}, sheet 'Cases'`);
  }, 60_000);

  it('reoffending and analyse read workbooks and give the results they give from CSV', async () => {
    const cx = join(dir, 'cases.xlsx');
    const ox = join(dir, 'offences.xlsx');
    const x = await runCli(['analyse', cx, '--offences', ox, '--json']);
    const c = await runCli(['analyse', join(dir, 'cases.csv'), '--offences', join(dir, 'offences.csv'), '--json']);
    expect(x.code, x.stderr).toBe(c.code);
    const strip = (s: string) =>
      s
        .replaceAll(cx, 'C')
        .replaceAll(ox, 'O')
        .replaceAll(join(dir, 'cases.csv'), 'C')
        .replaceAll(join(dir, 'offences.csv'), 'O')
        .replace(/"sha256": "[0-9a-f]+"/g, '');
    expect(strip(x.stdout)).toBe(strip(c.stdout));
  }, 60_000);

  it('--sheet picks a sheet by name or number (default the first); a missing sheet lists the ones there', async () => {
    const two = await workbook(join(dir, 'two.xlsx'), [
      ['Notes', [['note'], ['exported 2024-06-30']]],
      ['Cases', caseRows(6)],
    ]);
    const out = join(dir, 'two-out');
    const first = await runCli(['import', '--cases', two, '--out-dir', out]);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain(`${two}, sheet 'Notes'`);
    expect(first.stderr).toContain('required column "id" is missing');
    for (const sheet of ['Cases', '2']) {
      const r = await runCli(['import', '--cases', two, '--sheet', sheet, '--out-dir', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(out, 'cases.csv'), 'utf8').trim().split('\n')).toHaveLength(7);
    }
    const none = await runCli(['import', '--cases', two, '--sheet', 'Offences', '--out-dir', out]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain(`has no sheet "Offences" (its sheets: 'Notes', 'Cases')`);
    const three = await runCli(['import', '--cases', two, '--sheet', '3', '--out-dir', out]);
    expect(three.code).toBe(3);
    const zero = await runCli(['import', '--cases', two, '--sheet', '0', '--out-dir', out]);
    expect(zero.code).toBe(2);
  }, 60_000);

  it('a bad cell is located as sheet, row and column letter with the column name', async () => {
    const rows = caseRows(12);
    rows[11]![5] = 'soon';
    const bad = await workbook(join(dir, 'bad-date.xlsx'), [['Cases', rows]]);
    const r = await runCli(['import', '--cases', bad, '--out-dir', join(dir, 'bad-out')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${bad}, sheet 'Cases', row 12, column F (start_date): value "soon": expected a date`);
    const t = await runCli(['analyse', bad, '--offences', join(dir, 'offences.xlsx'), '--json']);
    expect(t.code).toBe(3);
    expect(t.stderr).toContain(`${bad}, sheet 'Cases', row 12, column F (start_date): value "soon"`);
  }, 60_000);

  it('date-times: a zero time is a date, another time of day is refused in a date column, as in a CSV', async () => {
    const rows = caseRows(4);
    rows[2]![5] = utc(2023, 3, 4, 0, 0);
    const ok = await workbook(join(dir, 'dt-zero.xlsx'), [['Cases', rows]], 'yyyy-mm-dd hh:mm:ss');
    const a = await runCli(['import', '--cases', ok, '--out-dir', join(dir, 'dt-out')]);
    expect(a.code, a.stderr).toBe(0);
    expect(readFileSync(join(dir, 'dt-out', 'cases.csv'), 'utf8')).toContain('2023-03-04');
    rows[2]![5] = utc(2023, 3, 4, 13, 45);
    const timed = await workbook(join(dir, 'dt-time.xlsx'), [['Cases', rows]], 'yyyy-mm-dd hh:mm');
    const b = await runCli(['import', '--cases', timed, '--out-dir', join(dir, 'dt-out2')]);
    expect(b.code).toBe(3);
    expect(b.stderr).toContain(`sheet 'Cases', row 3, column F (start_date): value "2023-03-04 13:45:00"`);
  }, 60_000);

  it('error cells and formulas with no saved result are refused, located; blanks are missing', async () => {
    const rows = caseRows(5);
    rows[3]![4] = { error: '#DIV/0!' } as Cell;
    const err = await workbook(join(dir, 'err.xlsx'), [['Cases', rows]]);
    const a = await runCli(['import', '--cases', err, '--out-dir', join(dir, 'err-out')]);
    expect(a.code).toBe(3);
    expect(a.stderr).toContain(`sheet 'Cases', row 4, column E (ogrs3): is an Excel error cell (#DIV/0!)`);
    const rows2 = caseRows(5);
    rows2[2]![3] = { formula: 'SUM(1,2)' } as Cell;
    const f = await workbook(join(dir, 'formula.xlsx'), [['Cases', rows2]]);
    const b = await runCli(['import', '--cases', f, '--out-dir', join(dir, 'f-out')]);
    expect(b.code).toBe(3);
    expect(b.stderr).toContain('row 3, column D (age): is a formula with no saved result');
    const rows3 = caseRows(5);
    rows3[2]![3] = null;
    const blank = await workbook(join(dir, 'blank.xlsx'), [['Cases', rows3]]);
    const t = await readTable(blank, { required: ['id'] });
    expect(t.cells.get('age')).toEqual(['20', '', '22', '23', '24']);
  }, 60_000);

  it('corrupt, not-a-zip, empty and password-protected files are exit 3 naming the file, never exit 1', async () => {
    const good = readFileSync(join(dir, 'cases.xlsx'));
    const files: Array<[string, Buffer]> = [
      ['renamed.xlsx', Buffer.from('id,arm\nP1,control\n')],
      ['empty.xlsx', Buffer.alloc(0)],
      ['truncated.xlsx', good.subarray(0, Math.floor(good.length / 2))],
      ['flipped.xlsx', Buffer.from(good.map((b, i) => (i > 200 && i % 97 === 0 ? b ^ 0x5a : b)))],
      // Excel saves a password-protected workbook as an encrypted OLE compound file.
      [
        'protected.xlsx',
        Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)]),
      ],
    ];
    for (const [name, bytes] of files) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      for (const args of [
        ['import', '--cases', p, '--out-dir', join(dir, `${name}-out`)],
        ['analyse', p, '--json'],
        ['randomise', p, '--method', 'complete', '--seed', '83920471', '--out', join(dir, `${name}-alloc.csv`)],
      ]) {
        const r = await runCli(args);
        expect(r.code, `${name} ${args[0]}: ${r.stderr}`).toBe(3);
        expect(r.stderr).toContain(p);
      }
    }
    const prot = await runCli(['import', '--cases', join(dir, 'protected.xlsx'), '--out-dir', join(dir, 'p-out')]);
    expect(prot.stderr).toContain('password-protected');
  }, 120_000);
});
