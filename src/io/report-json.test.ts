import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../core/errors.js';
import { planningInputs, readReportJson } from './report-json.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'data');

describe('reading a finished report for the next stage', () => {
  it("the demo's community navigation pilot: no published rate, the ICC estimate, feasibility compliance, 10 per team", () => {
    const r = readReportJson(join(FIXTURES, 'report-community-navigation-pilot.json'));
    expect(r.stage).toBe('pilot');
    expect(r.control_rate).toBeNull();
    expect(r.icc_estimate).toBeCloseTo(0.02806113354292529, 15);
    expect(r.icc_conf_high).toBeNull();
    expect(r.compliance_source).toBe('feasibility.measures.compliance');
    expect(r.mean_cluster_size).toBe(60 / 6);
    expect(r.progression.length).toBe(4);
  });
  it('compliance falls back to received / allocated in the treatment arm', () => {
    const r = planningInputs(
      {
        consort: {
          arms: [
            { arm: 'control', allocated: 10 },
            { arm: 'treatment', allocated: 10, received: 7 },
          ],
        },
      },
      'x.json',
    );
    expect(r.compliance).toBe(0.7);
    expect(r.mean_cluster_size).toBeNull();
  });
  it('names the file and field of a bad document', () => {
    expect(() => planningInputs({ arms: [] }, 'x.json')).toThrow(DataError);
    expect(() => planningInputs({ arms: [] }, 'x.json')).toThrow('x.json: column consort.arms');
    expect(() =>
      planningInputs({ consort: { arms: [] }, arms: [{ arm: 'control', binary_rate: 3 }] }, 'x.json'),
    ).toThrow('must be a proportion, got 3');
    const dir = mkdtempSync(join(tmpdir(), 'report-json-'));
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => readReportJson(join(dir, 'bad.json'))).toThrow('not valid JSON');
    expect(() => readReportJson(join(dir, 'missing.json'))).toThrow(UsageError);
  });
});
