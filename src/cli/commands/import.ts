import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { importFiles, recoverInterruptedImport, type ImportResult } from '../../app/import.js';
import { parseReadOptions, withCommon, withReadOptions, type ReadCliOptions } from '../command-kit.js';
import { requireOption } from '../options.js';
import { painter, printJson, printText, progress, table, warn } from '../output.js';
import { jsOnlyEngineNote, withEngineOption } from '../engine-option.js';

export interface ImportCliOptions extends ReadCliOptions {
  cases?: string;
  offences?: string;
  map?: string;
  outDir?: string;
  allowRejects?: boolean;
  delimiter?: string;
  ogrsPercent?: boolean;
  pseudonymise?: boolean;
  saltFile?: string;
  json?: boolean;
  recover?: boolean;
}

/** Handler: validates options and runs the import. */
export async function runImport(opts: ImportCliOptions): Promise<ImportResult> {
  const casesPath = requireOption('--cases', opts.cases);
  const outDir = requireOption('--out-dir', opts.outDir);
  if (opts.cases === '-' && opts.offences === '-')
    throw new UsageError('only one of --cases and --offences can read stdin (-)');
  const read = parseReadOptions(opts);
  if (opts.pseudonymise && !opts.saltFile)
    throw new UsageError('--pseudonymise needs --salt-file <file> holding a secret key (keep it apart from the data)');
  if (opts.saltFile && !opts.pseudonymise) throw new UsageError('--salt-file is only used with --pseudonymise');
  return importFiles(
    {
      casesPath,
      offencesPath: opts.offences,
      mapPath: opts.map,
      outDir,
      read,
      ogrsPercent: opts.ogrsPercent,
      allowRejects: opts.allowRejects,
      saltFile: opts.pseudonymise ? opts.saltFile : undefined,
    },
    progress,
  );
}

export function register(program: Command): void {
  withEngineOption(withReadOptions(withCommon(program.command('import'))), false)
    .description(
      'Validate and normalise case and offence data: canonical columns, ISO dates, sorted by id, every reject listed',
    )
    .option('--cases <csv>', 'cases file, one row per person (- for stdin)')
    .option('--offences <csv>', 'offences file, one row per proven offence')
    .option('--map <yaml>', "map the site's own column names onto the canonical ones (canonical: site column)")
    .option('--out-dir <dir>', 'where to write cases.csv, offences.csv, rejects.csv and import.json')
    .option('--allow-rejects', 'write the accepted rows even when some rows were rejected (exit 0)')
    .option('--delimiter <char>', "field delimiter: ',' (default), ';', '|' or tab")
    .option(
      '--ogrs-percent',
      'OGRS3 scores are percentages (1-100] rather than probabilities; a score of 1 or less is refused as already a probability',
    )
    .option('--pseudonymise', 'replace ids by a keyed hash (HMAC-SHA256) so linked files stay linkable')
    .option('--salt-file <file>', 'the secret key for --pseudonymise')
    .option('--recover', 'finish (or clear) an import into --out-dir that was interrupted by a crash, and nothing else')
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval import --cases fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --out-dir clean
  $ pilot-eval import --cases site.csv --map columns.yaml --delimiter ';' --out-dir clean --allow-rejects
  $ pilot-eval import --cases cases.csv --offences offences.csv --pseudonymise --salt-file salt.txt --out-dir shared
  $ pilot-eval import --recover --out-dir clean

Rejected rows make the command exit 3 (data error) and list the first 20 problems; rejects.csv and
import.json are written either way, the cleaned files only when nothing was rejected or with --allow-rejects.
Refused for the whole file, even with --allow-rejects: a date column with a month-first (US) date
such as 10/25/2019 (pass --date-format mdy if the file is month-first), and arm labels that differ
only in letter case (Yes and yes would be two arms: write them the same way).
The output files are written as one set: a crash leaves the previous set or the new one (an
interrupted write is finished by the next import into the folder, or by --recover); an import
without --offences removes an earlier import's offences.csv with it. With
--pseudonymise, rejects.csv and import.json name the line and the id's pseudonym, never the raw id.`,
    )
    .action(async (opts: ImportCliOptions & { engine?: string }) => {
      const engineNote = jsOnlyEngineNote('import', opts.engine);
      if (engineNote) warn(engineNote, { json: Boolean(opts.json) });
      if (opts.recover) {
        const outDir = requireOption('--out-dir', opts.outDir);
        if (opts.cases !== undefined || opts.offences !== undefined)
          throw new UsageError('--recover takes --out-dir <dir> only');
        const rec = await recoverInterruptedImport(outDir);
        if (opts.json) return printJson({ out_dir: outDir, ...rec });
        return printText(
          rec.recovered.length
            ? `finished the interrupted import: ${rec.recovered.join(', ')}`
            : rec.removed.length
              ? `removed ${rec.removed.length} staged file(s) of an import that had not committed; the previous set stands`
              : 'nothing to recover',
        );
      }
      const r = await runImport(opts);
      if (opts.json) return printJson(r);
      const p = painter({ json: false });
      const rows = [
        ['file', 'read', 'accepted', 'rejected'],
        ['cases', String(r.cases.read), String(r.cases.accepted), String(r.cases.rejected)],
      ];
      if (opts.offences)
        rows.push(['offences', String(r.offences.read), String(r.offences.accepted), String(r.offences.rejected)]);
      printText(
        `${table(rows, ['l', 'r', 'r', 'r'])}\n\n${r.rejects_total ? p.yellow(`${r.rejects_total} problem(s) listed in rejects.csv`) : p.green('no rejects')}\nwrote: ${r.outputs.join(', ')}`,
      );
    });
}
