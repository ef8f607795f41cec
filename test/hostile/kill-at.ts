/**
 * Kills a journalled multi-file write at a chosen step, for the crash-safety tests of import and
 * randomise: runs one exported function of the built dist/ in a child process, passing it
 * `writeHook` and `lockedHook`, and SIGKILLs the child when the write reaches `step`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The steps of a four-file journalled write, in order (see src/io/atomic.ts). */
export const KILL_STEPS = [
  'locked',
  'staged:0',
  'staged:1',
  'staged:2',
  'staged:3',
  'journal',
  'renamed:0',
  'renamed:1',
  'renamed:2',
  'renamed:3',
] as const;

/** Runs `fn` of `dist/<module>` on `options` in a child process and SIGKILLs it at `step`. */
export function killedAt(
  root: string,
  module: string,
  fn: string,
  step: string,
  options: Record<string, unknown>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const script = `
    const m = await import(${JSON.stringify(join(root, 'dist', module))});
    const o = JSON.parse(process.env.KILL_OPTIONS);
    const kill = (s) => { if (s === process.env.KILL_AT) process.kill(process.pid, 'SIGKILL'); };
    await m[${JSON.stringify(fn)}]({ ...o, writeHook: kill, lockedHook: () => kill('locked') });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, KILL_OPTIONS: JSON.stringify(options), KILL_AT: step },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr: Buffer.concat(err).toString('utf8') }));
  });
}
