import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'match', 'Propensity-score matched comparison group', 'matched comparison groups (issue 10)');
}
