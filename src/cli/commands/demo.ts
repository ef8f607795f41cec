import type { Command } from 'commander';
import { join } from 'node:path';
import { CONCEPTS, type Stage } from '../../core/concepts.js';
import { IntegrityError } from '../../core/errors.js';
import { randomisationFor } from '../../core/simulate/simulate-trial.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { readTable } from '../../io/table.js';
import { withCommon } from '../command-kit.js';
import { painter, printJson, printText, progress, table } from '../output.js';
import { runAnalyse } from './analyse.js';
import { runRandomise } from './randomise.js';
import { runReoffending } from './reoffending.js';
import { runReport } from './report.js';
import { runSimulate } from './simulate.js';

export interface DemoOptions {
  outDir?: string;
  /** Called as each step starts (the CLI shows it on a spinner). */
  onStep?: (text: string) => void;
}

export interface DemoTrial {
  concept: string;
  stage: Stage;
  seed: number;
  data_dir: string;
  n: number;
  allocation: string;
  allocation_sha256: string;
  allocation_matches_cases: boolean;
  outcomes: string;
  analysis: string;
  reports: string[];
  headline: { estimate: number | null; conf_low: number | null; conf_high: number | null; verdict: string | null };
  padlocks: number | null;
  true_risk_difference: number;
}

export interface DemoResult {
  out_dir: string;
  trials: DemoTrial[];
}

/** The demo's trials: every concept at efficacy stage, and every concept as a pilot. */
export const DEMO_PLAN: ReadonlyArray<{ stage: Stage; seedBase: number }> = [
  { stage: 'efficacy', seedBase: 100 },
  { stage: 'pilot', seedBase: 200 },
];

/**
 * Handler: the whole pipeline on bundled settings. For each concept and stage: simulate (fixed seed),
 * randomise the simulated cases with the concept's design and check the allocation reproduces the
 * arms, derive proven re-offending outcomes, analyse them, and write the html / md / json reports.
 * Deterministic: the same version writes the same bytes.
 */
export async function runDemo(o: DemoOptions = {}): Promise<DemoResult> {
  const outDir = o.outDir ?? 'reports';
  const trials: DemoTrial[] = [];
  for (const { stage, seedBase } of DEMO_PLAN) {
    for (const concept of CONCEPTS) {
      const seed = seedBase + concept.id;
      const name = `${concept.slug}-${stage}`;
      const dataDir = join(outDir, 'data', name);
      o.onStep?.(`${name}: simulating`);
      const sim = await runSimulate({ concept: concept.slug, stage, seed: String(seed), outDir: dataDir });
      const cases = join(dataDir, 'cases.csv');

      o.onStep?.(`${name}: randomising`);
      const allocation = join(dataDir, 'allocation.csv');
      const r = randomisationFor(concept);
      const rand = await runRandomise({ cases, ...r.options, seed, out: allocation });
      const matches = await sameArms(cases, allocation);
      if (!matches) throw new IntegrityError(`${name}: the allocation does not reproduce the simulated arms (seed ${seed})`);

      o.onStep?.(`${name}: deriving proven re-offending`);
      const outcomes = join(dataDir, 'outcomes.csv');
      await runReoffending({ cases, offences: join(dataDir, 'offences.csv'), by: ['arm'], out: outcomes });

      o.onStep?.(`${name}: analysing`);
      const analysis = await runAnalyse({
        data: outcomes,
        cluster: concept.unit === 'cluster' ? 'team' : undefined,
        covariates: 'ogrs3',
      });
      const analysisPath = join(dataDir, 'analysis.json');
      writeFileAtomic(analysisPath, `${JSON.stringify({ schema_version: 1, ...analysis }, null, 2)}\n`);

      o.onStep?.(`${name}: writing reports`);
      const reports: string[] = [];
      let headline: DemoTrial['headline'] = { estimate: null, conf_low: null, conf_high: null, verdict: null };
      let padlocks: number | null = null;
      for (const format of ['html', 'md', 'json'] as const) {
        const out = join(outDir, `${name}.${format}`);
        const rep = await runReport({
          concept: concept.slug,
          stage,
          cases,
          offences: join(dataDir, 'offences.csv'),
          process: join(dataDir, 'process.csv'),
          costs: join(dataDir, 'costs.csv'),
          themes: join(dataDir, 'themes.csv'),
          trial: join(dataDir, 'trial.yaml'),
          format,
          out,
          commandLine: `pilot-eval demo --out-dir ${outDir}`,
        });
        reports.push(rep.output);
        headline = {
          estimate: rep.model.headline.estimate,
          conf_low: rep.model.headline.conf_low,
          conf_high: rep.model.headline.conf_high,
          verdict: rep.model.headline.verdict,
        };
        padlocks = rep.model.security.padlocks;
      }
      trials.push({
        concept: concept.slug,
        stage,
        seed,
        data_dir: dataDir,
        n: rand.n,
        allocation,
        allocation_sha256: rand.sha256 ?? '',
        allocation_matches_cases: matches,
        outcomes,
        analysis: analysisPath,
        reports,
        headline,
        padlocks,
        true_risk_difference: Number(sim.truth.true_risk_difference),
      });
    }
  }
  return { out_dir: outDir, trials };
}

async function sameArms(casesPath: string, allocationPath: string): Promise<boolean> {
  const cases = await readTable(casesPath, { required: ['id', 'arm'] });
  const alloc = await readTable(allocationPath, { required: ['id', 'arm'] });
  const armOf = new Map<string, string>();
  const ids = alloc.cells.get('id')!;
  const arms = alloc.cells.get('arm')!;
  const subs = alloc.cells.get('sub_arm');
  ids.forEach((id, i) => armOf.set(id, `${arms[i]}|${subs?.[i] ?? ''}`));
  const cIds = cases.cells.get('id')!;
  const cArms = cases.cells.get('arm')!;
  const cSubs = cases.cells.get('sub_arm');
  if (cIds.length !== ids.length) return false;
  return cIds.every((id, i) => armOf.get(id) === `${cArms[i]}|${cSubs?.[i] ?? ''}`);
}

function pct(x: number | null): string {
  return x === null ? '-' : `${(100 * x).toFixed(1)}`;
}

export function register(program: Command): void {
  withCommon(program.command('demo'))
    .description('Run the whole pipeline on bundled settings: simulate, randomise, derive outcomes, analyse, and write reports for all five concepts')
    .option('--out-dir <dir>', 'where to write the reports (and the data behind them, under data/)', 'reports')
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval demo
  $ pilot-eval demo --out-dir /tmp/demo --json

For each concept, at efficacy stage (seeds 101-105) and as a pilot (seeds 201-205): simulate a trial,
randomise it with the concept's design (and check the allocation reproduces the arms), derive MoJ
proven re-offending, analyse, and write <slug>-<stage>.html, .md and .json. The same version of
pilot-eval always writes the same bytes.`,
    )
    .action(async (opts: { outDir: string; json?: boolean }) => {
      const spinner = progress('demo');
      let result: DemoResult;
      try {
        result = await runDemo({ outDir: opts.outDir, onStep: (t) => spinner.update(t) });
      } finally {
        spinner.stop();
      }
      if (opts.json) return printJson(result);
      const p = painter({ json: false });
      const rows = [['concept', 'stage', 'n', 'risk difference, points (95% CI)', 'true', 'padlocks', 'report']];
      for (const t of result.trials) {
        const h = t.headline;
        rows.push([
          t.concept,
          t.stage,
          String(t.n),
          h.estimate === null ? '-' : `${pct(h.estimate)} (${pct(h.conf_low)} to ${pct(h.conf_high)})`,
          pct(t.true_risk_difference),
          t.padlocks === null ? '-' : String(t.padlocks),
          t.reports.find((r) => r.endsWith('.html')) ?? '',
        ]);
      }
      printText(
        `${p.bold('pilot-eval demo')}: ${result.trials.length} simulated trials, each randomised, analysed and reported.\n\n` +
          `${table(rows, ['l', 'l', 'r', 'r', 'r', 'r', 'l'])}\n\n` +
          `Open ${join(result.out_dir, 'pcp-efficacy.html')} in a browser; Markdown and JSON sit beside each report,\n` +
          `and the data behind each one (cases, offences, allocation, outcomes, analysis) is under ${join(result.out_dir, 'data')}.`,
      );
    });
}

