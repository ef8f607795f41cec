/** The CLI entry point: the only place that sets process.exitCode. */
import { buildProgram, CommanderError } from './program.js';
import { reportCommanderError, reportError } from './exit.js';
import { prepareProgress } from './output.js';

/** Set once the EPIPE handlers are on the process's streams (main can run many times in one process, as in tests). */
let pipeGuarded = false;

/** Runs the CLI on `argv` (node, script, ...args); sets process.exitCode and also returns it. */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`pilot-eval ... --json | head`) closes the pipe: that is not an error.
  if (!pipeGuarded) {
    pipeGuarded = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw err;
      });
    }
  }
  await prepareProgress();
  const program = buildProgram();
  const json = argv.includes('--json');
  // A command whose promise never settles (a library waiting on an event that never comes) would
  // let Node's event loop empty and the process end with exit 0, having done nothing: say so.
  const unfinished = () => {
    process.stderr.write(
      'pilot-eval: internal error (this is a bug in pilot-eval; please report it with the command you ran): the command stopped with its work unfinished\n',
    );
    process.exitCode = 1;
  };
  process.once('beforeExit', unfinished);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version displays are successes; every other commander complaint is a usage error.
      const ok =
        err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      process.exitCode = ok ? 0 : reportCommanderError(err, json);
      return process.exitCode;
    }
    process.exitCode = reportError(err, json);
  } finally {
    process.off('beforeExit', unfinished);
  }
  return Number(process.exitCode ?? 0);
}
