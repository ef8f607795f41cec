/**
 * The analysis plan through the whole pipeline, on a real trial (carData::Rossi, exported by
 * fixtures/rossi/make-rossi.R) and on the bundled team-randomised pcp trial: the report's headline
 * is the pre-specified primary analysis and equals R; pending people are pending, never lost.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalyse } from '../../src/cli/commands/analyse.js';
import { runReport } from '../../src/app/report.js';
import { runImport } from '../../src/cli/commands/import.js';
import { DataError, UsageError } from '../../src/core/errors.js';
import { parseTrialFile } from '../../src/io/trial-file.js';
import { digitsFor, estimateInterval } from '../../src/core/report/format.js';
import { per100Interval } from '../../src/core/report/conclusions.js';

const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-plan-'));
const rossi = {
  cases: 'fixtures/rossi/cases.csv',
  offences: 'fixtures/rossi/offences.csv',
  trial: 'fixtures/rossi/trial.yaml',
};
const report = async (extra: Record<string, string | undefined>, name: string) => {
  const out = join(dir, `${name}.json`);
  await runReport({
    concept: 'custom',
    ...rossi,
    offences: undefined,
    ...extra,
    format: 'json',
    out,
    commandLine: 'test',
  } as Parameters<typeof runReport>[0]);
  return JSON.parse(readFileSync(out, 'utf8'));
};

// R 4.2.2, estimatr 1.0.0: summary(lm_robust(arrest ~ fin + age + prio, carData::Rossi, se_type = "HC2"))$coefficients["finyes", ]
const ROSSI_ADJUSTED = {
  estimate: -0.07457829624246125,
  se: 0.04172570267368898,
  t: -1.78734668234810035,
  p: 0.07458894464241057,
  lo: -0.15659108761044252,
  hi: 0.00743449512552002,
  df: 428,
};
// R: prop.test(table(factor(Rossi$fin, c("yes","no")), factor(Rossi$arrest, c(1, 0))), correct = FALSE)$p.value
const ROSSI_UNADJUSTED_P = 0.0494216541396105;

describe('the Rossi trial through import, analyse and report', () => {
  it('import accepts the R export (write.csv quoting) with no rejects', async () => {
    const r = await runImport({ cases: rossi.cases, offences: rossi.offences, outDir: join(dir, 'import') });
    expect([r.cases.accepted, r.cases.rejected, r.offences.accepted, r.offences.rejected]).toEqual([432, 0, 114, 0]);
  });

  for (const source of ['cases', 'offences'] as const) {
    it(`headline and verdict are the plan's adjusted analysis and equal R (outcomes from the ${source} file)`, async () => {
      const rep = await report(source === 'offences' ? { offences: rossi.offences } : {}, `rossi-${source}`);
      const h = rep.headline;
      expect(h.method).toMatch(/adjusted for age, prior_convictions\), HC2 robust standard error/);
      expect(h.covariates).toEqual(['age', 'prior_convictions']);
      expect(h.clustered_by).toBeNull();
      for (const [k, v] of [
        ['estimate', ROSSI_ADJUSTED.estimate],
        ['std_error', ROSSI_ADJUSTED.se],
        ['statistic', ROSSI_ADJUSTED.t],
        ['p_value', ROSSI_ADJUSTED.p],
        ['conf_low', ROSSI_ADJUSTED.lo],
        ['conf_high', ROSSI_ADJUSTED.hi],
      ] as const) {
        expect(h[k]).toBeCloseTo(v, 12);
      }
      expect(h.df).toBe(428);
      expect(h.per_100).toBeCloseTo(100 * ROSSI_ADJUSTED.estimate, 10);
      // The unadjusted Wald difference is significant (p = 0.049); the pre-specified analysis is not.
      expect(h.verdict).toBe('inconclusive');
      const wald = h.sensitivity.find((s: { measure: string }) => s.measure === 'risk_difference');
      expect(wald.p_value).toBeCloseTo(ROSSI_UNADJUSTED_P, 12);
      expect(wald.agrees).toBe(false);
      expect(rep.key_conclusions.join(' ')).toMatch(
        /Sensitivity analyses disagree with the primary analysis, which is inconclusive: the unadjusted risk difference \(p = 0\.049\) is a significant reduction/,
      );
      // After the last window closed nobody is pending or lost.
      expect(rep.consort.pending).toBe(0);
      expect(rep.consort.arms.map((a: { lost: number }) => a.lost)).toEqual([0, 0]);
      expect(rep.security.attrition).toBe(0);
      expect(rep.title).toBe(
        'Financial aid on release from prison: the TARP experiment in Baltimore (Rossi, Berk & Lenihan 1980)',
      );
      // The arm labels are the data's, in the introduction as in the flow diagram.
      expect(rep.introduction.arms.map((a: { arm: string }) => a.arm)).toEqual(['no', 'yes']);
      expect(rep.consort.arms.map((a: { arm: string }) => a.arm)).toEqual(['no', 'yes']);
      expect(rep.introduction.research_questions[0]).toBe(
        'Does financial aid on release reduce the share of people arrested within a year?',
      );
      // R: summary(survfit(Surv(week * 7, arrest) ~ fin, Rossi), times = 365, extend = TRUE)$surv -> 0.694444444444444 0.777777777777778
      const km = rep.effects
        .filter((e: { measure: string }) => e.measure === 'km_survival_365')
        .map((e: { estimate: number }) => e.estimate);
      expect(km[0]).toBeCloseTo(0.694444444444444, 12);
      expect(km[1]).toBeCloseTo(0.777777777777778, 12);
    });
  }

  it('an early extract date makes people pending (own CONSORT column, not lost, not attrition), with the date all outcomes complete', async () => {
    for (const extra of [{ offences: rossi.offences }, {}]) {
      const rep = await report({ ...extra, asOf: '1973-09-30' }, 'rossi-early');
      expect(rep.outcomes).toMatchObject({ as_of: '1973-09-30', pending: 342, complete_by: '1974-09-07' });
      expect(
        rep.consort.arms.map((a: { pending: number; lost: number; analysed: number }) => [
          a.pending,
          a.lost,
          a.analysed,
        ]),
      ).toEqual([
        [165, 0, 51],
        [177, 0, 39],
      ]);
      expect(rep.security.attrition).toBe(0);
      expect(rep.attrition.overall).toBe(0);
      expect(rep.key_conclusions.join(' ')).toMatch(
        /342 randomised people are pending: .* every outcome will be complete by 1974-09-07/,
      );
    }
  });

  it('analyse --plan prints the report headline', async () => {
    const a = await runAnalyse({ data: rossi.cases, plan: rossi.trial });
    const rep = await report({}, 'rossi-same');
    expect(a.headline).toEqual(rep.headline);
    expect(a.effects[0]).toMatchObject({ measure: 'primary_risk_difference', estimate: a.headline!.estimate });
    expect(a.verdict.find((v) => v.outcome === 'reoffended')).toEqual({
      outcome: 'reoffended',
      measure: 'primary_risk_difference',
      verdict: 'inconclusive',
    });
  });

  it('--control and --treatment name the arms when there is no trial file', async () => {
    const out = join(dir, 'labels.json');
    await runReport({
      concept: 'custom',
      stage: 'efficacy',
      cases: rossi.cases,
      control: 'no',
      treatment: 'yes',
      format: 'json',
      out,
      commandLine: 'test',
    });
    const rep = JSON.parse(readFileSync(out, 'utf8'));
    // No plan: the default primary analysis (unadjusted, HC2) on the data's own labels.
    expect(rep.headline.covariates).toEqual([]);
    expect(rep.headline.estimate).toBeCloseTo(-0.0833333333333333, 12);
    await expect(
      runReport({ concept: 'custom', stage: 'efficacy', cases: rossi.cases, format: 'json', out, commandLine: 'test' }),
    ).rejects.toThrow(/no one is allocated to "treatment" or "control" \(arms in the file: "no", "yes"\)/);
  });
});

// R 4.2.2, estimatr 1.0.0, on the pcp fixture's derived outcomes (measurable, not withdrawn; 742 people):
// lm_robust(reoffended ~ treat + ogrs3 + factor(stratum), d, clusters = team, se_type = "CR2")
const PCP_CR2 = {
  estimate: 0.00119644437887034,
  se: 0.04039090644269559,
  lo: -0.08197170878028401,
  hi: 0.08436459753802467,
  df: 25.11001018779329641,
  p: 0.97660300067136907,
};

describe('a team-randomised trial: the headline is cluster-aware and equals R', () => {
  it('pcp: CR2 with Satterthwaite df, blocks and covariates from the plan; the hazard ratio SE is coxph(cluster = team)', async () => {
    const out = join(dir, 'pcp.json');
    await runReport({
      concept: 'pcp',
      stage: 'efficacy',
      cases: 'fixtures/pcp/cases.csv',
      offences: 'fixtures/pcp/offences.csv',
      trial: 'fixtures/pcp/trial.yaml',
      format: 'json',
      out,
      commandLine: 'test',
    });
    const rep = JSON.parse(readFileSync(out, 'utf8'));
    const h = rep.headline;
    expect([h.clustered_by, h.blocks, h.n_clusters]).toEqual(['team', 'stratum', 32]);
    expect(h.estimate).toBeCloseTo(PCP_CR2.estimate, 12);
    expect(h.std_error).toBeCloseTo(PCP_CR2.se, 12);
    expect(h.conf_low).toBeCloseTo(PCP_CR2.lo, 10);
    expect(h.conf_high).toBeCloseTo(PCP_CR2.hi, 10);
    expect(h.df).toBeCloseTo(PCP_CR2.df, 8);
    expect(h.p_value).toBeCloseTo(PCP_CR2.p, 10);
    // R (survival 3.5.3), the same 742 people: summary(coxph(Surv(follow_up_days, reoffended) ~ treat + ogrs3, d, cluster = team))
    // treat: coef -0.0549389847253434, se(coef) 0.130989906464820, robust se 0.162439661938278
    const hr = rep.effects.find(
      (e: { outcome: string; measure: string }) => e.outcome === 'days_to_reoffence' && e.measure === 'hazard_ratio',
    );
    expect(Math.log(hr.estimate)).toBeCloseTo(-0.0549389847253434, 9);
    expect(hr.std_error).toBeCloseTo(0.162439661938278, 9);
    const lr = rep.effects.find((e: { measure: string }) => e.measure === 'logrank');
    expect(lr.method).toMatch(/ignores/);
  });
});

describe('disclosure: flow counts always shown; small outcome counts and what reveals them hidden', () => {
  it('hides 1-4 re-offenders and every number they could be worked out from', async () => {
    // 30 people a side; 3 re-offenders in treatment, 12 in control.
    const rows = ['id,arm,reoffended'];
    for (let i = 0; i < 60; i++)
      rows.push(`P${i},${i < 30 ? 'treatment' : 'control'},${i < 3 || (i >= 30 && i < 42) ? 1 : 0}`);
    const cases = join(dir, 'small.csv');
    writeFileSync(cases, `${rows.join('\n')}\n`);
    const out = join(dir, 'small.json');
    await runReport({ concept: 'custom', stage: 'efficacy', cases, format: 'json', out, commandLine: 'test' });
    const rep = JSON.parse(readFileSync(out, 'utf8'));
    expect(rep.consort.arms.map((a: { allocated: number; analysed: number }) => [a.allocated, a.analysed])).toEqual([
      [30, 30],
      [30, 30],
    ]);
    const t = rep.arms.find((a: { arm: string }) => a.arm === 'treatment');
    expect([t.reoffenders, t.binary_rate]).toEqual([null, null]);
    expect(rep.arms.every((a: { binary_rate: number | null }) => a.binary_rate === null)).toBe(true);
    expect([
      rep.headline.estimate,
      rep.headline.per_100,
      rep.headline.rate_treatment,
      rep.headline.rate_control,
    ]).toEqual([null, null, null, null]);
    expect(
      rep.effects.filter(
        (e: { outcome: string; estimate: number | null }) => e.outcome === 'reoffended' && e.estimate !== null,
      ),
    ).toEqual([]);
    expect(rep.key_conclusions.join(' ')).toMatch(/not shown: it would reveal a count of fewer than 5 people/);
    // Recompute the hidden count (3 of 30) from every number the report publishes: none gives it away.
    const reveals = [3, 0.1, 10, 0.9, 90, 27, -0.3, -30, 0.3, 30 / 3, 1 / 3, 3 / 12, 0.25, 1 - 0.1];
    const published: number[] = [];
    const walk = (v: unknown, path: string): void => {
      if (
        typeof v === 'number' &&
        !/consort|allocated|analysed|randomised|n_treatment|n_control|^\.stage|security|cost|mdes|pending|lost|received|clusters|version|threshold|attrition|cells/.test(
          path,
        )
      )
        published.push(v);
      else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(
      {
        arms: rep.arms,
        rates: rep.rates,
        headline: rep.headline,
        effects: rep.effects,
        km: rep.km,
        subgroups: rep.subgroups,
      },
      '',
    );
    for (const r of reveals)
      expect(
        published.some((x) => Math.abs(x - r) < 1e-9),
        `a published number equals ${r}`,
      ).toBe(false);
    const md = join(dir, 'small.md');
    await runReport({ concept: 'custom', stage: 'efficacy', cases, format: 'md', out: md, commandLine: 'test' });
    const text = readFileSync(md, 'utf8');
    expect(text).not.toMatch(/10\.0%|-30\.0|-0\.30/);
    expect(text).toMatch(/<5/);
  });
});

describe('numbers cannot contradict their words', () => {
  it('an interval that excludes zero never prints a limit of zero', () => {
    expect(digitsFor(-0.1712, -0.0004, 2)).toBe(4);
    expect(estimateInterval(-0.0859, -0.1712, -0.0004, 2)).toBe('-0.0859 (-0.1712 to -0.0004)');
    expect(estimateInterval(-0.05, -0.17, 0.07, 2)).toBe('-0.05 (-0.17 to 0.07)');
    // Ratios: no-difference is 1.
    expect(estimateInterval(0.7, 0.49, 0.9996, 2, 1)).toBe('0.7000 (0.4900 to 0.9996)');
    expect(per100Interval(-17.12, -0.04)).toBe('between 17.12 fewer and 0.04 fewer re-offenders');
    expect(per100Interval(-17.1, 2.4)).toBe('between 17.1 fewer and 2.4 more re-offenders');
  });
});

describe('the analysis plan in trial.yaml', () => {
  it('reads every key and refuses bad ones with their lines', () => {
    const ok = parseTrialFile(
      'analysis:\n  primary: {outcome: reoffended, measure: risk_difference}\n  covariates: [Age, ogrs3]\n  cluster: none\n  blocks: site\n  secondary: [reoffences]\n  subgroups: [sex]\noutcome_windows:\n  as_of: 31/03/2025\nintervention: aid\n',
      't.yaml',
    );
    expect(ok.analysis).toMatchObject({
      primary: { outcome: 'reoffended', measure: 'risk_difference' },
      covariates: ['age', 'ogrs3'],
      cluster: null,
      blocks: 'site',
      secondary: ['reoffences'],
      subgroups: ['sex'],
    });
    expect(ok.outcome_windows.as_of).toBe('2025-03-31');
    expect(ok.intervention).toBe('aid');
    try {
      parseTrialFile(
        'analysis:\n  primary:\n    outcome: days_to_reoffence\n    measure: risk_difference\n  weights: w\noutcome_windows:\n  as_of: 2025-02-30\n',
        't.yaml',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      const problems = (err as DataError).problems.map((p) => [p.line, p.column, p.reason]);
      expect(problems).toEqual([
        [
          5,
          'analysis.weights',
          expect.stringMatching(/^unknown key "analysis.weights"; expected one of: primary, covariates/),
        ],
        [2, 'analysis.primary', 'days_to_reoffence is estimated as a hazard_ratio'],
        [
          7,
          'outcome_windows.as_of',
          expect.stringMatching(/^expected the data extract date as YYYY-MM-DD \(day 30 does not exist in 2025-02\)/),
        ],
      ]);
    }
  });

  it('a primary outcome missing from the data is a usage error naming it', async () => {
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'analysis:\n  primary: wellbeing\narms: {control: "no", treatment: "yes"}\n');
    await expect(runAnalyse({ data: rossi.cases, plan })).rejects.toThrow(
      new UsageError(
        `the analysis plan's primary outcome "wellbeing" is not in ${rossi.cases}: derive it with --offences, or name the outcome column under analysis.primary in the trial file`,
      ),
    );
  });
});

describe('a report does not depend on where it is written', () => {
  it('records the output path by its file name only', async () => {
    const { recordedCommand } = await import('../../src/app/report.js');
    expect(recordedCommand(['pilot-eval', 'report', '--cases', 'a b.csv', '--out', '/tmp/x/y/r.html'])).toBe(
      "pilot-eval report --cases 'a b.csv' --out r.html",
    );
    expect(recordedCommand(['pilot-eval', 'report', '--all', '--out-dir=/srv/ci/reports', '-o', 'q/r.md'])).toBe(
      'pilot-eval report --all --out-dir=reports -o r.md',
    );
    const outs = ['one/r.json', 'two/three/r.json'].map((f) => join(dir, f));
    for (const out of outs) await runReport({ concept: 'custom', ...rossi, offences: undefined, format: 'json', out });
    expect(readFileSync(outs[0]!, 'utf8')).toBe(readFileSync(outs[1]!, 'utf8'));
  });
});

describe('one schema: analyse holds known columns to the rules import applies', () => {
  it('refuses an OGRS3 of 45 (a percentage) as import does', async () => {
    const f = join(dir, 'ogrs.csv');
    writeFileSync(
      f,
      'id,arm,reoffended,ogrs3\n1,treatment,1,0.3\n2,control,0,45\n3,treatment,0,0.2\n4,control,1,0.5\n',
    );
    const err = await runAnalyse({ data: f }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).problems).toEqual([
      {
        file: f,
        line: 3,
        column: 'ogrs3',
        value: '45',
        reason:
          'expected a probability in [0, 1]; this looks like a percentage: use --ogrs-percent when importing (pilot-eval import --ogrs-percent writes probabilities)',
      },
    ]);
    const imported = await runImport({ cases: f, outDir: join(dir, 'ogrs-import'), allowRejects: true });
    expect(imported.rejects[0]).toMatchObject({ line: 3, column: 'ogrs3', value: '45' });
  });
});

describe('prototype words and devices are data and paths like any other (issue 17)', () => {
  it('a progression criterion named constructor or __proto__, and process measures named toString, report cleanly', async () => {
    const trial = join(dir, 'proto.yaml');
    writeFileSync(
      trial,
      'progression:\n  constructor: {green: 0.8, amber: 0.5}\n  __proto__: {green: 0.7, amber: 0.4}\n',
    );
    const process = join(dir, 'proto-process.csv');
    writeFileSync(
      process,
      'level,unit,arm,measure,value\nperson,P1,treatment,toString,3\nperson,P2,treatment,__proto__,4\nperson,P3,treatment,constructor,5\n',
    );
    const out = join(dir, 'proto.json');
    await runReport({
      concept: 'pcp',
      stage: 'pilot',
      cases: 'fixtures/pcp/cases.csv',
      trial,
      process,
      format: 'json',
      out,
    });
    const rep = JSON.parse(readFileSync(out, 'utf8'));
    expect(rep.feasibility.progression.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['constructor', '__proto__']),
    );
    expect(rep.process.measures.map((m: { measure: string }) => m.measure).sort()).toEqual([
      '__proto__',
      'constructor',
      'toString',
    ]);
    for (const format of ['html', 'md'] as const)
      await runReport({
        concept: 'pcp',
        stage: 'pilot',
        cases: 'fixtures/pcp/cases.csv',
        trial,
        process,
        format,
        out: join(dir, `proto.${format}`),
      });
  });

  it('a trial file that is a device or a folder is a usage error naming it, not a hang', async () => {
    await expect(
      runReport({
        concept: 'pcp',
        stage: 'pilot',
        cases: 'fixtures/pcp/cases.csv',
        trial: '/dev/zero',
        format: 'md',
        out: join(dir, 'z.md'),
      }),
    ).rejects.toThrow(
      new UsageError(
        '--trial: cannot read /dev/zero: it is not a regular file (a FIFO, socket or device); give a file, or - for stdin',
      ),
    );
    await expect(
      runReport({
        concept: 'pcp',
        stage: 'pilot',
        cases: 'fixtures/pcp/cases.csv',
        trial: 'fixtures',
        format: 'md',
        out: join(dir, 'z.md'),
      }),
    ).rejects.toThrow(new UsageError('--trial: cannot read fixtures: it is a directory, not a file'));
  });
});

describe('numeric options have stated ranges (issue 17: these used to hang)', () => {
  it('power --es 1e-8, --n 1e308 and randomise --block-sizes 1e9 are usage errors within seconds', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['bin/pilot-eval', ...args], { encoding: 'utf8', timeout: 20_000 });
    for (const [args, message] of [
      [['power', '--design', 'ira', '--solve', 'n', '--es', '1e-8'], /--es must be/],
      [['power', '--design', 'ira', '--solve', 'mdes', '--n', '1e308'], /--n must be/],
      [
        [
          'randomise',
          'fixtures/pcp/cases.csv',
          '--method',
          'permuted-block',
          '--block',
          'stratum',
          '--block-sizes',
          '1000000000',
          '--seed',
          '83920471',
          '--out',
          join(dir, 'alloc.csv'),
        ],
        /--block-sizes must be whole numbers from 1 to 10000/,
      ],
    ] as const) {
      const r = run([...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);
});
