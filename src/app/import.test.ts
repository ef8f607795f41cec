import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { DEFAULT_READ_OPTIONS } from '../io/read-options.js';
import { importFiles, loadSalt, pseudonymiser } from './import.js';

describe('import use case', () => {
  it('pseudonyms are the first 20 hex digits of HMAC-SHA256(id) keyed by the salt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-app-import-'));
    const saltFile = join(dir, 'salt.txt');
    writeFileSync(saltFile, '0123456789abcdef-secret\n');
    const salt = loadSalt(saltFile);
    expect(salt.toString('utf8')).toBe('0123456789abcdef-secret');
    // printf 'P001' | openssl dgst -sha256 -hmac '0123456789abcdef-secret'
    //   -> 807b410aaa7c8003079ee4f93a6d511085ad3b1855486535e681fbe0022746a5
    expect(pseudonymiser(salt)('P001')).toBe('ID807b410aaa7c8003079e');
  });

  it('refuses a short salt and names the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-app-import-'));
    const saltFile = join(dir, 'salt.txt');
    writeFileSync(saltFile, 'short\n');
    expect(() => loadSalt(saltFile)).toThrow(UsageError);
    expect(() => loadSalt(saltFile)).toThrow(/--salt-file: the salt in .* is too short \(5 bytes\)/);
  });

  it('refuses an output folder that would overwrite an input, before any progress starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-app-import-'));
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, 'id,arm\nP1,treatment\n');
    let started = false;
    await expect(
      importFiles({ casesPath: cases, outDir: dir, read: DEFAULT_READ_OPTIONS }, () => {
        started = true;
        return { update() {}, stop() {} };
      }),
    ).rejects.toThrow(/--cases/);
    expect(started).toBe(false);
  });
});
