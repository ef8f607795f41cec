/**
 * Outputs must not name an input or each other: writing them would overwrite raw data, or one
 * output with another. Files are compared as the file system sees them (device and inode when the
 * file exists, else the real path of its folder), so `./a.csv`, an absolute path and a symbolic
 * link to the same file are the same file.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

/** One name per file: the real path when it exists (symbolic links followed), else the absolute path. */
function fileIdentity(path: string): string {
  const abs = resolve(path);
  try {
    const st = statSync(abs);
    return `inode:${st.dev}:${st.ino}`;
  } catch {
    try {
      return `path:${join(realpathSync(dirname(abs)), abs.slice(dirname(abs).length + 1))}`;
    } catch {
      return `path:${abs}`;
    }
  }
}

/**
 * Refuses outputs that name an input or each other (exit 2): writing them would overwrite raw
 * data or one output with another. Files are compared as the file system sees them, so `./a.csv`,
 * an absolute path and a link to the same file are the same file.
 */
export function checkDistinctFiles(
  inputs: Array<{ option: string; path: string | undefined }>,
  outputs: Array<{ option: string; path: string | undefined }>,
): void {
  const seen = new Map<string, string>();
  for (const i of inputs)
    if (i.path !== undefined && i.path !== '-') seen.set(fileIdentity(i.path), `${i.option} ${i.path} (an input)`);
  const outSeen = new Map<string, string>();
  for (const o of outputs) {
    if (o.path === undefined) continue;
    const id = fileIdentity(o.path);
    const clash = seen.get(id) ?? outSeen.get(id);
    if (clash)
      throw new UsageError(
        `${o.option} ${o.path} is the same file as ${clash}: refusing to overwrite it; give a different file`,
      );
    outSeen.set(id, `${o.option} ${o.path}`);
  }
}
