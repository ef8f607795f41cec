/**
 * `analyse --cace` and the plan key `analysis.cace` through the whole pipeline on the bundled pcp
 * trial (team-randomised; outcomes derived from its offences file): the rows equal R's
 * iv_robust(reoffended ~ d + ogrs3 | z + ogrs3, pcp, clusters = team, se_type = "CR2") and
 * iv_robust(reoffended ~ sessions_attended + ogrs3 | z + ogrs3, pcp, clusters = team, se_type = "CR2")
 * (test/data/cace-references.json, written by test/data/make-cace-references.R from the same 742
 * measurable, not withdrawn people), and the report shows them among the effects.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalyse } from '../../src/cli/commands/analyse.js';
import { runReport } from '../../src/app/report.js';
import { parseTrialFile } from '../../src/io/trial-file.js';
import { DataError } from '../../src/core/errors.js';

interface Ref {
  estimate: number;
  std_error: number;
  df: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
}
const refs = JSON.parse(readFileSync('test/data/cace-references.json', 'utf8')) as Record<string, Ref>;
const rel = (a: number | null, b: number) => Math.abs(a! - b) / Math.abs(b);
const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-cace-'));
const pcp = { data: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv' };

function expectMatches(
  row:
    | {
        estimate: number | null;
        std_error: number | null;
        df?: number;
        p_value: number | null;
        conf_low: number | null;
        conf_high: number | null;
      }
    | undefined,
  ref: Ref,
) {
  expect(row).toBeDefined();
  expect(rel(row!.estimate, ref.estimate)).toBeLessThan(1e-9);
  expect(rel(row!.std_error, ref.std_error)).toBeLessThan(1e-8);
  expect(Math.abs(row!.df! - ref.df)).toBeLessThan(1e-6);
  expect(rel(row!.p_value, ref.p_value)).toBeLessThan(1e-6);
  expect(rel(row!.conf_low, ref.conf_low)).toBeLessThan(1e-8);
  expect(rel(row!.conf_high, ref.conf_high)).toBeLessThan(1e-8);
}

// The pcp trial file with the plan key added under analysis:.
const planText = readFileSync('fixtures/pcp/trial.yaml', 'utf8').replace(
  'analysis:\n',
  'analysis:\n  cace: received_intervention\n',
);
const planFile = join(dir, 'trial.yaml');
writeFileSync(planFile, planText);

describe('cace through analyse and report (pcp fixture)', () => {
  it('analyse --cace with --cluster team --covariates ogrs3', async () => {
    const r = await runAnalyse({
      ...pcp,
      cluster: 'team',
      covariates: 'ogrs3',
      cace: 'received_intervention',
      outcome: 'reoffended',
    });
    expectMatches(
      r.effects.find((e) => e.measure === 'cace'),
      refs.pcp_reoffended_adjusted!,
    );
    expectMatches(
      r.effects.find((e) => e.measure === 'cace_dose'),
      refs.pcp_dose_reoffended_adjusted!,
    );
  });
  it('the plan key analysis.cace mirrors --cace', async () => {
    expect(parseTrialFile(planText, 'trial.yaml').analysis.cace).toBe('received_intervention');
    expect(
      parseTrialFile(planText.replace('cace: received_intervention', 'cace: none'), 'trial.yaml').analysis.cace,
    ).toBeNull();
    expect(() => parseTrialFile(planText.replace('cace: received_intervention', 'cace: ""'), 'trial.yaml')).toThrow(
      DataError,
    );
    const r = await runAnalyse({ ...pcp, plan: planFile });
    // The plan: clustered by team (block-cluster randomisation), adjusted for ogrs3.
    expectMatches(
      r.effects.find((e) => e.outcome === 'reoffended' && e.measure === 'cace'),
      refs.pcp_reoffended_adjusted!,
    );
    expect(r.effects.find((e) => e.outcome === 'reoffended' && e.measure === 'cace_dose')!.method).toMatch(
      /^exploratory: not randomised/,
    );
    // Without the key, no cace rows.
    const plain = await runAnalyse({ ...pcp, plan: 'fixtures/pcp/trial.yaml' });
    expect(plain.effects.some((e) => e.measure.startsWith('cace'))).toBe(false);
  });
  it('the report lists the cace rows among the effects, with readable labels', async () => {
    const out = join(dir, 'report.md');
    await runReport({
      concept: 'pcp',
      stage: 'efficacy',
      cases: pcp.data,
      offences: pcp.offences,
      trial: planFile,
      format: 'md',
      out,
      commandLine: 'test',
    });
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('Complier average causal effect (received the intervention)');
    expect(md).toContain('Effect per session attended (exploratory: not randomised)');
  });
});
