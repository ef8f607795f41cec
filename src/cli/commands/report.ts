import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'report', 'EEF-style evaluation report for a concept and stage', 'EEF-style reports (issue 7)');
}
