/**
 * One vocabulary across commands, run through `main()` in-process: the new option names, the older
 * names kept as aliases (with a note on stderr, none under --json), choices in --help, and
 * commander's own complaints (unknown option, bad choice, conflicting options) as usage errors
 * (exit 2, and the usage-error JSON under --json).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const se = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  process.exitCode = undefined;
  try {
    await main(['node', 'pilot-eval', ...args]);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stdout: out.join(''), stderr: err.join('') };
}

afterEach(() => {
  process.exitCode = undefined;
  // main() adds an EPIPE handler to the standard streams on every call.
  process.stdout.removeAllListeners('error');
  process.stderr.removeAllListeners('error');
});

const json = (r: Run) => JSON.parse(r.stdout) as Record<string, unknown>;
const BINARY = ['power', '--p1', '0.35', '--p2', '0.25', '--json'];

describe('power: --outcome-type and --allocation-ratio, with the older names kept', () => {
  it('--outcome-type and its older name --outcome give the same result; the note is on stderr, not under --json', async () => {
    // R: power.prop.test(p1 = .35, p2 = .25, power = .8) gives n = 328.4 per group -> 329
    const a = await cli(...BINARY, '--outcome-type', 'binary');
    expect(a.code).toBe(0);
    expect(json(a).n_per_arm).toEqual([329, 329]);
    const b = await cli(...BINARY, '--outcome', 'binary');
    expect(b.code).toBe(0);
    expect(json(b)).toEqual(json(a));
    expect(b.stderr).not.toContain('older name');
    const c = await cli('power', '--outcome', 'binary', '--p1', '0.35', '--p2', '0.25');
    expect(c.code).toBe(0);
    expect(c.stderr).toBe('pilot-eval: note: --outcome is the older name of --outcome-type; it still works\n');
  });

  it('--allocation-ratio takes n2/n1 as a number or as control:treatment parts; --ratio is its older name', async () => {
    const two = json(await cli(...BINARY, '--outcome-type', 'binary', '--allocation-ratio', '2'));
    expect((two.n_per_arm as number[])[1]).toBe(2 * (two.n_per_arm as number[])[0]!);
    expect(two.ratio).toBe(2);
    expect(json(await cli(...BINARY, '--outcome-type', 'binary', '--allocation-ratio', '1:2'))).toEqual(two);
    expect(json(await cli(...BINARY, '--outcome-type', 'binary', '--allocation-ratio', '0.5:1'))).toEqual(two);
    expect(json(await cli(...BINARY, '--outcome-type', 'binary', '--ratio', '2'))).toEqual(two);
  });

  it('a bad value names the option (the older name when that was used) and exits 2 with the usage JSON', async () => {
    const r = await cli('power', '--outcome-type', 'weibull', '--json');
    expect(r.code).toBe(2);
    expect(json(r)).toEqual({
      schema_version: 1,
      error: 'usage',
      message: '--outcome-type must be one of standardised, binary, survival, count; got "weibull"',
    });
    const old = await cli('power', '--outcome', 'weibull', '--json');
    expect(old.code).toBe(2);
    expect(json(old).message).toBe('--outcome must be one of standardised, binary, survival, count; got "weibull"');
    const ratio = await cli(...BINARY, '--outcome-type', 'binary', '--allocation-ratio', '2:0');
    expect(ratio.code).toBe(2);
    expect(json(ratio).message).toBe(
      '--allocation-ratio (treated part) must be strictly between 0 and Infinity, got 0',
    );
    const p1 = await cli('power', '--outcome-type', 'binary', '--p1', '1.2', '--json');
    expect(json(p1).message).toBe('--p1 must be strictly between 0 and 1, got 1.2');
  });

  it("commander's complaints are usage errors: exit 2, and the usage JSON under --json", async () => {
    const both = await cli(...BINARY, '--outcome-type', 'binary', '--outcome', 'binary');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--outcome <type>' cannot be used with option '--outcome-type <type>'");
    expect(json(both)).toMatchObject({ schema_version: 1, error: 'usage' });
    expect(json(both).message).toContain(
      "option '--outcome <type>' cannot be used with option '--outcome-type <type>'",
    );
    const cv = await cli(
      ...BINARY,
      '--outcome-type',
      'binary',
      '--cv-between',
      '0.2',
      '--icc',
      '0.1',
      '--cluster-size',
      '10',
    );
    expect(cv.code).toBe(2);
    expect(json(cv).message).toContain("option '--cv-between <k>' cannot be used with option '--icc <icc>'");
    const unknown = await cli('power', '--bogus', '--json');
    expect(unknown.code).toBe(2);
    expect(json(unknown)).toEqual({ schema_version: 1, error: 'usage', message: "unknown option '--bogus'" });
    const text = await cli('power', '--bogus');
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain("error: unknown option '--bogus'");
  });

  it('--help lists the choices and the older names', async () => {
    const r = await cli('power', '--help');
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--outcome-type <type>\s+kind of outcome/);
    expect(help).toContain('(choices: "standardised", "binary", "survival", "count", default: "standardised")');
    expect(help).toMatch(/--outcome <type>\s+older name of --outcome-type, kept for scripts/);
    expect(help).toMatch(/--ratio <r>\s+older name of --allocation-ratio, kept for scripts/);
    expect(help).toContain('(choices: "mdes", "power", "n")');
  });
});

describe('analyse --block (the randomisation block, as randomise --block), --stratum kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vocab-'));
  const data = join(dir, 'trial.csv');
  const rows = ['id,arm,site,reoffended'];
  for (let i = 0; i < 40; i++)
    rows.push(`p${i},${i % 2 ? 'treatment' : 'control'},${i < 20 ? 'north' : 'south'},${(i * 7) % 5 < 2 ? 1 : 0}`);
  writeFileSync(data, `${rows.join('\n')}\n`);
  const perm = (r: Run) =>
    (json(r).effects as Array<{ measure: string; method: string; p_value: number }>).find(
      (e) => e.measure === 'permutation_p',
    )!;

  it('--block and --stratum name the same column; permutations re-randomise within it', async () => {
    const args = ['analyse', data, '--outcome', 'reoffended', '--permutations', '99', '--seed', '1', '--json'];
    const block = await cli(...args, '--block', 'site');
    expect(block.code).toBe(0);
    expect(perm(block).method).toContain('re-randomisations of individuals within strata');
    const stratum = await cli(...args, '--stratum', 'site');
    expect(stratum.code).toBe(0);
    expect(perm(stratum)).toEqual(perm(block));
    const none = await cli(...args);
    expect(perm(none).method).not.toContain('within strata');
    const both = await cli(...args, '--block', 'site', '--stratum', 'site');
    expect(both.code).toBe(2);
  });

  it('--help says --strata is a different idea', async () => {
    const r = await cli('analyse', '--help');
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--block <col>\s+randomisation block \(stratum\) column, as randomise --block/);
    expect(help).toMatch(/--strata <col>\s+strata of a stratified Cox model .* not --block/);
    expect(help).toMatch(/--stratum <col>\s+older name of --block, kept for scripts/);
  });
});

describe('match --controls-per-treated, --ratio kept; randomise --prob conflicts with --ratio', () => {
  it('the older name works and the JSON keeps ratio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vocab-match-'));
    const base = [
      'match',
      '--treated',
      'test/data/match-treated.csv',
      '--pool',
      'test/data/match-pool.csv',
      '--covariates',
      'age,ogrs3',
      '--json',
    ];
    const a = await cli(...base, '--controls-per-treated', '2', '--out', join(dir, 'a.csv'));
    expect(a.code).toBe(0);
    const b = await cli(...base, '--ratio', '2', '--out', join(dir, 'b.csv'));
    expect(b.code).toBe(0);
    const strip = (r: Run) => ({ ...json(r), out: null, trial_file: null });
    expect(strip(b)).toEqual(strip(a));
    expect(json(a).ratio).toBe(2);
    expect(json(a).treated).toBe(
      (json(a).matched_treated as number) +
        (json(a).unmatched_treated as number) +
        (json(a).discarded_treated as number),
    );
    const bad = await cli(...base, '--order', 'biggest', '--out', join(dir, 'c.csv'));
    expect(bad.code).toBe(2);
    expect(json(bad).message).toBe('--order must be one of largest, smallest, data, random; got "biggest"');
  });

  it('randomise --ratio with --prob is refused while the command line is read', async () => {
    const r = await cli(
      'randomise',
      'x.csv',
      '--method',
      'simple',
      '--ratio',
      '1:2',
      '--prob',
      '0.3',
      '--seed',
      '1',
      '--out',
      'never.csv',
      '--json',
    );
    expect(r.code).toBe(2);
    expect(json(r).message).toContain("option '--prob <p>' cannot be used with option '--ratio <r>'");
  });
});
