/**
 * The demo use case: the whole pipeline on bundled settings, composed from the other use cases.
 * For each concept, at efficacy stage and as a pilot: simulate (fixed seed), randomise with the
 * concept's design (checking the allocation reproduces the arms), derive proven re-offending,
 * analyse with the trial's plan, and write the html / md / json reports. Then the seed paper's
 * third stage: an effectiveness trial of the combined model across several CRC areas, delivered by
 * the areas' own staff, planned from the efficacy trial's measured control rate and ICC.
 */
import { join } from 'node:path';
import { CONCEPTS, findConcept, type Stage } from '../core/concepts.js';
import { IntegrityError } from '../core/errors.js';
import { binarySampleSize, designEffect } from '../core/power/binary-power.js';
import { randomisationFor } from '../core/simulate/simulate-trial.js';
import type { ReportModel } from '../core/report/build-report.js';
import type { AnalyseResult } from '../core/analysis/analyse-trial.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readTable } from '../io/table.js';
import { loadTrialFile } from '../io/trial-file.js';
import { runRandomise } from './randomise.js';
import { deriveReoffending } from './reoffending.js';
import { analyseTrialFiles } from './analyse.js';
import { recordedCommand, runReport } from './report.js';
import { simulateToFolder, trialYaml } from './simulate.js';

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
  headline: {
    estimate: number | null;
    conf_low: number | null;
    conf_high: number | null;
    verdict: string | null;
    method: string | null;
  };
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

/** The effectiveness trial's seed and design (the combined model, team-randomised within CRC areas). */
export const EFFECTIVENESS = {
  seed: 301,
  base: 'pcp',
  name: 'combined-effectiveness',
  clusterSize: 30,
  targetReduction: 0.05,
} as const;

export async function runDemo(o: DemoOptions = {}): Promise<DemoResult> {
  const outDir = o.outDir ?? 'reports';
  const trials: DemoTrial[] = [];
  let efficacy: AnalyseResult | null = null;
  for (const { stage, seedBase } of DEMO_PLAN) {
    for (const concept of CONCEPTS) {
      const done = await demoTrial(outDir, concept.slug, stage, seedBase + concept.id, o.onStep);
      if (concept.slug === EFFECTIVENESS.base && stage === 'efficacy') efficacy = done.analysis;
      trials.push(done.trial);
    }
  }
  trials.push((await effectivenessTrial(outDir, efficacy!, o.onStep)).trial);
  return { out_dir: outDir, trials };
}

/** One simulated trial through the pipeline. `prepare` may rewrite the trial file before analysis. */
async function demoTrial(
  outDir: string,
  slug: string,
  stage: Stage,
  seed: number,
  onStep?: (t: string) => void,
  extra: {
    name?: string;
    n?: number;
    clusters?: number;
    prepare?: (trialPath: string) => void;
    reportConcept?: string;
  } = {},
): Promise<{ trial: DemoTrial; analysis: AnalyseResult }> {
  const concept = findConcept(slug)!;
  const name = extra.name ?? `${slug}-${stage}`;
  const dataDir = join(outDir, 'data', name);
  onStep?.(`${name}: simulating`);
  const sim = await simulateToFolder({ concept, stage, seed, outDir: dataDir, n: extra.n, clusters: extra.clusters });
  const cases = join(dataDir, 'cases.csv');
  const offences = join(dataDir, 'offences.csv');
  const trialPath = join(dataDir, 'trial.yaml');
  extra.prepare?.(trialPath);

  onStep?.(`${name}: randomising`);
  const allocation = join(dataDir, 'allocation.csv');
  const r = randomisationFor(concept);
  const rand = await runRandomise({ cases, ...r.options, seed, out: allocation });
  const matches = await sameArms(cases, allocation);
  if (!matches)
    throw new IntegrityError(`${name}: the allocation does not reproduce the simulated arms (seed ${seed})`);

  onStep?.(`${name}: deriving proven re-offending`);
  const outcomes = join(dataDir, 'outcomes.csv');
  await deriveReoffending({ cases, offences, by: ['arm'], out: outcomes });

  onStep?.(`${name}: analysing`);
  const trial = loadTrialFile(trialPath);
  const analysed = await analyseTrialFiles({
    data: cases,
    offences,
    trial,
    concept: extra.reportConcept === 'custom' ? null : concept,
    pilot: stage === 'pilot',
  });
  const analysisPath = join(dataDir, 'analysis.json');
  writeFileAtomic(
    analysisPath,
    `${JSON.stringify({ schema_version: 1, ...analysed.result, headline: analysed.headline }, null, 2)}\n`,
  );

  onStep?.(`${name}: writing reports`);
  const reports: string[] = [];
  let model: ReportModel | null = null;
  for (const format of ['html', 'md', 'json'] as const) {
    const out = join(outDir, `${name}.${format}`);
    const rep = await runReport({
      concept: extra.reportConcept ?? slug,
      stage,
      cases,
      offences,
      process: join(dataDir, 'process.csv'),
      costs: join(dataDir, 'costs.csv'),
      themes: join(dataDir, 'themes.csv'),
      trial: trialPath,
      format,
      out,
      commandLine: recordedCommand(['pilot-eval', 'demo', '--out-dir', outDir]),
    });
    reports.push(rep.output);
    model = rep.model;
  }
  const h = model!.headline;
  const trialResult: DemoTrial = {
    concept: extra.reportConcept === 'custom' ? EFFECTIVENESS.name : slug,
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
    headline: {
      estimate: h.estimate,
      conf_low: h.conf_low,
      conf_high: h.conf_high,
      verdict: h.verdict,
      method: h.n_treatment === null ? null : h.method,
    },
    padlocks: model!.security.padlocks,
    true_risk_difference: Number(sim.truth.true_risk_difference),
  };
  return { trial: trialResult, analysis: analysed.result! };
}

/**
 * The effectiveness trial, planned from the efficacy trial: the control arm's measured re-offending
 * rate, the upper end of the ICC's interval (or the estimate, floored at 0.01, when it has none) and clusters of 30,
 * sized to detect a 5-point fall with 80% power.
 */
async function effectivenessTrial(
  outDir: string,
  analysis: AnalyseResult,
  onStep?: (t: string) => void,
): Promise<{ trial: DemoTrial; analysis: AnalyseResult }> {
  const p1 = analysis.arms.find((a) => a.arm === analysis.control)?.binary_rate ?? 0.35;
  const iccRow = analysis.effects.find((e) => e.outcome === 'reoffended' && e.measure === 'icc');
  const iccFrom =
    iccRow?.conf_high != null
      ? 'the upper end of its interval'
      : iccRow?.estimate != null
        ? 'its estimate, floored at 0.01'
        : 'an assumed 0.05';
  const icc = Math.max(0.01, iccRow?.conf_high ?? iccRow?.estimate ?? 0.05);
  const m = EFFECTIVENESS.clusterSize;
  const perArm = binarySampleSize(p1, p1 - EFFECTIVENESS.targetReduction, 0.8) * designEffect(m, icc);
  const clustersPerArm = Math.ceil(perArm / m);
  const n = 2 * clustersPerArm * m;
  const plan = `the efficacy trial's control rate ${(100 * p1).toFixed(1)}% and ICC ${icc.toFixed(3)} (${iccFrom}), clusters of ${m}, 80% power to detect a ${100 * EFFECTIVENESS.targetReduction}-point fall: ${clustersPerArm} teams per arm, ${n} people`;
  return demoTrial(outDir, EFFECTIVENESS.base, 'effectiveness', EFFECTIVENESS.seed, onStep, {
    name: EFFECTIVENESS.name,
    n,
    clusters: 2 * clustersPerArm,
    reportConcept: 'custom',
    prepare: (trialPath) => {
      const yaml = trialYaml({
        concept: 'custom',
        stage: 'effectiveness',
        seed: EFFECTIVENESS.seed,
        n,
        base_rate: p1,
        icc_latent: icc,
        unit: 'cluster',
        follow_up_days: 365,
        waiting_days: 183,
        randomisation: { method: 'block-cluster', seed: EFFECTIVENESS.seed, unit: 'probation team' },
      })
        .replace(
          /^title: .*$/m,
          'title: "The combined personalisation model: effectiveness trial across five CRC areas"',
        )
        .replace(/^concept: .*$/m, 'concept: custom');
      writeFileAtomic(
        trialPath,
        `${yaml}intervention: >-\n  The combined model the pilots and the efficacy trial pointed to: person centred practice in every team, an\n  Enabling Fund for goals no other service meets, and navigation to community networks, delivered by the\n  CRC areas' own staff at scale (the developers train the trainers and then step back). Sample size planned from\n  ${plan}.\ntheory_of_change: >-\n  Staff trained in person-centred practice co-produce a plan with each person; the fund removes practical barriers\n  that block the plan; navigation builds community ties that outlast supervision -> hope, agency and a pro-social\n  identity -> desistance and fewer proven re-offences.\nresearch_questions:\n  - Does the combined model reduce proven re-offending within 12 months when delivered at scale by CRC staff?\n  - Does it reduce the frequency of re-offending and lengthen the time to the first proven re-offence?\n  - Is it delivered with fidelity across the five CRC areas without the developers?\n`,
      );
    },
  });
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
