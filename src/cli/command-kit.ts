/** Small helpers shared by command adapters. */
import type { Command } from 'commander';
import { NotImplementedError } from '../core/errors.js';

/** Adds the options every command has. */
export function withCommon(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable JSON on stdout (no colour; progress and warnings on stderr)');
}

/**
 * Registers a command that is not built yet: it accepts any arguments and exits 2 saying which
 * capability is missing, so scripts fail loudly rather than silently.
 */
export function registerNotBuilt(program: Command, name: string, summary: string, capability: string): void {
  withCommon(program.command(name))
    .description(`${summary} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new NotImplementedError(name, capability);
    });
}
