import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'import', 'Validate and normalise case and offence data', 'import (issue 2)');
}
