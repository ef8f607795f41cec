/**
 * The report's "Each arm against control" section for a plan with `arms:` (more than two arms):
 * the arms' rates, the global tests and each arm's effects, with the two-arm suppression rules.
 * The numbers are analyse's (checked against R in test/analysis/multi-arm-plan.test.ts and
 * src/core/analysis/multi-arm.test.ts); this checks what the report shows and hides.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportModel, renderReport } from '../../src/app/report.js';

const fund = {
  cases: 'fixtures/pcp-fund/cases.csv',
  offences: 'fixtures/pcp-fund/offences.csv',
  trial: 'test/data/multiarm-plan/trial.yaml',
};

describe('report: more than two arms', () => {
  it('pcp-fund with arms: [told, not_told]: global tests and each arm against control', async () => {
    const m = await buildReportModel(fund, { suppress: true, commandLine: 'test' });
    const x = m.multi_arm!;
    expect(x.arms.map((a) => a.arm)).toEqual(['control', 'told', 'not_told']);
    expect(x.global.map((e) => e.outcome)).toEqual(['reoffended', 'reoffences', 'days_to_reoffence']);
    expect(new Set(x.effects.map((e) => e.arm))).toEqual(new Set(['told', 'not_told']));
    expect(x.effects.every((e) => e.estimate !== null)).toBe(true);
    expect(m.headline.method).toBe(
      (
        await buildReportModel(
          { ...fund, trial: 'fixtures/pcp-fund/trial.yaml' },
          { suppress: true, commandLine: 'test' },
        )
      ).headline.method,
    );
    const md = renderReport(m, 'md');
    expect(md).toContain('### Each arm against control');
    expect(md).toMatch(
      /The headline compares treatment with control, the pre-specified primary contrast; the trial has 3 arms, and each of told and not told against control/,
    );
    expect(md).toMatch(/\| Proven re-offending \| Pearson chi-square \| 0\.10 \| 2 \| 0\.951 \|/);
    expect(md).toMatch(/\| not told \| Time to first re-offence \| Hazard ratio \|/);
    const html = renderReport(m, 'html');
    expect(html).toContain('Each arm against control');
    expect(JSON.parse(renderReport(m, 'json')).multi_arm.treatments).toEqual(['told', 'not_told']);
  });

  it('a sub-arm with fewer than 5 re-offenders: its count is "<5" and every re-offending number of the section is withheld', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-ma-'));
    const rows = ['id,arm,sub_arm,reoffended'];
    let id = 0;
    const add = (arm: string, sub: string, n: number, events: number) => {
      for (let i = 0; i < n; i++) rows.push(`P${++id},${arm},${sub},${i < events ? 1 : 0}`);
    };
    add('control', '', 80, 30);
    add('treatment', 'told', 40, 3);
    add('treatment', 'not_told', 40, 15);
    writeFileSync(join(dir, 'cases.csv'), rows.join('\n') + '\n');
    writeFileSync(
      join(dir, 'trial.yaml'),
      'title: small\nconcept: custom\nstage: efficacy\nanalysis:\n  arms: [told, not_told]\n',
    );
    const m = await buildReportModel(
      { cases: join(dir, 'cases.csv'), trial: join(dir, 'trial.yaml') },
      { suppress: true, commandLine: 'test' },
    );
    const x = m.multi_arm!;
    expect(x.arms[1]!.reoffenders).toBeNull();
    expect(x.arms.every((a) => a.binary_rate === null)).toBe(true);
    expect(x.global.every((e) => e.statistic === null && e.p_value === null)).toBe(true);
    expect(x.effects.every((e) => e.estimate === null)).toBe(true);
    expect(m.suppression.cells).toContain('multi_arm.arms[1].reoffenders');
    const md = renderReport(m, 'md');
    expect(md).toMatch(/\| told \| 40 \| <5 \|/);
    expect(md).toMatch(/\| told \| Proven re-offending \| Risk difference \| suppressed \|/);
    const open = await buildReportModel(
      { cases: join(dir, 'cases.csv'), trial: join(dir, 'trial.yaml') },
      { suppress: false, commandLine: 'test' },
    );
    expect(open.multi_arm!.arms[1]!.reoffenders).toBe(3);
  });
});
