/**
 * Issue 17, the rest of "Allocation integrity" and "Personal data" for `import`, run through the
 * built code as a user (or a crash) would:
 * - import's four outputs (cases.csv, offences.csv, rejects.csv, import.json) are one set: a
 *   SIGKILL at any step of the write leaves the old set or, once finished by `import --recover`,
 *   the new one; never new cases beside old offences;
 * - an output naming an input is refused with exit 2 and the input is untouched (import --out-dir
 *   the input's folder; --out naming an input in reoffending, analyse, match and report);
 * - with --pseudonymise, no raw id appears anywhere in the output folder (rejects included).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './cli-runner.js';
import { KILL_STEPS, killedAt as killAt } from './kill-at.js';

let dir = '';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pilot-eval-import-integrity-'));
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function casesCsv(n: number, prefix: string): string {
  const lines = ['id,arm,site,start_date'];
  for (let i = 0; i < n; i++)
    lines.push(
      `${prefix}${String(i).padStart(4, '0')},${i % 2 ? 'treatment' : 'control'},${['North', 'South'][i % 2]},2023-0${1 + (i % 9)}-1${i % 10}`,
    );
  return `${lines.join('\n')}\n`;
}

function offencesCsv(n: number, prefix: string): string {
  const lines = ['id,offence_date,disposal_date,disposal_type'];
  for (let i = 0; i < n; i += 3)
    lines.push(`${prefix}${String(i).padStart(4, '0')},2024-02-0${1 + (i % 9)},2024-03-01,caution`);
  return `${lines.join('\n')}\n`;
}

const OUTPUTS = ['cases.csv', 'offences.csv', 'rejects.csv', 'import.json'];

/** The four outputs' bytes (null for a missing one). */
function snapshot(out: string): Record<string, string | null> {
  return Object.fromEntries(
    OUTPUTS.map((f) => [f, existsSync(join(out, f)) ? readFileSync(join(out, f), 'utf8') : null]),
  );
}

/** Runs importData in a child process and SIGKILLs it at `step` of the write. */
const killedAt = (step: string, options: Record<string, unknown>) =>
  killAt(ROOT, 'io/import-data.js', 'importData', step, options);

describe('a kill at any point of the import write', () => {
  // Files of the set, in write order: cases.csv, offences.csv, rejects.csv, import.json.
  const STEPS = KILL_STEPS;
  for (const step of STEPS) {
    it(`killed at ${step}: the folder holds the old set, or the new one once --recover has finished it`, async () => {
      const d = join(dir, `kill-${step.replace(':', '-')}`);
      const out = join(d, 'out');
      mkdirSync(d, { recursive: true });
      // Old and new inputs at the same paths, so the two sets differ only by content.
      const cases = join(d, 'in-cases.csv');
      const offences = join(d, 'in-offences.csv');
      const args = ['import', '--cases', cases, '--offences', offences, '--out-dir', out];
      writeFileSync(cases, casesCsv(30, 'NEW'));
      writeFileSync(offences, offencesCsv(30, 'NEW'));
      expect((await runCli(args)).code).toBe(0);
      const fresh = snapshot(out);
      writeFileSync(cases, casesCsv(20, 'OLD'));
      writeFileSync(offences, offencesCsv(20, 'OLD'));
      expect((await runCli(args)).code).toBe(0);
      const old = snapshot(out);
      expect(old['cases.csv']).not.toBe(fresh['cases.csv']);
      expect(old['offences.csv']).not.toBe(fresh['offences.csv']);

      writeFileSync(cases, casesCsv(30, 'NEW'));
      writeFileSync(offences, offencesCsv(30, 'NEW'));
      const k = await killedAt(step, { casesPath: cases, offencesPath: offences, outDir: out });
      expect(k.signal, k.stderr).toBe('SIGKILL');
      const committed = step === 'journal' || step.startsWith('renamed:');
      if (!committed) expect(snapshot(out)).toEqual(old); // the old set stands as it is

      const rec = await runCli(['import', '--recover', '--out-dir', out, '--json']);
      expect(rec.code, rec.stderr).toBe(0);
      expect(snapshot(out)).toEqual(committed ? fresh : old);
      // Nothing staged or recorded is left behind (the lock was released by the kill's recovery).
      expect(readdirSync(out).sort()).toEqual([...OUTPUTS].sort());
      // Running it again is harmless.
      const again = await runCli(['import', '--recover', '--out-dir', out, '--json']);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ recovered: [], removed: [] });
    }, 60_000);
  }

  // The new set has no offences.csv (none given): cases.csv, rejects.csv, import.json, then the old
  // offences.csv is removed.
  for (const step of ['staged:2', 'journal', 'renamed:0', 'renamed:2', 'removed']) {
    it(`a new set without offences, killed at ${step}: never new cases beside old offences`, async () => {
      const d = join(dir, `kill-nooff-${step.replace(':', '-')}`);
      const out = join(d, 'out');
      mkdirSync(d, { recursive: true });
      const cases = join(d, 'in-cases.csv');
      const offences = join(d, 'in-offences.csv');
      writeFileSync(cases, casesCsv(30, 'NEW'));
      expect((await runCli(['import', '--cases', cases, '--out-dir', out])).code).toBe(0);
      const fresh = snapshot(out);
      expect(fresh['offences.csv']).toBeNull();
      writeFileSync(cases, casesCsv(20, 'OLD'));
      writeFileSync(offences, offencesCsv(20, 'OLD'));
      expect((await runCli(['import', '--cases', cases, '--offences', offences, '--out-dir', out])).code).toBe(0);
      const old = snapshot(out);
      expect(old['offences.csv']).toContain('OLD0003');

      writeFileSync(cases, casesCsv(30, 'NEW'));
      const k = await killedAt(step, { casesPath: cases, outDir: out });
      expect(k.signal, k.stderr).toBe('SIGKILL');
      const rec = await runCli(['import', '--recover', '--out-dir', out]);
      expect(rec.code, rec.stderr).toBe(0);
      expect(snapshot(out)).toEqual(step === 'staged:2' ? old : fresh);
    }, 60_000);
  }

  it('a rejected import leaves the data files of an earlier one as they were (only rejects.csv and import.json change)', async () => {
    const d = join(dir, 'rejected-after-good');
    const out = join(d, 'out');
    mkdirSync(d, { recursive: true });
    const cases = join(d, 'c.csv');
    writeFileSync(cases, casesCsv(10, 'G'));
    expect((await runCli(['import', '--cases', cases, '--out-dir', out])).code).toBe(0);
    const before = readFileSync(join(out, 'cases.csv'), 'utf8');
    writeFileSync(cases, `${casesCsv(10, 'G')}G0011,control,North,2023-02-30\n`);
    const r = await runCli(['import', '--cases', cases, '--out-dir', out]);
    expect(r.code).toBe(3);
    expect(readFileSync(join(out, 'cases.csv'), 'utf8')).toBe(before);
    expect(readdirSync(out).sort()).toEqual(['cases.csv', 'import.json', 'rejects.csv']);
    expect(JSON.parse(readFileSync(join(out, 'import.json'), 'utf8')).outputs).toEqual([
      join(out, 'rejects.csv'),
      join(out, 'import.json'),
    ]);
  }, 60_000);

  it('a forged write-ahead record naming a file outside the folder to remove is refused (exit 4), nothing removed', async () => {
    const d = join(dir, 'forged');
    const out = join(d, 'out');
    mkdirSync(out, { recursive: true });
    const victim = join(d, 'precious.csv');
    writeFileSync(victim, 'keep me\n');
    writeFileSync(
      join(out, 'import.json.journal'),
      JSON.stringify({ schema_version: 1, kind: 'pilot-eval write-ahead record', files: [], remove: [victim] }),
    );
    const r = await runCli(['import', '--recover', '--out-dir', out]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('outside its own folder');
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
  }, 30_000);

  it('the next import into the folder finishes an interrupted one first, then writes its own set', async () => {
    const d = join(dir, 'kill-next');
    const out = join(d, 'out');
    mkdirSync(d, { recursive: true });
    const cases = join(d, 'c.csv');
    writeFileSync(cases, casesCsv(12, 'A'));
    const k = await killedAt('renamed:0', { casesPath: cases, outDir: out });
    expect(k.signal).toBe('SIGKILL');
    expect(existsSync(join(out, 'import.json.journal'))).toBe(true);
    writeFileSync(cases, casesCsv(8, 'B'));
    const r = await runCli(['import', '--cases', cases, '--out-dir', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'cases.csv'), 'utf8')).toContain('B0007');
    expect(readFileSync(join(out, 'cases.csv'), 'utf8')).not.toContain('A00');
    expect(JSON.parse(readFileSync(join(out, 'import.json'), 'utf8')).cases.read).toBe(8);
    expect(readdirSync(out).sort()).toEqual(['cases.csv', 'import.json', 'rejects.csv']);
  }, 60_000);
});

describe('outputs that name an input are refused (exit 2) and the input is untouched', () => {
  it('import --out-dir naming the folder of an input cases.csv (also through a link to the folder)', async () => {
    const d = join(dir, 'same-dir');
    mkdirSync(d, { recursive: true });
    copyFileSync(join(ROOT, 'fixtures', 'pcp', 'cases.csv'), join(d, 'cases.csv'));
    copyFileSync(join(ROOT, 'fixtures', 'pcp', 'offences.csv'), join(d, 'offences.csv'));
    symlinkSync(d, join(dir, 'same-dir-link'));
    const before = snapshot(d);
    for (const outDir of [d, join(dir, 'same-dir-link'), `${d}/./`]) {
      const r = await runCli([
        'import',
        '--cases',
        join(d, 'cases.csv'),
        '--offences',
        join(d, 'offences.csv'),
        '--out-dir',
        outDir,
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('is the same file as --cases');
      expect(snapshot(d)).toEqual(before);
      expect(readdirSync(d).sort()).toEqual(['cases.csv', 'offences.csv']);
    }
    // An offences input named like an output is caught as well.
    const o = join(dir, 'same-dir-off');
    mkdirSync(o, { recursive: true });
    copyFileSync(join(ROOT, 'fixtures', 'pcp', 'offences.csv'), join(o, 'offences.csv'));
    const r = await runCli([
      'import',
      '--cases',
      'fixtures/pcp/cases.csv',
      '--offences',
      join(o, 'offences.csv'),
      '--out-dir',
      o,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the output offences.csv');
    expect(readFileSync(join(o, 'offences.csv'))).toEqual(readFileSync(join(ROOT, 'fixtures', 'pcp', 'offences.csv')));
  }, 60_000);

  it('reoffending, analyse, match and report --out naming an input', async () => {
    const d = join(dir, 'same-out');
    mkdirSync(d, { recursive: true });
    const cases = join(d, 'cases.csv');
    const offences = join(d, 'offences.csv');
    copyFileSync(join(ROOT, 'fixtures', 'pcp', 'cases.csv'), cases);
    copyFileSync(join(ROOT, 'fixtures', 'pcp', 'offences.csv'), offences);
    const trial = join(d, 'trial.yaml');
    copyFileSync(join(ROOT, 'fixtures', 'pcp', 'trial.yaml'), trial);
    const runs: Array<[string[], string]> = [
      [['reoffending', '--cases', cases, '--offences', offences, '--out', offences], '--offences'],
      [['reoffending', '--cases', cases, '--offences', offences, '--out', `${d}/../same-out/cases.csv`], '--cases'],
      [['analyse', cases, '--offences', offences, '--out', cases], 'the data file'],
      [['analyse', cases, '--offences', offences, '--plan', trial, '--out', trial], '--plan'],
      [['match', '--treated', cases, '--pool', offences, '--covariates', 'age', '--out', offences], '--pool'],
      [['report', '--cases', cases, '--offences', offences, '--trial', trial, '--out', trial], '--trial'],
      [['report', '--cases', cases, '--offences', offences, '--out', cases], '--cases'],
    ];
    const before = snapshot(d);
    const trialBefore = readFileSync(trial, 'utf8');
    for (const [args, input] of runs) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`is the same file as ${input}`);
      expect(snapshot(d)).toEqual(before);
      expect(readFileSync(trial, 'utf8')).toBe(trialBefore);
    }
  }, 120_000);
});

describe('import --pseudonymise: the output folder holds no raw id', () => {
  it('rejects.csv, import.json and the data files name the line and the pseudonym, never the id', async () => {
    const d = join(dir, 'pseud');
    mkdirSync(d, { recursive: true });
    const cases = join(d, 'cases.csv');
    const offences = join(d, 'offences.csv');
    const salt = join(d, 'salt.txt');
    writeFileSync(salt, 'a3f9c2e8b17d4f60a3f9c2e8b17d4f60\n');
    // Rejected for every reason that names the id: a duplicate id, a bad date (row rejected, id
    // in the row), an offence whose id has no case, an offence of a rejected case.
    writeFileSync(
      cases,
      [
        'id,arm,start_date',
        'RAWID-ALPHA-001,treatment,2023-01-05',
        'RAWID-BRAVO-002,control,2023-02-30',
        'RAWID-CHARLIE-003,control,2023-03-01',
        'RAWID-CHARLIE-003,treatment,2023-03-02',
        'RAWID-DELTA-004,treatment,2023-04-01',
        '',
      ].join('\n'),
    );
    writeFileSync(
      offences,
      [
        'id,offence_date,disposal_date,disposal_type',
        'RAWID-ALPHA-001,2023-06-01,2023-07-01,caution',
        'RAWID-ECHO-005,2023-06-01,2023-07-01,caution',
        'RAWID-BRAVO-002,2023-06-01,2023-07-01,caution',
        'RAWID-DELTA-004,2023-08-01,2023-07-01,caution',
        '',
      ].join('\n'),
    );
    const out = join(d, 'shared');
    const r = await runCli([
      'import',
      '--cases',
      cases,
      '--offences',
      offences,
      '--pseudonymise',
      '--salt-file',
      salt,
      '--allow-rejects',
      '--out-dir',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rejects = readFileSync(join(out, 'rejects.csv'), 'utf8');
    // Every kind of reject is there, located by line.
    expect(rejects).toContain('duplicate id');
    expect(rejects).toContain('no case with this id');
    expect(rejects).toContain('the case with this id was rejected');
    expect(rejects).toContain(`${cases},3,start_date`);
    for (const f of readdirSync(out)) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text, f).not.toMatch(/RAWID/);
    }
    // The id rejects carry the same pseudonym as the data files, so a site can still trace them.
    const json = JSON.parse(readFileSync(join(out, 'import.json'), 'utf8')) as {
      rejects: Array<{ line: number; column: string; value: string; reason: string }>;
      pseudonymised: boolean;
    };
    expect(json.pseudonymised).toBe(true);
    const dup = json.rejects.filter((x) => x.reason.startsWith('duplicate id'));
    expect(dup.map((x) => x.line)).toEqual([4, 5]);
    expect(dup[0]!.value).toMatch(/^ID[0-9a-f]{20}$/);
    expect(dup[1]!.value).toBe(dup[0]!.value);
    const alpha = readFileSync(join(out, 'cases.csv'), 'utf8').split('\n')[1]!.split(',')[0]!;
    const offAlpha = json.rejects.find((x) => x.column === 'id' && x.reason.includes('no case'))!;
    expect(offAlpha.value).toMatch(/^ID[0-9a-f]{20}$/);
    expect(offAlpha.value).not.toBe(alpha);
    // The terminal summary of a run without --allow-rejects shows pseudonyms too.
    const strict = await runCli([
      'import',
      '--cases',
      cases,
      '--offences',
      offences,
      '--pseudonymise',
      '--salt-file',
      salt,
      '--out-dir',
      join(d, 'strict'),
    ]);
    expect(strict.code).toBe(3);
    expect(strict.stderr).not.toMatch(/RAWID/);
    for (const f of readdirSync(join(d, 'strict')))
      expect(readFileSync(join(d, 'strict', f), 'utf8'), f).not.toMatch(/RAWID/);
  }, 60_000);
});
