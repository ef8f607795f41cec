import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '../src/cli/commands/import.js';
import { DataError } from '../src/core/errors.js';

const BAD = 'fixtures/bad';
const expected = JSON.parse(readFileSync(join(BAD, 'expected.json'), 'utf8')) as {
  cases: Record<string, { line: number; column: string | null; reason: string }>;
  offences: Record<string, { line: number; column: string | null; reason: string }>;
};

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'pilot-eval-import-'));
}

async function importError(args: Parameters<typeof runImport>[0]): Promise<DataError> {
  try {
    await runImport(args);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}

describe('import rejects every bad-input fixture with the right line and column', () => {
  for (const [file, exp] of Object.entries(expected.cases)) {
    it(`cases: ${file}`, async () => {
      const out = tmp();
      const err = await importError({ cases: join(BAD, file), outDir: out });
      const p = err.problems[0]!;
      expect(p.file).toBe(join(BAD, file));
      expect(p.line).toBe(exp.line);
      expect(p.column).toBe(exp.column);
      expect(p.reason).toContain(exp.reason);
      // Nothing half-written: cleaned data is never written when rows are rejected.
      expect(existsSync(join(out, 'cases.csv'))).toBe(false);
    });
  }
  for (const [file, exp] of Object.entries(expected.offences)) {
    it(`offences: ${file}`, async () => {
      const out = tmp();
      const err = await importError({ cases: join(BAD, 'good-cases.csv'), offences: join(BAD, file), outDir: out });
      const p = err.problems[0]!;
      expect(p.line).toBe(exp.line);
      expect(p.column).toBe(exp.column);
      expect(p.reason).toContain(exp.reason);
      const rejects = readFileSync(join(out, 'rejects.csv'), 'utf8');
      expect(rejects.split('\n')[0]).toBe('file,line,column,value,reason');
      expect(rejects).toContain(`${join(BAD, file)},${exp.line},`);
      expect(existsSync(join(out, 'offences.csv'))).toBe(false);
    });
  }
});

describe('import of good data', () => {
  it('accepts every fixture and counts add up', async () => {
    for (const slug of ['pcp', 'pcp-fund', 'women-pcp-fund', 'user-grants', 'community-navigation']) {
      const out = tmp();
      const r = await runImport({
        cases: `fixtures/${slug}/cases.csv`,
        offences: `fixtures/${slug}/offences.csv`,
        outDir: out,
      });
      expect(r.cases.rejected).toBe(0);
      expect(r.offences.rejected).toBe(0);
      expect(r.cases.read).toBe(r.cases.accepted + r.cases.rejected);
      const lines = readFileSync(join(out, 'cases.csv'), 'utf8').trimEnd().split('\n');
      expect(lines.length - 1).toBe(r.cases.accepted);
      expect(r.inputs).toHaveLength(2);
      expect(r.inputs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
      const json = JSON.parse(readFileSync(join(out, 'import.json'), 'utf8'));
      expect(json.schema_version).toBe(1);
      expect(json.cases).toEqual(r.cases);
    }
  });

  it('normalises UK dates, BOM, CRLF, case-insensitive headers and sorts by id', async () => {
    const dir = tmp();
    const cases = join(dir, 'in.csv');
    writeFileSync(
      cases,
      '\uFEFF ID ,Arm,Start_Date,SEX\r\nB2,control,29/02/2024,F\r\nA1,treatment,2023-01-05,male\r\n',
    );
    const out = join(dir, 'out');
    const r = await runImport({ cases, outDir: out });
    expect(r.cases).toEqual({ read: 2, accepted: 2, rejected: 0 });
    expect(readFileSync(join(out, 'cases.csv'), 'utf8')).toBe(
      'id,arm,start_date,sex\nA1,treatment,2023-01-05,male\nB2,control,2024-02-29,female\n',
    );
  });

  it('maps site column names with --map and reads semicolon files', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'site.csv'), 'PersonRef;Group;Order Start\nX1;control;05/01/2023\n');
    writeFileSync(join(dir, 'map.yaml'), 'id: PersonRef\narm: group\nstart_date: order start\n');
    const out = join(dir, 'out');
    await runImport({ cases: join(dir, 'site.csv'), map: join(dir, 'map.yaml'), delimiter: ';', outDir: out });
    expect(readFileSync(join(out, 'cases.csv'), 'utf8')).toBe('id,arm,start_date\nX1,control,2023-01-05\n');
  });

  it('with --allow-rejects writes the accepted rows and lists every reject', async () => {
    const out = tmp();
    const r = await runImport({ cases: join(BAD, 'duplicate-id.csv'), outDir: out, allowRejects: true });
    expect(r.cases).toEqual({ read: 3, accepted: 1, rejected: 2 });
    expect(readFileSync(join(out, 'cases.csv'), 'utf8')).toBe('id,arm,start_date\nA2,treatment,2023-01-06\n');
    expect(r.rejects.map((x) => x.line)).toEqual([2, 4]);
  });

  it('reports at most 20 problems but counts them all', async () => {
    const dir = tmp();
    const rows = ['id,age'];
    for (let i = 0; i < 30; i++) rows.push(`P${i},old`);
    writeFileSync(join(dir, 'c.csv'), `${rows.join('\n')}\n`);
    const err = await importError({ cases: join(dir, 'c.csv'), outDir: join(dir, 'o') });
    expect(err.problems).toHaveLength(20);
    expect(err.total).toBe(30);
    expect(err.message).toContain('and 10 more problem(s)');
  });

  it('pseudonymises ids with a keyed hash that keeps cases and offences linked', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'salt.txt'), 'a-secret-salt-of-enough-length\n');
    const out = join(dir, 'out');
    await runImport({
      cases: 'fixtures/pcp/cases.csv',
      offences: 'fixtures/pcp/offences.csv',
      outDir: out,
      pseudonymise: true,
      saltFile: join(dir, 'salt.txt'),
    });
    const cases = readFileSync(join(out, 'cases.csv'), 'utf8');
    const offences = readFileSync(join(out, 'offences.csv'), 'utf8');
    expect(cases).not.toContain('P000001');
    const caseIds = new Set(
      cases
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    );
    for (const l of offences.trimEnd().split('\n').slice(1)) expect(caseIds.has(l.split(',')[0])).toBe(true);
  });
});
