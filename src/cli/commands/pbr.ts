import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'pbr', 'Payment-by-results risk for a provider cohort', 'payment-by-results risk (issue 10)');
}
