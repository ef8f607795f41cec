#!/usr/bin/env node
/**
 * Writes the small seed files of the mutation fuzzer into bench/fuzz-corpus/ (committed; re-run
 * after a change of the fixtures): 40 pcp and 40 Rossi cases with their offences (small, so each
 * run takes milliseconds), a column map, a rolling ledger with its manifest, and .xlsx workbooks
 * (written with exceljs): the same cases and offences, a two-sheet workbook, and one holding every
 * kind of cell (dates, date-times, formulas with and without results, error cells, rich text,
 * booleans, blanks, a value right of the header).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'fuzz-corpus');
mkdirSync(OUT, { recursive: true });

const lines = (f) =>
  readFileSync(join(ROOT, f), 'utf8')
    .replace(/\r?\n$/, '')
    .split(/\r?\n/);
function subset(casesFile, offencesFile, n, prefix) {
  const c = lines(casesFile);
  const keep = c.slice(0, n + 1);
  const ids = new Set(keep.slice(1).map((l) => l.split(',')[0].replace(/"/g, '')));
  const o = lines(offencesFile);
  const off = [o[0], ...o.slice(1).filter((l) => ids.has(l.split(',')[0].replace(/"/g, '')))];
  writeFileSync(join(OUT, `${prefix}cases.csv`), `${keep.join('\n')}\n`);
  writeFileSync(join(OUT, `offences-${prefix}small.csv`), `${off.join('\n')}\n`);
  return { cases: keep, offences: off };
}
const pcp = subset('fixtures/pcp/cases.csv', 'fixtures/pcp/offences.csv', 40, '');
subset('fixtures/rossi/cases.csv', 'fixtures/rossi/offences.csv', 40, 'rossi-');

writeFileSync(
  join(OUT, 'map-columns.yaml'),
  '# column map: canonical name: the column in the file\ncases:\n  ogrs3: ogrs3\n  start_date: start_date\nid: id\narm: arm\n',
);

// A ledger and its manifest, from the 40 pcp cases (a fixed seed; recorded_at is the run's time).
const tmp = join(OUT, '.ledger-tmp');
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp);
execFileSync(
  process.execPath,
  [
    join(ROOT, 'bin', 'pilot-eval'),
    'randomise',
    join(OUT, 'cases.csv'),
    '--method',
    'complete',
    '--seed',
    '83920471',
    '--ledger',
    join(tmp, 'ledger.csv'),
  ],
  { stdio: 'ignore' },
);
writeFileSync(join(OUT, 'ledger.csv'), readFileSync(join(tmp, 'ledger.csv')));
writeFileSync(join(OUT, 'ledger.csv.json'), readFileSync(join(tmp, 'ledger.csv.json')));
rmSync(tmp, { recursive: true, force: true });

/** CSV text cells to typed cells: numbers as numbers, ISO dates as dates. */
function typed(cell) {
  const v = cell.replace(/^"|"$/g, '');
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const m = v.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return v === '' ? null : v;
}
function splitCsv(line) {
  const out = [];
  let cur = '';
  let q = false;
  for (const ch of line) {
    if (ch === '"') q = !q;
    else if (ch === ',' && !q) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
function addSheet(wb, name, rows) {
  const ws = wb.addWorksheet(name);
  rows.forEach((l, i) => {
    const cells = splitCsv(l);
    const r = ws.addRow(i === 0 ? cells : cells.map(typed));
    r.eachCell((c) => {
      if (c.value instanceof Date) c.numFmt = 'yyyy-mm-dd';
    });
  });
  return ws;
}
async function book(file, build) {
  const wb = new ExcelJS.Workbook();
  wb.created = new Date(Date.UTC(2026, 0, 1));
  wb.modified = new Date(Date.UTC(2026, 0, 1));
  build(wb);
  await wb.xlsx.writeFile(join(OUT, file));
}
await book('cases.xlsx', (wb) => addSheet(wb, 'Cases', pcp.cases));
await book('offences-small.xlsx', (wb) => addSheet(wb, 'Offences', pcp.offences));
await book('cases-two-sheets.xlsx', (wb) => {
  addSheet(wb, 'Notes', ['note', 'exported from the case system']);
  addSheet(wb, 'Cases', pcp.cases);
});
await book('cases-cell-kinds.xlsx', (wb) => {
  const ws = addSheet(wb, 'Cases', pcp.cases.slice(0, 11));
  ws.getCell('K3').value = new Date(Date.UTC(2023, 6, 30, 13, 45));
  ws.getCell('K3').numFmt = 'yyyy-mm-dd hh:mm';
  ws.getCell('H4').value = { formula: 'SUM(1,20)', result: 21 };
  ws.getCell('H5').value = { formula: 'SUM(1,20)' };
  ws.getCell('I6').value = { error: '#N/A' };
  ws.getCell('B7').value = { richText: [{ text: 'treat' }, { text: 'ment', font: { bold: true } }] };
  ws.getCell('L8').value = true;
  ws.getCell('G9').value = null;
  ws.getCell('Z10').value = 'right of the header';
  ws.getCell('K11').value = 45000.5;
  ws.getCell('K11').numFmt = 'dd/mm/yyyy';
});
console.log(`wrote the fuzz corpus into ${OUT}`);
