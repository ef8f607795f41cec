/**
 * Issue 9: what the tool writes. (1) Every CSV any command writes, read back, has no cell that a
 * spreadsheet would run as a formula (= + - @ tab CR) unless it is a number. (2) Reports (html, md,
 * json) never contain a person id or a participant pseudonym, and html escapes hostile text.
 * (3) SIGKILL in the middle of a large write leaves the old complete file (or nothing), never a
 * partial one; only the hidden temp file `.name.pid.hex.tmp` can remain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { ensureBuilt, pool, ROOT, runCli, type CliRun } from './cli-runner.js';

const H = 'fixtures/bad/hostile';
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
let dir = '';
let runs: CliRun[] = [];

function csvFilesUnder(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? csvFilesUnder(join(d, e.name)) : e.name.endsWith('.csv') ? [join(d, e.name)] : [],
  );
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pilot-eval-outputs-'));
  writeFileSync(join(dir, 'salt.txt'), 'a-secret-salt-of-enough-length\n');
  const F = `${H}/cases-formula.csv`;
  const R = [
    'report',
    '--concept',
    'pcp',
    '--stage',
    'pilot',
    '--cases',
    'fixtures/pcp/cases.csv',
    '--offences',
    'fixtures/pcp/offences.csv',
    '--themes',
    `${H}/themes-unknown-source.csv`,
    '--process',
    'fixtures/pcp/process.csv',
    '--costs',
    'fixtures/pcp/costs.csv',
  ];
  runs = await pool(
    [
      ['import', '--cases', F, '--out-dir', join(dir, 'import')],
      [
        'import',
        '--cases',
        F,
        '--out-dir',
        join(dir, 'import-pseud'),
        '--pseudonymise',
        '--salt-file',
        join(dir, 'salt.txt'),
      ],
      [
        'import',
        '--cases',
        `${H}/cases-impossible-dates.csv`,
        '--out-dir',
        join(dir, 'import-rejects'),
        '--allow-rejects',
        '--date-format',
        'dmy',
      ], // dmy: its 12/31/2022 is a bad date, not a refused US column
      ['randomise', F, '--method', 'complete', '--seed', '3', '--out', join(dir, 'alloc', 'allocation.csv')],
      [
        'randomise',
        F,
        '--method',
        'block',
        '--block',
        'stratum',
        '--seed',
        '3',
        '--ledger',
        join(dir, 'ledger', 'ledger.csv'),
      ],
      [
        'reoffending',
        '--cases',
        F,
        '--offences',
        `${H}/good-offences.csv`,
        '--out',
        join(dir, 'reoff', 'outcomes.csv'),
      ],
      ['simulate', '--concept', 'pcp', '--stage', 'pilot', '--seed', '5', '--out-dir', join(dir, 'sim')],
      [...R, '--format', 'html', '--out', join(dir, 'report', 'r.html')],
      [...R, '--format', 'md', '--out', join(dir, 'report', 'r.md')],
      [...R, '--format', 'json', '--out', join(dir, 'report', 'r.json')],
    ],
    3,
    (args) => runCli(args, { timeoutMs: 60_000 }),
  );
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CSV outputs are safe to open in a spreadsheet', () => {
  it('every command ran', () => {
    for (const r of runs) expect(r.code, `${r.args.join(' ')}\n${r.stderr}`).toBe(0);
  });
  it('no written cell starts a formula unless it is a number; hostile ids survive, prefixed with a quote', () => {
    const files = csvFilesUnder(dir);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const parsed = Papa.parse<string[]>(readFileSync(f, 'utf8'), {
        header: false,
        skipEmptyLines: true,
        delimiter: ',',
      });
      expect(parsed.errors, f).toEqual([]);
      for (const row of parsed.data)
        for (const cell of row)
          if (/^[=+\-@\t\r]/.test(cell)) expect(NUMBER.test(cell), `${f}: ${JSON.stringify(cell)}`).toBe(true);
    }
    const alloc = readFileSync(join(dir, 'alloc', 'allocation.csv'), 'utf8');
    expect(alloc).toContain(`"'=HYPERLINK(""http://evil.example/?x="")"`);
    expect(alloc).toContain("'@H4");
    expect(alloc).toContain('+441234'); // a number (a phone-like id) is left alone
  });
});

describe('reports never print person ids or participant pseudonyms', () => {
  it('html, md and json hold no P000123-style id, no participant code, and no live hostile html', () => {
    const ids = readFileSync('fixtures/pcp/cases.csv', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]!)
      .filter(Boolean);
    const participants = readFileSync(`${H}/themes-unknown-source.csv`, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[1]!)
      .filter(Boolean);
    expect(ids.length).toBeGreaterThan(500);
    for (const f of ['r.html', 'r.md', 'r.json']) {
      const text = readFileSync(join(dir, 'report', f), 'utf8');
      expect(text, f).not.toMatch(/\bP\d{6}\b/);
      for (const p of participants) expect(text, `${f} prints participant ${p}`).not.toContain(p);
    }
    const html = readFileSync(join(dir, 'report', 'r.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
  });
  it('pseudonymised import keeps no original id', () => {
    const text = readFileSync(join(dir, 'import-pseud', 'cases.csv'), 'utf8');
    expect(text).not.toMatch(/\bH\d{4}\b/);
    expect(text).not.toContain('HYPERLINK');
    expect(text.split('\n')[1]).toMatch(/^ID[0-9a-f]{20},/);
  });
});

describe('crash safety', () => {
  it('SIGKILL mid-write leaves the old complete file or nothing, never a partial one', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pilot-eval-kill-'));
    try {
      // ~20 MB of cases: the import takes long enough to be killed while writing.
      const head = 'id,arm,team,sex,age,ogrs3,start_date,site\n';
      const row = (i: number) =>
        `Q${String(i).padStart(7, '0')},${i % 2 ? 'treatment' : 'control'},T${i % 50},male,${20 + (i % 60)},0.3,2022-01-01,${'x'.repeat(300)}\n`;
      const parts: string[] = [head];
      for (let i = 0; i < 60_000; i++) parts.push(row(i));
      writeFileSync(join(d, 'big.csv'), parts.join(''));
      const out = join(d, 'out');
      const r0 = await runCli(['import', '--cases', join(d, 'big.csv'), '--out-dir', out], { timeoutMs: 120_000 });
      expect(r0.code, r0.stderr).toBe(0);
      const old = readFileSync(join(out, 'cases.csv'));
      // Change the input so a completed rewrite would differ, then kill the rewrite at several moments.
      writeFileSync(join(d, 'big.csv'), parts.join('').replace(/,control,/g, ',usual,'));
      // Kill at moments tied to the write itself (not to wall-clock guesses, which a faster import
      // outruns): as soon as a temp file appears in the output folder, and a little after.
      const TEMP = /^\..*\.\d+\.[0-9a-f]+\.tmp$/;
      let killedWhileWriting = 0;
      for (const delay of [0, 80]) {
        const child = spawn(
          process.execPath,
          [join(ROOT, 'bin', 'pilot-eval'), 'import', '--cases', join(d, 'big.csv'), '--out-dir', out],
          { cwd: ROOT, stdio: 'ignore' },
        );
        // Listen before anything else can happen, so a child that ends early still resolves.
        const closed = new Promise<NodeJS.Signals | null>((res) => child.on('close', (_code, signal) => res(signal)));
        let running = true;
        void closed.then(() => (running = false));
        // This child's own temp file (its pid is in the name), not one a previous kill left behind.
        const mine = (f: string) => TEMP.test(f) && f.includes(`.${child.pid}.`);
        const deadline = Date.now() + 60_000;
        while (running && Date.now() < deadline && !readdirSync(out).some(mine))
          await new Promise((res) => setTimeout(res, 2));
        const sawTemp = readdirSync(out).some(mine);
        if (delay > 0) await new Promise((res) => setTimeout(res, delay));
        if (running) child.kill('SIGKILL');
        const signal = await closed;
        if (sawTemp && signal === 'SIGKILL') killedWhileWriting++;
        const now = readFileSync(join(out, 'cases.csv'));
        const whole =
          now.equals(old) || now.toString('utf8').split('\n').length === old.toString('utf8').split('\n').length;
        expect(
          whole,
          `cases.csv is partial after a kill ${delay} ms into the write (${statSync(join(out, 'cases.csv')).size} bytes)`,
        ).toBe(true);
        // Only hidden temp files may remain (documented in SECURITY.md), with the folder's lock and
        // the write-ahead record of an interrupted set (the next import finishes it); never a
        // visible partial output.
        const extra = (f: string) => f === 'import.json.lock' || f === 'import.json.journal';
        for (const f of readdirSync(out))
          expect(f === 'cases.csv' || f === 'import.json' || f === 'rejects.csv' || TEMP.test(f) || extra(f), f).toBe(
            true,
          );
      }
      // The test means something only if at least one kill landed while a temp file was being written.
      expect(killedWhileWriting).toBeGreaterThanOrEqual(1);
      expect(existsSync(join(out, 'cases.csv'))).toBe(true);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, 180_000);
});
