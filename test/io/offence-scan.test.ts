/**
 * The plain-text route for offences files (offence-scan.ts, OffenceRowParser.parseText) must give
 * exactly what the general CSV reader gives: the same rows, line numbers, parsed values and problems
 * with the same wording, for clean rows and for every kind of bad one.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanOffences } from '../../src/io/offence-scan.js';
import { mapFor } from '../../src/io/column-map.js';
import type { OffenceColumns } from '../../src/io/offence-rows.js';
import { DataError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-scan-'));

/** Every row of every batch as plain values, with the problems and the totals. */
async function scan(path: string, general: boolean, read = {}) {
  const rows: unknown[] = [];
  const problems: unknown[] = [];
  let hasSeverity: boolean | null = null;
  try {
    const r = await scanOffences(
      path,
      { file: 'offences.csv', delimiter: ',', map: mapFor(null, 'offences'), hash: true, read, general },
      (p) => (hasSeverity = p.hasSeverity),
      (b: OffenceColumns) => {
        problems.push(...b.problems);
        for (let i = 0; i < b.n; i++) {
          const id = b.idText.slice(i === 0 ? 0 : b.idEnd[i - 1], b.idEnd[i]);
          rows.push([
            b.lines[i],
            id,
            b.problemCount[i],
            b.problemCount[i] === 0 ? [b.offence[i], b.disposal[i], b.cls[i], b.severity[i]] : null,
          ]);
        }
      },
    );
    return { rows, problems, hasSeverity, ...r };
  } catch (err) {
    if (err instanceof DataError) return { error: err.message };
    throw err;
  }
}

const HEADER = 'id,offence_date,disposal_date,disposal_type,severity';
const cases: Record<string, string> = {
  clean: `${HEADER}\nP1,2024-01-05,2024-02-01,conviction,3.5\nP2,2023-12-31,2024-01-01,breach,\nP3,2024-02-29,2024-03-01,warning,0\n`,
  'no final line break': `${HEADER}\nP1,2024-01-05,2024-02-01,conviction,3.5\nP2,2024-01-05,2024-02-01,caution,1`,
  'blank lines before the header and between rows': `\n\n${HEADER}\n\nP1,2024-01-05,2024-02-01,conviction,1\n\n\nP2,2024-01-05,2024-02-01,other,2\n\n`,
  'every kind of problem': [
    HEADER,
    'P1,2024-01-05,2024-02-01,conviction,3.5',
    'P2,2024-13-01,2024-02-01,conviction,1',
    'P3,05/01/2024,2024-02-01,Conviction,1',
    'P4,2024-03-01,2024-02-01,conviction,1',
    ' P5 , 2024-01-05 ,2024-02-01, breach ,2 ',
    ',2024-01-05,2024-02-01,conviction,1',
    'P7,,2024-02-01,conviction,1',
    'P8,NA,2024-02-01,conviction,1',
    'P9,2024-01-05,2024-02-01,sentence,1',
    'P10,2024-01-05,2024-02-01,,1',
    'P11,2024-01-05,2024-02-01,conviction,-1',
    'P12,2024-01-05,2024-02-01,conviction,high',
    'P13,2024-01-05,2024-02-01,conviction',
    'P14,2024-01-05,2024-02-01,conviction,1,extra',
    '   ',
    'P16,2024-01-05,2024-02-01,conviction,NA',
    'P17,2024-01-05,2024-02-01,conviction,1e2',
    'P18,2024-1-5,2024-02-01,conviction,1',
    'P19,2024-02-30,2024-03-01,conviction,1',
  ].join('\n'),
  'severities and dates at the edges of the byte route': [
    HEADER,
    ...['+3', '.5', '5.', '0001.50', '1.2.3', '1234567890123456', '123456789012345', '0', '-0', '1,5', ' 2', '2\t'].map(
      (sev, i) => `S${i},2024-01-05,2024-02-01,conviction,${sev}`,
    ),
    ...[
      '2024-00-10',
      '2024-12-32',
      '1899-12-31',
      '2201-01-01',
      '2200-12-31',
      '1900-01-01',
      '2023-02-29',
      '2024-02-29',
      '2024-0a-10',
      '2024/01/10',
      '20240-1-10',
    ].map((d, i) => `D${i},${d},2200-12-31,caution,1`),
    '\tT1,2024-01-05,2024-02-01,conviction,1',
    'T2\t,2024-01-05,2024-02-01,conviction,1',
    'T3,2024-01-05,2024-02-01,Caution,1',
    'T4,2024-01-05,2024-02-01,cautio,1',
    'T5,2024-01-05,2024-02-01,youth_conditional_caution,1',
  ].join('\n'),
  'header only': `${HEADER}\n`,
  'no severity column':
    'id,offence_date,disposal_date,disposal_type\nP1,2024-01-05,2024-02-01,conviction\nP2,2024-01-05,2024-02-01,CAUTION\n',
  'columns in another order, with extra ones':
    'category,disposal_type,id,disposal_date,offence_date\ntheft,conviction,P1,2024-02-01,2024-01-05\nviolence,breach,P2,2024-02-01,2024-01-05\n',
  'a missing required column': 'id,offence_date,disposal_type\nP1,2024-01-05,conviction\n',
  empty: '',
  'blank lines only': '\n\n\n',
};

describe('the plain-text route for offences files', () => {
  for (const [name, text] of Object.entries(cases)) {
    it(`${name}: the same rows, values and problems as the CSV reader`, async () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(path, text);
      const general = await scan(path, true);
      const plain = await scan(path, false);
      expect(plain).toEqual(general);
      if (name === 'every kind of problem')
        expect((general as { problems: unknown[] }).problems.length).toBeGreaterThan(10);
      if (name === 'clean') expect((general as { rows: unknown[] }).rows).toHaveLength(3);
    });
  }

  it('reads missing-value tokens and decimal commas as asked, as the CSV reader does', async () => {
    const path = join(dir, 'semicolon.csv');
    writeFileSync(path, `${HEADER}\nP1,2024-01-05,2024-02-01,conviction,-\nP2,2024-01-05,2024-02-01,conviction,9\n`);
    const read = { na: ['-'] };
    expect(await scan(path, false, read)).toEqual(await scan(path, true, read));
  });

  it('a file larger than one read chunk, in many batches: the same lines and values', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 60_000; i++)
      lines.push(
        i % 9973 === 0
          ? ''
          : `P${i},2024-01-${String(1 + (i % 28)).padStart(2, '0')},2024-03-01,${i % 7 === 0 ? 'breach' : 'conviction'},${i % 10}`,
      );
    const path = join(dir, 'big.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    const general = await scan(path, true);
    const plain = await scan(path, false);
    expect((plain as { records: number }).records).toBe(60_000 - 7);
    expect(plain).toEqual(general);
  });
});
