import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../core/errors.js';
import { runReoffending } from './reoffending.js';

const dir = mkdtempSync(join(tmpdir(), 'reoffending-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The worked example of src/core/outcomes/summarise-outcomes.test.ts (start s = 2023-01-01).
const casesPath = join(dir, 'cases.csv');
writeFileSync(
  casesPath,
  [
    'id,arm,site,start_date,ogrs3',
    'A,control,N,2023-01-01,0.5',
    'B,control,S,2023-01-01,0.4',
    'C,control,N,2023-01-01,0.3',
    'D,treatment,N,2023-01-01,0.6',
    'E,treatment,S,2023-01-01,0.2',
    'F,treatment,S,2023-01-11,0.1',
    'G,treatment,N,2023-01-01,=1+1',
    '',
  ].join('\n'),
);
const offencesPath = join(dir, 'offences.csv');
writeFileSync(
  offencesPath,
  [
    'id,offence_date,disposal_date,disposal_type,severity',
    'A,2023-01-11,2023-02-10,conviction,1',
    'A,2023-01-11,2023-02-10,conviction,1',
    'A,2023-07-20,2023-07-30,caution,2',
    'B,2023-01-01,2023-01-06,conviction,9',
    'B,2023-02-20,2023-03-02,breach,9',
    'C,2023-04-11,2024-08-23,conviction,9',
    'C,2024-01-02,2024-01-06,conviction,9',
    'D,2023-01-31,2023-02-01,conviction,5',
    'E,2024-01-01,2024-07-02,warning,0.5',
    'F,2023-02-10,2023-02-20,conviction,9',
    '',
  ].join('\n'),
);
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('runReoffending', () => {
  it('per-arm measures, exclusions that reconcile, as_of, inputs', async () => {
    const r = await runReoffending({ cases: casesPath, offences: offencesPath, by: ['arm'], asOf: '07/07/2024' });
    expect(r.as_of).toBe('2024-07-07');
    expect(r.as_of_source).toBe('option');
    expect([r.follow_up_days, r.waiting_days]).toEqual([365, 183]);
    expect(r.inputs).toEqual([
      { path: casesPath, sha256: sha(casesPath) },
      { path: offencesPath, sha256: sha(offencesPath) },
    ]);
    expect(r.groups.map((g) => g.group)).toEqual([{ arm: 'control' }, { arm: 'treatment' }]);
    expect(
      r.groups.map((g) => [
        g.n_cohort,
        g.n_measurable,
        g.n_pending,
        g.reoffenders,
        g.reoffences,
        g.median_days_to_first,
      ]),
    ).toEqual([
      [3, 3, 0, 1, 3, 10],
      [4, 3, 1, 2, 2, 197.5],
    ]);
    expect(r.groups[1]!.binary_rate).toBe(2 / 3);
    expect(r.groups[1]!.severity_per_offender).toBe(5.5 / 3);
    expect(r.overall.group).toEqual({});
    expect(r.overall.n_cohort).toBe(7);
    const e = r.exclusions;
    expect(e).toEqual({
      offences_total: 10,
      counted: 5,
      on_or_before_start: 1,
      after_follow_up: 1,
      breach: 1,
      other_disposal: 0,
      disposed_after_waiting: 1,
      pending_person: 1,
    });
    expect(r.groups.reduce((a, g) => a + g.reoffences, 0)).toBe(e.counted);
    expect(r.groups.reduce((a, g) => a + g.n_cohort, 0)).toBe(7);
    expect(r.notes[1]).toBe(
      '1 of 7 people are pending (start date + 365 + 183 days is after 2024-07-07) and are left out of the rates.',
    );
    expect(JSON.stringify(r)).not.toMatch(/NaN/);
  });

  it('groups by two columns; as_of defaults to the latest disposal date', async () => {
    const r = await runReoffending({ cases: casesPath, offences: offencesPath, by: ['Arm', 'site'] });
    expect(r.as_of).toBe('2024-08-23');
    expect(r.as_of_source).toBe('latest_disposal');
    expect(r.groups.map((g) => [g.group, g.n_cohort, g.reoffenders])).toEqual([
      [{ arm: 'control', site: 'N' }, 2, 1],
      [{ arm: 'control', site: 'S' }, 1, 0],
      [{ arm: 'treatment', site: 'N' }, 2, 1],
      [{ arm: 'treatment', site: 'S' }, 2, 2],
    ]);
    expect(r.exclusions.pending_person).toBe(0);
    expect(r.exclusions.counted).toBe(6);
  });

  it('writes per-person outcomes with the case columns; pending people have empty outcomes', async () => {
    const out = join(dir, 'out', 'outcomes.csv');
    await runReoffending({ cases: casesPath, offences: offencesPath, by: ['arm'], asOf: '2024-07-07', out });
    expect(readFileSync(out, 'utf8')).toBe(
      [
        'id,measurable,reoffended,reoffences,days_to_reoffence,follow_up_days,severity,arm,site,start_date,ogrs3',
        'A,yes,1,3,10,10,4,control,N,2023-01-01,0.5',
        'B,yes,0,0,,365,0,control,S,2023-01-01,0.4',
        'C,yes,0,0,,365,0,control,N,2023-01-01,0.3',
        'D,yes,1,1,30,30,5,treatment,N,2023-01-01,0.6',
        'E,yes,1,1,365,365,0.5,treatment,S,2023-01-01,0.2',
        'F,no,,,,,,treatment,S,2023-01-11,0.1',
        "G,yes,0,0,,365,0,treatment,N,2023-01-01,'=1+1",
        '',
      ].join('\n'),
    );
    expect(readdirSync(join(dir, 'out'))).toEqual(['outcomes.csv']);
  });

  it('usage errors name the option', async () => {
    await expect(runReoffending({ cases: casesPath, offences: offencesPath, by: ['team'] })).rejects.toThrow(
      `--by: column "team" not in ${casesPath} (its columns: id, arm, site, start_date, ogrs3)`,
    );
    await expect(runReoffending({ cases: casesPath, offences: offencesPath, asOf: '07/31/2024' })).rejects.toThrow(
      '--as-of "07/31/2024": is only a valid date month-first (US); dates are read day-first (DD/MM/YYYY): write it as YYYY-MM-DD, or pass --date-format mdy',
    );
    await expect(runReoffending({ cases: casesPath, offences: offencesPath, asOf: '07/32/2024' })).rejects.toThrow(
      '--as-of "07/32/2024": month 32 does not exist (dates are YYYY-MM-DD or DD/MM/YYYY)',
    );
    await expect(runReoffending({ cases: casesPath, offences: offencesPath, followUpDays: 0 })).rejects.toThrow(
      UsageError,
    );
    await expect(runReoffending({ cases: join(dir, 'nope.csv'), offences: offencesPath })).rejects.toThrow(
      `--cases: cannot read ${join(dir, 'nope.csv')}: no such file`,
    );
  });

  it('reads the same outcomes from a US-dated, NA-holding, decimal-comma copy with --date-format mdy --decimal-comma', async () => {
    const base = await runReoffending({ cases: casesPath, offences: offencesPath, by: ['arm'], asOf: '2024-07-07' });
    const us = (d: string) => d.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$2/$3/$1');
    const convert = (path: string, dateCols: number[], name: string) => {
      const [head, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
      const out = rows.map((r) =>
        r
          .split(',')
          .map((c, i) => (dateCols.includes(i) ? us(c) : c.replace('.', ',')))
          .join(';'),
      );
      const p = join(dir, name);
      writeFileSync(p, `${head!.replace(/,/g, ';')}\n${out.join('\n')}\n`);
      return p;
    };
    const cases = convert(casesPath, [3], 'us-cases.csv');
    const offences = convert(offencesPath, [1, 2], 'us-offences.csv').replace(/$/, '');
    // A severity of NA is missing, as an empty cell is.
    writeFileSync(
      offences,
      readFileSync(offences, 'utf8').replace(
        'D;01/31/2023;02/01/2023;conviction;5',
        'D;01/31/2023;02/01/2023;conviction;NA',
      ),
    );
    const r = await runReoffending({
      cases,
      offences,
      by: ['arm'],
      asOf: '07/07/2024',
      delimiter: ';',
      dateFormat: 'mdy',
      decimalComma: true,
    });
    expect(r.groups.map((g) => [g.n_measurable, g.reoffenders, g.reoffences, g.binary_rate])).toEqual(
      base.groups.map((g) => [g.n_measurable, g.reoffenders, g.reoffences, g.binary_rate]),
    );
    expect(r.exclusions).toEqual(base.exclusions);
    await expect(runReoffending({ cases, offences, delimiter: ';', decimalComma: true })).rejects.toThrow(
      '--date-format mdy',
    );
  });

  it('writes nothing when the data are rejected', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,offence_date,disposal_date,disposal_type\nQ,2023-02-01,2023-03-01,conviction\n');
    const out = join(dir, 'never.csv');
    await expect(runReoffending({ cases: casesPath, offences: bad, out })).rejects.toThrow(DataError);
    expect(existsSync(out)).toBe(false);
  });
});
