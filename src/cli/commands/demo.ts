import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'demo', 'Run the whole pipeline on the bundled data', 'the demo pipeline (issue 7)');
}
