/**
 * The real binary in a child process, as a user or a CI job runs it: the launcher finds dist/,
 * exit codes reach the shell, --json goes to stdout and messages to stderr, stdin is a real pipe,
 * and a reader that closes the pipe early is not an error. Every other CLI test runs main() in
 * process (test/helpers/run-main.ts); this file keeps that shortcut honest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../hostile/cli-runner.js';
import { runMain } from '../helpers/run-main.js';

function bin(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['bin/pilot-eval', ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => ensureBuilt(), 200_000);

describe('bin/pilot-eval', () => {
  it('prints the package version and exits 0', () => {
    const r = bin(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`, stderr: '' });
  });

  it('exit codes reach the shell: 2 for an unknown option, 3 for a data error (JSON on stdout, message on stderr)', () => {
    const usage = bin(['concepts', '--bogus']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown option '--bogus'");
    expect(usage.stdout).toBe('');
    const out = mkdtempSync(join(tmpdir(), 'pilot-eval-e2e-'));
    const bad = bin(['import', '--cases', 'fixtures/bad/duplicate-id.csv', '--out-dir', out, '--json']);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout)).toMatchObject({ schema_version: 1, error: 'data', total_problems: 2 });
    expect(bad.stderr).toContain('duplicate-id.csv:2: column id value "A1": duplicate id');
  });

  it('gives what main() gives in process, byte for byte, with cases on a real stdin pipe', async () => {
    const args = ['reoffending', '--cases', '-', '--offences', 'fixtures/bad/hostile/good-offences.csv', '--json'];
    const cases = readFileSync('fixtures/bad/hostile/good-cases.csv', 'utf8');
    const child = bin(args, cases);
    const inProcess = await runMain(args, { input: cases });
    expect(child.code).toBe(0);
    expect({ code: child.code, stdout: child.stdout, stderr: child.stderr }).toEqual({
      code: inProcess.code,
      stdout: inProcess.stdout,
      stderr: inProcess.stderr,
    });
  });

  it('a reader that closes the pipe early (`| head -1`) is not an error', async () => {
    const child = spawn(process.execPath, ['bin/pilot-eval', 'concepts', '--json'], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
