import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'simulate', 'Simulate a realistic synthetic trial', 'synthetic trials (issue 2)');
}
