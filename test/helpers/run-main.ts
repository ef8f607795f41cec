/**
 * Runs the CLI in this process: `main(argv)` from src/cli/main.ts with stdout, stderr, stdin, the
 * environment and process.exitCode captured and restored around the call. The same commander
 * program, handlers and error mapping as the binary, without starting a Node process per case
 * (~0.3-0.5 s of CPU each). Use test/e2e (a child process) where the process itself is the point:
 * exit on a signal, a time or memory limit, the launcher, a real pipe.
 *
 * Runs are serialised: stdout and stderr are process-wide, so two overlapping runs would mix output.
 */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface MainRun {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface MainOptions {
  /** Bytes or text on stdin (for `--cases -`); stdin is empty otherwise. */
  input?: Buffer | string;
  /** Extra environment variables for this run only. */
  env?: Record<string, string>;
  /**
   * Run the compiled CLI in dist/ (built by `npm test` or ensureBuilt()) instead of src/: for code
   * that loads a compiled file at run time, as the offences worker thread does.
   */
  dist?: boolean;
}

type Main = (argv: string[]) => Promise<number>;
let distMain: Main | null = null;

async function mainFor(options: MainOptions): Promise<Main> {
  if (!options.dist) return main;
  if (distMain === null) {
    const url = new URL('../../dist/cli/main.js', import.meta.url).href;
    distMain = ((await import(url)) as { main: Main }).main;
  }
  return distMain;
}

let queue: Promise<unknown> = Promise.resolve();

/** `pilot-eval ...args`, in process. */
export function runMain(args: string[], options: MainOptions = {}): Promise<MainRun> {
  const run = queue.then(() => runNow(args, options));
  queue = run.catch(() => undefined);
  return run;
}

async function runNow(args: string[], options: MainOptions): Promise<MainRun> {
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (sink: string[]) =>
    (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = typeof encoding === 'function' ? encoding : callback;
      if (typeof cb === 'function') cb();
      return true;
    };
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  const env = { NO_COLOR: '1', FORCE_COLOR: '0', ...options.env };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedExit = process.exitCode;
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  const input = options.input === undefined ? [] : [Buffer.from(options.input)];
  Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => stdinStream });
  const stdinStream = Readable.from(input);
  Object.assign(process.env, env);
  process.exitCode = undefined;
  const start = performance.now();
  try {
    const code = await (await mainFor(options))(['node', 'pilot-eval', ...args]);
    return { args, code, stdout: out.join(''), stderr: err.join(''), ms: performance.now() - start };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    if (stdin) Object.defineProperty(process, 'stdin', stdin);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = savedExit;
  }
}
