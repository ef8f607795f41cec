/**
 * Builds the commander program. Each command lives in src/cli/commands/<name>.ts and exports
 * `register(program)`; its handler is a plain async function returning data, tested directly.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { register as registerConcepts } from './commands/concepts.js';
import { register as registerSimulate } from './commands/simulate.js';
import { register as registerImport } from './commands/import.js';
import { register as registerRandomise } from './commands/randomise.js';
import { register as registerPower } from './commands/power.js';
import { register as registerReoffending } from './commands/reoffending.js';
import { register as registerAnalyse } from './commands/analyse.js';
import { register as registerReport } from './commands/report.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerPbr } from './commands/pbr.js';
import { register as registerMatch } from './commands/match.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('pilot-eval')
    .description(
      'Design and evaluate trials of personalised offender rehabilitation: randomisation, power, ' +
        'proven re-offending, effect sizes with honest uncertainty, and EEF-style reports.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage and examples)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval demo                                  # the whole pipeline on bundled data
  $ pilot-eval concepts
  $ pilot-eval simulate --concept pcp --stage efficacy --seed 1 --out-dir trial
  $ pilot-eval import --cases trial/cases.csv --offences trial/offences.csv --out-dir clean
  $ pilot-eval power --design cra2 --solve mdes --rho2 0.05 --n 25 --J 40

Exit codes: 0 ok, 1 internal error (a bug), 2 usage error, 3 data error, 4 integrity error.`,
    );
  program.exitOverride();
  for (const reg of [
    registerConcepts,
    registerSimulate,
    registerImport,
    registerRandomise,
    registerPower,
    registerReoffending,
    registerAnalyse,
    registerReport,
    registerDemo,
    registerPbr,
    registerMatch,
  ]) {
    reg(program);
  }
  for (const cmd of program.commands) {
    cmd.exitOverride();
    cmd.showHelpAfterError('(run with --help for usage and examples)');
  }
  return program;
}

export { CommanderError };
