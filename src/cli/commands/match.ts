/**
 * `pilot-eval match`: declares the options, parses them into the typed options of the match use
 * case (src/app/match.ts), runs it and prints the result.
 */
import type { Command } from 'commander';
import {
  MATCH_DESIGNS,
  MATCH_DISCARDS,
  MATCH_ORDERS,
  runMatch as runMatchUseCase,
  type MatchOptions,
  type MatchResultJson,
} from '../../app/match.js';
import { percent } from '../../core/format.js';
import { parseReadOptions, withCommon, withReadOptions, type ReadCliOptions } from '../command-kit.js';
import {
  addAlias,
  choiceOption,
  parseChoiceOption,
  parseIntOption,
  parseListOption,
  parseNumberOption,
  parseSeed,
  requireOption,
  resolveAlias,
} from '../options.js';
import { painter, printJson, printText, table, terminalSafe, warn, withProgress } from '../output.js';
import { jsOnlyEngineNote, withEngineOption } from '../engine-option.js';

export { trialYaml, type MatchedEstimate, type MatchOptions, type MatchResultJson } from '../../app/match.js';

/** The options as commander gives them (text). */
export interface MatchCliOptions extends ReadCliOptions {
  treated?: string;
  pool?: string;
  covariates?: string;
  out?: string;
  caliper?: string;
  controlsPerTreated?: string;
  /** Older name of `controlsPerTreated`. */
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

/** Typed options from the command's text; a UsageError names a bad option and its value. */
export function parseMatchOptions(input: MatchCliOptions): MatchOptions {
  const o = resolveAlias(input, 'ratio', 'controlsPerTreated', '--ratio', '--controls-per-treated');
  const caliperText = o.caliper?.trim().toLowerCase();
  return {
    treated: requireOption('--treated', o.treated),
    pool: requireOption('--pool', o.pool),
    covariates: parseListOption(requireOption('--covariates', o.covariates))!,
    out: requireOption('--out', o.out),
    caliper:
      caliperText === undefined
        ? 0.2
        : caliperText === 'none'
          ? null
          : parseNumberOption('--caliper', o.caliper, 0, Infinity, true)!,
    controlsPerTreated: parseIntOption('--controls-per-treated', o.controlsPerTreated, 1, 20) ?? 1,
    replace: o.replace === true,
    order: parseChoiceOption('--order', o.order, MATCH_ORDERS) ?? 'largest',
    discard: parseChoiceOption('--discard', o.discard, MATCH_DISCARDS) ?? 'both',
    design: parseChoiceOption('--design', o.design, MATCH_DESIGNS) ?? 'matched_some_observables',
    seed: parseSeed(o.seed, false),
    outcome: o.outcome,
    offences: o.offences,
    read: parseReadOptions(o),
    onProgress: o.onProgress,
  };
}

/** Parses the command's options and runs the use case (the command's handler, tested directly). */
export async function runMatch(o: MatchCliOptions): Promise<MatchResultJson> {
  return runMatchUseCase(parseMatchOptions(o));
}

const f3 = (x: number | null) => (x === null ? '-' : x.toFixed(3));

export function renderMatch(r: MatchResultJson): string {
  const p = painter({ json: false });
  const lines: string[] = [];
  lines.push(
    p.bold(
      `Matched comparison group: ${r.matched_treated} of ${r.treated} treated people matched to ${r.matched_controls} of ${r.pool} pool people`,
    ),
  );
  lines.push(
    `Treated people: ${r.treated} = ${r.matched_treated} matched + ${r.unmatched_treated} with no comparison person within the caliper + ${r.discarded_treated} discarded outside the common support.`,
  );
  lines.push(
    p.dim(
      `nearest neighbour on the propensity logit, 1:${r.ratio}, ${r.replace ? 'with' : 'without'} replacement, caliper ${r.caliper === null ? 'none' : `${r.caliper} SD (${f3(r.caliper_logit)} on the logit)`}, order ${r.order}`,
    ),
  );
  const cs = r.common_support;
  lines.push(
    `Common support (discard ${cs.discard}): ${cs.treated_outside} treated outside the pool's range (${cs.treated_discarded} dropped), ${cs.pool_outside} pool outside the treated range (${cs.pool_discarded} dropped).`,
  );
  lines.push('');
  lines.push(p.bold('Propensity model (logistic regression, treated vs pool)'));
  lines.push(
    table(
      [
        ['term', 'estimate', 'std. error'],
        ...r.propensity_model.map((t) => [terminalSafe(t.term), t.estimate.toFixed(4), t.std_error.toFixed(4)]),
      ],
      ['l', 'r', 'r'],
    ),
  );
  lines.push('');
  lines.push(p.bold('Balance (standardised mean differences; |SMD| > 0.1 flagged)'));
  lines.push(
    table(
      [
        ['covariate', 'mean treated', 'mean comparison', 'SMD before', 'SMD after', ''],
        ...r.balance.map((b) => [
          terminalSafe(b.covariate),
          f3(b.mean_treated_after),
          f3(b.mean_control_after),
          f3(b.smd_before),
          f3(b.smd_after),
          b.imbalanced ? p.red('over 0.1') : p.green('ok'),
        ]),
      ],
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  if (r.estimate) {
    const e = r.estimate;
    lines.push('');
    lines.push(
      `${e.outcome}: treated ${percent(e.treated_rate)}, matched comparison ${percent(e.control_rate)}: for every 100 people, ${Math.abs(100 * e.risk_difference).toFixed(1)} ${e.risk_difference <= 0 ? 'fewer' : 'more'} re-offenders (before testing: run analyse for the interval).`,
    );
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
  lines.push(
    '',
    `Matched file: ${r.out}  (next: pilot-eval analyse ${r.out} --weights weight)`,
    `Trial file:   ${r.trial_file}  (design: ${r.design})`,
  );
  if (r.offences_file)
    lines.push(
      `Offences:     ${r.offences_file}  (next: pilot-eval report --cases ${r.out} --offences ${r.offences_file} --trial ${r.trial_file} ...)`,
    );
  return lines.join('\n');
}

export function register(program: Command): void {
  const cmd = withEngineOption(withReadOptions(withCommon(program.command('match'))), false)
    .description('Propensity-score matched comparison group (Justice Data Lab style), ready for analyse')
    .option('--treated <csv>', 'people who received the intervention')
    .option('--pool <csv>', 'people to draw the comparison group from (not the treated)')
    .option('--covariates <a,b>', 'columns for the propensity model (text columns enter as factors: sexmale)')
    .option('-o, --out <csv>', 'matched file to write (also writes <out>.trial.yaml)')
    .option('--caliper <sd>', 'maximum distance in SDs of the propensity logit, or none (0.2)')
    .option('--controls-per-treated <k>', 'comparison people matched to each treated person, k of 1:k (1)')
    .option('--replace', 'match with replacement (a comparison person may serve several treated people)')
    .addOption(choiceOption('--order <o>', 'order treated people are matched in (largest, as MatchIt)', MATCH_ORDERS))
    .option('--seed <int>', 'random seed (needed for --order random)')
    .addOption(choiceOption('--discard <d>', 'common-support trimming (both)', MATCH_DISCARDS))
    .addOption(choiceOption('--design <d>', 'written to the trial file (matched_some_observables)', MATCH_DESIGNS))
    .option('--outcome <col>', 'a 0/1 outcome column: also report the matched-sample difference')
    .option(
      '--offences <csv>',
      "offences file: also write the matched people's offences to <out>.offences.csv (for report)",
    )
    .option('--delimiter <d>', "CSV delimiter: ',' ';' or tab (,)")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ pilot-eval match --treated served.csv --pool pnc-extract.csv --covariates age,sex,ogrs3,prior_convictions --out matched.csv\n' +
        '  $ pilot-eval analyse matched.csv --weights weight\n' +
        '  $ pilot-eval match --treated t.csv --pool p.csv --covariates age,ogrs3 --controls-per-treated 3 --replace --outcome reoffended --out m.csv --json',
    )
    .action(async (opts: MatchCliOptions & { json?: boolean; engine?: string }) => {
      const engineNote = jsOnlyEngineNote('match', opts.engine);
      if (engineNote) warn(engineNote, { json: Boolean(opts.json) });
      const result = await withProgress('matching', Boolean(opts.json), (update) =>
        runMatch({ ...opts, onProgress: update }),
      );
      if (opts.json) return printJson(result);
      printText(renderMatch(result));
    });
  addAlias(cmd, '--ratio <k>', '--controls-per-treated');
}
