/**
 * Runs the CLI as a user would: exit code, stdout, stderr, wall time and whether it took too long;
 * in this process by default, or as a child process (`spawn: true`). Builds dist/ first when it is
 * missing or older than the sources (so `npx vitest run test/hostile` works on a fresh edit).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';

export const ROOT = process.cwd();
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles src/ to dist/ when dist is missing or stale. */
export function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestSource(join(ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 180_000,
    });
  } catch (err) {
    const e = err as { stdout?: Buffer; message: string };
    throw new Error(`tsc failed: ${e.stdout?.toString() ?? e.message}`, { cause: err });
  }
}

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface CliOptions {
  timeoutMs?: number;
  input?: Buffer | string;
  env?: Record<string, string>;
  /** In process, but the compiled CLI in dist/ (see test/helpers/run-main.ts). */
  dist?: boolean;
  /**
   * Run the built binary in a child process. Needed only where the process is the point (a heap
   * limit in NODE_OPTIONS, a kill, two processes racing for a lock, the offences worker thread,
   * which exists only in dist/); otherwise the CLI's main() runs in this process, which gives the
   * same exit code, stdout and stderr at a fraction of the cost.
   */
  spawn?: boolean;
}

/**
 * Runs `pilot-eval ...args`: in this process through main() (see test/helpers/run-main.ts), or as
 * `node bin/pilot-eval ...args` with `spawn: true`, killed after `timeoutMs`.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  if (options.spawn) return spawnCli(args, options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const start = Date.now();
  const run = await Promise.race([runMain(args, options), timeout]);
  clearTimeout(timer);
  if (run === null)
    return { args, code: null, signal: null, stdout: '', stderr: '', ms: Date.now() - start, timedOut: true };
  return { args, code: run.code, signal: null, stdout: run.stdout, stderr: run.stderr, ms: run.ms, timedOut: false };
}

/** Runs `node bin/pilot-eval ...args` in a child process; kills it after `timeoutMs`. */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'pilot-eval'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        args,
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - start,
        timedOut,
      });
    });
  });
}

/** Runs tasks with at most `limit` at a time, keeping results in order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Hidden temp files left by an atomic write (`.name.pid.hex.tmp`) anywhere under `dir`. */
export function tempFilesUnder(dir: string): string[] {
  const found: string[] = [];
  if (!existsSync(dir)) return found;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) found.push(...tempFilesUnder(p));
    else if (/^\..*\.\d+\.[0-9a-f]+\.tmp$/.test(e.name)) found.push(p);
  }
  return found;
}
