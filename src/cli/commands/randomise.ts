import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'randomise', 'Randomise cases to arms (simple, complete, block, cluster, permuted-block, minimise)', 'randomisation (issue 3)');
}
