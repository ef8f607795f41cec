/**
 * `pilot-eval report` handlers on the bundled fixtures: contract JSON, the MDES from the power
 * module, stage awareness, determinism, --all, self-contained html and pinned usage errors.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../src/core/errors.js';
import { runReport, runReportAll } from '../../src/cli/commands/report.js';

const fx = (slug: string, f: string) => `fixtures/${slug}/${f}.csv`;
const all = (slug: string) => ({
  cases: fx(slug, 'cases'),
  offences: fx(slug, 'offences'),
  process: fx(slug, 'process'),
  costs: fx(slug, 'costs'),
  themes: fx(slug, 'themes'),
});
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pe-report-'));
});

describe('report for one concept', () => {
  it('writes the contract JSON; the security MDES is the binary detectable difference as logit d', async () => {
    const out = join(dir, 'fund.json');
    await runReport({
      concept: 'pcp-fund',
      stage: 'efficacy',
      ...all('pcp-fund'),
      format: 'json',
      out,
      commandLine: 'pilot-eval report (test)',
    });
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.schema_version).toBe(1);
    expect(doc).toMatchObject({
      concept: 'pcp-fund',
      stage: 'efficacy',
      headline: { outcome: 'reoffended', measure: 'risk_difference' },
    });
    expect(['significant_reduction', 'significant_increase', 'inconclusive']).toContain(doc.headline.verdict);
    expect(doc.headline.per_100).toBeCloseTo(100 * doc.headline.estimate, 10);
    // 400 control, 400 treatment. R: p2 <- uniroot(function(p2) power.prop.test(n = 400, p1 = .35, p2 = p2)$power - .8,
    //   c(.01, .349), tol = 1e-12)$root  -> 0.258969932531; abs(qlogis(p2) - qlogis(.35)) * sqrt(3) / pi -> 0.23833398397
    expect(doc.security.mdes).toBeCloseTo(0.23833398397, 9);
    expect(doc.methods.mdes.detectable_rate).toBeCloseTo(0.258969932531, 9);
    expect(doc.security.padlocks).toBeGreaterThanOrEqual(0);
    expect(doc.security.reasons.length).toBeGreaterThanOrEqual(5);
    expect(doc.cost.rating).toBeGreaterThanOrEqual(1);
    expect(doc.consort.arms.map((a: { arm: string }) => a.arm)).toEqual(['control', 'treatment']);
    expect(doc.consort.randomised).toBe(800);
    expect(doc.feasibility).toBeNull();
    expect(doc.subgroups[0].name).toBe('Told vs not told the fund amount');
    expect(doc.subgroups[0].arms.map((a: { arm: string }) => a.arm).sort()).toEqual(['not_told', 'told']);
    expect(doc.appendix.inputs.map((i: { role: string }) => i.role)).toEqual([
      'cases',
      'offences',
      'process',
      'costs',
      'themes',
    ]);
    // Cases and offences are hashed while they are read: the same digest as the file's bytes.
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(doc.appendix.inputs.map((i: { sha256: string }) => i.sha256)).toEqual(
      Object.values(all('pcp-fund')).map(sha),
    );
    expect(JSON.stringify(doc)).not.toMatch(/"P\d{6}"|SU-\d|ST-\d|PA-\d/);
  });

  it('a pilot leads with feasibility, has no verdict, and uses the trial file', async () => {
    const out = join(dir, 'pilot.md');
    const r = await runReport({ concept: '2', trial: 'docs/trial.yaml', ...all('pcp-fund'), format: 'md', out });
    expect(r.stage).toBe('pilot');
    expect(r.model.headline.verdict).toBeNull();
    expect(r.model.feasibility!.progression.map((p) => p.name)).toEqual([
      'recruitment',
      'retention',
      'engagement',
      'fidelity',
      'fund_take_up',
    ]);
    const md = readFileSync(out, 'utf8');
    expect(md.indexOf('### Progression criteria')).toBeLessThan(md.indexOf('## 2. Introduction'));
    expect(md).toContain('Indicative only');
    expect(md).toContain('| Seed | 20240117 |');
    expect(r.model.security.drops).toEqual([
      { threat: 'contamination', drop: 1, reason: 'control and fund cases shared officers in two teams' },
    ]);
  });

  it('cluster concepts show clusters in CONSORT and the ICC', async () => {
    const r = await runReport({
      concept: 'user-grants',
      stage: 'efficacy',
      ...all('user-grants'),
      format: 'html',
      out: join(dir, 'ug.html'),
    });
    // Distinct teams per arm in fixtures/user-grants/cases.csv.
    expect(r.model.consort.arms.map((a) => [a.arm, a.clusters_allocated])).toEqual([
      ['control', 33],
      ['treatment', 31],
    ]);
    expect(r.model.methods.icc).not.toBeNull();
    expect(r.model.process.concept_notes.some((n) => n.startsWith('Cluster design:'))).toBe(true);
  });

  it('is byte-identical for the same inputs', async () => {
    const a = join(dir, 'a.html');
    await runReport({ concept: 'pcp', stage: 'efficacy', ...all('pcp'), format: 'html', out: a, commandLine: 'same' });
    const first = readFileSync(a);
    await runReport({ concept: 'pcp', stage: 'efficacy', ...all('pcp'), format: 'html', out: a, commandLine: 'same' });
    expect(readFileSync(a).equals(first)).toBe(true);
  });

  it('flags other sexes in the women-only concept', async () => {
    const cases = readFileSync(fx('women-pcp-fund', 'cases'), 'utf8').split('\n');
    cases[1] = cases[1]!.replace(',female,', ',male,');
    const p = join(dir, 'women-cases.csv');
    writeFileSync(p, cases.join('\n'));
    const r = await runReport({ concept: 3, stage: 'efficacy', cases: p, format: 'json', out: join(dir, 'w.json') });
    expect(r.model.process.concept_notes[0]).toBe(
      'Population check: fewer than 5 case(s) are recorded with a sex other than female although this concept is for women only; they are flagged here and kept in the analysis as randomised.',
    );
    expect(r.model.effects).toEqual([]);
  });

  it('pins usage and data errors', async () => {
    const base = {
      concept: 'pcp',
      stage: 'efficacy',
      cases: fx('pcp', 'cases'),
      format: 'html',
      out: join(dir, 'x.html'),
    };
    await expect(runReport({ ...base, format: 'pdf' })).rejects.toThrow(
      new UsageError('--format must be one of html, md, json, got "pdf"'),
    );
    await expect(runReport({ ...base, concept: 'pcp-plus' })).rejects.toThrow(/^--concept: unknown concept "pcp-plus"/);
    await expect(runReport({ ...base, stage: 'beta' })).rejects.toThrow(
      '--stage must be one of pilot, efficacy, effectiveness, got "beta"',
    );
    await expect(runReport({ ...base, trial: 'docs/trial.yaml' })).rejects.toThrow(
      "--concept pcp conflicts with the trial file's concept pcp-fund",
    );
    await expect(runReport({ ...base, offences: 'nope.csv' })).rejects.toThrow(
      new UsageError('--offences: cannot read nope.csv: no such file'),
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'cost_bands: [1, 2]\n');
    await expect(runReport({ ...base, trial: bad })).rejects.toBeInstanceOf(DataError);
  });
});

describe('report --all', () => {
  it('writes html, md and json for the five concepts from the bundled fixtures, self-contained', async () => {
    const outDir = join(dir, 'all');
    const r = await runReportAll({ outDir });
    expect(r.reports.map((x) => x.concept)).toEqual([
      'pcp',
      'pcp-fund',
      'women-pcp-fund',
      'user-grants',
      'community-navigation',
    ]);
    const files = readdirSync(outDir).sort();
    expect(files).toHaveLength(15);
    expect(files).toContain('pcp-efficacy.html');
    for (const f of files.filter((x) => x.endsWith('.html'))) {
      const html = readFileSync(join(outDir, f), 'utf8');
      expect(html, f).not.toMatch(/https?:\/\/|<script|<link|<img|src=/i);
      expect(html, f).not.toMatch(/P\d{6}/);
    }
  });
});
