/** `pilot-eval demo`: runs the demo use case and prints where the reports are. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { runDemo, type DemoResult } from '../../app/demo.js';
import { withCommon } from '../command-kit.js';
import { painter, printJson, printText, progress, table } from '../output.js';
import { percent } from '../../core/format.js';

export { runDemo, DEMO_PLAN, type DemoOptions, type DemoResult, type DemoTrial } from '../../app/demo.js';

/** Percentage points, without a % sign (the column header says "points"). */
function pct(x: number | null): string {
  return percent(x, 1, '-', '');
}

export function register(program: Command): void {
  withCommon(program.command('demo'))
    .description(
      'Run the whole pipeline on bundled settings: simulate, randomise, derive outcomes, analyse, and write reports for all five concepts',
    )
    .option('--out-dir <dir>', 'where to write the reports (and the data behind them, under data/)', 'reports')
    .addHelpText(
      'after',
      `
Examples:
  $ pilot-eval demo
  $ pilot-eval demo --out-dir /tmp/demo --json

For each concept, at efficacy stage (seeds 101-105) and as a pilot (seeds 201-205): simulate a trial,
randomise it with the concept's design (and check the allocation reproduces the arms), derive MoJ
proven re-offending, analyse with the trial's plan, and write <slug>-<stage>.html, .md and .json.
Then the third stage: an effectiveness trial of the combined model across five CRC areas (seed 301),
sized from the pcp efficacy trial's control rate and ICC, reported as combined-effectiveness.html.
The same version of pilot-eval always writes the same bytes.`,
    )
    .action(async (opts: { outDir: string; json?: boolean }) => {
      const spinner = progress('demo');
      let result: DemoResult;
      try {
        result = await runDemo({ outDir: opts.outDir, onStep: (t) => spinner.update(t) });
      } finally {
        spinner.stop();
      }
      if (opts.json) return printJson(result);
      const p = painter({ json: false });
      const rows = [
        ['concept', 'stage', 'n', 'headline risk difference, points (95% CI)', 'true', 'padlocks', 'report'],
      ];
      for (const t of result.trials) {
        const h = t.headline;
        rows.push([
          t.concept,
          t.stage,
          String(t.n),
          h.estimate === null ? '-' : `${pct(h.estimate)} (${pct(h.conf_low)} to ${pct(h.conf_high)})`,
          pct(t.true_risk_difference),
          t.padlocks === null ? '-' : String(t.padlocks),
          t.reports.find((r) => r.endsWith('.html')) ?? '',
        ]);
      }
      printText(
        `${p.bold('pilot-eval demo')}: ${result.trials.length} simulated trials, each randomised, analysed and reported.\n\n` +
          `${table(rows, ['l', 'l', 'r', 'r', 'r', 'r', 'l'])}\n\n` +
          `Open ${join(result.out_dir, 'pcp-efficacy.html')} in a browser; Markdown and JSON sit beside each report,\n` +
          `and the data behind each one (cases, offences, allocation, outcomes, analysis) is under ${join(result.out_dir, 'data')}.`,
      );
    });
}
