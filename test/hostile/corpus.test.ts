/**
 * Issue 9: hostile and broken inputs never crash the tool (exit 1), hang, or leave a partial output.
 * Every command that reads a CSV runs, as a child process, over every file of fixtures/bad/hostile
 * (plus big files generated here at test time), and each run must:
 *   - exit with the code decided in the table below (2 usage / 3 data for broken input; 0 where the
 *     input is actually valid for that command), never 1, never killed by the timeout;
 *   - on failure, name the place on stderr (the file, and `file:line` for row-level problems, or
 *     the option), and keep stderr short (a 5 MB field is not echoed);
 *   - on failure, leave every output it would write exactly as it was before (pre-seeded "old"
 *     files are unchanged) and no temp file; import may write only rejects.csv and import.json
 *     (docs/reference/commands.md#import), never cases.csv/offences.csv.
 *
 * Decision table (file -> command -> expected exit). Validity is per command: a command checks the
 * columns it uses, so an invalid `age` does not stop `randomise --method complete`.
 *
 * | file                            | what it is                                   | decision |
 * |---------------------------------|----------------------------------------------|----------|
 * | empty.csv                       | 0 bytes                                      | 3 everywhere (line 1, "empty") |
 * | blank-lines.csv                 | only blank lines (LF, CRLF)                  | 3 everywhere (line 1, "empty") |
 * | bom-only.csv                    | a UTF-8 BOM and nothing else                 | 3 everywhere (required column missing) |
 * | binary.csv                      | PNG bytes                                    | 3 everywhere (not UTF-8 / NUL) |
 * | gzip.csv                        | a gzip stream                                | 3 everywhere (NUL bytes) |
 * | latin1.csv                      | Latin-1 "Zoë" on line 5                      | 3 everywhere (line 5, not UTF-8) |
 * | utf16le.csv                     | UTF-16LE with BOM                            | 3 everywhere (NUL bytes) |
 * | unclosed-quote.csv              | quote opened on line 3, never closed         | 3 everywhere (line 3) |
 * | stray-quote.csv                 | `T"3"` inside an unquoted field              | valid: kept literally, as R read.csv does -> 0 |
 * | cases-header-only.csv           | header, no rows                              | 3 (no cases) for every cases reader |
 * | cases-duplicate-columns.csv     | `arm` and `ARM`                              | 3 (line 1) |
 * | cases-empty-column-name.csv     | an unnamed trailing column                   | valid: ignored -> 0 |
 * | cases-missing-id.csv            | `person` instead of `id`                     | 3 (line 1, column id) |
 * | cases-semicolon.csv / -tab.csv  | wrong delimiter                              | 3 with a --delimiter hint |
 * | cases-ragged.csv                | rows with 3 and 9 fields of 8                | 3 (lines 3 and 7) |
 * | cases-empty-id.csv              | empty id on line 3                           | 3 |
 * | cases-duplicate-id.csv          | H0001 twice                                  | 3 |
 * | cases-bad-numbers.csv           | NaN, Infinity, 1e3 (age), "1,000", 0x1F, 1e400 | 3 for import and when used as covariates; 0 where unused |
 * | cases-valid-numbers.csv         | " 42 ", "3.2e1", "33.", ".31", "+0.32", "1e-1", UK date | valid -> 0 |
 * | cases-impossible-dates.csv      | 2023-02-29, 31/04, 0000-00-00, US 12/31, 2022-1-5, "yesterday", ISO time | 3 where start_date is used; 0 for randomise |
 * | cases-one-arm.csv               | everyone in control                          | 0 for import/randomise/reoffending; 2 analyse (names the file); 3 report (names the file) |
 * | cases-cr-only.csv               | old Mac CR line endings                      | valid -> 0 |
 * | cases-crlf-bom.csv              | Windows CRLF + BOM                           | valid -> 0 |
 * | cases-control-chars.csv         | ANSI escape codes in a date                  | 3; the escape is shown as \u001b, never sent raw to the terminal |
 * | cases-formula.csv               | ids/labels starting = + - @ tab CR           | valid -> 0 (outputs neutralised: formula.test.ts) |
 * | offences-header-only.csv        | no offences                                  | import 0; reoffending/analyse 2 (names the file and --as-of) |
 * | offences-*.csv (others)         | bad dates, unknown id, disposal first, bad type, NaN/Infinity/-1 severity, ragged, missing columns | 3 |
 * | themes-header-only.csv          | no excerpts                                  | valid -> 0 |
 * | themes-unknown-source.csv       | source "alien", formula and <script> text    | valid -> 0 (escaped in html: formula.test.ts) |
 * | themes-missing-columns.csv      | no participant                               | 3 |
 * | process-bad-value.csv           | value NaN / Infinity                         | 3 |
 * | costs-bad-amount.csv            | Infinity, -5, recurring "maybe"              | 3 |
 * | (generated) wide-10000.csv      | 10,000 columns                               | valid -> 0, quickly |
 * | (generated) huge-field.csv      | a 0.9 MB site name, commas and newlines      | valid -> 0 |
 * | (generated) huge-date.csv       | 0.9 MB of digits as a start_date             | 3, stderr under 20 KB |
 * | (generated) huge-unclosed.csv   | quote opened on line 3 then 5 MB             | 3 (line 3) |
 * | (generated) huge-header.csv     | one 5 MB header cell, no newline             | 3, stderr under 20 KB |
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureBuilt, pool, runCli, tempFilesUnder, type CliRun } from './cli-runner.js';

const H = 'fixtures/bad/hostile';
const GOOD_CASES = `${H}/good-cases.csv`;
const GOOD_OFFENCES = `${H}/good-offences.csv`;
const REPORT = ['report', '--concept', 'pcp', '--stage', 'pilot', '--format', 'json'];

interface RoleSpec {
  args: (x: string, out: string) => string[];
  /** Files the command writes (relative to its output folder): pre-seeded with old content. */
  outputs: string[];
  /** Complete files the command may still write when it rejects the input. */
  mayWriteOnReject?: string[];
}

const ROLES = {
  'import-cases': {
    args: (x, o) => ['import', '--cases', x, '--out-dir', o],
    outputs: ['cases.csv'],
    mayWriteOnReject: ['rejects.csv', 'import.json'],
  },
  'import-offences': {
    args: (x, o) => ['import', '--cases', GOOD_CASES, '--offences', x, '--out-dir', o],
    outputs: ['cases.csv', 'offences.csv'],
    mayWriteOnReject: ['rejects.csv', 'import.json'],
  },
  randomise: {
    args: (x, o) => ['randomise', x, '--method', 'complete', '--seed', '1', '--out', join(o, 'allocation.csv')],
    outputs: ['allocation.csv', 'allocation.csv.json'],
  },
  'reoffending-cases': {
    args: (x, o) => ['reoffending', '--cases', x, '--offences', GOOD_OFFENCES, '--out', join(o, 'outcomes.csv')],
    outputs: ['outcomes.csv'],
  },
  'reoffending-offences': {
    args: (x, o) => ['reoffending', '--cases', GOOD_CASES, '--offences', x, '--out', join(o, 'outcomes.csv')],
    outputs: ['outcomes.csv'],
  },
  'analyse-cases': {
    args: (x, o) => [
      'analyse',
      x,
      '--offences',
      GOOD_OFFENCES,
      '--covariates',
      'age,ogrs3',
      '--out',
      join(o, 'analyse.json'),
    ],
    outputs: ['analyse.json'],
  },
  'analyse-offences': {
    args: (x, o) => ['analyse', GOOD_CASES, '--offences', x, '--out', join(o, 'analyse.json')],
    outputs: ['analyse.json'],
  },
  'report-cases': {
    args: (x, o) => [...REPORT, '--cases', x, '--offences', GOOD_OFFENCES, '--out', join(o, 'report.json')],
    outputs: ['report.json'],
  },
  'report-themes': {
    args: (x, o) => [
      ...REPORT,
      '--cases',
      GOOD_CASES,
      '--offences',
      GOOD_OFFENCES,
      '--themes',
      x,
      '--out',
      join(o, 'report.json'),
    ],
    outputs: ['report.json'],
  },
  'report-process': {
    args: (x, o) => [
      ...REPORT,
      '--cases',
      GOOD_CASES,
      '--offences',
      GOOD_OFFENCES,
      '--process',
      x,
      '--out',
      join(o, 'report.json'),
    ],
    outputs: ['report.json'],
  },
  'report-costs': {
    args: (x, o) => [
      ...REPORT,
      '--cases',
      GOOD_CASES,
      '--offences',
      GOOD_OFFENCES,
      '--costs',
      x,
      '--out',
      join(o, 'report.json'),
    ],
    outputs: ['report.json'],
  },
  match: {
    args: (x, o) => [
      'match',
      '--treated',
      x,
      '--pool',
      GOOD_CASES,
      '--covariates',
      'age,ogrs3',
      '--out',
      join(o, 'matched.csv'),
    ],
    outputs: ['matched.csv'],
  },
} satisfies Record<string, RoleSpec>;
type Role = keyof typeof ROLES;

interface Case {
  file: string;
  /** Expected exit code per command. */
  expect: Partial<Record<Role, 0 | 2 | 3>>;
  /** Text stderr must contain on failure (beyond the file name), e.g. the line. */
  mentions?: string[];
  /** stderr names this file instead of the hostile one (e.g. the companion file). */
  names?: string;
}

const all = (code: 0 | 2 | 3, roles: Role[]): Partial<Record<Role, 0 | 2 | 3>> =>
  Object.fromEntries(roles.map((r) => [r, code]));
// Generic breakage: every command, whatever role the file plays.
const EVERY: Role[] = [
  'import-cases',
  'import-offences',
  'randomise',
  'reoffending-cases',
  'reoffending-offences',
  'analyse-cases',
  'analyse-offences',
  'report-cases',
  'report-themes',
  'report-process',
  'report-costs',
  'match',
];
// Reader-level breakage (the shared CSV reader) already shown on every command by empty/binary: a lighter set.
const SOME: Role[] = ['import-cases', 'reoffending-offences', 'report-themes', 'match'];
const CASE_READERS: Role[] = ['import-cases', 'randomise', 'reoffending-cases', 'analyse-cases', 'report-cases'];

let BIG = '';

const CASES_TABLE: Case[] = [
  { file: `${H}/empty.csv`, expect: all(3, EVERY), mentions: [':1:', 'empty'] },
  { file: `${H}/binary.csv`, expect: all(3, EVERY), mentions: [':1:'] },
  { file: `${H}/unclosed-quote.csv`, expect: all(3, CASE_READERS), mentions: [':3:', 'never closed'] },
  { file: `${H}/blank-lines.csv`, expect: all(3, SOME), mentions: ['empty'] },
  { file: `${H}/bom-only.csv`, expect: all(3, SOME), mentions: [':1:'] },
  { file: `${H}/gzip.csv`, expect: all(3, SOME), mentions: ['binary'] },
  // UTF-16 with a byte-order mark (Excel's "Unicode text") is transcoded and read: the file holds
  // the good cases, so it imports; read as offences or themes, its columns are the wrong ones.
  {
    file: `${H}/utf16le.csv`,
    expect: { 'import-cases': 0, 'reoffending-offences': 3, 'report-themes': 3 },
    mentions: [':1:'],
  },
  {
    file: `${H}/latin1.csv`,
    expect: all(3, ['import-cases', 'randomise', 'report-cases']),
    mentions: [':5:', 'UTF-8'],
  },
  { file: `${H}/stray-quote.csv`, expect: all(0, ['import-cases', 'report-cases']) },
  { file: `${H}/cases-header-only.csv`, expect: all(3, CASE_READERS), mentions: ['no cases'] },
  {
    file: `${H}/cases-duplicate-columns.csv`,
    expect: all(3, ['import-cases', 'randomise', 'analyse-cases']),
    mentions: [':1:', 'duplicate column'],
  },
  { file: `${H}/cases-empty-column-name.csv`, expect: all(0, ['import-cases', 'randomise', 'report-cases']) },
  {
    file: `${H}/cases-missing-id.csv`,
    expect: all(3, ['import-cases', 'randomise', 'reoffending-cases']),
    mentions: [':1:', '"id"'],
  },
  {
    file: `${H}/cases-semicolon.csv`,
    expect: all(3, ['import-cases', 'reoffending-cases']),
    mentions: [':1:', '--delimiter'],
  },
  { file: `${H}/cases-tab.csv`, expect: all(3, ['randomise']), mentions: [':1:', '--delimiter tab'] },
  {
    file: `${H}/cases-ragged.csv`,
    expect: all(3, ['import-cases', 'randomise', 'analyse-cases']),
    mentions: [':3:', ':7:'],
  },
  { file: `${H}/cases-empty-id.csv`, expect: all(3, ['import-cases', 'randomise', 'report-cases']), mentions: [':3:'] },
  {
    file: `${H}/cases-duplicate-id.csv`,
    expect: all(3, ['import-cases', 'randomise', 'reoffending-cases']),
    mentions: [':26:', 'duplicate id'],
  },
  {
    file: `${H}/cases-bad-numbers.csv`,
    expect: { 'import-cases': 3, 'analyse-cases': 3, randomise: 0 },
    mentions: [':3:', 'NaN', 'Infinity'],
  },
  { file: `${H}/cases-valid-numbers.csv`, expect: all(0, ['import-cases', 'analyse-cases', 'report-cases']) },
  {
    file: `${H}/cases-impossible-dates.csv`,
    expect: { 'import-cases': 3, 'reoffending-cases': 3, randomise: 0 },
    mentions: [':3:', '2023-02-29', '31/04/2022', '12/31/2022'],
  },
  {
    file: `${H}/cases-one-arm.csv`,
    expect: { 'import-cases': 0, 'analyse-cases': 2, 'report-cases': 3 },
    mentions: ['arm'],
  },
  { file: `${H}/cases-cr-only.csv`, expect: all(0, ['import-cases', 'randomise']) },
  { file: `${H}/cases-crlf-bom.csv`, expect: all(0, ['import-cases', 'analyse-cases']) },
  {
    file: `${H}/cases-control-chars.csv`,
    expect: all(3, ['import-cases', 'reoffending-cases']),
    mentions: [':3:', '\\u001b'],
  },
  { file: `${H}/cases-formula.csv`, expect: all(0, ['import-cases', 'randomise', 'reoffending-cases']) },
  {
    file: `${H}/offences-header-only.csv`,
    expect: { 'import-offences': 0, 'reoffending-offences': 2 },
    mentions: ['--as-of'],
  },
  {
    file: `${H}/offences-missing-columns.csv`,
    expect: all(3, ['import-offences', 'reoffending-offences']),
    mentions: [':1:', 'disposal_date'],
  },
  {
    file: `${H}/offences-impossible-dates.csv`,
    expect: all(3, ['import-offences', 'reoffending-offences', 'analyse-offences']),
    mentions: [':3:', ':4:', ':5:'],
  },
  {
    file: `${H}/offences-unknown-id.csv`,
    expect: all(3, ['import-offences', 'reoffending-offences']),
    mentions: [':3:', 'NOBODY'],
  },
  {
    file: `${H}/offences-disposal-before-offence.csv`,
    expect: all(3, ['import-offences', 'analyse-offences']),
    mentions: [':3:'],
  },
  {
    file: `${H}/offences-bad-type.csv`,
    expect: all(3, ['import-offences', 'reoffending-offences']),
    mentions: [':3:', 'murder'],
  },
  {
    file: `${H}/offences-bad-severity.csv`,
    expect: all(3, ['import-offences', 'reoffending-offences']),
    mentions: [':3:', ':4:', ':5:'],
  },
  { file: `${H}/offences-ragged.csv`, expect: all(3, ['import-offences', 'reoffending-offences']), mentions: [':3:'] },
  { file: `${H}/themes-header-only.csv`, expect: { 'report-themes': 0 } },
  { file: `${H}/themes-unknown-source.csv`, expect: { 'report-themes': 0 } },
  { file: `${H}/themes-missing-columns.csv`, expect: { 'report-themes': 3 }, mentions: [':1:', 'participant'] },
  { file: `${H}/process-bad-value.csv`, expect: { 'report-process': 3 }, mentions: [':2:', ':3:', 'NaN'] },
  { file: `${H}/costs-bad-amount.csv`, expect: { 'report-costs': 3 }, mentions: [':2:', ':3:', 'maybe'] },
  // Generated in beforeAll (BIG is the temp folder).
  { file: 'BIG/wide-10000.csv', expect: all(0, ['import-cases', 'randomise', 'reoffending-cases']) },
  { file: 'BIG/huge-field.csv', expect: all(0, ['import-cases', 'randomise']) },
  { file: 'BIG/huge-date.csv', expect: all(3, ['import-cases', 'reoffending-cases']), mentions: [':4:', 'start_date'] },
  { file: 'BIG/huge-unclosed.csv', expect: all(3, ['import-cases', 'randomise']), mentions: [':3:', 'never closed'] },
  { file: 'BIG/huge-header.csv', expect: all(3, ['import-cases', 'reoffending-cases']), mentions: [':1:'] },
];

function generateBig(dir: string): void {
  const good = readFileSync(GOOD_CASES, 'utf8').trimEnd().split('\n');
  const rows = good.slice(1);
  // 10,000 columns: the canonical ones and 9,992 extra numbered ones.
  const extra = Array.from({ length: 9992 }, (_, i) => `x${i + 1}`);
  const extraCells = extra.map((_, i) => String(i % 10)).join(',');
  writeFileSync(
    join(dir, 'wide-10000.csv'),
    `${good[0]},${extra.join(',')}\n${rows.map((r) => `${r},${extraCells}`).join('\n')}\n`,
  );
  // A 0.9 MB site name (quoted, with commas, quotes and line breaks; under the 1 MiB record limit) in a valid file.
  const big = `"${'Humberside, "North" Yorkshire\n'.replace(/"/g, '""').repeat(Math.ceil(900_000 / 32))}"`;
  writeFileSync(
    join(dir, 'huge-field.csv'),
    `${good[0]},site\n${rows.map((r, i) => `${r},${i === 1 ? big : 'S'}`).join('\n')}\n`,
  );
  // 0.9 MB of digits (under the 1 MiB record limit) as the start_date of the third record (line 4).
  writeFileSync(
    join(dir, 'huge-date.csv'),
    `${good[0]}\n${rows.map((r, i) => (i === 2 ? r.replace(/,[^,]*$/, `,${'9'.repeat(900_000)}`) : r)).join('\n')}\n`,
  );
  // A quote opened on line 3, then 5 MB of ordinary rows swallowed by it.
  const filler = `${rows[0]}\n`.repeat(Math.ceil(5_000_000 / (rows[0]!.length + 1)));
  writeFileSync(
    join(dir, 'huge-unclosed.csv'),
    `${good[0]}\n${rows[0]}\n${rows[1]!.replace(',control,', ',"control,')}\n${filler}`,
  );
  // One 5 MB header cell and no line break at all.
  writeFileSync(join(dir, 'huge-header.csv'), 'A'.repeat(5_000_000));
}

interface Planned {
  c: Case;
  role: Role;
  code: 0 | 2 | 3;
  file: string;
  out: string;
  run?: CliRun;
  before?: Map<string, string>;
}

const OLD = (name: string) => `OLD ${name}: this file must survive a rejected run unchanged\n`;
const plan: Planned[] = [];
let work = '';

beforeAll(async () => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'pilot-eval-hostile-'));
  BIG = join(work, 'big');
  mkdirSync(BIG);
  generateBig(BIG);
  let k = 0;
  for (const c of CASES_TABLE) {
    const file = c.file.replace(/^BIG\//, `${BIG}/`);
    for (const [role, code] of Object.entries(c.expect) as Array<[Role, 0 | 2 | 3]>) {
      const out = join(work, `run${k++}`);
      mkdirSync(out);
      const before = new Map<string, string>();
      for (const o of ROLES[role].outputs) {
        writeFileSync(join(out, o), OLD(o));
        before.set(o, OLD(o));
      }
      plan.push({ c, role, code, file, out, before });
    }
  }
  await pool(plan, 3, async (p) => {
    p.run = await runCli(ROLES[p.role].args(p.file, p.out), { timeoutMs: 30_000 });
  });
}, 400_000);

afterAll(() => {
  if (process.env.HOSTILE_TIMING)
    console.log(
      [...plan]
        .sort((a, b) => b.run!.ms - a.run!.ms)
        .slice(0, 15)
        .map((p) => `${p.run!.ms} ${p.role} ${p.c.file}`)
        .join('\n'),
      plan.reduce((s, p) => s + p.run!.ms, 0),
    );
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('hostile corpus: every CSV-reading command over every hostile file', () => {
  it('the plan covers every command that reads a CSV', () => {
    const roles = new Set(plan.map((p) => p.role));
    for (const r of Object.keys(ROLES) as Role[]) expect(roles.has(r), r).toBe(true);
  });

  for (const c of CASES_TABLE) {
    for (const [role, code] of Object.entries(c.expect) as Array<[Role, 0 | 2 | 3]>) {
      it(`${c.file.replace(`${H}/`, '')} via ${role} -> exit ${code}`, () => {
        const p = plan.find((x) => x.c === c && x.role === role)!;
        const r = p.run!;
        const show = `${r.args.join(' ').slice(0, 300)}\nexit ${r.code}\nstderr: ${r.stderr.slice(0, 1500)}`;
        expect(r.timedOut, `hung: ${show}`).toBe(false);
        expect(r.code, show).not.toBe(1);
        expect(r.stderr, show).not.toMatch(/internal error|at .*\.js:\d+:\d+/);
        expect(r.code, show).toBe(code);
        expect(r.stderr.length, 'stderr must stay short').toBeLessThan(20_000);
        expect(r.stderr).not.toContain('\u001b');
        expect(tempFilesUnder(p.out), 'temp files left').toEqual([]);
        const spec: RoleSpec = ROLES[role];
        if (code === 0) {
          for (const o of spec.outputs) {
            if (role === 'import-cases' && o === 'offences.csv') continue;
            expect(readFileSync(join(p.out, o), 'utf8'), `${o} not replaced`).not.toBe(p.before!.get(o));
          }
          return;
        }
        const named = c.names ?? (p.file.startsWith(work) ? relative(process.cwd(), p.file) : p.file);
        expect(r.stderr.includes(named) || r.stderr.includes(p.file), `stderr must name ${named}: ${show}`).toBe(true);
        for (const m of c.mentions ?? []) if (code === 3 || m.startsWith('--')) expect(r.stderr, show).toContain(m);
        // Nothing half-written: old outputs unchanged, no new files beyond the contract's reject list.
        for (const [o, text] of p.before!) expect(readFileSync(join(p.out, o), 'utf8'), `${o} changed`).toBe(text);
        const allowed = new Set([...spec.outputs, ...(spec.mayWriteOnReject ?? [])]);
        expect(readdirSync(p.out).filter((f) => !allowed.has(f))).toEqual([]);
      });
    }
  }
});

describe('output paths that cannot be written', () => {
  const runs: Array<{ name: string; args: (dir: string) => string[] }> = [
    {
      name: 'import --out-dir under a regular file',
      args: (d) => ['import', '--cases', GOOD_CASES, '--out-dir', join(d, 'file', 'out')],
    },
    {
      name: 'randomise --out under a regular file',
      args: (d) => ['randomise', GOOD_CASES, '--method', 'complete', '--seed', '1', '--out', join(d, 'file', 'a.csv')],
    },
    {
      name: 'randomise --out is a directory',
      args: (d) => ['randomise', GOOD_CASES, '--method', 'complete', '--seed', '1', '--out', join(d, 'dir')],
    },
    {
      name: 'reoffending --out is a directory',
      args: (d) => ['reoffending', '--cases', GOOD_CASES, '--offences', GOOD_OFFENCES, '--out', join(d, 'dir')],
    },
    {
      name: 'analyse --out under a regular file',
      args: (d) => ['analyse', GOOD_CASES, '--offences', GOOD_OFFENCES, '--out', join(d, 'file', 'a.json')],
    },
    {
      name: 'report --out is a directory',
      args: (d) => [...REPORT, '--cases', GOOD_CASES, '--offences', GOOD_OFFENCES, '--out', join(d, 'dir')],
    },
  ];
  let results: CliRun[] = [];
  let dirs: string[] = [];
  beforeAll(async () => {
    ensureBuilt();
    dirs = runs.map(() => {
      const d = mkdtempSync(join(tmpdir(), 'pilot-eval-unwritable-'));
      writeFileSync(join(d, 'file'), 'a regular file\n');
      mkdirSync(join(d, 'dir'));
      writeFileSync(join(d, 'dir', 'keep.txt'), 'keep\n');
      return d;
    });
    results = await pool(runs, 3, (r) => runCli(r.args(dirs[runs.indexOf(r)]!)));
  }, 120_000);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  runs.forEach((r, i) => {
    it(`${r.name}: usage error naming the path, nothing written`, () => {
      const run = results[i]!;
      const show = `${run.args.join(' ')}\nexit ${run.code}\n${run.stderr}`;
      expect(run.code, show).toBe(2);
      expect(run.stderr, show).toContain(dirs[i]!);
      expect(run.stderr, show).toMatch(/ENOTDIR|EISDIR|EEXIST|not a directory|is a directory/i);
      expect(readFileSync(join(dirs[i]!, 'file'), 'utf8')).toBe('a regular file\n');
      expect(readdirSync(join(dirs[i]!, 'dir'))).toEqual(['keep.txt']);
      expect(tempFilesUnder(dirs[i]!)).toEqual([]);
      expect(existsSync(join(dirs[i]!, 'dir.json'))).toBe(false);
    });
  });
});
