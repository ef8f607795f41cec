/**
 * `pilot-eval randomise`: declares the options, parses them, calls one use case (randomise, verify
 * or recover, in src/app/randomise.ts) and prints its result.
 */
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runRandomise, runRecover, runVerify, type RandomiseResult } from '../../app/randomise.js';
import { withCommon } from '../command-kit.js';
import { parseNumberOption, parseSeedOrRandom } from '../options.js';
import { painter, printJson, printText, progress, table, warn } from '../output.js';
import { jsOnlyEngineNote, withEngineOption } from '../engine-option.js';

export { runRandomise, runVerify, runRecover } from '../../app/randomise.js';
export type {
  RandomiseOptions,
  RandomiseResult,
  VerifyOptions,
  VerifyResult,
  LedgerSummary,
} from '../../app/randomise.js';

interface CliOptions {
  json?: boolean;
  engine?: string;
  method?: string;
  seed?: string;
  out?: string;
  arms?: string;
  ratio?: string;
  prob?: string;
  block?: string;
  cluster?: string;
  blockSizes?: string;
  factors?: string;
  minimiseP?: string;
  nested?: string;
  nestedRatio?: string;
  ledger?: string;
  delimiter?: string;
  map?: string;
  verify?: string;
  input?: string;
  keyFile?: string;
  expectHead?: string;
  recover?: boolean;
  lockWait?: string;
}

const EXAMPLES = `
Examples:
  $ pilot-eval randomise cases.csv --method complete --seed 83920471 --out allocation.csv
  $ pilot-eval randomise cases.csv --method block --block site --ratio 1:2 --seed 51207733 --out allocation.csv
  $ pilot-eval randomise cases.csv --method cluster --cluster team --seed random --out teams.csv
  $ pilot-eval randomise cases.csv --method minimise --factors site:2,sex --minimise-p 0.8 --seed 640193287 --out alloc.csv
  $ pilot-eval randomise week1.csv --method permuted-block --block site --block-sizes 2,4 --seed random --key-file trial.key --ledger ledger.csv
  $ pilot-eval randomise week2.csv --method permuted-block --block site --block-sizes 2,4 --key-file trial.key --ledger ledger.csv
  $ pilot-eval randomise cases.csv --method complete --nested treatment:told,not_told --seed 7310498826 --out alloc.csv
  $ pilot-eval randomise --verify allocation.csv
  $ pilot-eval randomise --verify ledger.csv --key-file trial.key --expect-head <hash kept elsewhere>
  $ pilot-eval randomise --recover --ledger ledger.csv --out part.csv

Outputs: <out> (id, arm, sub_arm, stratum, cluster, sequence) and <out>.json (method, options, seed,
version, sha256 of input and output). A ledger keeps <ledger>.json beside it (design, seed, head
hash): keep both with the trial statistician, not with recruiting staff, so that allocations stay
concealed. Blocks smaller than the ratio are allowed with a warning (floor/ceiling counts, exact
probabilities). Exit 4 when --verify finds a difference.

Seeds: a date or a number below 1,000,000 can be found by trying them all against a few known
allocations (a warning says so); use --seed random, which draws one and records it. --key-file makes
the ledger's chain an HMAC-SHA256 under the key (e.g. openssl rand -hex 32 > trial.key): keep the
key, or each printed head hash, with someone outside the recruiting team, so that a rewrite of both
the ledger and its manifest is caught by --verify. A ledger is locked (<ledger>.lock) while it is
written: a second run waits up to --lock-wait seconds, then exits 2 naming the holder. If a run is
killed while writing, the next run finishes the write first; --recover does it on its own.`;

export function register(program: Command): void {
  withEngineOption(withCommon(program.command('randomise')), false)
    .description(
      'Randomise cases to arms (simple, complete, block, cluster, block-cluster, permuted-block, minimise), with a manifest, a rolling ledger and --verify',
    )
    .argument('[cases]', "cases CSV ('-' for stdin)")
    .option('--method <m>', 'simple | complete | block | cluster | block-cluster | permuted-block | minimise')
    .option(
      '--seed <int|random>',
      "random seed; 'random' (or none) draws one from the system's secure generator and records it",
    )
    .option('-o, --out <allocation.csv>', 'allocation CSV (the manifest goes to <out>.json)')
    .option('--arms <a,b,...>', 'arm names (default control,treatment)')
    .option(
      '--ratio <r>',
      'allocation ratio, one part per arm in --arms order, e.g. 1:2 (default 1:1); power --allocation-ratio takes the same form',
    )
    .addOption(
      new Option(
        '--prob <p>',
        'simple-style probability of the second arm, or one probability per arm (instead of --ratio: --prob 0.3 is --ratio 7:3)',
      ).conflicts('ratio'),
    )
    .option(
      '--block <col>',
      'randomisation block (stratum) column (block, block-cluster, permuted-block); written as the stratum column, which analyse --block reads',
    )
    .option('--cluster <col>', 'cluster column (cluster, block-cluster)')
    .option('--block-sizes <list>', 'permuted-block sizes, drawn at random, e.g. 2,4 (default W,2W)')
    .option('--factors <list>', 'minimisation factors with optional weights, e.g. site:2,sex')
    .option('--minimise-p <p>', 'probability of the arm that minimises imbalance (default 0.8)')
    .option('--nested <arm:a,b>', 'second-stage allocation inside one arm, e.g. treatment:told,not_told')
    .option('--nested-ratio <r>', 'ratio of the nested sub-arms (default 1:1)')
    .option('--ledger <ledger.csv>', 'rolling recruitment ledger: keeps earlier allocations, appends new cases')
    .option(
      '--key-file <file>',
      "key for the ledger's chain (HMAC-SHA256); needed to extend and to verify a keyed ledger",
    )
    .option('--delimiter <d>', "input delimiter: ',' ';' '|' or tab")
    .option('--map <columns.yaml>', "map the site's column names onto canonical ones")
    .option('--verify <file>', 'verify an allocation (recompute from its manifest) or a ledger (hash chain and replay)')
    .option('--input <cases.csv>', 'with --verify: the cases file, if not where the manifest says')
    .option('--expect-head <hash>', 'with --verify: a head hash kept elsewhere, which the ledger must still contain')
    .option(
      '--recover',
      'finish (or clear) a write interrupted by a crash: with --ledger (and its --out, if any), or --out alone',
    )
    .option('--lock-wait <seconds>', 'how long to wait for another run writing the same ledger or output (default 10)')
    .addHelpText('after', EXAMPLES)
    .action(async (cases: string | undefined, opts: CliOptions) => {
      const json = Boolean(opts.json);
      const engineNote = jsOnlyEngineNote('randomise', opts.engine);
      if (engineNote) warn(engineNote, { json });
      const p = painter({ json });
      const waitS = parseNumberOption('--lock-wait', opts.lockWait, 0, 3600);
      const lockWaitMs = waitS === undefined ? undefined : waitS * 1000;
      if (opts.recover) {
        const file = opts.ledger ?? opts.out;
        if (file === undefined || cases !== undefined || opts.verify !== undefined)
          throw new UsageError(
            '--recover takes --ledger <ledger.csv> (and the --out of that run, if any) or --out <allocation.csv> for a run without a ledger, and nothing else',
          );
        const r = await runRecover({ file, out: opts.ledger !== undefined ? opts.out : undefined, lockWaitMs });
        if (json) return printJson(r);
        const what = r.finished.length
          ? `finished an interrupted write: ${r.finished.join(', ')}`
          : r.removed.length
            ? `removed ${r.removed.length} staged file(s) of a write that never committed; the files before it stand`
            : 'nothing to recover';
        printText(`${p.green('recovered')}: ${r.file}: ${what}`);
        return;
      }
      if (opts.verify !== undefined) {
        if (cases !== undefined)
          throw new UsageError('--verify takes the file to check; do not give a cases file as well (use --input)');
        const r = await runVerify({
          file: opts.verify,
          input: opts.input,
          keyFile: opts.keyFile,
          expectHead: opts.expectHead,
          lockWaitMs,
        });
        if (r.pending_write)
          warn(
            `an interrupted write is committed but unfinished (${r.pending_write}); verified the set it commits. Run --recover to finish it`,
            { json },
          );
        if (json) return printJson(r);
        printText(
          `${p.green('verified')}: ${r.file} (${r.kind}, ${r.rows} row(s), method ${r.method}, seed ${r.seed})${r.head_hash ? `\nhead hash ${r.head_hash}` : ''}`,
        );
        return;
      }
      if (opts.expectHead !== undefined) throw new UsageError('--expect-head goes with --verify');
      if (cases === undefined) throw new UsageError('give the cases CSV to randomise (or --verify <file>)');
      if (opts.method === undefined)
        throw new UsageError(
          '--method is required (simple, complete, block, cluster, block-cluster, permuted-block or minimise)',
        );
      const r = await runRandomise({
        cases,
        method: opts.method,
        seed: parseSeedOrRandom(opts.seed),
        out: opts.out,
        arms: opts.arms,
        ratio: opts.ratio,
        prob: opts.prob,
        block: opts.block,
        cluster: opts.cluster,
        blockSizes: opts.blockSizes,
        factors: opts.factors,
        minimiseP: parseNumberOption('--minimise-p', opts.minimiseP, 0, 1),
        nested: opts.nested,
        nestedRatio: opts.nestedRatio,
        ledger: opts.ledger,
        keyFile: opts.keyFile,
        delimiter: opts.delimiter,
        map: opts.map,
        now: new Date().toISOString(),
        generateSeed: () => randomInt(1, 2 ** 47),
        lockWaitMs,
        progress,
      });
      if (r.recovered.length) warn(`finished an interrupted earlier write first: ${r.recovered.join(', ')}`, { json });
      if (r.seed_generated)
        process.stderr.write(
          `pilot-eval: ${opts.seed === 'random' ? '--seed random' : 'no --seed given'}; drew seed ${r.seed} (recorded in the manifest; keep it)\n`,
        );
      if (r.seed_warning) warn(r.seed_warning, { json });
      for (const w of r.warnings) warn(w, { json });
      if (json) {
        const { warnings: _w, seed_generated: _g, seed_warning: _s, recovered: _r, ...rest } = r;
        return printJson(rest);
      }
      printText(renderHuman(r));
    });
}

function renderHuman(r: RandomiseResult): string {
  const p = painter({ json: false });
  const lines: string[] = [];
  lines.push(`${p.bold('randomised')} ${r.n} case(s), method ${r.method}, seed ${r.seed}`);
  const armRows = [['arm', 'n', ...(Object.keys(r.clusters).length ? ['clusters'] : [])]];
  for (const [a, c] of Object.entries(r.arms))
    armRows.push([a, String(c), ...(Object.keys(r.clusters).length ? [String(r.clusters[a] ?? 0)] : [])]);
  lines.push(table(armRows, ['l', 'r', 'r']));
  if (Object.keys(r.sub_arms).length)
    lines.push(
      `sub-arms: ${Object.entries(r.sub_arms)
        .map(([s, c]) => `${s} ${c}`)
        .join(', ')}`,
    );
  const strata = Object.entries(r.strata);
  if (strata.length && strata.length <= 30) {
    const arms = Object.keys(r.arms);
    lines.push(
      '',
      table(
        [['stratum', ...arms], ...strata.map(([s, c]) => [s, ...arms.map((a) => String(c[a] ?? 0))])],
        ['l', ...arms.map(() => 'r' as const)],
      ),
    );
  } else if (strata.length) lines.push(`${strata.length} strata (see --json)`);
  if (r.ledger)
    lines.push(
      '',
      `ledger ${r.ledger.path}: ${r.ledger.already_allocated} already allocated (kept), ${r.ledger.appended} appended; ${r.ledger.rows_after} row(s), head hash ${r.ledger.head_hash}`,
    );
  if (r.output) lines.push(`wrote ${r.output} (sha256 ${r.sha256}) and ${r.manifest}`);
  return lines.join('\n');
}
