/**
 * The simulate use case: a synthetic trial with a known true effect, written as the five CSV files,
 * truth.json and a trial file that `report` uses as is.
 */
import { join } from 'node:path';
import type { Concept, Stage } from '../core/concepts.js';
import { UsageError } from '../core/errors.js';
import {
  CASE_COLUMNS,
  COST_COLUMNS,
  OFFENCE_COLUMNS,
  PROCESS_COLUMNS,
  THEME_COLUMNS,
  simulateTrial,
  type SimulatedTrial,
} from '../core/simulate/simulate-trial.js';
import { writeFilesAtomic } from '../io/atomic.js';
import { toCsv, type Cell } from '../io/csv-writer.js';
import { sha256Text } from '../io/hash.js';

export interface SimulateResult {
  concept: string;
  stage: Stage;
  seed: number;
  out_dir: string;
  files: Array<{ path: string; rows: number; sha256: string }>;
  truth: Record<string, unknown>;
}

function rowsOf<T extends object>(rows: T[], columns: ReadonlyArray<keyof T>): Cell[][] {
  return rows.map((r) => columns.map((c) => r[c] as unknown as Cell));
}

/** One CSV file of the simulated trial: its columns in order, one row per record. */
function csvFile<T extends object>(
  name: string,
  columns: ReadonlyArray<keyof T & string>,
  rows: T[],
): { name: string; content: string; rows: number } {
  return { name, content: toCsv([...columns], rowsOf(rows, columns)), rows: rows.length };
}

/** Renders a simulated trial as the five CSV files and truth.json (deterministic text). */
export function renderTrialFiles(trial: SimulatedTrial): Array<{ name: string; content: string; rows: number }> {
  return [
    csvFile('cases.csv', CASE_COLUMNS, trial.cases),
    csvFile('offences.csv', OFFENCE_COLUMNS, trial.offences),
    csvFile('process.csv', PROCESS_COLUMNS, trial.process),
    csvFile('costs.csv', COST_COLUMNS, trial.costs),
    csvFile('themes.csv', THEME_COLUMNS, trial.themes),
    { name: 'truth.json', content: `${JSON.stringify(trial.truth, null, 2)}\n`, rows: 1 },
    { name: 'trial.yaml', content: trialYaml(trial.truth), rows: 1 },
  ];
}

/** A trial file (docs/trial.yaml) describing the simulated trial, so `report` can use it as is. */
export function trialYaml(truth: Record<string, unknown>): string {
  const r = truth.randomisation as { method: string; seed: number; unit: string };
  const n = Number(truth.n);
  const lines = [
    `# Trial file written by \`pilot-eval simulate\` (see docs/trial.yaml for every key).`,
    `title: Simulated ${String(truth.concept)} ${String(truth.stage)} trial (seed ${String(truth.seed)})`,
    `concept: ${String(truth.concept)}`,
    `stage: ${String(truth.stage)}`,
    'design: randomised',
    'randomisation:',
    `  method: ${r.method}`,
    `  seed: ${r.seed}`,
    `  unit: ${JSON.stringify(r.unit)}`,
    'outcome_windows:',
    `  follow_up_days: ${String(truth.follow_up_days)}`,
    `  waiting_days: ${String(truth.waiting_days)}`,
    // Recruitment target a little above what was recruited, as in most pilots.
    `target_recruitment: ${Math.ceil(n / 0.9)}`,
    'analysis:',
    '  covariates: [ogrs3]',
    'assumptions:',
    `  control_rate: ${String(truth.base_rate)}`,
    ...(truth.unit === 'cluster' ? [`  icc: ${String(truth.icc_latent)}`] : []),
    '  power: 0.8',
  ];
  return `${lines.join('\n')}\n`;
}

/** Typed options of the simulate use case (the CLI parses the text). */
export interface SimulateOptions {
  concept: Concept;
  stage: Stage;
  seed: number;
  outDir: string;
  n?: number;
  clusters?: number;
  baseRate?: number;
  effectRate?: number;
  icc?: number;
  attrition?: number;
  followUpDays?: number;
  waitingDays?: number;
}

/** Simulates and writes the files atomically as one set. */
export async function simulateToFolder(o: SimulateOptions): Promise<SimulateResult> {
  const { concept, stage, seed, outDir, n, clusters, baseRate, effectRate, icc, attrition, followUpDays, waitingDays } =
    o;
  if (concept.unit === 'cluster' && clusters !== undefined && n !== undefined && clusters > n) {
    throw new UsageError(`--clusters (${clusters}) cannot exceed --n (${n})`);
  }
  const trial = simulateTrial({
    concept,
    stage,
    seed,
    n,
    clusters,
    baseRate,
    effectRate,
    icc,
    attrition,
    followUpDays,
    waitingDays,
  });
  const files = renderTrialFiles(trial);
  writeFilesAtomic(files.map((f) => ({ path: join(outDir, f.name), content: f.content })));
  return {
    concept: concept.slug,
    stage,
    seed,
    out_dir: outDir,
    files: files.map((f) => ({ path: join(outDir, f.name), rows: f.rows, sha256: sha256Text(f.content) })),
    truth: trial.truth,
  };
}

/** The concepts `simulate` and `concepts` offer, and the stages of a trial. */
export { CONCEPTS, findConcept, STAGES, type Concept } from '../core/concepts.js';
