#!/usr/bin/env node
/**
 * Seeded mutation fuzzer over every command that reads user files (`npm run fuzz`; not part of
 * `npm test`).
 *
 * Each mutant starts from one of the bundled fixtures (fixtures/pcp, fixtures/rossi) or a hostile
 * file (fixtures/bad/hostile/*), and gets 1 to 4 mutations: byte flips, truncation, long lines,
 * stray quotes, BOMs, UTF-16 transcoding, NUL bytes, huge and odd numbers, odd dates, deleted or
 * duplicated lines and columns, prototype words and formula cells. It is then given, in the slot its
 * name says (cases, offences, process, costs, themes, trial file), to every command that reads
 * such a file: import, reoffending, analyse, match, randomise and report (the other inputs are the
 * good pcp fixtures). Each run is a child process under /usr/bin/time (peak RSS) with
 * --max-old-space-size, killed after the timeout.
 *
 * A run FAILS on exit 1 (an internal error: a bug), death by a signal other than our own timeout
 * kill (e.g. a V8 abort), a hang past the timeout, or a peak RSS over the memory cap. Every failure
 * prints the mutant's seed; `--replay <seed>` rebuilds that mutant alone, runs it and keeps its
 * files (`--keep`). Exit codes 0, 2, 3 and 4 are all fine: the point is that bad input is refused
 * cleanly.
 *
 * Options: --n <mutants> (5000)  --seed <int> (1)  --jobs <k> (2)  --timeout-ms <ms> (30000)
 *          --mem-mb <MB> (1024)  --replay <mutant seed>  --keep  --out <file> (bench/fuzz.out)
 *          --time-limit-s <s> (stop starting new mutants after this long; 0 = none)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'pilot-eval');

// ---------------------------------------------------------------- options
function parseArgs(argv) {
  const o = { n: 5000, seed: 1, jobs: 2, timeoutMs: 30_000, memMb: 1024, replay: null, keep: false, out: join(ROOT, 'bench', 'fuzz.out'), timeLimitS: 0 };
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
    if (a === '--n') o.n = int(v(), 1);
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
const GOOD = {
  cases: join(ROOT, 'fixtures/pcp/cases.csv'),
  offences: join(ROOT, 'fixtures/pcp/offences.csv'),
  process: join(ROOT, 'fixtures/pcp/process.csv'),
  costs: join(ROOT, 'fixtures/pcp/costs.csv'),
  themes: join(ROOT, 'fixtures/pcp/themes.csv'),
  trial: join(ROOT, 'fixtures/pcp/trial.yaml'),
};

export function corpus() {
  const files = [...Object.values(GOOD), join(ROOT, 'fixtures/rossi/cases.csv'), join(ROOT, 'fixtures/rossi/offences.csv'), join(ROOT, 'fixtures/rossi/trial.yaml')];
  const hostile = join(ROOT, 'fixtures/bad/hostile');
  for (const f of readdirSync(hostile).sort()) files.push(join(hostile, f));
  return files;
}

/** The input slot a file goes in, from its name. */
function roleOf(path) {
  const b = basename(path);
  if (b.endsWith('.yaml')) return 'trial';
  for (const r of ['offences', 'process', 'costs', 'themes']) if (b.startsWith(r)) return r;
  return 'cases';
}

// ---------------------------------------------------------------- mutations
const ODD_NUMBERS = ['1e308', '-1e309', '1e-320', '99999999999999999999999', '-0', 'NaN', 'Infinity', '-Infinity', '0x1F', '1_000', '٣', '1.2.3', '0,207', '  7  ', '+5', '.5', '5.', '1e', '--1', '9007199254740993'];
const ODD_DATES = ['2019-02-29', '2020-02-29', '31/12/1899', '10/25/2019', '25/10/2019', '2019-10-08 00:00:00', '2019-10-08T00:00:00Z', '0000-00-00', '9999-12-31', '9999-99-99', '1970-01-01', '2019-1-8', '08.10.2019', '20191008', '43746', '2019-10-08 13:45:00', '1/1/1', '-2019-10-08', '275760-09-13'];
const ODD_CELLS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '=HYPERLINK("http://x","y")', '+1+1', '-1-1', '@SUM(A1)', 'a;=cmd', '\u001b[31mred\u001b[0m', '\u202eevil', 'NA', 'N/A', 'null', '', ' ', '"', '""', 'yes', 'Yes', 'YES', 'treatment', 'Treatment', 'control', 'männlich', '😀', '\t'];

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
    const len = r.pick([1_000, 100_000, 1_000_000, 5_000_000, 20_000_000]);
    const fill = r.pick(['x', 'a,', '"', ',', '9', ' ']);
    const at = r.int(0, buf.length);
    return Buffer.concat([buf.subarray(0, at), Buffer.from(fill.repeat(Math.ceil(len / fill.length)).slice(0, len)), buf.subarray(at)]);
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
    const chosen = k >= dates.length ? dates : Array.from({ length: k }, () => r.pick(dates)).sort((a, b) => b.index - a.index);
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
    return Buffer.from(lines.map((l, i) => (all || i === 0 ? l.split(d).filter((_, k) => k !== j).join(d) : l)).join('\n'));
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
    if (r.chance(0.3)) h[a] = r.pick(['__proto__', 'constructor', 'ID', ' id ', 'Id', 'id', 'arm', '', '"', 'start date']);
    lines[0] = h.join(d);
    return Buffer.from(lines.join('\n'));
  },
  delimiter(buf, r) {
    const text = buf.toString('utf8');
    return Buffer.from(text.replace(/,/g, () => (r.chance(0.9) ? r.pick([';', '\t', '|']) : ',')));
  },
  yamlAlias(buf, r) {
    const extra = r.pick(['\nx: &a [*a]\n', '\na: &a\n  b: *a\n', '\n__proto__: {polluted: 1}\n', '\nprogression: {constructor: 1}\n', '\n' + 'a: &x ['.repeat(2000), '\n!!js/function "x"\n', '\n? [a, b]\n: c\n', `\nbig: ${'1'.repeat(400)}\n`, '\nanalysis: {covariates: [__proto__, toString]}\n']);
    return Buffer.concat([buf, Buffer.from(extra)]);
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

/** Builds mutant `seed`: its base file, the mutations applied, and its bytes. */
export function makeMutant(seed, files) {
  const r = rng(seed);
  const base = r.pick(files);
  let buf = readFileSync(base);
  const k = r.int(1, 4);
  const applied = [];
  for (let i = 0; i < k; i++) {
    const name = r.pick(MUTATION_NAMES);
    if (name === 'yamlAlias' && roleOf(base) !== 'trial') continue;
    buf = MUTATIONS[name](buf, r);
    applied.push(name);
    // Keep mutants bounded (a long line on a long line...): the largest is ~45 MB.
    if (buf.length > 45_000_000) break;
  }
  return { seed, base, role: roleOf(base), applied, bytes: buf };
}

// ---------------------------------------------------------------- commands
/** The runs of every reader command that takes a file in this slot. */
function commandsFor(role, file, work) {
  const f = { ...GOOD, [role]: file };
  const out = (name) => join(work, name);
  const runs = [];
  if (role === 'cases' || role === 'offences') {
    runs.push(['import', ['import', '--cases', f.cases, '--offences', f.offences, '--out-dir', out('import')]]);
    runs.push(['reoffending', ['reoffending', '--cases', f.cases, '--offences', f.offences, '--as-of', '2025-06-30', '--by', 'arm', '--out', out('outcomes.csv')]]);
    runs.push(['analyse', ['analyse', f.cases, '--offences', f.offences, '--json', '--out', out('analyse.json')]]);
  }
  if (role === 'cases') {
    runs.push(['match', ['match', '--treated', f.cases, '--pool', GOOD.cases, '--covariates', 'age,ogrs3', '--out', out('matched.csv')]]);
    runs.push(['randomise', ['randomise', f.cases, '--method', 'complete', '--seed', '83920471', '--out', out('allocation.csv')]]);
  }
  runs.push(['report', ['report', '--cases', f.cases, '--offences', f.offences, '--process', f.process, '--costs', f.costs, '--themes', f.themes, '--trial', f.trial, '--out', out('report.html')]]);
  if (role === 'trial') runs.push(['analyse', ['analyse', f.cases, '--offences', f.offences, '--plan', f.trial, '--json']]);
  return runs;
}

/** Runs one command under /usr/bin/time: exit code, signal, peak RSS (KB), seconds, timed out. */
function runOne(args, opts, work) {
  return new Promise((resolve) => {
    const timeFile = join(work, `.time.${Math.random().toString(36).slice(2)}`);
    const start = Date.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, `--max-old-space-size=${opts.memMb}`, BIN, ...args], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      if (stderr.length < 4000) stderr += c.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      let rssKb = null;
      let signal = null;
      try {
        const t = readFileSync(timeFile, 'utf8');
        const m = t.match(/(\d+)\s*$/);
        if (m) rssKb = Number(m[1]);
        const s = t.match(/terminated by signal (\d+)/);
        if (s) signal = Number(s[1]);
        rmSync(timeFile, { force: true });
      } catch {
        /* killed before time wrote it */
      }
      resolve({ code, signal, rssKb, seconds: (Date.now() - start) / 1000, timedOut, stderr });
    });
  });
}

function verdict(r, opts) {
  if (r.timedOut) return `hang: still running after ${opts.timeoutMs / 1000} s`;
  if (r.signal !== null) return `killed by signal ${r.signal}`;
  if (r.code === 1) return 'exit 1 (internal error)';
  if (r.code !== null && ![0, 2, 3, 4].includes(r.code)) return `exit ${r.code}`;
  if (r.rssKb !== null && r.rssKb > opts.memMb * 1024) return `peak RSS ${Math.round(r.rssKb / 1024)} MB over ${opts.memMb} MB`;
  return null;
}

async function fuzzMutant(seed, files, opts, stats) {
  const m = makeMutant(seed, files);
  const work = mkdtempSync(join(tmpdir(), `pilot-eval-fuzz-${seed}-`));
  const ext = m.role === 'trial' ? '.yaml' : '.csv';
  const file = join(work, `${m.role}-mutant${ext}`);
  writeFileSync(file, m.bytes);
  const failures = [];
  try {
    for (const [name, args] of commandsFor(m.role, file, work)) {
      const r = await runOne(args, opts, work);
      stats.runs++;
      stats.byCommand[name] = (stats.byCommand[name] ?? 0) + 1;
      const key = r.timedOut ? 'timeout' : r.signal !== null ? `signal ${r.signal}` : `exit ${r.code}`;
      stats.exits[key] = (stats.exits[key] ?? 0) + 1;
      if (r.rssKb !== null && r.rssKb > stats.maxRssKb) stats.maxRssKb = r.rssKb;
      if (r.seconds > stats.maxSeconds) stats.maxSeconds = r.seconds;
      const bad = verdict(r, opts);
      if (bad) failures.push({ seed, command: name, base: m.base.slice(ROOT.length + 1), applied: m.applied, size: m.bytes.length, why: bad, stderr: r.stderr.split('\n').slice(0, 6).join('\n') });
    }
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
  return failures;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const files = corpus();
  const stats = { runs: 0, byCommand: {}, exits: {}, maxRssKb: 0, maxSeconds: 0 };
  const failures = [];
  const started = Date.now();

  if (opts.replay !== null) {
    const m = makeMutant(opts.replay, files);
    console.log(`mutant ${opts.replay}: ${m.base.slice(ROOT.length + 1)} (${m.role}) + ${m.applied.join(', ')} -> ${m.bytes.length} bytes`);
    const f = await fuzzMutant(opts.replay, files, opts, stats);
    for (const x of f) console.log(`FAIL ${x.command}: ${x.why}\n${x.stderr}`);
    console.log(f.length ? `${f.length} failing run(s)` : `no failure (${JSON.stringify(stats.exits)})`);
    process.exitCode = f.length ? 1 : 0;
    return;
  }

  let next = 0;
  let done = 0;
  let stoppedEarly = false;
  const worker = async () => {
    for (;;) {
      if (opts.timeLimitS && (Date.now() - started) / 1000 > opts.timeLimitS) {
        stoppedEarly = next < opts.n;
        return;
      }
      const i = next++;
      if (i >= opts.n) return;
      const seed = mutantSeed(opts.seed, i);
      const f = await fuzzMutant(seed, files, opts, stats);
      done++;
      for (const x of f) {
        failures.push(x);
        console.log(`FAIL mutant ${x.seed} (${x.base} + ${x.applied.join(', ')}), ${x.command}: ${x.why}\n  replay: npm run fuzz -- --replay ${x.seed} --keep\n  ${x.stderr.replace(/\n/g, '\n  ')}`);
      }
      if (done % 25 === 0) console.log(`${done}/${opts.n} mutants, ${stats.runs} runs, ${failures.length} failure(s), ${Math.round((Date.now() - started) / 1000)} s`);
    }
  };
  await Promise.all(Array.from({ length: opts.jobs }, worker));

  const seconds = Math.round((Date.now() - started) / 1000);
  const lines = [
    `pilot-eval mutation fuzzer (bench/fuzz.mjs), run ${new Date().toISOString()}`,
    `node ${process.version}; run seed ${opts.seed}; jobs ${opts.jobs}; timeout ${opts.timeoutMs / 1000} s; memory cap ${opts.memMb} MB (--max-old-space-size and peak RSS from /usr/bin/time)`,
    `mutants asked: ${opts.n}; mutants run: ${done}${stoppedEarly ? ` (stopped by --time-limit-s ${opts.timeLimitS})` : ''}; command runs: ${stats.runs}; wall time ${seconds} s`,
    `runs by command: ${Object.entries(stats.byCommand).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `outcomes: ${Object.entries(stats.exits).sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    `largest peak RSS: ${Math.round(stats.maxRssKb / 1024)} MB; longest run: ${stats.maxSeconds.toFixed(1)} s`,
    `failures (exit 1, signal, hang or over the memory cap): ${failures.length}`,
    ...failures.map((x) => `  mutant ${x.seed} ${x.command}: ${x.why} (${x.base} + ${x.applied.join(', ')}; replay: npm run fuzz -- --replay ${x.seed})`),
  ];
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
  process.exitCode = failures.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err.message);
    process.exitCode = 2;
  });
}
