/**
 * `analyse --arms all` and `--treatment a,b` end to end through the use case (the global test and
 * pairwise values themselves are checked against R in src/core/analysis/multi-arm.test.ts, from
 * test/data/make-multi-arm-references.R, e.g. chisq.test(table(arm, reoffended), correct = FALSE)
 * on MASS::bacteria).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArmsOption, renderHuman, runAnalyse } from '../../src/cli/commands/analyse.js';
import { UsageError } from '../../src/core/errors.js';

const refs = JSON.parse(readFileSync('test/data/multi-arm-references.json', 'utf8')) as Record<
  string,
  { statistic: number; p_value: number; df: number }
>;
const rel = (a: number | null | undefined, b: number): number => Math.abs((a as number) - b) / Math.abs(b);
const bacteria = { data: 'test/data/multiarm-bacteria.csv', outcome: 'reoffended' };

describe('analyse with more than two arms', () => {
  it("by default still asks for two arms (today's behaviour)", async () => {
    await expect(runAnalyse({ ...bacteria, control: 'placebo' })).rejects.toThrow(
      /give both --treatment and --control/,
    );
    const two = await runAnalyse({ ...bacteria, control: 'placebo', treatment: 'drug' });
    expect(two.treatments).toBeUndefined();
    expect(two.effects.some((e) => e.measure === 'global_test' || e.comparison !== undefined)).toBe(false);
    expect(two.warnings[0]).toMatch(/^62 row\(s\) in other arms \(drug\+\) left out/);
  });

  it('--arms all: a global test and every arm against control, rows carrying arm and comparison', async () => {
    const r = await runAnalyse({ ...bacteria, control: 'placebo', arms: 'all', cluster: 'team' });
    expect(r.treatments).toEqual(['drug', 'drug+']);
    expect(r.treatment).toBe('drug, drug+');
    const g = r.effects.filter((e) => e.measure === 'global_test');
    expect(g).toHaveLength(1);
    // lmtest::waldtest(..., vcov = sandwich::vcovCL(fit, cluster = ~team), test = "Chisq")
    expect(rel(g[0]!.statistic, refs.bacteria_wald_cl!.statistic)).toBeLessThan(1e-9);
    const pairRows = r.effects.filter((e) => e.measure !== 'global_test');
    expect(pairRows.every((e) => e.comparison === 'drug' || e.comparison === 'drug+')).toBe(true);
    expect(pairRows.every((e) => e.arm === e.comparison)).toBe(true);
    expect(r.verdict).toHaveLength(2);
    expect(r.comparisons!.map((c) => [c.arm, c.control])).toEqual([
      ['drug', 'placebo'],
      ['drug+', 'placebo'],
    ]);
    expect(r.excluded.other_arms).toBe(0);
    expect(r.attrition.randomised).toBe(220);
    // The text output names each comparison in its verdict, with that comparison's own interval.
    // eslint-disable-next-line no-control-regex -- strips colour codes (ESC [ ... m)
    const text = renderHuman(r).replace(/\x1b\[[0-9;]*m/g, '');
    const per100 = (arm: string) => r.effects.find((e) => e.measure === 'per_100' && e.comparison === arm)!;
    for (const arm of ['drug', 'drug+']) {
      const line = text.split('\n').find((l) => l.startsWith(`${arm} vs placebo, reoffended:`))!;
      expect(line).toContain(`between ${Math.abs(per100(arm).conf_low!).toFixed(1)} fewer`);
    }
  });

  it('--treatment a,b chooses the arms (and the same rows as --arms all when all are listed)', async () => {
    const all = await runAnalyse({ ...bacteria, control: 'placebo', arms: 'all' });
    const list = await runAnalyse({ ...bacteria, control: 'placebo', treatment: 'drug,drug+' });
    expect(list.effects).toEqual(all.effects);
    // chisq.test(table(arm, reoffended), correct = FALSE)
    expect(rel(list.effects[0]!.statistic, refs.bacteria_chisq!.statistic)).toBeLessThan(1e-9);
  });

  it('--arms all with one treatment arm is the two-arm analysis', async () => {
    const one = await runAnalyse({
      data: 'fixtures/pcp/cases.csv',
      offences: 'fixtures/pcp/offences.csv',
      arms: 'all',
    });
    const two = await runAnalyse({ data: 'fixtures/pcp/cases.csv', offences: 'fixtures/pcp/offences.csv' });
    expect(one).toEqual(two);
  });

  it('concept 2: the fund arm split into told / not told (--sub-arm sub_arm --arms all), on the pcp-fund fixture', async () => {
    // R on the same people (test/data/multiarm-pcp-fund.csv, derived by `reoffending --out`):
    // chisq.test(table(arm, reoffended), correct = FALSE); anova(glm(reoffences ~ arm, poisson), test = "LRT");
    // survdiff(Surv(time, reoffended) ~ arm)
    const r = await runAnalyse({
      data: 'fixtures/pcp-fund/cases.csv',
      offences: 'fixtures/pcp-fund/offences.csv',
      subArm: 'sub_arm',
      arms: 'all',
    });
    expect(r.treatments).toEqual(['not_told', 'told']);
    expect(r.control).toBe('control');
    const g = (o: string) => r.effects.find((e) => e.outcome === o && e.measure === 'global_test')!;
    for (const [o, key] of [
      ['reoffended', 'fund_chisq'],
      ['reoffences', 'fund_lrt'],
      ['days_to_reoffence', 'fund_logrank'],
    ] as const) {
      expect(rel(g(o).statistic, refs[key]!.statistic)).toBeLessThan(1e-9);
      expect(rel(g(o).p_value, refs[key]!.p_value)).toBeLessThan(1e-7);
    }
    const rd = r.effects.find((e) => e.measure === 'risk_difference' && e.arm === 'told')!;
    expect(
      rel(rd.estimate, (refs.fund_told_vs_control as unknown as { risk_difference: number }).risk_difference),
    ).toBeLessThan(1e-12);
    // Without --arms the sub-arms are three labels: two must be chosen, as today.
    await expect(
      runAnalyse({
        data: 'fixtures/pcp-fund/cases.csv',
        offences: 'fixtures/pcp-fund/offences.csv',
        subArm: 'sub_arm',
      }),
    ).rejects.toThrow(/3 arms/);
    const pair = await runAnalyse({
      data: 'fixtures/pcp-fund/cases.csv',
      offences: 'fixtures/pcp-fund/offences.csv',
      subArm: 'sub_arm',
      treatment: 'told',
      control: 'control',
    });
    expect(pair.effects.find((e) => e.measure === 'risk_difference')!.estimate).toBe(rd.estimate);
  });

  it('option errors', () => {
    expect(() => parseArmsOption('some', undefined)).toThrow(UsageError);
    expect(() => parseArmsOption('all', 'drug')).toThrow(/give one of them/);
    expect(parseArmsOption(undefined, 'drug')).toBeUndefined();
    expect(parseArmsOption(undefined, 'drug, drug+')).toEqual(['drug', 'drug+']);
    expect(parseArmsOption('ALL', undefined)).toBe('all');
  });
});
