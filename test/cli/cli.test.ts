import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';

// The CLI's main() in this process (the binary itself is checked in test/e2e/cli.test.ts).
const cli = (args: string[], input?: string) => runMain(args, { input });

const COMMANDS = [
  'concepts',
  'simulate',
  'import',
  'randomise',
  'power',
  'reoffending',
  'analyse',
  'report',
  'demo',
  'pbr',
  'match',
];

describe('the command framework', () => {
  it('registers every command of docs/reference/commands.md, each with --help and a real example', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) {
      expect(help.stdout).toContain(c);
      const h = await cli([c, '--help']);
      expect(h.code, c).toBe(0);
      expect(h.stdout, c).toMatch(/Examples?:/);
    }
  });
  it('prints the version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  });
  it('maps errors to exit codes: unknown option 2, data error 3', async () => {
    expect((await cli(['concepts', '--bogus'])).code).toBe(2);
    expect((await cli(['nonsense'])).code).toBe(2);
    const out = mkdtempSync(join(tmpdir(), 'pilot-eval-cli-'));
    const bad = await cli(['import', '--cases', 'fixtures/bad/duplicate-id.csv', '--out-dir', out, '--json']);
    expect(bad.code).toBe(3);
    const doc = JSON.parse(bad.stdout);
    expect(doc).toMatchObject({ schema_version: 1, error: 'data', total_problems: 2 });
    expect(doc.problems[0]).toMatchObject({ line: 2, column: 'id', value: 'A1' });
    expect(bad.stderr).toContain('duplicate-id.csv:2: column id value "A1": duplicate id');
  });
  it('--json prints only JSON on stdout, with schema_version', async () => {
    const r = await cli(['concepts', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema_version).toBe(1);
    expect(doc.concepts.map((c: { slug: string }) => c.slug)).toEqual([
      'pcp',
      'pcp-fund',
      'women-pcp-fund',
      'user-grants',
      'community-navigation',
    ]);
    expect(doc.concepts[0]).toHaveProperty('primary_outcome');
    // eslint-disable-next-line no-control-regex -- no colour escape (ESC [) in JSON output
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
  it('reads cases from stdin with -', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pilot-eval-cli-'));
    const r = await cli(['import', '--cases', '-', '--out-dir', out, '--json'], 'id,arm\nB,control\nA,treatment\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).cases).toEqual({ read: 2, accepted: 2, rejected: 0 });
  });
  it('reoffending hashes both inputs while reading them, stdin included', async () => {
    const cases = readFileSync('fixtures/bad/hostile/good-cases.csv', 'utf8');
    const r = await cli(
      ['reoffending', '--cases', '-', '--offences', 'fixtures/bad/hostile/good-offences.csv', '--json'],
      cases,
    );
    expect(r.code, r.stderr).toBe(0);
    const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
    expect(JSON.parse(r.stdout).inputs).toEqual([
      { path: '-', sha256: sha(cases) },
      {
        path: 'fixtures/bad/hostile/good-offences.csv',
        sha256: sha(readFileSync('fixtures/bad/hostile/good-offences.csv')),
      },
    ]);
  });
});
