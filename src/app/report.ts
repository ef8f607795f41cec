/**
 * The report use case: reads a trial's inputs once, analyses them with the analysis use case (the
 * same call `analyse --plan` makes, so the headline is the same), and builds the report model that
 * the html, md and json renderers draw from. `reportAll` does the five concepts from a data folder.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONCEPTS, customConcept, findConcept, STAGES, type Concept, type Stage } from '../core/concepts.js';
import { DataError, UsageError } from '../core/errors.js';
import { selectRows, textColumn } from '../core/analysis/trial-data.js';
import { analyseData, type AnalyseResult } from '../core/analysis/analyse-trial.js';
import { parseTrialData } from '../core/analysis/trial-data.js';
import { buildReport, type ReportModel } from '../core/report/build-report.js';
import { mdesAtRandomisation } from '../core/report/mdes.js';
import type { PersonOutcome, ReportInput, TrialConfig } from '../core/report/types.js';
import { CLUSTER_METHODS } from '../core/plan/analysis-plan.js';
import { writeFilesAtomic } from '../io/atomic.js';
import { assertReadableFile, sha256Input } from '../io/outcomes-input.js';
import { checkDistinctFiles } from '../io/distinct-files.js';
import { loadCosts, loadProcess, loadThemes, reportCasesFromTable } from '../io/report-inputs.js';
import { defaultTrialConfig, loadTrialFile } from '../io/trial-file.js';
import { renderHtml } from '../report/render-html.js';
import { renderJson } from '../report/render-json.js';
import { renderMarkdown } from '../report/render-md.js';
import { VERSION } from '../version.js';
import { analyseTrialFiles } from './analyse.js';
import { parseDelimiter } from '../io/csv-reader.js';
import type { ReadOptions } from '../io/read-options.js';

export type ReportFormat = 'html' | 'md' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'md', 'json'];

/** The input files of one report. */
export interface ReportInputs {
  cases: string;
  offences?: string;
  process?: string;
  costs?: string;
  themes?: string;
  trial?: string;
}

/** Options of one report written to a file: the inputs, how the report is built, and where it goes. */
export interface ReportOptions extends ReportInputs, Omit<BuildReportOptions, 'suppress' | 'commandLine' | 'display'> {
  format: string;
  out: string;
  /** Small-count suppression (default on). */
  suppress?: boolean;
  /** The command line recorded in the appendix (default: rebuilt from the options). */
  commandLine?: string;
}

export interface ReportResult {
  concept: string;
  stage: Stage;
  format: ReportFormat;
  output: string;
  model: ReportModel;
}

/** The bundled fixtures folder (package root/fixtures), from src/ or dist/. */
export function bundledFixturesDir(): string {
  return fileURLToPath(new URL('../../fixtures/', import.meta.url));
}

export function renderReport(model: ReportModel, format: ReportFormat): string {
  return format === 'html' ? renderHtml(model) : format === 'md' ? renderMarkdown(model) : renderJson(model);
}

export function parseFormat(text: string | undefined): ReportFormat {
  const f = (text ?? '').trim().toLowerCase();
  if (f === 'markdown') return 'md';
  if (!(REPORT_FORMATS as readonly string[]).includes(f))
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(text ?? '')}`);
  return f as ReportFormat;
}

/** The concept a report is about: --concept, else the trial file's `concept:`; `custom` for any other trial. */
export function resolveConcept(key: string | number | undefined, trial: TrialConfig): Concept {
  const text = key === undefined ? (trial.concept ?? undefined) : String(key);
  if (text === undefined || text.trim() === '') {
    throw new UsageError(
      '--concept <id|slug> is required (1-5, pcp, pcp-fund, women-pcp-fund, user-grants, community-navigation, or custom for any other trial), or set "concept:" in the trial file',
    );
  }
  if (text.trim().toLowerCase() === 'custom') {
    const method = trial.randomisation.method;
    const cluster =
      trial.analysis.cluster !== undefined ? trial.analysis.cluster : CLUSTER_METHODS.includes(method) ? 'team' : null;
    return customConcept({
      title: trial.title,
      intervention: trial.intervention,
      theory_of_change: trial.theory_of_change,
      research_questions: trial.research_questions,
      arms: trial.arms,
      cluster,
    });
  }
  const c = findConcept(text);
  if (!c)
    throw new UsageError(
      `--concept: unknown concept ${JSON.stringify(text)}; expected 1-5, one of ${CONCEPTS.map((x) => x.slug).join(', ')}, or custom`,
    );
  if (key !== undefined && trial.concept !== null && trial.concept.trim().toLowerCase() !== 'custom') {
    const tc = findConcept(trial.concept);
    if (!tc) throw new UsageError(`the trial file names an unknown concept ${JSON.stringify(trial.concept)}`);
    if (tc.id !== c.id) throw new UsageError(`--concept ${c.slug} conflicts with the trial file's concept ${tc.slug}`);
  }
  return c;
}

function resolveStage(text: string | undefined, trial: TrialConfig): Stage {
  if (text === undefined || text.trim() === '') {
    if (trial.stage) return trial.stage;
    throw new UsageError(`--stage is required (one of ${STAGES.join(', ')}), or set "stage:" in the trial file`);
  }
  const s = text.trim().toLowerCase();
  if (!(STAGES as readonly string[]).includes(s))
    throw new UsageError(`--stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(text)}`);
  return s as Stage;
}

export interface BuildReportOptions {
  /** Concept id (1-5), slug, or `custom`. */
  concept?: string | number;
  stage?: string;
  suppress: boolean;
  delimiter?: string;
  /** How cells are read (`--na`, `--date-format`, `--decimal-comma`). */
  read?: Partial<ReadOptions>;
  map?: string;
  /** The data extract date (default: the trial file's, else the latest disposal date). */
  asOf?: string;
  control?: string;
  treatment?: string;
  /** The command line recorded in the appendix. */
  commandLine: string;
  /** How input files are named in the appendix (default: as given). */
  display?: (p: string) => string;
  onProgress?: (text: string) => void;
}

/** Reads every input, analyses, and builds the model (no files written). */
export async function buildReportModel(paths: ReportInputs, o: BuildReportOptions): Promise<ReportModel> {
  const loaded = paths.trial ? loadTrialFile(paths.trial) : defaultTrialConfig();
  // --control / --treatment name the arms as the data labels them (as `analyse` does).
  const trial: TrialConfig = {
    ...loaded,
    arms: { control: o.control ?? loaded.arms.control, treatment: o.treatment ?? loaded.arms.treatment },
  };
  if (trial.arms.control === trial.arms.treatment)
    throw new UsageError('--control and --treatment must name different arms');
  const concept = resolveConcept(o.concept, trial);
  const stage = resolveStage(o.stage, trial);
  const delimiter = parseDelimiter(o.delimiter ?? o.read?.delimiter);
  const read = { ...(o.read ?? {}), delimiter };
  const display = o.display ?? ((p: string) => p);
  for (const k of ['cases', 'offences', 'process', 'costs', 'themes'] as const) {
    const p = paths[k];
    if (p !== undefined) assertReadableFile(p, `--${k}`);
  }
  const analysed = await analyseTrialFiles({
    data: paths.cases,
    offences: paths.offences ?? null,
    map: o.map ?? null,
    delimiter,
    read,
    asOf: o.asOf ?? null,
    trial,
    concept,
    pilot: stage === 'pilot',
    hash: true,
    allColumns: true,
    outcomesOptional: true,
    // The arms come from the trial file (or --treatment/--control): both must be in the data.
    validate: (t) => checkArmsPresent(textColumn(t, 'arm') ?? [], trial, t.file),
    onProgress: o.onProgress,
  });
  const { dataset } = analysed;
  const table = dataset.table;
  const cases = reportCasesFromTable(table);
  const a: AnalyseResult | null = analysed.result;

  // Pre-specified sub-group: concept 2's nested told / not told randomisation inside the fund arm.
  const subgroups: ReportInput['subgroups'] = [];
  const sub = textColumn(table, 'sub_arm');
  if (a && concept.nested && sub) {
    const arms = textColumn(table, 'arm')!;
    const keep = Array.from({ length: table.n }, (_, i) => i).filter(
      (i) => arms[i] === concept.nested!.arm && sub[i] !== '',
    );
    const [told, notTold] = concept.nested.sub_arms;
    const subTable = selectRows(table, keep);
    subTable.cells.set(
      'arm',
      keep.map((i) => sub[i]!),
    );
    const present = new Set(subTable.cells.get('arm'));
    if (present.has(told) && present.has(notTold)) {
      const options = {
        treatment: told,
        control: notTold,
        alpha: analysed.plan?.alpha ?? trial.analysis.alpha,
        outcomes: ['reoffended', 'reoffences', 'days_to_reoffence'].filter((x) =>
          analysed.result!.effects.some((e) => e.outcome === x),
        ),
      };
      subgroups.push({
        name: 'Told vs not told the fund amount',
        description: `Within the ${concept.nested.arm} arm, people were randomised to be told (${told.replace(/_/g, ' ')}) or not told (${notTold.replace(/_/g, ' ')}) how much they could spend. Effects are told minus not told; pre-specified.`,
        analysis: analyseData(parseTrialData(subTable, options), options),
      });
    }
  }

  // Per-person survival for the Kaplan-Meier picture: the people in the time-to-event analysis.
  const survival: PersonOutcome[] = [];
  const time = analysed.data?.outcomes.find((x) => x.kind === 'time');
  if (analysed.data && time) {
    const d = analysed.data;
    for (let i = 0; i < d.n; i++) {
      if (!d.measurable[i] || Number.isNaN(time.y[i]!)) continue;
      survival.push({ arm: d.arm[i] ? d.treatment : d.control, event: time.event![i] ? 1 : 0, time: time.y[i]! });
    }
  }

  const inArms = cases.filter((c) => c.arm === trial.arms.control || c.arm === trial.arms.treatment);
  const clusterCells =
    concept.unit === 'cluster' && concept.cluster_column ? textColumn(table, concept.cluster_column) : undefined;
  const clusters = clusterCells
    ? new Set(
        clusterCells.filter(
          (t, i) => t !== '' && (cases[i]!.arm === trial.arms.control || cases[i]!.arm === trial.arms.treatment),
        ),
      ).size
    : null;
  const icc = a?.effects.find((e) => e.outcome === 'reoffended' && e.measure === 'icc')?.estimate ?? null;
  const mdes = a
    ? mdesAtRandomisation(
        trial,
        {
          n_control: inArms.filter((c) => c.arm === trial.arms.control).length,
          n_treatment: inArms.filter((c) => c.arm === trial.arms.treatment).length,
          clusters,
        },
        icc,
      )
    : null;

  const inputs: ReportInput['provenance']['inputs'] = [];
  const hashed: Partial<Record<string, string | null>> = {
    cases: dataset.sha256.cases,
    offences: dataset.sha256.offences,
  };
  for (const role of ['cases', 'offences', 'process', 'costs', 'themes', 'trial'] as const) {
    const p = paths[role];
    if (!p) continue;
    const sha = hashed[role] ?? (await sha256Input(p));
    inputs.push({ role, file: display(p), sha256: sha ?? 'stdin (not hashed)' });
  }
  return buildReport({
    concept,
    stage,
    trial,
    cases,
    analysis: a,
    headline: analysed.headline,
    outcomes: {
      from: dataset.outcomes_from,
      as_of: dataset.as_of,
      as_of_source: dataset.as_of_source,
      pending: dataset.pending,
      complete_by: dataset.complete_by,
    },
    subgroups,
    survival,
    mdes,
    process: paths.process ? await loadProcess(paths.process, read) : null,
    costs: paths.costs ? await loadCosts(paths.costs, read) : null,
    themes: paths.themes ? await loadThemes(paths.themes, read) : null,
    provenance: { version: VERSION, command: o.commandLine, inputs },
    suppress: o.suppress,
  });
}

/** The trial's two arms must both be in the cases file: say so, naming it. */
function checkArmsPresent(arms: string[], trial: TrialConfig, file: string): void {
  const present = new Set(arms);
  const absent = [trial.arms.treatment, trial.arms.control].filter((x) => !present.has(x));
  if (!absent.length) return;
  const seen =
    [...present]
      .filter((x) => x !== '')
      .slice(0, 10)
      .map((x) => JSON.stringify(x))
      .join(', ') || 'none';
  throw new DataError({
    file,
    line: null,
    column: 'arm',
    value: null,
    reason: `no one is allocated to ${absent.map((x) => `"${x}"`).join(' or ')} (arms in the file: ${seen}); a report compares the trial's treatment and control arms (set them under arms: in the trial file, or with --treatment and --control)`,
  });
}

/** One report, written atomically. */
export async function runReport(o: ReportOptions): Promise<ReportResult> {
  const format = parseFormat(o.format);
  if (!o.cases) throw new UsageError('--cases <csv> is required');
  if (!o.out) throw new UsageError('--out <file> is required');
  const stdinCount = [o.cases, o.offences, o.process, o.costs, o.themes].filter((p) => p === '-').length;
  if (stdinCount > 1) throw new UsageError('only one input can be read from stdin (-)');
  checkDistinctFiles(
    [
      { option: '--cases', path: o.cases },
      { option: '--offences', path: o.offences },
      { option: '--process', path: o.process },
      { option: '--costs', path: o.costs },
      { option: '--themes', path: o.themes },
      { option: '--trial', path: o.trial },
      { option: '--map', path: o.map },
    ],
    [{ option: '--out', path: o.out }],
  );
  const model = await buildReportModel(o, {
    ...o,
    suppress: o.suppress !== false,
    commandLine: o.commandLine ?? rebuildCommand(o),
  });
  writeFilesAtomic([{ path: o.out, content: renderReport(model, format) }]);
  return { concept: model.concept, stage: model.stage, format, output: o.out, model };
}

export interface ReportAllOptions {
  dataDir?: string;
  outDir: string;
  suppress?: boolean;
  /** The command line recorded in the appendix (default: `pilot-eval report --all ...`). */
  commandLine?: string;
}

export interface ReportAllResult {
  data_dir: string;
  reports: Array<{
    concept: string;
    stage: Stage;
    outputs: string[];
    padlocks: number;
    cost_rating: number | null;
    verdict: string | null;
  }>;
}

/** The five concepts, html + md + json each, from `<dataDir>/<slug>/`. */
export async function runReportAll(o: ReportAllOptions): Promise<ReportAllResult> {
  if (!o.outDir) throw new UsageError('--out-dir <dir> is required with --all');
  const dataDir = o.dataDir ?? bundledFixturesDir();
  if (!existsSync(dataDir)) throw new UsageError(`--data-dir: folder not found: ${dataDir}`);
  const files: Array<{ path: string; content: string }> = [];
  const reports: ReportAllResult['reports'] = [];
  for (const concept of CONCEPTS) {
    const dir = join(dataDir, concept.slug);
    const at = (f: string) => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
    const cases = at('cases.csv');
    if (!cases)
      throw new UsageError(
        `--all: ${join(dir, 'cases.csv')} not found (expected a folder per concept slug with cases.csv)`,
      );
    const paths: ReportInputs = {
      cases,
      offences: at('offences.csv'),
      process: at('process.csv'),
      costs: at('costs.csv'),
      themes: at('themes.csv'),
      trial: at('trial.yaml'),
    };
    // Stage: the folder's trial.yaml if it sets one, else efficacy.
    const stage = paths.trial ? (loadTrialFile(paths.trial).stage ?? 'efficacy') : 'efficacy';
    const commandLine =
      o.commandLine ??
      recordedCommand([
        'pilot-eval',
        'report',
        '--all',
        ...(o.dataDir ? ['--data-dir', o.dataDir] : []),
        '--out-dir',
        o.outDir,
        ...(o.suppress === false ? ['--no-suppress'] : []),
      ]);
    const model = await buildReportModel(paths, {
      concept: concept.slug,
      stage,
      suppress: o.suppress !== false,
      commandLine,
      display: (p) => `${concept.slug}/${basename(p)}`,
    });
    const stem = join(o.outDir, `${concept.slug}-${model.stage}`);
    const outputs = (['html', 'md', 'json'] as const).map((f) => {
      files.push({ path: `${stem}.${f}`, content: renderReport(model, f) });
      return `${stem}.${f}`;
    });
    reports.push({
      concept: concept.slug,
      stage: model.stage,
      outputs,
      padlocks: model.security.padlocks,
      cost_rating: model.cost.rating,
      verdict: model.headline.verdict,
    });
  }
  writeFilesAtomic(files);
  return { data_dir: resolve(dataDir) === resolve(bundledFixturesDir()) ? 'bundled fixtures' : dataDir, reports };
}

/** The command that would write this report, for the appendix when the caller gives none. */
function rebuildCommand(o: ReportOptions): string {
  const parts = ['pilot-eval', 'report'];
  if (o.concept !== undefined) parts.push('--concept', String(o.concept));
  if (o.stage) parts.push('--stage', o.stage);
  for (const k of ['cases', 'offences', 'process', 'costs', 'themes', 'trial'] as const)
    if (o[k]) parts.push(`--${k}`, o[k]!);
  if (o.asOf) parts.push('--as-of', o.asOf);
  if (o.control) parts.push('--control', o.control);
  if (o.treatment) parts.push('--treatment', o.treatment);
  if (o.map) parts.push('--map', o.map);
  parts.push('--format', o.format, '--out', o.out);
  if (o.suppress === false) parts.push('--no-suppress');
  return recordedCommand(parts);
}

/**
 * The command recorded in a report's appendix, with the output path reduced to its file name: a
 * report's bytes do not depend on the folder it was written to, so two machines' reports diff clean.
 */
export function recordedCommand(args: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = /^(--out|--out-dir)=(.*)$/.exec(a);
    if (eq) out.push(`${eq[1]}=${basename(eq[2]!)}`);
    else if ((a === '--out' || a === '-o' || a === '--out-dir') && i + 1 < args.length)
      out.push(a, basename(args[++i]!));
    else out.push(a);
  }
  return out.map(shellQuote).join(' ');
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
