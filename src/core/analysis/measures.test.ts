import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isMeasure,
  isRatioMeasure,
  measureInfo,
  MEASURE_NAMES,
  MEASURES,
  measuresOfScale,
  type Measure,
} from './measures.js';
import { nullValue, PRIMARY_MEASURE, verdictFor } from './verdict.js';
import { nullRow } from './effect-row.js';

/** The rows of the "Every measure" table of docs/measures.md: name, scale, no-difference value. */
function docRows(): Array<{ name: string; scale: string; nul: string }> {
  const text = readFileSync('docs/measures.md', 'utf8');
  const start = text.indexOf('## Every measure');
  expect(start).toBeGreaterThan(-1);
  const rows: Array<{ name: string; scale: string; nul: string }> = [];
  for (const line of text.slice(start).split('\n')) {
    const m = /^\| `([a-z0-9_<>]+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|$/.exec(line);
    if (m) rows.push({ name: m[1]!, scale: m[2]!.trim(), nul: m[3]!.trim() });
  }
  return rows;
}

describe('the measures table', () => {
  it('docs/measures.md lists exactly the measures of the table, with the same scale and null value', () => {
    const rows = docRows();
    expect(rows.map((r) => r.name).sort()).toEqual([...MEASURE_NAMES, 'km_survival_<day>'].sort());
    for (const r of rows) {
      if (r.name === 'km_survival_<day>') {
        expect(r.scale).toBe('probability');
        continue;
      }
      const info = MEASURES[r.name as keyof typeof MEASURES];
      expect(r.scale.replace(' (x 100)', ''), r.name).toBe(info.scale);
      expect(r.scale.endsWith('(x 100)'), r.name).toBe(info.per100);
      expect(r.nul, r.name).toBe(info.nullValue === null ? 'none' : String(info.nullValue));
    }
  });

  it('a ratio is exactly a measure named *_ratio, and its null value is 1', () => {
    for (const m of MEASURE_NAMES) {
      expect(isRatioMeasure(m), m).toBe(m.endsWith('_ratio'));
      expect(nullValue(m), m).toBe(m.endsWith('_ratio') ? 1 : 0);
    }
    expect(measuresOfScale('ratio')).toEqual(MEASURE_NAMES.filter((m) => m.endsWith('_ratio')));
  });

  it('per-day Kaplan-Meier names belong to the list; other names do not', () => {
    expect(isMeasure('km_survival_365')).toBe(true);
    expect(measureInfo('km_survival_365')).toMatchObject({
      label: 'Not re-offended by day 365 (Kaplan-Meier)',
      scale: 'probability',
      nullValue: null,
      percent: true,
    });
    expect(isMeasure('km_survival_')).toBe(false);
    expect(isMeasure('risk_diff')).toBe(false);
    expect(measureInfo('toString')).toBeUndefined();
    expect(nullValue('no_such_ratio')).toBe(0);
  });

  it('display rules: per 100 and NNT with 1 decimal, the ICC with 3, the rest with 2', () => {
    expect(MEASURE_NAMES.filter((m) => MEASURES[m].per100)).toEqual(['primary_per_100', 'per_100']);
    expect(MEASURE_NAMES.filter((m) => MEASURES[m].digits === 1)).toEqual(['primary_per_100', 'per_100', 'nnt']);
    expect(MEASURE_NAMES.filter((m) => MEASURES[m].digits === 3)).toEqual(['icc']);
  });

  it("the report's forest chart draws the main ratios and differences, in this order", () => {
    expect(MEASURE_NAMES.filter((m) => MEASURES[m].charts.report && isRatioMeasure(m))).toEqual([
      'risk_ratio',
      'odds_ratio',
      'cluster_robust_odds_ratio',
      'adjusted_odds_ratio',
      'glmm_odds_ratio',
      'rate_ratio',
      'nb_rate_ratio',
      'hazard_ratio',
    ]);
    expect(MEASURE_NAMES.filter((m) => MEASURES[m].charts.report && !isRatioMeasure(m))).toEqual([
      'primary_risk_difference',
      'risk_difference',
      'cluster_level_risk_difference',
      'logit_d',
      'cohens_h',
      'hedges_g',
    ]);
    // The text chart draws every ratio.
    expect(measuresOfScale('ratio').every((m) => MEASURES[m].charts.text)).toBe(true);
  });

  it('verdicts read the interval against the null value of the primary measure', () => {
    for (const m of Object.values(PRIMARY_MEASURE)) expect(isMeasure(m)).toBe(true);
    const row = (measure: Measure, lo: number, hi: number) => ({
      ...nullRow('reoffended', measure, ''),
      conf_low: lo,
      conf_high: hi,
    });
    expect(verdictFor(row('hazard_ratio', 0.6, 0.95))).toBe('significant_reduction');
    expect(verdictFor(row('risk_difference', 0.6, 0.95))).toBe('significant_increase');
    expect(verdictFor(row('rate_ratio', 0.8, 1.1))).toBe('inconclusive');
  });
});
