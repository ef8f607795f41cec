/**
 * `pilot-eval report`: an EEF-style evaluation report (html, md or json) for one concept at one
 * stage, or `--all` for the five concepts. Parses options, calls the report use case, prints.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { recordedCommand, runReport, runReportAll } from '../../app/report.js';
import { parseReadOptions, withCommon, withReadOptions } from '../command-kit.js';
import { painter, printJson, printText, progress, warn } from '../output.js';
import { jsOnlyEngineNote, withEngineOption } from '../engine-option.js';

export { runReport, runReportAll };

export function register(program: Command): void {
  withEngineOption(withReadOptions(withCommon(program.command('report'))), false)
    .description('EEF-style evaluation report (html, md or json) for a concept and stage, or --all five concepts')
    .option(
      '--concept <id|slug>',
      'concept 1-5 or its slug (pcp, pcp-fund, women-pcp-fund, user-grants, community-navigation), or custom for any other trial (words from the trial file)',
    )
    .option('--stage <stage>', "pilot, efficacy or effectiveness (default: the trial file's stage)")
    .option(
      '--cases <csv>',
      'cases file (one row per person; - for stdin); its reoffended / reoffences / days_to_reoffence + follow_up_days columns are the outcomes when there is no offences file',
    )
    .option('--offences <csv>', 'offences file: proven re-offending outcomes are derived from it')
    .option('--process <csv>', 'process measures (level,unit,arm,measure,value)')
    .option('--costs <csv>', 'cost items (item,category,amount_gbp,arm,recurring)')
    .option('--themes <csv>', 'coded qualitative excerpts (source,participant,theme,subtheme,excerpt,arm)')
    .option(
      '--trial <yaml>',
      'trial file: the analysis plan, arms, randomisation, windows, progression thresholds, cost bands (see docs/trial.yaml)',
    )
    .option(
      '--as-of <date>',
      "the data extract date (default: the trial file's outcome_windows.as_of, else the latest disposal date); people whose window is still open are pending, never lost",
    )
    .option(
      '--control <label>',
      "the control arm's label in the data (default: the trial file's arms.control, else control)",
    )
    .option(
      '--treatment <label>',
      "the treatment arm's label in the data (default: the trial file's arms.treatment, else treatment)",
    )
    .option('--map <columns.yaml>', "map a site's column names onto the canonical ones")
    .option('--format <fmt>', 'html, md or json', 'html')
    .option('-o, --out <file>', 'report file to write (atomically)')
    .option('--no-suppress', 'show counts under 5 (do not publish such a report)')
    .option('--delimiter <d>', "CSV delimiter: ',', ';', '|' or tab")
    .option('--all', 'all five concepts (html, md and json) from <data-dir>/<slug>/')
    .option(
      '--data-dir <dir>',
      'with --all: folder holding one sub-folder per concept slug (default: the bundled fixtures)',
    )
    .option('--out-dir <dir>', 'with --all: where to write <slug>-<stage>.{html,md,json}')
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval report --concept pcp --stage efficacy --cases fixtures/pcp/cases.csv \\
      --offences fixtures/pcp/offences.csv --process fixtures/pcp/process.csv \\
      --costs fixtures/pcp/costs.csv --themes fixtures/pcp/themes.csv --trial fixtures/pcp/trial.yaml --out pcp.html
  $ pilot-eval report --concept custom --stage efficacy --cases fixtures/rossi/cases.csv \\
      --trial fixtures/rossi/trial.yaml --format md --out rossi.md     # any trial; outcomes from the cases file
  $ pilot-eval report --concept 2 --stage pilot --cases cases.csv --offences offences.csv --as-of 2025-03-31 --out pilot.html
  $ pilot-eval report --all --out-dir reports          # all five concepts from the bundled fixtures

The headline is the trial file's pre-specified primary analysis (analysis: in trial.yaml; see
docs/trial.yaml): adjusted for its covariates, cluster-robust (CR2, Satterthwaite df) in a cluster
design, with the blocks of a blocked design. 'pilot-eval analyse --plan trial.yaml' prints the same
headline. Flow counts are always shown; counts of 1 to 4 people with an outcome are shown as "<5"
(and a second count where a total would reveal them) unless --no-suppress. The same inputs give
byte-identical reports.`,
    )
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const json = Boolean(opts.json);
      const engineNote = jsOnlyEngineNote('report', typeof opts.engine === 'string' ? opts.engine : undefined);
      if (engineNote) warn(engineNote, { json });
      const commandLine = recordedCommand(['pilot-eval', ...process.argv.slice(2)]);
      const spin = json ? progress('') : progress('building report');
      try {
        if (opts.all) {
          const conflicting = [
            'concept',
            'cases',
            'offences',
            'process',
            'costs',
            'themes',
            'trial',
            'out',
            'asOf',
            'control',
            'treatment',
            'map',
          ].filter((k) => opts[k] !== undefined);
          if (conflicting.length)
            throw new UsageError(
              `--all reads every input from --data-dir; remove ${conflicting.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
            );
          const res = await runReportAll({
            dataDir: opts.dataDir as string | undefined,
            outDir: opts.outDir as string,
            suppress: opts.suppress as boolean | undefined,
            commandLine,
          });
          spin.stop();
          if (json) return printJson(res);
          const p = painter({ json: false });
          printText(res.reports.map((r) => `${p.bold(r.concept)} (${r.stage}): ${r.outputs.join(', ')}`).join('\n'));
          return;
        }
        if (opts.dataDir !== undefined || opts.outDir !== undefined)
          throw new UsageError('--data-dir and --out-dir go with --all; for one report use --out <file>');
        const s = (k: string) => opts[k] as string | undefined;
        const res = await runReport({
          concept: s('concept'),
          stage: s('stage'),
          cases: s('cases')!,
          offences: s('offences'),
          process: s('process'),
          costs: s('costs'),
          themes: s('themes'),
          trial: s('trial'),
          asOf: s('asOf'),
          control: s('control'),
          treatment: s('treatment'),
          map: s('map'),
          format: s('format')!,
          out: s('out')!,
          suppress: opts.suppress as boolean | undefined,
          read: parseReadOptions({
            delimiter: s('delimiter'),
            na: s('na'),
            dateFormat: s('dateFormat'),
            decimalComma: opts.decimalComma === true,
            sheet: s('sheet'),
          }),
          commandLine,
          onProgress: (t) => spin.update(t),
        });
        spin.stop();
        const m = res.model;
        if (json) {
          return printJson({
            concept: res.concept,
            stage: res.stage,
            format: res.format,
            output: res.output,
            headline: m.headline,
            consort: m.consort,
            security: { padlocks: m.security.padlocks },
            cost: { per_participant_gbp: m.cost.per_participant_gbp, rating: m.cost.rating },
          });
        }
        printText(
          `${m.title}\nwritten: ${res.output}\nsecurity: ${m.security.padlocks}/5 padlocks; cost rating: ${m.cost.rating ?? 'n/a'}/5\n${m.key_conclusions.map((c) => `- ${c}`).join('\n')}`,
        );
      } catch (err) {
        spin.stop();
        throw err;
      }
    });
}
