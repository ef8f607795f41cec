/**
 * The import use case: checks that no output overwrites an input, loads the column map and the
 * pseudonymisation key, then validates and normalises the case and offence files into the output
 * folder; and the recovery of an import interrupted by a crash.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { loadColumnMap } from '../io/column-map.js';
import { checkInputPath } from '../io/csv-reader.js';
import { checkDistinctFiles } from '../io/distinct-files.js';
import { importData, importOutputPaths, recoverImport, type ImportResult } from '../io/import-data.js';
import type { ReadOptions } from '../io/read-options.js';

export type { ImportResult } from '../io/import-data.js';

export interface ImportRequest {
  casesPath: string;
  offencesPath?: string;
  mapPath?: string;
  outDir: string;
  read: ReadOptions;
  ogrsPercent?: boolean;
  allowRejects?: boolean;
  /** The file holding the secret key; ids are pseudonymised when this is given. */
  saltFile?: string;
}

/** Progress shown while the files are read (started once the inputs and key have been checked). */
export interface ImportProgress {
  update(text: string): void;
  stop(): void;
}

/** Reads a secret salt for keyed pseudonymisation (HMAC-SHA256). */
export function loadSalt(path: string): Buffer {
  let salt: Buffer;
  try {
    checkInputPath(path, path);
  } catch (err) {
    throw new UsageError(`--salt-file: ${(err as Error).message}`);
  }
  try {
    salt = readFileSync(path);
  } catch (err) {
    throw new UsageError(
      `--salt-file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const trimmed = Buffer.from(salt.toString('utf8').trim(), 'utf8');
  if (trimmed.length < 16)
    throw new UsageError(
      `--salt-file: the salt in ${path} is too short (${trimmed.length} bytes); use at least 16 random bytes, e.g. \`openssl rand -hex 32 > salt.txt\``,
    );
  return trimmed;
}

/** Keyed pseudonym: the same id and salt always give the same pseudonym, so linked files stay linkable. */
export function pseudonymiser(salt: Buffer): (id: string) => string {
  return (id) => `ID${createHmac('sha256', salt).update(id, 'utf8').digest('hex').slice(0, 20)}`;
}

/** Runs the import; `startProgress` is called once, just before the files are read. */
export async function importFiles(
  req: ImportRequest,
  startProgress?: (text: string) => ImportProgress,
): Promise<ImportResult> {
  // No output may overwrite an input (e.g. --out-dir naming the folder of a cases.csv being read).
  const out = importOutputPaths(req.outDir);
  checkDistinctFiles(
    [
      { option: '--cases', path: req.casesPath },
      { option: '--offences', path: req.offencesPath },
      { option: '--map', path: req.mapPath },
      { option: '--salt-file', path: req.saltFile },
    ],
    [
      { option: 'the output cases.csv', path: out.cases },
      { option: 'the output offences.csv', path: out.offences },
      { option: 'the output rejects.csv', path: out.rejects },
      { option: 'the output import.json', path: out.json },
    ],
  );
  const maps = req.mapPath ? loadColumnMap(req.mapPath) : null;
  const pseud = req.saltFile !== undefined ? pseudonymiser(loadSalt(req.saltFile)) : undefined;
  const spinner = startProgress?.('importing');
  try {
    const result = await importData({
      casesPath: req.casesPath,
      offencesPath: req.offencesPath,
      outDir: req.outDir,
      read: req.read,
      maps,
      ogrsPercent: req.ogrsPercent,
      allowRejects: req.allowRejects,
      pseudonymise: pseud,
      onProgress: (what, rows) => spinner?.update(`importing ${what}: ${rows.toLocaleString('en-GB')} rows read`),
    });
    spinner?.stop();
    return result;
  } catch (err) {
    spinner?.stop();
    throw err;
  }
}

/** Finishes (or clears) an import into `outDir` that a crash interrupted. */
export function recoverInterruptedImport(outDir: string): Promise<{ recovered: string[]; removed: string[] }> {
  return recoverImport(outDir);
}
