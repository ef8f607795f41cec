/**
 * Printing for people and machines. `--json` output goes to stdout only, uncoloured, with
 * `schema_version: 1`; progress and warnings go to stderr; colour only on a TTY and never with
 * NO_COLOR; spinners only when stderr is a TTY.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';

export interface OutputMode {
  json: boolean;
}

export function colourEnabled(mode: OutputMode): boolean {
  if (mode.json) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(process.stdout.isTTY);
}

/** A chalk instance that colours only where colour is wanted. */
export function painter(mode: OutputMode): ChalkInstance {
  return colourEnabled(mode) ? chalk : new Chalk({ level: 0 });
}

/**
 * Characters a terminal acts on rather than shows: C0 controls except tab and newline (ESC starts
 * escape sequences that move the cursor, retitle the window or write the clipboard; CR overwrites
 * the line), DEL, C1 controls (U+009B is a one-character CSI), and the bidirectional overrides
 * that make text display in another order than it is read.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

function visibleEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every terminal control character shown as a visible escape (`\x1b`), tab and newline kept. */
export function terminalSafe(s: string): string {
  TERMINAL_CONTROL.lastIndex = 0;
  return TERMINAL_CONTROL.test(s) ? s.replace(TERMINAL_CONTROL, visibleEscape) : s;
}

/**
 * Like terminalSafe, but keeps colour codes (SGR: ESC [ digits m, which only set colour and
 * weight): for text already painted with chalk. Data should go through terminalSafe first.
 */
export function terminalSafeKeepColour(s: string): string {
  if (s.indexOf('\u001b') === -1) return terminalSafe(s);
  let out = '';
  let last = 0;
  for (const m of s.matchAll(SGR)) {
    out += terminalSafe(s.slice(last, m.index)) + m[0];
    last = m.index! + m[0].length;
  }
  return out + terminalSafe(s.slice(last));
}

/**
 * JSON text with C1 controls and bidirectional overrides written as \u escapes (JSON.stringify
 * escapes C0 controls itself, not these): the same JSON value, safe to show in a terminal.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Writes a JSON document (schema_version first) to stdout. */
export function printJson(doc: object): void {
  process.stdout.write(`${jsonTerminalSafe(JSON.stringify({ schema_version: 1, ...doc }, jsonReplacer, 2))}\n`);
}

/** JSON has no NaN or Infinity: they become null rather than invalid JSON. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/**
 * Prints text for a person. Terminal control characters in it are shown as escapes (data can hold
 * them: a cell, a header name); colour codes survive only when colour is on.
 */
export function printText(text: string): void {
  const safe = colourEnabled({ json: false }) ? terminalSafeKeepColour(text) : terminalSafe(text);
  process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}

/** Prints a warning to stderr (never to stdout, so JSON stays clean); control characters shown as escapes. */
export function warn(message: string, mode: OutputMode): void {
  const p = mode.json
    ? new Chalk({ level: 0 })
    : process.stderr.isTTY && !process.env.NO_COLOR
      ? chalk
      : new Chalk({ level: 0 });
  process.stderr.write(`${p.yellow('warning:')} ${terminalSafe(message)}\n`);
}

export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

const silent: Progress = { update() {}, succeed() {}, fail() {}, stop() {} };

/** The one spinner on screen; a handler called inside another command (the demo) reuses it. */
let active: Ora | null = null;

// A terminal that reports 0 columns (a pseudo-terminal nobody sized, e.g. `script` in a pipeline)
// sent ora into an endless redraw that held the process (seen: minutes of CPU, 1 GB): no spinner there.
export function spinnerWanted(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !env.CI && (stream.columns ?? 0) > 0;
}
const wantSpinner = () => spinnerWanted(process.stderr, process.env);

/** The spinner library, loaded only where a spinner can be shown (it takes ~50 ms to load). */
let ora: typeof import('ora').default | null = null;

/** Loads the spinner library when stderr is a terminal; call once before `progress`. */
export async function prepareProgress(): Promise<void> {
  if (wantSpinner() && ora === null) ora = (await import('ora')).default;
}

/**
 * A spinner on stderr, shown only when stderr is a TTY (never in CI logs or pipes). While one is
 * running, a nested call only updates its text, so there is never more than one spinner.
 */
export function progress(text: string): Progress {
  if (!wantSpinner() || ora === null) return silent;
  if (active) {
    const outer = active;
    if (text) outer.text = text;
    return { update: (t) => (outer.text = t), succeed() {}, fail() {}, stop() {} };
  }
  const spinner: Ora = ora({
    text,
    stream: process.stderr,
    color: 'cyan',
    isEnabled: true,
    discardStdin: false,
  }).start();
  active = spinner;
  const release = () => {
    if (active === spinner) active = null;
  };
  return {
    update: (t) => {
      spinner.text = t;
    },
    succeed: (t) => {
      spinner.succeed(t);
      release();
    },
    fail: (t) => {
      spinner.fail(t);
      release();
    },
    stop: () => {
      spinner.stop();
      release();
    },
  };
}

/**
 * Runs `task` under a spinner showing `text` (no spinner when `quiet`, e.g. with --json), and stops
 * the spinner however the task ends. The task gets the spinner's update function for progress.
 */
export async function withProgress<T>(
  text: string,
  quiet: boolean,
  task: (update: (text: string) => void) => Promise<T>,
): Promise<T> {
  const spin = quiet ? null : progress(text);
  try {
    return await task((t) => spin?.update(t));
  } finally {
    spin?.stop();
  }
}

/** Pads a table of strings into aligned columns (control characters in cells shown as escapes). */
export function table(cells: string[][], align?: Array<'l' | 'r'>): string {
  const rows = cells.map((r) => r.map(terminalSafeKeepColour));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(c))));
  return rows
    .map((r) =>
      r
        .map((c, i) => {
          const pad = ' '.repeat(Math.max(0, widths[i]! - visibleLength(c)));
          return (align?.[i] ?? 'l') === 'r' ? pad + c : c + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function visibleLength(s: string): number {
  return s.replace(SGR, '').length;
}
