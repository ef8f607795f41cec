import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { DataError, UsageError } from '../core/errors.js';
import { daysFromCivil } from '../core/dates.js';
import { loadColumnMap } from './column-map.js';
import { loadCasesForOutcomes, loadOutcomesFromFiles, sha256Input } from './outcomes-input.js';

const dir = mkdtempSync(join(tmpdir(), 'outcomes-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let k = 0;
function file(text: string): string {
  const p = join(dir, `f${k++}.csv`);
  writeFileSync(p, text);
  return p;
}

async function dataError(p: Promise<unknown>): Promise<DataError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}

// The worked example of summarise-outcomes.test.ts as files (s = 2023-01-01), with UK dates, CRLF
// line endings and a mixed-case header thrown in.
const CASES = [
  'ID,Arm,Start_Date',
  'A,control,2023-01-01',
  'B,control,01/01/2023',
  'C,control,2023-01-01',
  'D,treatment,2023-01-01',
  'E,treatment,2023-01-01',
  'F,treatment,2023-01-11',
  'G,treatment,2023-01-01',
  '',
].join('\r\n');
const OFFENCES = [
  'id,offence_date,disposal_date,disposal_type,severity',
  'A,2023-01-11,2023-02-10,conviction,1', // day 10
  'A,2023-01-11,2023-02-10,conviction,1', // day 10 again: offences, not appearances
  'A,2023-07-20,2023-07-30,caution,2', // day 200
  'B,2023-01-01,2023-01-06,conviction,9', // the start date: not counted
  'B,2023-02-20,2023-03-02,Breach,9', // breach
  'C,2023-04-11,2024-08-23,conviction,9', // proven on day 600: too late
  'C,2024-01-02,2024-01-06,conviction,9', // day 366: after the follow-up
  'D,31/01/2023,01/02/2023,conviction,5', // day 30
  'E,2024-01-01,2024-07-02,warning,0.5', // day 365 proven on day 548
  'F,2023-02-10,2023-02-20,conviction,9', // F pending at 2024-07-07
  '',
].join('\n');

describe('loadOutcomesFromFiles', () => {
  it('derives the worked example from files', async () => {
    const cases = file(CASES);
    const r = await loadOutcomesFromFiles(cases, file(OFFENCES), { asOfDay: daysFromCivil(2024, 7, 7) });
    const o = r.outcomes;
    expect(Array.from({ length: r.cases.table.n }, (_, i) => r.cases.id(i))).toEqual([
      'A',
      'B',
      'C',
      'D',
      'E',
      'F',
      'G',
    ]);
    expect([...o.measurable]).toEqual([1, 1, 1, 1, 1, 0, 1]);
    expect([...o.reoffended]).toEqual([1, 0, 0, 1, 1, 0, 0]);
    expect([...o.reoffences]).toEqual([3, 0, 0, 1, 1, 0, 0]);
    expect([...o.daysToReoffence]).toEqual([10, 0, 0, 30, 365, 0, 0]);
    expect([...o.followUpDays]).toEqual([10, 365, 365, 30, 365, 0, 365]);
    expect([...o.severity!]).toEqual([4, 0, 0, 5, 0.5, 0, 0]);
    expect(o.exclusions).toEqual({
      offences_total: 10,
      counted: 5,
      on_or_before_start: 1,
      after_follow_up: 1,
      breach: 1,
      other_disposal: 0,
      disposed_after_waiting: 1,
      pending_person: 1,
    });
    expect(r.asOfDefaulted).toBe(false);
    expect(r.hasSeverity).toBe(true);
    expect(r.offenceRows).toBe(10);
  });

  it('as_of defaults to the latest disposal date (2024-08-23), which makes F measurable', async () => {
    const r = await loadOutcomesFromFiles(file(CASES), file(OFFENCES));
    expect(r.asOfDay).toBe(daysFromCivil(2024, 8, 23));
    expect(r.asOfDefaulted).toBe(true);
    expect(r.outcomes.measurable[5]).toBe(1);
    expect(r.outcomes.daysToReoffence[5]).toBe(30);
  });

  it('without a severity column, severity is null; an empty severity cell is unknown (NaN)', async () => {
    const cases = file('id,start_date\nA,2023-01-01\nB,2023-01-01\n');
    const asOfDay = daysFromCivil(2025, 1, 1);
    const none = await loadOutcomesFromFiles(
      cases,
      file('id,offence_date,disposal_date,disposal_type\nA,2023-02-01,2023-03-01,conviction\n'),
      { asOfDay },
    );
    expect(none.outcomes.severity).toBeNull();
    const gap = await loadOutcomesFromFiles(
      cases,
      file(
        'id,offence_date,disposal_date,disposal_type,severity\nA,2023-02-01,2023-03-01,conviction,\nB,2023-02-01,2023-03-01,conviction,2\n',
      ),
      { asOfDay },
    );
    expect(Number.isNaN(gap.outcomes.severity![0]!)).toBe(true);
    expect(gap.outcomes.severity![1]).toBe(2);
  });

  it('reads site column names through --map', async () => {
    const map = join(dir, 'map.yaml');
    writeFileSync(
      map,
      'cases:\n  start_date: Order Start\noffences:\n  offence_date: OffDate\n  disposal_date: DispDate\n  disposal_type: Outcome\n',
    );
    const r = await loadOutcomesFromFiles(
      file('id,Order Start\nA,2023-01-01\n'),
      file('id,OffDate,DispDate,Outcome\nA,2023-02-01,2023-03-01,caution\n'),
      { maps: loadColumnMap(map), asOfDay: daysFromCivil(2025, 1, 1) },
    );
    expect(r.outcomes.reoffences[0]).toBe(1);
  });

  it('needs --as-of when the offences file has no rows', async () => {
    const p = loadOutcomesFromFiles(
      file('id,start_date\nA,2023-01-01\n'),
      file('id,offence_date,disposal_date,disposal_type\n'),
    );
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(
      /has no offences, so --as-of cannot default to its latest disposal date: give --as-of YYYY-MM-DD/,
    );
  });
});

describe('validation messages', () => {
  it('cases: empty or invalid start_date and duplicate ids name the line', async () => {
    const p = file(
      'id,arm,start_date\nA,control,2023-01-01\nB,control,\nC,treatment,31/02/2023\nA,treatment,2023-01-01\n,control,2023-01-01\n',
    );
    const err = await dataError(loadCasesForOutcomes(p));
    expect(err.total).toBe(4);
    expect(err.message).toBe(
      [
        '4 data problems:',
        `  ${p}:3: column start_date value "": start_date is empty: proven re-offending needs each case's start date (release, order start or caution)`,
        `  ${p}:4: column start_date value "31/02/2023": day 31 does not exist in 2023-02`,
        `  ${p}:5: column id value "A": duplicate id (first on line 2)`,
        `  ${p}:6: column id value "": id is empty: every case needs an identifier`,
      ].join('\n'),
    );
  });

  it('cases: a missing start_date column is a data error naming the column', async () => {
    const err = await dataError(loadCasesForOutcomes(file('id,arm\nA,control\n')));
    expect(err.problems[0]).toMatchObject({ line: 1, column: 'start_date' });
    expect(err.message).toMatch(/required column "start_date" is missing \(header: id, arm\)/);
  });

  it('offences: unknown id, disposal before offence, bad date, unknown disposal, negative severity, ragged row', async () => {
    const cases = file('id,start_date\nA,2023-01-01\nB,2023-01-01\n');
    const offences = file(
      [
        'id,offence_date,disposal_date,disposal_type,severity',
        'A,2023-02-01,2023-03-01,conviction,1',
        'Z,2023-02-01,2023-03-01,conviction,1',
        'A,2023-02-01,2023-01-01,conviction,1',
        'A,2023-13-01,2023-03-01,conviction,1',
        'B,2023-02-01,2023-03-01,fine,1',
        'B,2023-02-01,2023-03-01,caution,-2',
        'B,2023-02-01,,conviction,1',
        'B,2023-02-01',
        '',
      ].join('\n'),
    );
    const err = await dataError(loadOutcomesFromFiles(cases, offences));
    expect(err.total).toBe(7);
    expect(err.problems.map((p) => [p.line, p.column, p.value])).toEqual([
      [3, 'id', 'Z'],
      [4, 'disposal_date', '2023-01-01'],
      [5, 'offence_date', '2023-13-01'],
      [6, 'disposal_type', 'fine'],
      [7, 'severity', '-2'],
      [8, 'disposal_date', ''],
      [9, null, null],
    ]);
    expect(err.message).toBe(
      [
        '7 data problems:',
        `  ${offences}:3: column id value "Z": id is not in the cases file ${cases}`,
        `  ${offences}:4: column disposal_date value "2023-01-01": disposal_date 2023-01-01 is before offence_date 2023-02-01: a conviction or caution cannot precede the offence`,
        `  ${offences}:5: column offence_date value "2023-13-01": month 13 does not exist (dates are YYYY-MM-DD or DD/MM/YYYY)`,
        `  ${offences}:6: column disposal_type value "fine": expected one of conviction, caution, reprimand, warning, youth_caution, youth_conditional_caution, breach, other`,
        `  ${offences}:7: column severity value "-2": out of range: expected a number >= 0`,
        `  ${offences}:8: column disposal_date value "": disposal_date is empty: a date (YYYY-MM-DD or DD/MM/YYYY) is required`,
        `  ${offences}:9: has 2 field(s) but the header has 5`,
      ].join('\n'),
    );
  });

  it('lists the first 20 problems and the total', async () => {
    const cases = file('id,start_date\nA,2023-01-01\n');
    const rows = Array.from({ length: 25 }, (_, i) => `X${i},2023-02-01,2023-03-01,conviction`);
    const err = await dataError(
      loadOutcomesFromFiles(cases, file(['id,offence_date,disposal_date,disposal_type', ...rows, ''].join('\n'))),
    );
    expect(err.total).toBe(25);
    expect(err.problems).toHaveLength(20);
    expect(err.problems[19]!.line).toBe(21);
    expect(err.message.startsWith('25 data problems:\n')).toBe(true);
    expect(err.message.endsWith('\n... and 5 more problem(s)')).toBe(true);
  });

  it('refuses to read both files from stdin, and names an unreadable file', async () => {
    await expect(loadOutcomesFromFiles('-', '-')).rejects.toThrow(
      'only one input can be read from stdin (-): give a file path for --cases or --offences',
    );
    await expect(loadOutcomesFromFiles(join(dir, 'missing.csv'), file('x\n'))).rejects.toThrow(
      `cases: cannot read ${join(dir, 'missing.csv')}: no such file`,
    );
  });
});

describe('sha256Input', () => {
  it('hashes the bytes', async () => {
    // printf 'abc' | sha256sum
    expect(await sha256Input(file('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Input('-')).toBeNull();
  });
});
