import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../core/errors.js';
import { pendingFileSet, recoverFileSet, removeStrayTemps, writeFileAtomic, writeFileSetJournalled } from './atomic.js';

const ws = () => mkdtempSync(join(tmpdir(), 'atomic-test-'));
const modeOf = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('atomic writes keep the mode of the file they replace', () => {
  it('a 0600 file stays 0600, a 0640 file 0640; a new file gets the usual mode', () => {
    const d = ws();
    const a = join(d, 'a.csv');
    writeFileAtomic(a, 'one\n');
    const fresh = modeOf(a);
    chmodSync(a, 0o600);
    writeFileAtomic(a, 'two\n');
    expect(modeOf(a)).toBe('600');
    expect(readFileSync(a, 'utf8')).toBe('two\n');
    chmodSync(a, 0o640);
    writeFileSetJournalled([{ path: a, content: 'three\n' }], join(d, 'a.csv.journal'));
    expect(modeOf(a)).toBe('640');
    const b = join(d, 'b.csv');
    writeFileAtomic(b, 'x');
    expect(modeOf(b)).toBe(fresh);
  });
});

describe('journalled file sets', () => {
  const STEPS = ['staged:0', 'staged:1', 'journal', 'renamed:0', 'renamed:1'];
  for (const step of STEPS) {
    it(`stopped at ${step}: recovery leaves the whole old set or the whole new set`, () => {
      const d = ws();
      const a = join(d, 'ledger.csv');
      const b = join(d, 'ledger.csv.json');
      const journal = join(d, 'ledger.csv.journal');
      writeFileAtomic(a, 'old a\n');
      writeFileAtomic(b, 'old b\n');
      const stop = new Error('stop');
      expect(() =>
        writeFileSetJournalled(
          [
            { path: a, content: 'new a\n' },
            { path: b, content: 'new b\n' },
          ],
          journal,
          (s) => {
            if (s === step) throw stop;
          },
        ),
      ).toThrow(stop);
      const committed = step === 'journal' || step.startsWith('renamed');
      expect(existsSync(journal)).toBe(committed);
      if (committed) {
        // A reader sees the set the record commits.
        const pending = pendingFileSet(journal);
        const view = (p: string) => pending.get(resolve(p)) ?? p;
        expect(readFileSync(view(a), 'utf8')).toBe('new a\n');
        expect(readFileSync(view(b), 'utf8')).toBe('new b\n');
      }
      const finished = recoverFileSet(journal);
      expect(finished === null).toBe(!committed);
      removeStrayTemps(a);
      removeStrayTemps(b);
      const want = committed ? 'new' : 'old';
      expect(readFileSync(a, 'utf8')).toBe(`${want} a\n`);
      expect(readFileSync(b, 'utf8')).toBe(`${want} b\n`);
      expect(readdirSync(d).sort()).toEqual(['ledger.csv', 'ledger.csv.json']);
      // Running it again changes nothing.
      expect(recoverFileSet(journal)).toBeNull();
    });
  }

  it('refuses a staged copy changed after the record, and a record naming another file', () => {
    const d = ws();
    const a = join(d, 'a.csv');
    const journal = join(d, 'a.csv.journal');
    const stop = new Error('stop');
    expect(() =>
      writeFileSetJournalled([{ path: a, content: 'new\n' }], journal, (s) => {
        if (s === 'journal') throw stop;
      }),
    ).toThrow(stop);
    const rec = JSON.parse(readFileSync(journal, 'utf8'));
    writeFileSync(rec.files[0].staged, 'forged\n');
    expect(() => recoverFileSet(journal)).toThrow(IntegrityError);
    rec.files[0].staged = join(d, 'elsewhere.txt');
    writeFileSync(journal, JSON.stringify(rec));
    expect(() => recoverFileSet(journal)).toThrow(/is not a staged copy of it/);
  });
});
