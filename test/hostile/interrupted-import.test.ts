/**
 * Issue 17: an import killed between the renames of its four files leaves a folder whose files
 * may not belong together (new cases beside old offences) and a write-ahead record
 * (import.json.journal). Every command that reads such a folder, not only the next import, must
 * refuse it with exit 4 naming the folder and `pilot-eval import --recover`, and read it again
 * once recovered.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './cli-runner.js';

let dir = '';
let out = '';

function casesCsv(n: number, prefix: string): string {
  const lines = ['id,arm,site,age,ogrs3,start_date'];
  for (let i = 0; i < n; i++)
    lines.push(
      `${prefix}${String(i).padStart(4, '0')},${i % 2 ? 'treatment' : 'control'},${['North', 'South'][i % 2]},${20 + (i % 30)},0.${10 + (i % 80)},2023-0${1 + (i % 9)}-1${i % 10}`,
    );
  return `${lines.join('\n')}\n`;
}
function offencesCsv(n: number, prefix: string): string {
  const lines = ['id,offence_date,disposal_date,disposal_type'];
  for (let i = 0; i < n; i += 3)
    lines.push(`${prefix}${String(i).padStart(4, '0')},2024-02-0${1 + (i % 9)},2024-03-01,caution`);
  return `${lines.join('\n')}\n`;
}

/** Runs importData in a child process and SIGKILLs it at `step` of the write. */
function killedAt(
  step: string,
  options: Record<string, unknown>,
): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const script = `
    const { importData } = await import(${JSON.stringify(join(ROOT, 'dist', 'io', 'import-data.js'))});
    const o = JSON.parse(process.env.IMPORT_OPTIONS);
    const kill = (s) => { if (s === process.env.KILL_AT) process.kill(process.pid, 'SIGKILL'); };
    await importData({ ...o, writeHook: kill });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, IMPORT_OPTIONS: JSON.stringify(options), KILL_AT: step },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stderr: Buffer.concat(err).toString('utf8') }));
  });
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pilot-eval-interrupted-'));
  out = join(dir, 'clean');
  const cases = join(dir, 'in-cases.csv');
  const offences = join(dir, 'in-offences.csv');
  writeFileSync(cases, casesCsv(40, 'OLD'));
  writeFileSync(offences, offencesCsv(40, 'OLD'));
  const first = await runCli(['import', '--cases', cases, '--offences', offences, '--out-dir', out]);
  if (first.code !== 0) throw new Error(first.stderr);
  writeFileSync(cases, casesCsv(40, 'NEW'));
  writeFileSync(offences, offencesCsv(40, 'NEW'));
  // Killed after cases.csv was renamed and before offences.csv was: new cases beside old offences.
  const k = await killedAt('renamed:0', { casesPath: cases, offencesPath: offences, outDir: out });
  if (k.signal !== 'SIGKILL') throw new Error(`not killed: ${k.stderr}`);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fx = (f: string) => join(ROOT, 'fixtures', 'pcp', f);

describe('a folder left by an interrupted import', () => {
  const commands: Array<[string, () => string[]]> = [
    ['analyse', () => ['analyse', join(out, 'cases.csv'), '--offences', join(out, 'offences.csv'), '--json']],
    [
      'reoffending',
      () => [
        'reoffending',
        '--cases',
        join(out, 'cases.csv'),
        '--offences',
        join(out, 'offences.csv'),
        '--as-of',
        '2025-06-30',
        '--out',
        join(dir, 'outcomes.csv'),
      ],
    ],
    [
      'match',
      () => [
        'match',
        '--treated',
        join(out, 'cases.csv'),
        '--pool',
        fx('cases.csv'),
        '--covariates',
        'age,ogrs3',
        '--out',
        join(dir, 'matched.csv'),
      ],
    ],
    [
      'randomise',
      () => [
        'randomise',
        join(out, 'cases.csv'),
        '--method',
        'complete',
        '--seed',
        '83920471',
        '--out',
        join(dir, 'allocation.csv'),
      ],
    ],
    [
      'report',
      () => [
        'report',
        '--cases',
        join(out, 'cases.csv'),
        '--offences',
        join(out, 'offences.csv'),
        '--process',
        fx('process.csv'),
        '--costs',
        fx('costs.csv'),
        '--themes',
        fx('themes.csv'),
        '--trial',
        fx('trial.yaml'),
        '--out',
        join(dir, 'report.html'),
      ],
    ],
  ];
  for (const [name, args] of commands) {
    it(`${name} refuses it (exit 4), naming the folder and import --recover`, async () => {
      expect(existsSync(join(out, 'import.json.journal'))).toBe(true);
      const r = await runCli(args());
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain(out);
      expect(r.stderr).toContain(`pilot-eval import --recover --out-dir ${out}`);
    }, 60_000);
  }

  it('once `import --recover` has finished it, the folder is read again', async () => {
    const rec = await runCli(['import', '--recover', '--out-dir', out]);
    expect(rec.code, rec.stderr).toBe(0);
    expect(existsSync(join(out, 'import.json.journal'))).toBe(false);
    const r = await runCli([
      'reoffending',
      '--cases',
      join(out, 'cases.csv'),
      '--offences',
      join(out, 'offences.csv'),
      '--as-of',
      '2025-06-30',
      '--out',
      join(dir, 'outcomes2.csv'),
    ]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
});
