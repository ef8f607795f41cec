import type { Command } from 'commander';
import { registerNotBuilt } from '../command-kit.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'power', 'Power, MDES and sample size (PowerUp! designs, binary outcomes, simulation)', 'power and sample size (issue 4)');
}
