/**
 * `pilot-eval match`: a Justice Data Lab style propensity-score matched comparison group
 * (CONTRACT.md "match"). Writes the matched treated and comparison people with `arm` and `weight`
 * columns (ready for `analyse --weights weight`) and a `<out>.trial.yaml` that records the design
 * as a matched comparison, so `report --trial` caps the security rating.
 */
import type { Command } from 'commander';
import { DataError, ProblemList, UsageError } from '../../core/errors.js';
import { ConstantCovariateError } from '../../core/matching/propensity-model.js';
import { matchComparison, NoCommonSupportError, type BalanceRow, type CommonSupport, type Discard } from '../../core/matching/match-comparison.js';
import type { MatchOrder } from '../../core/matching/nearest-neighbour.js';
import { createRng } from '../../core/random.js';
import { logisticArmEffect } from '../../core/stats/logistic-regression.js';
import { parseBinaryCell } from '../../io/fields.js';
import { writeFilesAtomic } from '../../io/atomic.js';
import { checkDistinctFiles } from '../../io/distinct-files.js';
import { toCsv, type Cell } from '../../io/csv-writer.js';
import { readMatchingInput } from '../../io/matching-input.js';
import { readTable } from '../../io/table.js';
import { parseReadOptions, withCommon, withReadOptions, type ReadCliOptions } from '../command-kit.js';
import { parseIntOption, parseListOption, parseNumberOption, parseSeed, requireOption } from '../options.js';
import { painter, printJson, printText, table, terminalSafe, withProgress } from '../output.js';

export interface MatchCliOptions extends ReadCliOptions {
  treated?: string;
  pool?: string;
  covariates?: string;
  out?: string;
  caliper?: string;
  ratio?: string;
  replace?: boolean;
  seed?: string;
  order?: string;
  discard?: string;
  design?: string;
  outcome?: string;
  offences?: string;
  delimiter?: string;
  onProgress?: (text: string) => void;
}

export interface MatchedEstimate {
  outcome: string;
  treated_rate: number;
  control_rate: number;
  /** Weighted treated rate minus weighted control rate (the matched-sample ATT). */
  risk_difference: number;
  /** ln OR from glm(outcome ~ treat, binomial, weights = weight) on the matched file. */
  log_odds_ratio: number | null;
  method: string;
}

export interface MatchResultJson {
  treated: number;
  pool: number;
  matched_treated: number;
  matched_controls: number;
  unmatched_treated: number;
  caliper: number | null;
  caliper_logit: number | null;
  ratio: number;
  replace: boolean;
  order: MatchOrder;
  common_support: CommonSupport;
  propensity_model: Array<{ term: string; estimate: number; std_error: number }>;
  balance: BalanceRow[];
  imbalanced: string[];
  estimate: MatchedEstimate | null;
  design: 'matched_all_observables' | 'matched_some_observables';
  out: string;
  trial_file: string;
  /** The offences of the matched people (with --offences), for `report --offences`. */
  offences_file: string | null;
  warnings: string[];
}

const ORDERS: readonly MatchOrder[] = ['largest', 'smallest', 'data', 'random'];
const DISCARDS: readonly Discard[] = ['none', 'treated', 'control', 'both'];
const DESIGNS = ['matched_some_observables', 'matched_all_observables'] as const;
const ADDED = ['arm', 'weight', 'propensity_score', 'logit_propensity'];

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
  return text as T;
}

export function trialYaml(design: string, o: { treatedFile: string; poolFile: string; covariates: string[]; caliper: number | null; ratio: number; replace: boolean }): string {
  return [
    '# Written by `pilot-eval match`: use with `pilot-eval report --trial <this file>`.',
    `# Comparison group matched on: ${o.covariates.join(', ')} (treated ${o.treatedFile}, pool ${o.poolFile}).`,
    `# Nearest-neighbour matching on the propensity logit, caliper ${o.caliper === null ? 'none' : `${o.caliper} SD`}, 1:${o.ratio}, ${o.replace ? 'with' : 'without'} replacement.`,
    '# design: matched_some_observables caps the security rating at 2 padlocks; matched_all_observables at 3.',
    '# Claim "all" only if every relevant confounder (e.g. OGRS3, offence history, age, sex) is matched on.',
    `design: ${design}`,
    'arms:',
    '  control: control',
    '  treatment: treatment',
    'randomisation:',
    '  method: none',
    '  unit: person',
    '',
  ].join('\n');
}

/** Handler: reads, matches, writes the matched file and its trial file, returns the contract object. */
export async function runMatch(o: MatchCliOptions): Promise<MatchResultJson> {
  const treatedPath = requireOption('--treated', o.treated);
  const poolPath = requireOption('--pool', o.pool);
  const out = requireOption('--out', o.out);
  if (out === '-') throw new UsageError('--out must be a file path (the matched file and its .trial.yaml are written beside each other)');
  const outStem = out.replace(/\.csv$/i, '');
  checkDistinctFiles(
    [
      { option: '--treated', path: o.treated },
      { option: '--pool', path: o.pool },
      { option: '--offences', path: o.offences },
    ],
    [
      { option: '--out', path: out },
      { option: 'the trial file', path: `${outStem}.trial.yaml` },
      { option: 'the matched offences file', path: o.offences !== undefined ? `${outStem}.offences.csv` : undefined },
    ],
  );
  const covariateNames = parseListOption(requireOption('--covariates', o.covariates)) ?? [];
  let caliper: number | null = 0.2;
  if (o.caliper !== undefined) caliper = o.caliper === 'none' ? null : parseNumberOption('--caliper', o.caliper, 0, Infinity, true)!;
  const ratio = parseIntOption('--ratio', o.ratio, 1, 20) ?? 1;
  const replace = o.replace === true;
  const order = oneOf('--order', o.order, ORDERS, 'largest');
  const discard = oneOf('--discard', o.discard, DISCARDS, 'both');
  const design = oneOf('--design', o.design, DESIGNS, 'matched_some_observables');
  const seed = parseSeed(o.seed, order === 'random');
  const read = parseReadOptions(o);
  const outcome = o.outcome?.trim().toLowerCase();

  o.onProgress?.('reading treated and pool files');
  const input = await readMatchingInput(treatedPath, poolPath, covariateNames, read);
  const { treated, pool, treat } = input;
  if (outcome !== undefined) {
    for (const t of [treated, pool]) {
      if (!t.cells.has(outcome)) throw new UsageError(`--outcome ${outcome}: no such column in ${t.file} (columns: ${t.columns.join(', ')})`);
    }
  }
  o.onProgress?.(`fitting the propensity model on ${(treated.n + pool.n).toLocaleString('en-GB')} people`);
  let m;
  try {
    m = matchComparison(treat, input.covariates, { caliper, ratio, replace, order, discard, rng: seed !== undefined ? createRng(seed) : undefined });
  } catch (err) {
    if (err instanceof NoCommonSupportError) {
      throw new DataError({ file: `${treated.file} + ${pool.file}`, line: null, column: null, value: null, reason: `${err.message}. The pool does not contain people like the treated group: use a different pool or covariates.` });
    }
    if (err instanceof ConstantCovariateError) {
      throw new UsageError(`--covariates: ${err.covariate} takes the same value for everyone (or duplicates another covariate), so it cannot enter the propensity model: drop it`);
    }
    throw err;
  }
  const warnings: string[] = [];
  if (m.fit.separation) warnings.push('the propensity model separates treated and pool people almost perfectly (fitted probabilities of 0 or 1): the groups barely overlap and the comparison is weak');
  if (!m.fit.converged) warnings.push('the propensity model did not converge');
  if (ADDED.some((c) => treated.cells.has(c) || pool.cells.has(c))) warnings.push(`input columns ${ADDED.filter((c) => treated.cells.has(c) || pool.cells.has(c)).join(', ')} are replaced in the matched file`);
  if (m.match.unmatchedTreated > 0) warnings.push(`${m.match.unmatchedTreated} treated ${m.match.unmatchedTreated === 1 ? 'person has' : 'people have'} no comparison person within the caliper and ${m.match.unmatchedTreated === 1 ? 'is' : 'are'} left out: the estimate is for the matched treated people only`);
  if (m.match.matchedTreated < 60) warnings.push(`only ${m.match.matchedTreated} matched treated people: the Justice Data Lab asks for at least 60`);

  // The matched file: every column of either file, then arm, weight and the scores.
  const columns = [...treated.columns.filter((c) => c !== '' && !ADDED.includes(c))];
  for (const c of pool.columns) if (c !== '' && !ADDED.includes(c) && !columns.includes(c)) columns.push(c);
  const rows: Cell[][] = [];
  const n1 = treated.n;
  for (let i = 0; i < treat.length; i++) {
    const w = m.match.weights[i]!;
    if (w <= 0) continue;
    const src = i < n1 ? treated : pool;
    const r = i < n1 ? i : i - n1;
    rows.push([...columns.map((c) => src.cells.get(c)?.[r] ?? ''), i < n1 ? 'treatment' : 'control', w, m.fit.propensity[i]!, m.fit.logit[i]!]);
  }
  const stem = out.replace(/\.csv$/i, '');
  const trialFile = `${stem}.trial.yaml`;
  const files = [
    { path: out, content: toCsv([...columns, ...ADDED], rows) },
    { path: trialFile, content: trialYaml(design, { treatedFile: treated.file, poolFile: pool.file, covariates: covariateNames, caliper, ratio, replace }) },
  ];
  let offencesFile: string | null = null;
  if (o.offences !== undefined) {
    // Keep only the matched people's offences, so `report --offences` sees no unknown ids.
    const off = await readTable(o.offences, { read, required: ['id'] });
    const ids = new Set<string>();
    for (let i = 0; i < treat.length; i++) {
      if (m.match.weights[i]! <= 0) continue;
      const src = i < n1 ? treated : pool;
      const id = src.cells.get('id')?.[i < n1 ? i : i - n1];
      if (id === undefined) throw new UsageError('--offences needs an id column in the treated and pool files to link offences to people');
      ids.add(id);
    }
    const offIds = off.cells.get('id')!;
    const keep = offIds.map((id, r) => (ids.has(id) ? r : -1)).filter((r) => r >= 0);
    const offCols = off.columns.filter((c) => c !== '');
    offencesFile = `${stem}.offences.csv`;
    files.push({ path: offencesFile, content: toCsv(offCols, keep.map((r) => offCols.map((c) => off.cells.get(c)![r]!))) });
  }
  const nonUnit = [...m.match.weights].some((w) => w > 0 && Math.abs(w - 1) > 1e-12);
  if (nonUnit) warnings.push('the matching weights are not all 1 (1:k or with replacement): use `analyse --weights weight` (every binary measure weighted, sandwich SEs); `report` does not use weights');

  let estimate: MatchedEstimate | null = null;
  if (outcome !== undefined) {
    const y: number[] = [];
    const arm: number[] = [];
    const wts: number[] = [];
    const problems = new ProblemList();
    for (let i = 0; i < treat.length; i++) {
      if (m.match.weights[i]! <= 0) continue;
      const src = i < n1 ? treated : pool;
      const r = i < n1 ? i : i - n1;
      const cell = src.cells.get(outcome)![r]!;
      const parsed = parseBinaryCell(cell);
      if (!parsed.ok) {
        problems.add({ file: src.file, line: src.lines[r]!, column: outcome, value: cell, reason: `--outcome must be a 0/1 column: ${parsed.reason}` });
        continue;
      }
      y.push(parsed.value);
      arm.push(treat[i]!);
      wts.push(m.match.weights[i]!);
    }
    problems.throwIfAny();
    let swT = 0, syT = 0, swC = 0, syC = 0;
    y.forEach((v, i) => {
      if (arm[i]) {
        swT += wts[i]!;
        syT += wts[i]! * v;
      } else {
        swC += wts[i]!;
        syC += wts[i]! * v;
      }
    });
    const fit = logisticArmEffect(y, arm, { weights: Float64Array.from(wts) });
    estimate = {
      outcome,
      treated_rate: syT / swT,
      control_rate: syC / swC,
      risk_difference: syT / swT - syC / swC,
      log_odds_ratio: fit.separation ? null : fit.estimate,
      method: 'matched-sample ATT: matching-weighted rates; log OR from glm(outcome ~ treat, binomial, weights = weight). For intervals run `pilot-eval analyse <out> --weights weight`.',
    };
  }

  writeFilesAtomic(files);

  return {
    treated: treated.n,
    pool: pool.n,
    matched_treated: m.match.matchedTreated,
    matched_controls: m.match.matchedControls,
    unmatched_treated: m.match.unmatchedTreated,
    caliper,
    caliper_logit: m.caliper_logit,
    ratio,
    replace,
    order,
    common_support: m.common_support,
    propensity_model: m.fit.terms,
    balance: m.balance,
    imbalanced: m.balance.filter((b) => b.imbalanced).map((b) => b.covariate),
    estimate,
    design,
    out,
    trial_file: trialFile,
    offences_file: offencesFile,
    warnings,
  };
}

const f3 = (x: number | null) => (x === null ? '-' : x.toFixed(3));

function render(r: MatchResultJson): string {
  const p = painter({ json: false });
  const lines: string[] = [];
  lines.push(p.bold(`Matched comparison group: ${r.matched_treated} of ${r.treated} treated people matched to ${r.matched_controls} of ${r.pool} pool people`));
  lines.push(p.dim(`nearest neighbour on the propensity logit, 1:${r.ratio}, ${r.replace ? 'with' : 'without'} replacement, caliper ${r.caliper === null ? 'none' : `${r.caliper} SD (${f3(r.caliper_logit)} on the logit)`}, order ${r.order}`));
  const cs = r.common_support;
  lines.push(
    `Common support (discard ${cs.discard}): ${cs.treated_outside} treated outside the pool's range (${cs.treated_discarded} dropped), ${cs.pool_outside} pool outside the treated range (${cs.pool_discarded} dropped).`,
  );
  lines.push('');
  lines.push(p.bold('Propensity model (logistic regression, treated vs pool)'));
  lines.push(table([['term', 'estimate', 'std. error'], ...r.propensity_model.map((t) => [terminalSafe(t.term), t.estimate.toFixed(4), t.std_error.toFixed(4)])], ['l', 'r', 'r']));
  lines.push('');
  lines.push(p.bold('Balance (standardised mean differences; |SMD| > 0.1 flagged)'));
  lines.push(
    table(
      [
        ['covariate', 'mean treated', 'mean comparison', 'SMD before', 'SMD after', ''],
        ...r.balance.map((b) => [terminalSafe(b.covariate), f3(b.mean_treated_after), f3(b.mean_control_after), f3(b.smd_before), f3(b.smd_after), b.imbalanced ? p.red('over 0.1') : p.green('ok')]),
      ],
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  if (r.estimate) {
    const e = r.estimate;
    lines.push('');
    lines.push(`${e.outcome}: treated ${(100 * e.treated_rate).toFixed(1)}%, matched comparison ${(100 * e.control_rate).toFixed(1)}%: for every 100 people, ${Math.abs(100 * e.risk_difference).toFixed(1)} ${e.risk_difference <= 0 ? 'fewer' : 'more'} re-offenders (before testing: run analyse for the interval).`);
  }
  lines.push('');
  lines.push(p.bold('What this means'));
  lines.push(
    `The comparison group is made of people from the pool who looked like the treated people on ${r.propensity_model.length - 1} measured characteristic(s). ` +
      (r.imbalanced.length
        ? `After matching, ${r.imbalanced.join(', ')} still differ by more than 0.1 SD, so the comparison is not yet like-for-like on ${r.imbalanced.length === 1 ? 'it' : 'them'}. `
        : 'After matching every characteristic is within 0.1 SD, the usual standard for a like-for-like comparison. ') +
      'Matching cannot balance what was not measured (motivation, support at home), so this is weaker evidence than a randomised trial: the trial file records the design so the report caps its security rating.',
  );
  for (const w of r.warnings) lines.push(p.yellow(`warning: ${w}`));
  lines.push('', `Matched file: ${r.out}  (next: pilot-eval analyse ${r.out} --weights weight)`, `Trial file:   ${r.trial_file}  (design: ${r.design})`);
  if (r.offences_file) lines.push(`Offences:     ${r.offences_file}  (next: pilot-eval report --cases ${r.out} --offences ${r.offences_file} --trial ${r.trial_file} ...)`);
  return lines.join('\n');
}

export function register(program: Command): void {
  withReadOptions(withCommon(program.command('match')))
    .description('Propensity-score matched comparison group (Justice Data Lab style), ready for analyse')
    .option('--treated <csv>', 'people who received the intervention')
    .option('--pool <csv>', 'people to draw the comparison group from (not the treated)')
    .option('--covariates <a,b>', 'columns for the propensity model (text columns enter as factors: sexmale)')
    .option('-o, --out <csv>', 'matched file to write (also writes <out>.trial.yaml)')
    .option('--caliper <sd>', 'maximum distance in SDs of the propensity logit, or none (0.2)')
    .option('--ratio <k>', 'comparison people per treated person (1)')
    .option('--replace', 'match with replacement (a comparison person may serve several treated people)')
    .option('--order <o>', 'order treated people are matched in: largest, smallest, data, random (largest, as MatchIt)')
    .option('--seed <int>', 'random seed (needed for --order random)')
    .option('--discard <d>', 'common-support trimming: none, treated, control, both (both)')
    .option('--design <d>', 'matched_some_observables or matched_all_observables, written to the trial file (matched_some_observables)')
    .option('--outcome <col>', 'a 0/1 outcome column: also report the matched-sample difference')
    .option('--offences <csv>', "offences file: also write the matched people's offences to <out>.offences.csv (for report)")
    .option('--delimiter <d>', "CSV delimiter: ',' ';' or tab (,)")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ pilot-eval match --treated served.csv --pool pnc-extract.csv --covariates age,sex,ogrs3,prior_convictions --out matched.csv\n' +
        '  $ pilot-eval analyse matched.csv --weights weight\n' +
        '  $ pilot-eval match --treated t.csv --pool p.csv --covariates age,ogrs3 --ratio 3 --replace --outcome reoffended --out m.csv --json',
    )
    .action(async (opts: MatchCliOptions & { json?: boolean }) => {
      const result = await withProgress('matching', Boolean(opts.json), (update) => runMatch({ ...opts, onProgress: update }));
      if (opts.json) return printJson(result);
      printText(render(result));
    });
}
