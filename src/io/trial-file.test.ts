import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DataError } from '../core/errors.js';
import { defaultTrialConfig, parseTrialFile } from './trial-file.js';

function errorOf(text: string): DataError {
  try {
    parseTrialFile(text, 'trial.yaml');
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

describe('trial.yaml', () => {
  it('an empty file gives the documented defaults', () => {
    expect(parseTrialFile('', 't.yaml')).toEqual(defaultTrialConfig());
    const d = defaultTrialConfig();
    expect(d.outcome_windows).toEqual({ follow_up_days: 365, waiting_days: 183, as_of: null });
    expect(d.analysis).toEqual({
      primary: { outcome: 'reoffended', measure: null },
      covariates: [],
      secondary: null,
      subgroups: [],
      alpha: 0.05,
      missing_data: 'complete_cases',
    });
    expect(d.cost_bands).toEqual([100, 250, 1000, 2500]);
    expect(d.progression.retention).toEqual({ green: 0.8, amber: 0.65 });
    expect(d.design).toBe('randomised');
  });
  it('reads the documented example in docs/trial.yaml', () => {
    const t = parseTrialFile(readFileSync('docs/trial.yaml', 'utf8'), 'docs/trial.yaml');
    expect(t.stage).toBe('pilot');
    expect(t.concept).toBe('pcp-fund');
    expect(t.randomisation).toEqual({
      method: 'permuted-block',
      seed: 20240117,
      unit: 'person',
      allocation_sha256: null,
    });
    expect(t.target_recruitment).toBe(120);
    expect(t.progression.fund_take_up).toEqual({ green: 0.6, amber: 0.4 });
    expect(t.threats).toEqual([
      { threat: 'contamination', drop: 1, reason: 'control and fund cases shared officers in two teams' },
    ]);
    expect(t.analysis.covariates).toEqual(['ogrs3']);
  });
  it('names an unknown key and its line', () => {
    const e = errorOf('stage: pilot\nprogresion:\n  retention: {green: 0.9, amber: 0.7}\n');
    expect(e.problems[0]).toMatchObject({ file: 'trial.yaml', line: 2, column: 'progresion' });
    expect(e.problems[0]!.reason).toMatch(/^unknown key "progresion"; expected one of: title, concept, stage/);
  });
  it('names bad values with the key path', () => {
    const e = errorOf(
      'stage: trial\nprogression:\n  retention: {green: 0.6, amber: 0.7}\ncost_bands: [100, 50, 1000, 2500]\nrandomisation:\n  seed: 1.5\n',
    );
    expect(e.problems.map((p) => [p.line, p.column, p.reason])).toEqual([
      [1, 'stage', 'expected one of pilot, efficacy, effectiveness'],
      [3, 'progression.retention', 'the amber threshold must not be above the green one'],
      [4, 'cost_bands', 'the four limits must increase'],
      [6, 'randomisation.seed', 'expected a whole number in [-9007199254740991, 9007199254740991]'],
    ]);
  });
  it('rejects thresholds given as percents', () => {
    const e = errorOf('progression:\n  engagement:\n    green: 70\n');
    expect(e.problems[0]).toMatchObject({
      line: 3,
      column: 'progression.engagement.green',
      value: '70',
      reason: 'expected a number in [0, 1]',
    });
  });
  it('rejects invalid YAML with its line', () => {
    const e = errorOf('stage: pilot\n  bad: [\n');
    expect(e.problems[0]!.reason).toMatch(/^not valid YAML/);
  });
});
