import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'analyse', 'Effect sizes and inference for individual and cluster trials', 'impact analysis (issue 6)');
}
