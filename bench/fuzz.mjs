#!/usr/bin/env node
/**
 * Seeded mutation fuzzer over every command that reads user files (`npm run fuzz`; not part of
 * `npm test`).
 *
 * Each mutant starts from one file of the corpus: the small seed files in bench/fuzz-corpus
 * (written by bench/make-fuzz-corpus.mjs: 40-case pcp and Rossi files, offences, a column map, a
 * rolling ledger, .xlsx workbooks), the pcp trial file, and the hostile files in
 * fixtures/bad/hostile; or it is a `power` command line. It gets 1 to 4 mutations: byte flips,
 * truncation, long lines, stray quotes, BOMs, UTF-16 transcoding, NUL bytes, huge and odd numbers,
 * odd dates, deleted or duplicated lines and columns, prototype words, formula cells, YAML aliases
 * (and, for `power`, odd option values). It is then given, in the slot its name says (cases,
 * offences, process, costs, themes, trial plan, column map, ledger, .xlsx cases or offences), to
 * every command that reads such a file: import, reoffending, analyse, match, randomise (and
 * randomise --verify for a ledger), report; the other inputs are the good seed files.
 *
 * Runs go to `--jobs` long-lived worker processes (bench/fuzz-worker.mjs) that run the built CLI's
 * main in-process under --max-old-space-size, so a run costs milliseconds, not Node's start-up.
 * A run FAILS on exit 1 (an internal error: a bug), an uncaught exception or a worker death (e.g. a
 * V8 abort), a hang past the timeout (the worker is killed and replaced), or a peak RSS over the
 * memory cap (getrusage maxrss of the worker, which is replaced once it has grown, so each peak
 * is measured from a fresh process). Every failure prints the mutant's seed; `--replay <seed>`
 * rebuilds that mutant alone, runs it and keeps its files (`--keep`). Exit codes 0, 2, 3 and 4
 * are all fine: the point is that bad input is refused cleanly.
 *
 * Progress goes to stderr; the summary (counts by exit code and command, slowest and largest runs,
 * failures) to stdout and to --out.
 *
 * Options: --mutants <n> (5000; alias --n)  --seed <int> (1)  --jobs <k> (2)  --timeout-ms <ms> (30000)
 *          --mem-mb <MB> (1024)  --replay <mutant seed>  --keep  --out <file> (bench/fuzz.out)
 *          --time-limit-s <s> (stop starting new mutants after this long; 0 = none)
 */
import { fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- options
function parseArgs(argv) {
  const o = {
    n: 5000,
    seed: 1,
    jobs: 2,
    timeoutMs: 30_000,
    memMb: 1024,
    replay: null,
    keep: false,
    out: join(ROOT, 'bench', 'fuzz.out'),
    timeLimitS: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    const int = (x, lo) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < lo) throw new Error(`${a}: expected a whole number >= ${lo}, got ${x}`);
      return n;
    };
    if (a === '--n' || a === '--mutants') o.n = int(v(), 1);
    else if (a === '--seed') o.seed = int(v(), 0);
    else if (a === '--jobs') o.jobs = int(v(), 1);
    else if (a === '--timeout-ms') o.timeoutMs = int(v(), 100);
    else if (a === '--mem-mb') o.memMb = int(v(), 64);
    else if (a === '--replay') o.replay = int(v(), 0);
    else if (a === '--keep') o.keep = true;
    else if (a === '--out') o.out = v();
    else if (a === '--time-limit-s') o.timeLimitS = int(v(), 0);
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------- seeded randomness
/** splitmix32: a mutant's seed from the run seed and its index (so each mutant replays alone). */
function mix(x) {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
export const mutantSeed = (runSeed, i) => mix(mix(runSeed) ^ Math.imul(i + 1, 0x27d4eb2d));

/** mulberry32 generator. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

// ---------------------------------------------------------------- corpus
const CORPUS = join(ROOT, 'bench', 'fuzz-corpus');
const GOOD = {
  cases: join(CORPUS, 'cases.csv'),
  offences: join(CORPUS, 'offences-small.csv'),
  process: join(ROOT, 'fixtures/pcp/process.csv'),
  costs: join(ROOT, 'fixtures/pcp/costs.csv'),
  themes: join(ROOT, 'fixtures/pcp/themes.csv'),
  trial: join(ROOT, 'fixtures/pcp/trial.yaml'),
  map: join(CORPUS, 'map-columns.yaml'),
  ledger: join(CORPUS, 'ledger.csv'),
};

/** A `power` command line to mutate (a pseudo-file: its bytes are the arguments, one a line). */
const POWER_BASES = [
  'power --design ira --solve mdes --n 400',
  'power --design cra2 --solve n --es 0.25 --J 20 --rho2 0.05',
  'power --outcome binary --solve power --n 200 --es 0.1',
  'power --design bira2 --solve power --es 0.2 --n 30 --J 10 --omega2 0.1',
  'power --outcome survival --solve n --es 0.7',
  'power --design ira --solve n --es 0.2 --power 0.9 --alpha 0.01 --one-tailed',
];

export function corpus() {
  const files = [...Object.values(GOOD)];
  for (const f of readdirSync(CORPUS).sort()) {
    const p = join(CORPUS, f);
    if (!files.includes(p) && !f.endsWith('.json') && !f.startsWith('.')) files.push(p);
  }
  const hostile = join(ROOT, 'fixtures/bad/hostile');
  for (const f of readdirSync(hostile).sort()) files.push(join(hostile, f));
  POWER_BASES.forEach((_, i) => files.push(`power:${i}`));
  return files;
}

/** The input slot a file goes in, from its name. */
function roleOf(path) {
  if (path.startsWith('power:')) return 'power';
  const b = basename(path);
  if (b.startsWith('map-')) return 'map';
  if (b.endsWith('.yaml')) return 'trial';
  if (b.startsWith('ledger')) return 'ledger';
  if (b.endsWith('.xlsx')) return b.startsWith('offences') ? 'offences-xlsx' : 'cases-xlsx';
  for (const r of ['offences', 'process', 'costs', 'themes']) if (b.startsWith(r)) return r;
  return 'cases';
}

/** The bytes a corpus entry starts from. */
function baseBytes(path) {
  if (path.startsWith('power:')) return Buffer.from(POWER_BASES[Number(path.slice(6))].split(' ').join('\n'));
  return readFileSync(path);
}

// ---------------------------------------------------------------- mutations
const ODD_NUMBERS = [
  '1e308',
  '-1e309',
  '1e-320',
  '99999999999999999999999',
  '-0',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x1F',
  '1_000',
  '٣',
  '1.2.3',
  '0,207',
  '  7  ',
  '+5',
  '.5',
  '5.',
  '1e',
  '--1',
  '9007199254740993',
];
const ODD_DATES = [
  '2019-02-29',
  '2020-02-29',
  '31/12/1899',
  '10/25/2019',
  '25/10/2019',
  '2019-10-08 00:00:00',
  '2019-10-08T00:00:00Z',
  '0000-00-00',
  '9999-12-31',
  '9999-99-99',
  '1970-01-01',
  '2019-1-8',
  '08.10.2019',
  '20191008',
  '43746',
  '2019-10-08 13:45:00',
  '1/1/1',
  '-2019-10-08',
  '275760-09-13',
];
const ODD_CELLS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '=HYPERLINK("http://x","y")',
  '+1+1',
  '-1-1',
  '@SUM(A1)',
  'a;=cmd',
  '\u001b[31mred\u001b[0m',
  '\u202eevil',
  'NA',
  'N/A',
  'null',
  '',
  ' ',
  '"',
  '""',
  'yes',
  'Yes',
  'YES',
  'treatment',
  'Treatment',
  'control',
  'männlich',
  '😀',
  '\t',
];

function splitLines(text) {
  return text.split('\n');
}
function delimiterOf(text) {
  const head = text.slice(0, text.indexOf('\n') >>> 0 || 200);
  return head.includes('\t') ? '\t' : head.includes(';') && !head.includes(',') ? ';' : ',';
}
/** Naive field split (quotes ignored): mutations need not respect CSV, they are meant to break it. */
function mapCells(text, r, f) {
  const d = delimiterOf(text);
  const lines = splitLines(text);
  const i = r.int(0, Math.max(0, lines.length - 1));
  const cells = lines[i].split(d);
  const j = r.int(0, Math.max(0, cells.length - 1));
  cells[j] = f(cells[j] ?? '');
  lines[i] = cells.join(d);
  return lines.join('\n');
}

const MUTATIONS = {
  byteFlip(buf, r) {
    const b = Buffer.from(buf);
    const k = r.int(1, 16);
    for (let i = 0; i < k && b.length; i++) b[r.int(0, b.length - 1)] ^= 1 << r.int(0, 7);
    return b;
  },
  randomBytes(buf, r) {
    const b = Buffer.from(buf);
    const k = r.int(1, 64);
    for (let i = 0; i < k && b.length; i++) b[r.int(0, b.length - 1)] = r.int(0, 255);
    return b;
  },
  truncate(buf, r) {
    return buf.subarray(0, r.int(0, buf.length));
  },
  longLine(buf, r) {
    // Mostly short; sometimes just past the reader's 8 Mi-character record limit.
    const len = r.pick([1_000, 100_000, 1_000_000, 1_000_000, 9_000_000]);
    const fill = r.pick(['x', 'a,', '"', ',', '9', ' ']);
    const at = r.int(0, buf.length);
    return Buffer.concat([
      buf.subarray(0, at),
      Buffer.from(fill.repeat(Math.ceil(len / fill.length)).slice(0, len)),
      buf.subarray(at),
    ]);
  },
  manyColumns(buf, r) {
    const text = buf.toString('utf8');
    const lines = splitLines(text);
    const k = r.pick([100, 10_000, 100_000]);
    lines[0] = `${lines[0]}${Array.from({ length: k }, (_, i) => `,c${i}`).join('')}`;
    return Buffer.from(lines.join('\n'));
  },
  quotes(buf, r) {
    const b = [...buf];
    const k = r.int(1, 6);
    for (let i = 0; i < k; i++) b.splice(r.int(0, b.length), 0, 0x22);
    return Buffer.from(b);
  },
  bom(buf, r) {
    const boms = [Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];
    const bom = r.pick(boms);
    if (r.chance(0.7)) return Buffer.concat([bom, buf]);
    const at = r.int(0, buf.length);
    return Buffer.concat([buf.subarray(0, at), bom, buf.subarray(at)]);
  },
  utf16(buf, r) {
    const le = Buffer.from(buf.toString('utf8'), 'utf16le');
    const be = Buffer.from(le);
    for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
    const v = r.int(0, 3);
    if (v === 0) return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
    if (v === 1) return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
    if (v === 2) return le; // no BOM
    return Buffer.concat([Buffer.from([0xff, 0xfe]), le.subarray(0, le.length - 1)]); // odd length
  },
  nul(buf, r) {
    const b = [...buf];
    const k = r.int(1, 8);
    for (let i = 0; i < k; i++) b.splice(r.int(0, b.length), 0, 0);
    return Buffer.from(b);
  },
  hugeNumber(buf, r) {
    const text = buf.toString('utf8');
    const nums = [...text.matchAll(/(?<=[,;\t\n])-?\d+(\.\d+)?(?=[,;\t\r\n])/g)];
    if (!nums.length) return Buffer.from(mapCells(text, r, () => r.pick(ODD_NUMBERS)));
    const m = r.pick(nums);
    return Buffer.from(text.slice(0, m.index) + r.pick(ODD_NUMBERS) + text.slice(m.index + m[0].length));
  },
  date(buf, r) {
    const text = buf.toString('utf8');
    const dates = [...text.matchAll(/\d{4}-\d{2}-\d{2}/g)];
    if (!dates.length) return Buffer.from(mapCells(text, r, () => r.pick(ODD_DATES)));
    let out = text;
    const k = r.chance(0.3) ? dates.length : r.int(1, 3);
    // Replace from the end so earlier indices stay valid.
    const chosen =
      k >= dates.length ? dates : Array.from({ length: k }, () => r.pick(dates)).sort((a, b) => b.index - a.index);
    const seen = new Set();
    for (const m of chosen.sort((a, b) => b.index - a.index)) {
      if (seen.has(m.index)) continue;
      seen.add(m.index);
      out = out.slice(0, m.index) + r.pick(ODD_DATES) + out.slice(m.index + m[0].length);
    }
    return Buffer.from(out);
  },
  oddCell(buf, r) {
    return Buffer.from(mapCells(buf.toString('utf8'), r, () => r.pick(ODD_CELLS)));
  },
  deleteLine(buf, r) {
    const lines = splitLines(buf.toString('utf8'));
    lines.splice(r.int(0, Math.max(0, lines.length - 1)), r.int(1, 3));
    return Buffer.from(lines.join('\n'));
  },
  duplicateLine(buf, r) {
    const lines = splitLines(buf.toString('utf8'));
    const i = r.int(0, Math.max(0, lines.length - 1));
    const times = r.pick([1, 2, 10, 1000]);
    lines.splice(r.int(0, lines.length), 0, ...Array(times).fill(lines[i] ?? ''));
    return Buffer.from(lines.join('\n'));
  },
  deleteColumn(buf, r) {
    const text = buf.toString('utf8');
    const d = delimiterOf(text);
    const lines = splitLines(text);
    const j = r.int(0, Math.max(0, (lines[0] ?? '').split(d).length - 1));
    const all = r.chance(0.8);
    return Buffer.from(
      lines
        .map((l, i) =>
          all || i === 0
            ? l
                .split(d)
                .filter((_, k) => k !== j)
                .join(d)
            : l,
        )
        .join('\n'),
    );
  },
  duplicateColumn(buf, r) {
    const text = buf.toString('utf8');
    const d = delimiterOf(text);
    const lines = splitLines(text);
    const j = r.int(0, Math.max(0, (lines[0] ?? '').split(d).length - 1));
    return Buffer.from(
      lines
        .map((l) => {
          const c = l.split(d);
          if (j < c.length) c.splice(j, 0, c[j]);
          return c.join(d);
        })
        .join('\n'),
    );
  },
  lineEndings(buf, r) {
    const text = buf.toString('utf8');
    const v = r.int(0, 2);
    if (v === 0) return Buffer.from(text.replace(/\n/g, '\r\n'));
    if (v === 1) return Buffer.from(text.replace(/\n/g, '\r'));
    return Buffer.from(text.replace(/\n/g, () => r.pick(['\n', '\r\n', '\r', '\n\n'])));
  },
  noLineBreak(buf) {
    return Buffer.from(buf.toString('utf8').replace(/[\r\n]+/g, ','));
  },
  headerOnly(buf) {
    const text = buf.toString('utf8');
    const i = text.indexOf('\n');
    return Buffer.from(i < 0 ? text : text.slice(0, i + 1));
  },
  swapHeader(buf, r) {
    const text = buf.toString('utf8');
    const d = delimiterOf(text);
    const lines = splitLines(text);
    const h = lines[0].split(d);
    const a = r.int(0, h.length - 1);
    const b = r.int(0, h.length - 1);
    [h[a], h[b]] = [h[b], h[a]];
    if (r.chance(0.3))
      h[a] = r.pick(['__proto__', 'constructor', 'ID', ' id ', 'Id', 'id', 'arm', '', '"', 'start date']);
    lines[0] = h.join(d);
    return Buffer.from(lines.join('\n'));
  },
  delimiter(buf, r) {
    const text = buf.toString('utf8');
    return Buffer.from(text.replace(/,/g, () => (r.chance(0.9) ? r.pick([';', '\t', '|']) : ',')));
  },
  yamlAlias(buf, r) {
    const extra = r.pick([
      '\nx: &a [*a]\n',
      '\na: &a\n  b: *a\n',
      '\n__proto__: {polluted: 1}\n',
      '\nprogression: {constructor: 1}\n',
      '\n' + 'a: &x ['.repeat(2000),
      '\n!!js/function "x"\n',
      '\n? [a, b]\n: c\n',
      `\nbig: ${'1'.repeat(400)}\n`,
      '\nanalysis: {covariates: [__proto__, toString]}\n',
    ]);
    return Buffer.concat([buf, Buffer.from(extra)]);
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

/** Mutations of a `power` command line (one argument a line). */
const POWER_OPTIONS = [
  '--n',
  '--J',
  '--K',
  '--L',
  '--es',
  '--power',
  '--alpha',
  '--p',
  '--rho2',
  '--rho3',
  '--omega2',
  '--r21',
  '--r22',
  '--design',
  '--solve',
  '--outcome',
  '--one-tailed',
];
const POWER_MUTATIONS = {
  oddValue(args, r) {
    const i = r.int(0, args.length - 1);
    if (args[i].startsWith('--') || i === 0)
      args.splice(r.int(1, args.length), 0, r.pick(POWER_OPTIONS), r.pick(ODD_NUMBERS));
    else
      args[i] = r.pick([
        ...ODD_NUMBERS,
        '0',
        '1',
        '-1',
        '1e-8',
        '1e308',
        '1000000000',
        '0.5',
        '2',
        '',
        'toString',
        '__proto__',
      ]);
    return args;
  },
  addOption(args, r) {
    args.push(r.pick(POWER_OPTIONS), r.pick(['0.1', '10', '0', '-3', '1e9', '1e-12', 'NaN', 'x', '0.999999']));
    return args;
  },
  dropArg(args, r) {
    if (args.length > 2) args.splice(r.int(1, args.length - 1), 1);
    return args;
  },
};

/** Mutations that keep a zip a zip or break it as a byte-level file would be broken. */
const XLSX_MUTATIONS = ['byteFlip', 'randomBytes', 'truncate', 'nul', 'bom', 'longLine'];

/** Builds mutant `seed`: its base file, the mutations applied, and its bytes. */
export function makeMutant(seed, files) {
  const r = rng(seed);
  const base = r.pick(files);
  const role = roleOf(base);
  let buf = baseBytes(base);
  const k = r.int(1, 4);
  const applied = [];
  for (let i = 0; i < k; i++) {
    if (role === 'power') {
      const name = r.pick(Object.keys(POWER_MUTATIONS));
      buf = Buffer.from(POWER_MUTATIONS[name](buf.toString('utf8').split('\n'), r).join('\n'));
      applied.push(name);
      continue;
    }
    const xlsx = role.endsWith('-xlsx');
    const name = xlsx ? r.pick(XLSX_MUTATIONS) : r.pick(MUTATION_NAMES);
    if (name === 'yamlAlias' && role !== 'trial' && role !== 'map') continue;
    buf = MUTATIONS[name](buf, r);
    applied.push(name);
    // Keep mutants bounded (a long line on a long line...): the largest is ~30 MB.
    if (buf.length > 30_000_000) break;
  }
  return { seed, base, role, applied, bytes: buf };
}

// ---------------------------------------------------------------- commands
/** The runs of every reader command that takes a file in this slot. */
function commandsFor(role, file, work, bytes) {
  const slot = role === 'cases-xlsx' ? 'cases' : role === 'offences-xlsx' ? 'offences' : role;
  const f = { ...GOOD, [slot]: file };
  const out = (name) => join(work, name);
  const runs = [];
  if (role === 'power') return [['power', [...bytes.toString('utf8').split('\n'), '--json']]];
  if (role === 'ledger') {
    runs.push(['randomise --verify', ['randomise', '--verify', file, '--input', GOOD.cases]]);
    runs.push([
      'randomise --ledger',
      ['randomise', GOOD.cases, '--method', 'complete', '--seed', '83920471', '--ledger', file],
    ]);
    return runs;
  }
  if (role === 'map') {
    runs.push([
      'import',
      ['import', '--cases', f.cases, '--offences', f.offences, '--map', file, '--out-dir', out('import')],
    ]);
    runs.push(['analyse', ['analyse', f.cases, '--offences', f.offences, '--map', file, '--json']]);
    runs.push([
      'randomise',
      [
        'randomise',
        f.cases,
        '--method',
        'complete',
        '--seed',
        '83920471',
        '--map',
        file,
        '--out',
        out('allocation.csv'),
      ],
    ]);
    return runs;
  }
  if (slot === 'cases' || slot === 'offences') {
    runs.push(['import', ['import', '--cases', f.cases, '--offences', f.offences, '--out-dir', out('import')]]);
    runs.push([
      'reoffending',
      [
        'reoffending',
        '--cases',
        f.cases,
        '--offences',
        f.offences,
        '--as-of',
        '2025-06-30',
        '--by',
        'arm',
        '--out',
        out('outcomes.csv'),
      ],
    ]);
    runs.push(['analyse', ['analyse', f.cases, '--offences', f.offences, '--json', '--out', out('analyse.json')]]);
  }
  if (slot === 'cases') {
    runs.push([
      'match',
      ['match', '--treated', f.cases, '--pool', GOOD.cases, '--covariates', 'age,ogrs3', '--out', out('matched.csv')],
    ]);
    runs.push([
      'randomise',
      ['randomise', f.cases, '--method', 'complete', '--seed', '83920471', '--out', out('allocation.csv')],
    ]);
  }
  runs.push([
    'report',
    [
      'report',
      '--cases',
      f.cases,
      '--offences',
      f.offences,
      '--process',
      f.process,
      '--costs',
      f.costs,
      '--themes',
      f.themes,
      '--trial',
      f.trial,
      '--out',
      out('report.html'),
    ],
  ]);
  if (slot === 'trial')
    runs.push(['analyse --plan', ['analyse', f.cases, '--offences', f.offences, '--plan', f.trial, '--json']]);
  return runs;
}

// ---------------------------------------------------------------- workers
const WORKER = join(ROOT, 'bench', 'fuzz-worker.mjs');
/** Replace a worker once its peak RSS passes this (KB), so later peaks are measured afresh. */
const RECYCLE_KB = 400 * 1024;

class Worker {
  constructor(opts) {
    this.opts = opts;
    this.child = null;
  }
  start() {
    this.child = fork(WORKER, [], {
      execArgv: [`--max-old-space-size=${this.opts.memMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', PILOT_EVAL_FUZZ_MAIN: this.opts.main },
    });
    this.stderr = '';
    this.child.stderr.on('data', (c) => {
      if (this.stderr.length < 4000) this.stderr += c.toString('utf8');
    });
    this.ready = new Promise((resolve) => {
      const onMsg = (m) => {
        if (m.type === 'ready') {
          this.child.off('message', onMsg);
          resolve();
        }
      };
      this.child.on('message', onMsg);
      this.child.once('exit', () => resolve());
    });
    this.startedKb = null;
  }
  kill() {
    if (this.child) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.child = null;
  }
  /** Runs one command: {code, signal, seconds, rssKb (peak, or null when below the worker's earlier peak), timedOut, crashed, stderr}. */
  async run(args, cwd) {
    if (!this.child) this.start();
    await this.ready;
    const child = this.child;
    const start = Date.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('message', onMsg);
        child.off('exit', onExit);
        resolve({ seconds: (Date.now() - start) / 1000, ...r });
      };
      const onMsg = (m) => {
        if (m.type === 'done') {
          const grew = m.maxRssKb > m.maxRssBeforeKb;
          finish({
            code: m.code,
            signal: null,
            rssKb: grew ? m.maxRssKb : null,
            workerPeakKb: m.maxRssKb,
            timedOut: false,
            crashed: false,
            stderr: m.stderr,
          });
          if (m.maxRssKb > RECYCLE_KB) this.kill();
        } else if (m.type === 'crash') {
          finish({
            code: 1,
            signal: null,
            rssKb: m.maxRssKb,
            workerPeakKb: m.maxRssKb,
            timedOut: false,
            crashed: true,
            stderr: m.stderr,
          });
          this.kill();
        }
      };
      const onExit = (code, signal) => {
        finish({
          code: code === 70 ? 1 : code,
          signal,
          rssKb: null,
          workerPeakKb: null,
          timedOut: false,
          crashed: true,
          stderr: this.stderr,
        });
        this.child = null;
      };
      const timer = setTimeout(() => {
        finish({
          code: null,
          signal: null,
          rssKb: null,
          workerPeakKb: null,
          timedOut: true,
          crashed: false,
          stderr: '',
        });
        this.kill();
      }, this.opts.timeoutMs);
      child.on('message', onMsg);
      child.on('exit', onExit);
      child.send({ type: 'run', id: start, args, cwd });
    });
  }
}

function verdict(r, opts) {
  if (r.timedOut) return `hang: still running after ${opts.timeoutMs / 1000} s`;
  if (r.crashed && r.code !== 1) return `worker died (exit ${r.code}, signal ${r.signal})`;
  if (r.crashed) return 'uncaught exception (the CLI would exit 1)';
  if (r.code === 1) return 'exit 1 (internal error)';
  if (r.code !== null && ![0, 2, 3, 4].includes(r.code)) return `exit ${r.code}`;
  if (r.rssKb !== null && r.rssKb > opts.memMb * 1024)
    return `peak RSS ${Math.round(r.rssKb / 1024)} MB over ${opts.memMb} MB`;
  return null;
}

async function fuzzMutant(seed, files, opts, stats, worker) {
  const m = makeMutant(seed, files);
  const work = mkdtempSync(join(tmpdir(), `pilot-eval-fuzz-${seed}-`));
  const ext = m.role === 'trial' || m.role === 'map' ? '.yaml' : m.role.endsWith('-xlsx') ? '.xlsx' : '.csv';
  const file = join(work, m.role === 'ledger' ? 'ledger.csv' : `${m.role.replace('-xlsx', '')}-mutant${ext}`);
  if (m.role !== 'power') writeFileSync(file, m.bytes);
  if (m.role === 'ledger') writeFileSync(`${file}.json`, readFileSync(`${GOOD.ledger}.json`));
  const failures = [];
  try {
    for (const [name, args] of commandsFor(m.role, file, work, m.bytes)) {
      const r = await worker.run(args, work);
      stats.runs++;
      stats.byCommand[name] = (stats.byCommand[name] ?? 0) + 1;
      const key = r.timedOut ? 'timeout' : r.crashed ? 'crash' : `exit ${r.code}`;
      stats.exits[key] = (stats.exits[key] ?? 0) + 1;
      const label = `mutant ${seed} ${name} (${m.base.startsWith('power:') ? m.base : m.base.slice(ROOT.length + 1)} + ${m.applied.join(', ')}; ${m.bytes.length} bytes)`;
      stats.slowest.push({ seconds: r.seconds, label });
      stats.slowest.sort((a, b) => b.seconds - a.seconds).splice(5);
      if (r.rssKb !== null) {
        stats.largest.push({ rssKb: r.rssKb, label });
        stats.largest.sort((a, b) => b.rssKb - a.rssKb).splice(5);
        if (r.rssKb > stats.maxRssKb) stats.maxRssKb = r.rssKb;
      }
      if (r.seconds > stats.maxSeconds) stats.maxSeconds = r.seconds;
      const bad = verdict(r, opts);
      if (bad)
        failures.push({
          seed,
          command: name,
          base: m.base.startsWith('power:') ? m.base : m.base.slice(ROOT.length + 1),
          applied: m.applied,
          size: m.bytes.length,
          why: bad,
          stderr: (r.stderr ?? '').split('\n').slice(0, 8).join('\n'),
        });
    }
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    else console.error(`kept ${work}`);
  }
  return failures;
}

const label = (x) =>
  `mutant ${x.seed} ${x.command}: ${x.why} (${x.base} + ${x.applied.join(', ')}; replay: npm run fuzz -- --replay ${x.seed})`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const files = corpus();
  const stats = { runs: 0, byCommand: {}, exits: {}, maxRssKb: 0, maxSeconds: 0, slowest: [], largest: [] };
  const failures = [];
  const started = Date.now();
  // Runs use a snapshot of dist/ (under node_modules/.cache, so packages still resolve): a rebuild
  // during a long run would otherwise load half-old, half-new modules.
  const snapshot = join(ROOT, 'node_modules', '.cache', `pilot-eval-fuzz-dist-${process.pid}`);
  cpSync(join(ROOT, 'dist'), snapshot, { recursive: true });
  writeFileSync(join(snapshot, 'package.json'), '{ "type": "module" }\n');
  opts.main = join(snapshot, 'cli', 'main.js');
  const workers = Array.from({ length: opts.jobs }, () => new Worker(opts));

  try {
    if (opts.replay !== null) {
      const m = makeMutant(opts.replay, files);
      console.log(`mutant ${opts.replay}: ${m.base} (${m.role}) + ${m.applied.join(', ')} -> ${m.bytes.length} bytes`);
      const f = await fuzzMutant(opts.replay, files, opts, stats, workers[0]);
      for (const x of f) console.log(`FAIL ${x.command}: ${x.why}\n${x.stderr}`);
      console.log(f.length ? `${f.length} failing run(s)` : `no failure (${JSON.stringify(stats.exits)})`);
      process.exitCode = f.length ? 1 : 0;
      return;
    }

    let next = 0;
    let done = 0;
    let stoppedEarly = false;
    const loop = async (worker) => {
      for (;;) {
        if (opts.timeLimitS && (Date.now() - started) / 1000 > opts.timeLimitS) {
          stoppedEarly = next < opts.n;
          return;
        }
        const i = next++;
        if (i >= opts.n) return;
        const seed = mutantSeed(opts.seed, i);
        const f = await fuzzMutant(seed, files, opts, stats, worker);
        done++;
        for (const x of f) {
          failures.push(x);
          console.error(`FAIL ${label(x)}\n  ${x.stderr.replace(/\n/g, '\n  ')}`);
        }
        if (done % 50 === 0 || done === opts.n) {
          const s = (Date.now() - started) / 1000;
          console.error(
            `${done}/${opts.n} mutants, ${stats.runs} runs, ${failures.length} failure(s), ${Math.round(s)} s (${(s / done).toFixed(2)} s a mutant)`,
          );
        }
      }
    };
    await Promise.all(workers.map(loop));

    const seconds = Math.round((Date.now() - started) / 1000);
    const lines = [
      `pilot-eval mutation fuzzer (bench/fuzz.mjs), run ${new Date().toISOString()}`,
      `node ${process.version}; run seed ${opts.seed}; jobs ${opts.jobs} (in-process workers, bench/fuzz-worker.mjs); timeout ${opts.timeoutMs / 1000} s; memory cap ${opts.memMb} MB (--max-old-space-size; peak RSS = the worker's getrusage maxrss, worker replaced past ${RECYCLE_KB / 1024} MB)`,
      `mutants asked: ${opts.n}; mutants run: ${done}${stoppedEarly ? ` (stopped by --time-limit-s ${opts.timeLimitS})` : ''}; command runs: ${stats.runs}; wall time ${seconds} s`,
      `runs by command: ${Object.entries(stats.byCommand)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `outcomes by exit code: ${Object.entries(stats.exits)
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
      `largest peak RSS: ${Math.round(stats.maxRssKb / 1024)} MB; longest run: ${stats.maxSeconds.toFixed(2)} s`,
      'slowest runs:',
      ...stats.slowest.map((x) => `  ${x.seconds.toFixed(2)} s  ${x.label}`),
      'largest runs (peak RSS of the worker process during the run):',
      ...stats.largest.map((x) => `  ${Math.round(x.rssKb / 1024)} MB  ${x.label}`),
      `failures (exit 1, uncaught exception, worker death, hang or over the memory cap): ${failures.length}`,
      ...failures.map((x) => `  ${label(x)}`),
    ];
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${lines.join('\n')}\n`);
    console.log(lines.join('\n'));
    process.exitCode = failures.length ? 1 : 0;
  } finally {
    for (const w of workers) w.kill();
    rmSync(snapshot, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err.message);
    process.exitCode = 2;
  });
}
