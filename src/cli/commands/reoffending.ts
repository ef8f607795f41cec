import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'reoffending', 'Proven re-offending measures by the MoJ definition', 'proven re-offending outcomes (issue 5)');
}
