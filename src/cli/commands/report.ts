/**
 * `pilot-eval report`: an EEF-style evaluation report (html, md or json) for one concept at one
 * stage, or `--all` for the five concepts from `<data-dir>/<slug>/`. The handler returns the model
 * and the files written; the action only parses options and prints.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CONCEPTS, findConcept, STAGES, type Concept, type Stage } from '../../core/concepts.js';
import { UsageError } from '../../core/errors.js';
import { buildReport, type ReportModel } from '../../core/report/build-report.js';
import type { ReportInput, TrialConfig } from '../../core/report/types.js';
import { writeFilesAtomic } from '../../io/atomic.js';
import { sha256Input } from '../../io/outcomes-input.js';
import { parseDelimiter } from '../../io/csv-reader.js';
import { readTable } from '../../io/table.js';
import { defaultTrialConfig, loadTrialFile } from '../../io/trial-file.js';
import { loadCosts, loadProcess, loadThemes, reportCasesFromTable } from '../../report/load-inputs.js';
import { analyseForReport } from '../../report/analyse-for-report.js';
import { renderHtml } from '../../report/render-html.js';
import { renderJson } from '../../report/render-json.js';
import { renderMarkdown } from '../../report/render-md.js';
import { VERSION } from '../../version.js';
import { withCommon } from '../command-kit.js';
import { painter, printJson, printText, progress } from '../output.js';

export type ReportFormat = 'html' | 'md' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'md', 'json'];

/** The input files of one report. */
interface InputPaths {
  cases: string;
  offences?: string;
  process?: string;
  costs?: string;
  themes?: string;
  trial?: string;
}

export interface ReportOptions extends InputPaths {
  /** Concept id (1-5) or slug. */
  concept: string | number;
  stage?: string;
  format: string;
  out: string;
  suppress?: boolean;
  delimiter?: string;
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
  return fileURLToPath(new URL('../../../fixtures/', import.meta.url));
}

export function renderReport(model: ReportModel, format: ReportFormat): string {
  return format === 'html' ? renderHtml(model) : format === 'md' ? renderMarkdown(model) : renderJson(model);
}

function parseFormat(text: string | undefined): ReportFormat {
  const f = (text ?? '').trim().toLowerCase();
  if (f === 'markdown') return 'md';
  if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(text ?? '')}`);
  return f as ReportFormat;
}

function parseConcept(key: string | number | undefined): Concept {
  const text = key === undefined ? undefined : String(key);
  if (text === undefined || text.trim() === '') throw new UsageError('--concept <id|slug> is required (1-5 or pcp, pcp-fund, women-pcp-fund, user-grants, community-navigation)');
  const c = findConcept(text);
  if (!c) throw new UsageError(`--concept: unknown concept ${JSON.stringify(text)}; expected 1-5 or one of ${CONCEPTS.map((x) => x.slug).join(', ')}`);
  return c;
}

function parseStage(text: string | undefined, trial: TrialConfig): Stage {
  if (text === undefined || text.trim() === '') {
    if (trial.stage) return trial.stage;
    throw new UsageError(`--stage is required (one of ${STAGES.join(', ')}), or set "stage:" in the trial file`);
  }
  const s = text.trim().toLowerCase();
  if (!(STAGES as readonly string[]).includes(s)) throw new UsageError(`--stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(text)}`);
  return s as Stage;
}

/** Reads every input and builds the model (no files written). `display` names files in the appendix. */
export async function buildReportModel(
  concept: Concept,
  stageText: string | undefined,
  paths: InputPaths,
  opts: { suppress: boolean; delimiter?: string; commandLine: string; display?: (p: string) => string },
): Promise<ReportModel> {
  const trial = paths.trial ? loadTrialFile(paths.trial) : defaultTrialConfig();
  if (trial.concept !== null) {
    const tc = findConcept(trial.concept);
    if (!tc) throw new UsageError(`the trial file names an unknown concept ${JSON.stringify(trial.concept)}`);
    if (tc.id !== concept.id) throw new UsageError(`--concept ${concept.slug} conflicts with the trial file's concept ${tc.slug}`);
  }
  const stage = parseStage(stageText, trial);
  const display = opts.display ?? ((p: string) => p);
  const analysed = await analyseForReport({ concept, trial, casesPath: paths.cases, offencesPath: paths.offences ?? null, delimiter: opts.delimiter });
  const casesTable = analysed.casesTable ?? (await readTable(paths.cases, { delimiter: opts.delimiter, required: ['id', 'arm'], hash: true }));
  const cases = reportCasesFromTable(casesTable);
  const inputs: ReportInput['provenance']['inputs'] = [];
  // The cases and offences were hashed while they were read; the smaller inputs are hashed here.
  const hashed: Partial<Record<string, string | null>> = { cases: casesTable.sha256 ?? null, offences: analysed.sha256.offences };
  for (const role of ['cases', 'offences', 'process', 'costs', 'themes', 'trial'] as const) {
    const p = paths[role];
    if (!p) continue;
    const sha = hashed[role] ?? (await sha256Input(p));
    inputs.push({ role, file: display(p), sha256: sha ?? 'stdin (not hashed)' });
  }
  const input: ReportInput = {
    concept,
    stage,
    trial,
    cases,
    analysis: analysed.analysis,
    subgroups: analysed.subgroups,
    survival: analysed.survival,
    mdes: analysed.mdes,
    process: paths.process ? await loadProcess(paths.process, opts.delimiter) : null,
    costs: paths.costs ? await loadCosts(paths.costs, opts.delimiter) : null,
    themes: paths.themes ? await loadThemes(paths.themes, opts.delimiter) : null,
    provenance: { version: VERSION, command: opts.commandLine, inputs },
    suppress: opts.suppress,
  };
  return buildReport(input);
}

/** Handler for one report. */
export async function runReport(o: ReportOptions): Promise<ReportResult> {
  const concept = parseConcept(o.concept);
  const format = parseFormat(o.format);
  if (!o.cases) throw new UsageError('--cases <csv> is required');
  if (!o.out) throw new UsageError('--out <file> is required');
  const stdinCount = [o.cases, o.offences, o.process, o.costs, o.themes].filter((p) => p === '-').length;
  if (stdinCount > 1) throw new UsageError('only one input can be read from stdin (-)');
  for (const k of ['cases', 'offences', 'process', 'costs', 'themes', 'trial'] as const) {
    const p = o[k];
    if (p !== undefined && p !== '-' && !existsSync(p)) throw new UsageError(`--${k}: file not found: ${p}`);
  }
  const commandLine = o.commandLine ?? rebuildCommand(o);
  const paths: InputPaths = { cases: o.cases, offences: o.offences, process: o.process, costs: o.costs, themes: o.themes, trial: o.trial };
  const model = await buildReportModel(concept, o.stage, paths, { suppress: o.suppress !== false, delimiter: o.delimiter, commandLine });
  writeFilesAtomic([{ path: o.out, content: renderReport(model, format) }]);
  return { concept: concept.slug, stage: model.stage, format, output: o.out, model };
}

export interface ReportAllOptions {
  dataDir?: string;
  outDir: string;
  suppress?: boolean;
  commandLine?: string;
}

export interface ReportAllResult {
  data_dir: string;
  reports: Array<{ concept: string; stage: Stage; outputs: string[]; padlocks: number; cost_rating: number | null; verdict: string | null }>;
}

/** Handler for `--all`: the five concepts, html + md + json each, from `<dataDir>/<slug>/`. */
export async function runReportAll(o: ReportAllOptions): Promise<ReportAllResult> {
  if (!o.outDir) throw new UsageError('--out-dir <dir> is required with --all');
  const dataDir = o.dataDir ?? bundledFixturesDir();
  if (!existsSync(dataDir)) throw new UsageError(`--data-dir: folder not found: ${dataDir}`);
  const commandLine = o.commandLine ?? `pilot-eval report --all${o.dataDir ? ` --data-dir ${o.dataDir}` : ''} --out-dir ${o.outDir}${o.suppress === false ? ' --no-suppress' : ''}`;
  const files: Array<{ path: string; content: string }> = [];
  const reports: ReportAllResult['reports'] = [];
  for (const concept of CONCEPTS) {
    const dir = join(dataDir, concept.slug);
    const at = (f: string) => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
    const cases = at('cases.csv');
    if (!cases) throw new UsageError(`--all: ${join(dir, 'cases.csv')} not found (expected a folder per concept slug with cases.csv)`);
    const paths: InputPaths = { cases, offences: at('offences.csv'), process: at('process.csv'), costs: at('costs.csv'), themes: at('themes.csv'), trial: at('trial.yaml') };
    // Stage: the folder's trial.yaml if it sets one, else efficacy.
    const stageText = paths.trial ? (loadTrialFile(paths.trial).stage ?? 'efficacy') : 'efficacy';
    const model = await buildReportModel(concept, stageText, paths, {
      suppress: o.suppress !== false,
      commandLine,
      display: (p) => `${concept.slug}/${basename(p)}`,
    });
    const stem = join(o.outDir, `${concept.slug}-${model.stage}`);
    const outputs = (['html', 'md', 'json'] as const).map((f) => {
      files.push({ path: `${stem}.${f}`, content: renderReport(model, f) });
      return `${stem}.${f}`;
    });
    reports.push({ concept: concept.slug, stage: model.stage, outputs, padlocks: model.security.padlocks, cost_rating: model.cost.rating, verdict: model.headline.verdict });
  }
  writeFilesAtomic(files);
  return { data_dir: resolve(dataDir) === resolve(bundledFixturesDir()) ? 'bundled fixtures' : dataDir, reports };
}

function delimiterOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDelimiter(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function rebuildCommand(o: ReportOptions): string {
  const parts = ['pilot-eval', 'report', '--concept', String(o.concept)];
  if (o.stage) parts.push('--stage', o.stage);
  for (const k of ['cases', 'offences', 'process', 'costs', 'themes', 'trial'] as const) if (o[k]) parts.push(`--${k}`, o[k]!);
  parts.push('--format', o.format, '--out', o.out);
  if (o.suppress === false) parts.push('--no-suppress');
  return parts.map(shellQuote).join(' ');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function register(program: Command): void {
  withCommon(program.command('report'))
    .description('EEF-style evaluation report (html, md or json) for a concept and stage, or --all five concepts')
    .option('--concept <id|slug>', 'concept 1-5 or its slug (pcp, pcp-fund, women-pcp-fund, user-grants, community-navigation)')
    .option('--stage <stage>', 'pilot, efficacy or effectiveness (default: the trial file\'s stage)')
    .option('--cases <csv>', 'cases file (one row per person; - for stdin)')
    .option('--offences <csv>', 'offences file: proven re-offending outcomes are derived from it')
    .option('--process <csv>', 'process measures (level,unit,arm,measure,value)')
    .option('--costs <csv>', 'cost items (item,category,amount_gbp,arm,recurring)')
    .option('--themes <csv>', 'coded qualitative excerpts (source,participant,theme,subtheme,excerpt,arm)')
    .option('--trial <yaml>', 'trial file: arms, randomisation, windows, progression thresholds, cost bands (see docs/trial.yaml)')
    .option('--format <fmt>', 'html, md or json', 'html')
    .option('-o, --out <file>', 'report file to write (atomically)')
    .option('--no-suppress', 'show counts under 5 (do not publish such a report)')
    .option('--delimiter <d>', "CSV delimiter: ',', ';', '|' or tab")
    .option('--all', 'all five concepts (html, md and json) from <data-dir>/<slug>/')
    .option('--data-dir <dir>', 'with --all: folder holding one sub-folder per concept slug (default: the bundled fixtures)')
    .option('--out-dir <dir>', 'with --all: where to write <slug>-<stage>.{html,md,json}')
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval report --concept pcp --stage efficacy --cases fixtures/pcp/cases.csv \\
      --offences fixtures/pcp/offences.csv --process fixtures/pcp/process.csv \\
      --costs fixtures/pcp/costs.csv --themes fixtures/pcp/themes.csv --format html --out pcp.html
  $ pilot-eval report --concept 2 --stage pilot --cases cases.csv --trial trial.yaml --format md --out pilot.md
  $ pilot-eval report --all --out-dir reports          # all five concepts from the bundled fixtures

Counts of 1 to 4 people are shown as "<5" (and a second count where a total would reveal them)
unless --no-suppress. The same inputs give byte-identical reports.`,
    )
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const json = Boolean(opts.json);
      const commandLine = ['pilot-eval', ...process.argv.slice(2)].map(shellQuote).join(' ');
      const spin = json ? progress('') : progress('building report');
      try {
        if (opts.all) {
          const conflicting = ['concept', 'cases', 'offences', 'process', 'costs', 'themes', 'trial', 'out'].filter((k) => opts[k] !== undefined);
          if (conflicting.length) throw new UsageError(`--all reads every input from --data-dir; remove ${conflicting.map((k) => `--${k}`).join(', ')}`);
          const res = await runReportAll({ dataDir: opts.dataDir as string | undefined, outDir: opts.outDir as string, suppress: opts.suppress as boolean | undefined, commandLine });
          spin.stop();
          if (json) return printJson(res);
          const p = painter({ json: false });
          printText(res.reports.map((r) => `${p.bold(r.concept)} (${r.stage}): ${r.outputs.join(', ')}`).join('\n'));
          return;
        }
        if (opts.dataDir !== undefined || opts.outDir !== undefined) throw new UsageError('--data-dir and --out-dir go with --all; for one report use --out <file>');
        const res = await runReport({
          concept: opts.concept as string,
          stage: opts.stage as string | undefined,
          cases: opts.cases as string,
          offences: opts.offences as string | undefined,
          process: opts.process as string | undefined,
          costs: opts.costs as string | undefined,
          themes: opts.themes as string | undefined,
          trial: opts.trial as string | undefined,
          format: opts.format as string,
          out: opts.out as string,
          suppress: opts.suppress as boolean | undefined,
          delimiter: delimiterOption(opts.delimiter as string | undefined),
          commandLine,
        });
        spin.stop();
        const m = res.model;
        if (json) {
          return printJson({ concept: res.concept, stage: res.stage, format: res.format, output: res.output, headline: m.headline, security: { padlocks: m.security.padlocks }, cost: { per_participant_gbp: m.cost.per_participant_gbp, rating: m.cost.rating } });
        }
        printText(`${m.title}\nwritten: ${res.output}\nsecurity: ${m.security.padlocks}/5 padlocks; cost rating: ${m.cost.rating ?? 'n/a'}/5\n${m.key_conclusions.map((c) => `- ${c}`).join('\n')}`);
      } catch (err) {
        spin.stop();
        throw err;
      }
    });
}
