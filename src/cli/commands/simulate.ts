import type { Command } from 'commander';
import { withCommon } from '../command-kit.js';
import { printJson, printText, table } from '../output.js';

/** `pilot-eval simulate`: options in, the simulate use case, a summary out. */
import { UsageError } from '../../core/errors.js';
import { findConcept, simulateToFolder, STAGES, type SimulateResult } from '../../app/simulate.js';
import { parseChoiceOption, parseIntOption, parseNumberOption, parseSeed, requireOption } from '../options.js';

export { renderTrialFiles, trialYaml, type SimulateResult } from '../../app/simulate.js';

export interface SimulateCliOptions {
  concept?: string;
  stage?: string;
  seed?: string;
  outDir?: string;
  n?: string;
  clusters?: string;
  baseRate?: string;
  effectRate?: string;
  icc?: string;
  attrition?: string;
  followUpDays?: string;
  waitingDays?: string;
}

/** Handler: parses the options and calls the simulate use case. */
export async function runSimulate(opts: SimulateCliOptions): Promise<SimulateResult> {
  const conceptKey = requireOption('--concept', opts.concept);
  const concept = findConcept(conceptKey);
  if (!concept)
    throw new UsageError(
      `--concept: unknown concept ${JSON.stringify(conceptKey)}; use 1-5 or pcp, pcp-fund, women-pcp-fund, user-grants, community-navigation`,
    );
  const stage = parseChoiceOption('--stage', requireOption('--stage', opts.stage), STAGES)!;
  return simulateToFolder({
    concept,
    stage,
    seed: parseSeed(opts.seed)!,
    outDir: requireOption('--out-dir', opts.outDir),
    n: parseIntOption('--n', opts.n, 4, 5_000_000),
    clusters: parseIntOption('--clusters', opts.clusters, 2, 1_000_000),
    baseRate: parseNumberOption('--base-rate', opts.baseRate, 0, 1, true),
    effectRate: parseNumberOption('--effect-rate', opts.effectRate, 0, 1, true),
    icc: parseNumberOption('--icc', opts.icc, 0, 0.9),
    attrition: parseNumberOption('--attrition', opts.attrition, 0, 0.9),
    followUpDays: parseIntOption('--follow-up-days', opts.followUpDays, 1, 3650),
    waitingDays: parseIntOption('--waiting-days', opts.waitingDays, 0, 3650),
  });
}

export function register(program: Command): void {
  withCommon(program.command('simulate'))
    .description(
      'Simulate a realistic synthetic trial with a known true effect (cases, offences, process, costs, themes, truth)',
    )
    .option('--concept <id|slug>', 'concept 1-5 or its slug (see `pilot-eval concepts`)')
    .option('--stage <stage>', 'pilot, efficacy or effectiveness')
    .option('--seed <int>', 'random seed: the same seed gives the same bytes')
    .option(
      '--out-dir <dir>',
      'folder to write cases.csv, offences.csv, process.csv, costs.csv, themes.csv, truth.json, trial.yaml',
    )
    .option(
      '--n <int>',
      'people randomised (default by stage: pilot 60, efficacy 800, effectiveness 2400; women 40/400/1200)',
    )
    .option('--clusters <int>', 'teams / groups / centres (default by concept and stage)')
    .option('--base-rate <p>', 'control proven re-offending rate in a year (default 0.35)')
    .option('--effect-rate <p>', 'treated proven re-offending rate (default 0.30)')
    .option(
      '--icc <x>',
      'latent intra-cluster correlation on the logit scale (default 0.03 cluster designs, 0.01 otherwise)',
    )
    .option('--attrition <p>', 'share of people who withdraw (default pilot 0.15, efficacy 0.06, effectiveness 0.05)')
    .option('--follow-up-days <int>', 'follow-up length (default 365)')
    .option('--waiting-days <int>', 'waiting period for proof (default 183)')
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval simulate --concept pcp --stage efficacy --seed 1 --out-dir trial
  $ pilot-eval simulate --concept 3 --stage pilot --seed 7 --n 40 --effect-rate 0.25 --out-dir women-pilot --json`,
    )
    .action(async (opts: SimulateCliOptions & { json?: boolean }) => {
      const result = await runSimulate(opts);
      if (opts.json) return printJson(result);
      const t = result.truth;
      printText(
        `Simulated ${result.concept} (${result.stage}), seed ${result.seed}: ${String(t.n)} people in ${String(t.clusters)} teams/groups, ` +
          `true rates ${String(t.base_rate)} (control) vs ${String(t.effect_rate)} (treated), hazard ratio ${Number(t.hazard_ratio).toFixed(3)}\n\n` +
          table([['file', 'rows'], ...result.files.map((f) => [f.path, String(f.rows)])], ['l', 'r']),
      );
    });
}
