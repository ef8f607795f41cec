/**
 * OLS with robust covariances against R. Reference values: test/data/headline-references.json,
 * written by test/data/make-headline-references.R (R 4.2.2, estimatr 1.0.0, clubSandwich 0.5.8) from
 * the data sets test/data/headline-*.csv; for every clustered case that script also checks that
 * clubSandwich::coef_test(lm(...), vcov = "CR2", cluster = ..., test = "Satterthwaite") gives the
 * same SE and df as estimatr::lm_robust(..., se_type = "CR2").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { fitRobustLm, symmetricEigen, type RobustLmInput, type RobustSeType } from './robust-lm.js';

interface Ref {
  call: string;
  term: string;
  n: number;
  estimate: number;
  std_error: number;
  statistic?: number;
  df: number;
  p_value: number;
  conf_low?: number;
  conf_high?: number;
}
const refs = JSON.parse(readFileSync('test/data/headline-references.json', 'utf8')) as Record<string, Ref>;

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

async function loadCsv(name: string) {
  const t = await readTable(`test/data/${name}`);
  const num = (c: string) => Float64Array.from(t.cells.get(c)!, Number);
  const factor = (c: string) => {
    const ids = new Map<string, number>();
    const index = Int32Array.from(t.cells.get(c)!, (s) => {
      if (!ids.has(s)) ids.set(s, ids.size);
      return ids.get(s)!;
    });
    return { name: c, index, levels: ids.size };
  };
  const is = (c: string, v: string) => Float64Array.from(t.cells.get(c)!, (s) => (s === v ? 1 : 0));
  return { n: t.n, num, factor, is };
}

function expectMatches(fit: ReturnType<typeof fitRobustLm>, term: string, ref: Ref) {
  const c = fit.coefficients.find((k) => k.name === term)!;
  expect(fit.n).toBe(ref.n);
  expect(rel(c.estimate, ref.estimate)).toBeLessThan(1e-8);
  expect(rel(c.std_error, ref.std_error)).toBeLessThan(1e-8);
  expect(Math.abs(c.df - ref.df)).toBeLessThan(1e-6);
  expect(rel(c.p_value, ref.p_value)).toBeLessThan(1e-6);
  if (ref.statistic !== undefined) expect(rel(c.statistic, ref.statistic)).toBeLessThan(1e-8);
}

async function rossi() {
  const d = await loadCsv('headline-rossi.csv');
  return {
    d,
    y: d.num('arrest'),
    trt: { name: 'trt', values: d.is('fin', 'yes') },
    age: { name: 'age', values: d.num('age') },
    prio: { name: 'prio', values: d.num('prio') },
  };
}

describe('symmetricEigen', () => {
  it('reconstructs a symmetric matrix from its eigenpairs', () => {
    const a = [
      [4, 1, -2, 0.5],
      [1, 3, 0, 1],
      [-2, 0, 5, -1],
      [0.5, 1, -1, 2],
    ];
    const { values, vectors } = symmetricEigen(a);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += vectors[i]![k]! * values[k]! * vectors[j]![k]!;
        expect(Math.abs(s - a[i]![j]!)).toBeLessThan(1e-13);
      }
    }
    // trace is preserved
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(14, 12);
  });
});

describe('fitRobustLm: HC2 / HC0 (estimatr::lm_robust) on carData::Rossi', () => {
  it('unadjusted: lm_robust(arrest ~ trt, rossi, se_type = "HC2")', async () => {
    const r = await rossi();
    expectMatches(fitRobustLm({ y: r.y, covariates: [r.trt], seType: 'HC2' }), 'trt', refs.rossi_unadjusted!);
  });
  it('adjusted: lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC2"), trt and age rows', async () => {
    const r = await rossi();
    const fit = fitRobustLm({ y: r.y, covariates: [r.trt, r.age, r.prio], seType: 'HC2' });
    expectMatches(fit, 'trt', refs.rossi_adjusted!);
    expectMatches(fit, 'age', refs.rossi_adjusted_age!);
    expect(fit.p).toBe(4);
  });
  it('HC0: lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC0")', async () => {
    const r = await rossi();
    expectMatches(fitRobustLm({ y: r.y, covariates: [r.trt, r.age, r.prio], seType: 'HC0' }), 'trt', refs.rossi_hc0!);
  });
  it('blocked: lm_robust(arrest ~ trt + age + prio + factor(race), rossi, se_type = "HC2")', async () => {
    const r = await rossi();
    const fit = fitRobustLm({ y: r.y, covariates: [r.trt, r.age, r.prio], factor: r.d.factor('race'), seType: 'HC2' });
    expectMatches(fit, 'trt', refs.rossi_blocked!);
    expect(fit.p).toBe(5);
  });
  it('h_ii = 1 gets zero weight, as sqrt(vcovCR(lm(arrest ~ trt + age + prio + factor(lone), rossi), cluster = seq_len(nrow(rossi)), type = "CR2")["trt", "trt"])', async () => {
    // clubSandwich's CR2 with singleton clusters is HC2 with the generalised inverse; person 1 alone in block "alone"
    const r = await rossi();
    const race = r.d.factor('race');
    const block = Int32Array.from(race.index);
    block[0] = 2;
    const fit = fitRobustLm({
      y: r.y,
      covariates: [r.trt, r.age, r.prio],
      factor: { name: 'lone', index: block, levels: 3 },
      seType: 'HC2',
    });
    const ref = refs.rossi_lone!;
    expect(rel(fit.coefficients[0]!.estimate, ref.estimate)).toBeLessThan(1e-8);
    expect(rel(fit.coefficients[0]!.std_error, ref.std_error)).toBeLessThan(1e-8);
    expect(fit.coefficients[0]!.df).toBe(ref.df); // df.residual(lm(...))
  });
  it('an observation alone in its block (h_ii = 1) contributes nothing, as if it were absent', async () => {
    const r = await rossi();
    const n = r.d.n;
    const race = r.d.factor('race');
    const block = Int32Array.from(race.index);
    block[0] = 2; // person 1 alone in a third block
    const full = fitRobustLm({
      y: r.y,
      covariates: [r.trt, r.age, r.prio],
      factor: { name: 'b', index: block, levels: 3 },
      seType: 'HC2',
    });
    const drop = <T extends ArrayLike<number>>(a: T) => Float64Array.from(Array.from(a).slice(1));
    const without = fitRobustLm({
      y: drop(r.y),
      covariates: [r.trt, r.age, r.prio].map((c) => ({ name: c.name, values: drop(c.values) })),
      factor: { name: 'b', index: Int32Array.from(race.index).slice(1), levels: 2 },
      seType: 'HC2',
    });
    expect(full.n).toBe(n);
    expect(rel(full.coefficients[0]!.estimate, without.coefficients[0]!.estimate)).toBeLessThan(1e-12);
    expect(rel(full.coefficients[0]!.std_error, without.coefficients[0]!.std_error)).toBeLessThan(1e-10);
    expect(Number.isFinite(full.coefficients[0]!.std_error)).toBe(true);
  });
});

async function bacteria() {
  const d = await loadCsv('headline-bacteria.csv');
  const ID = d.factor('id'); // readTable lower-cases column names
  return {
    y: d.num('y'),
    trt: { name: 'trt', values: d.is('ap', 'a') },
    week: { name: 'week', values: d.num('week') },
    cluster: { index: ID.index, levels: ID.levels },
  };
}

describe('fitRobustLm: CR2 + Satterthwaite (estimatr / clubSandwich) on MASS::bacteria', () => {
  it('lm_robust(y ~ trt, bac, clusters = ID, se_type = "CR2")', async () => {
    const b = await bacteria();
    const fit = fitRobustLm({ y: b.y, covariates: [b.trt], cluster: b.cluster, seType: 'CR2' });
    expectMatches(fit, 'trt', refs.bacteria_unadjusted!);
    expect(fit.n_clusters).toBe(50);
  });
  it('lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR2"), trt and week rows', async () => {
    const b = await bacteria();
    const fit = fitRobustLm({ y: b.y, covariates: [b.trt, b.week], cluster: b.cluster, seType: 'CR2' });
    expectMatches(fit, 'trt', refs.bacteria_week!);
    expectMatches(fit, 'week', refs.bacteria_week_week!);
  });
  it('fixed effects crossing the clusters: lm_robust(y ~ trt + factor(week), bac, clusters = ID, se_type = "CR2")', async () => {
    const b = await bacteria();
    const d = await loadCsv('headline-bacteria.csv');
    const fit = fitRobustLm({
      y: b.y,
      covariates: [b.trt],
      factor: d.factor('week'),
      cluster: b.cluster,
      seType: 'CR2',
    });
    expectMatches(fit, 'trt', refs.bacteria_week_fe!);
    expect(fit.p).toBe(6);
  });
  it('CR0 on G - 1 df: lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR0")', async () => {
    const b = await bacteria();
    expectMatches(
      fitRobustLm({ y: b.y, covariates: [b.trt, b.week], cluster: b.cluster, seType: 'CR0' }),
      'trt',
      refs.bacteria_cr0!,
    );
  });
  it('dfFor limits the Satterthwaite computation to the named coefficients', async () => {
    const b = await bacteria();
    const fit = fitRobustLm({ y: b.y, covariates: [b.trt, b.week], cluster: b.cluster, seType: 'CR2', dfFor: [0] });
    expect(Math.abs(fit.coefficients[0]!.df - refs.bacteria_week!.df)).toBeLessThan(1e-6);
    expect(fit.coefficients[1]!.df).toBeNaN();
  });
});

async function few() {
  const d = await loadCsv('headline-few-clusters.csv');
  const team = d.factor('team');
  return {
    d,
    y: d.num('y'),
    arm: { name: 'arm', values: d.num('arm') },
    x: { name: 'x', values: d.num('x') },
    cluster: { index: team.index, levels: team.levels },
  };
}

describe('fitRobustLm: six clusters (small Satterthwaite df)', () => {
  const cases: Array<[string, string, (f: Awaited<ReturnType<typeof few>>) => RobustLmInput]> = [
    // lm_robust(y ~ arm, few, clusters = team, se_type = "CR2")
    [
      'few_unadjusted',
      'no covariates',
      (f) => ({ y: f.y, covariates: [f.arm], cluster: f.cluster, seType: 'CR2' as RobustSeType }),
    ],
    // lm_robust(y ~ arm + x, few, clusters = team, se_type = "CR2")
    [
      'few_adjusted',
      'one covariate',
      (f) => ({ y: f.y, covariates: [f.arm, f.x], cluster: f.cluster, seType: 'CR2' as RobustSeType }),
    ],
    // lm_robust(y ~ arm + x + factor(pair), few, clusters = team, se_type = "CR2")
    [
      'few_pairs',
      'pair fixed effects',
      (f) => ({
        y: f.y,
        covariates: [f.arm, f.x],
        factor: f.d.factor('pair'),
        cluster: f.cluster,
        seType: 'CR2' as RobustSeType,
      }),
    ],
    // coef_test(lm(y ~ arm + x + factor(lone), few), vcov = "CR2", cluster = few$team, test = "Satterthwaite")
    // team K6 alone in block C: I - H_gg is singular, generalised inverse square root as clubSandwich
    [
      'few_lone',
      'a cluster alone in its block (leverage 1)',
      (f) => ({
        y: f.y,
        covariates: [f.arm, f.x],
        factor: f.d.factor('lone'),
        cluster: f.cluster,
        seType: 'CR2' as RobustSeType,
      }),
    ],
  ];
  for (const [key, label, input] of cases) {
    it(`${label}: ${refs[key]!.call}`, async () => {
      const f = await few();
      const fit = fitRobustLm(input(f));
      expectMatches(fit, 'arm', refs[key]!);
      expect(fit.n_clusters).toBe(6);
      expect(fit.coefficients[0]!.df).toBeLessThan(4);
    });
  }
});

describe('fitRobustLm: degenerate designs', () => {
  const y = [0, 1, 0, 1, 1, 0];
  it('refuses a constant covariate, a collinear one, too few rows, one cluster, mismatched lengths', () => {
    expect(() => fitRobustLm({ y, covariates: [{ name: 'arm', values: [1, 1, 1, 1, 1, 1] }], seType: 'HC2' })).toThrow(
      /arm is constant/,
    );
    expect(() =>
      fitRobustLm({
        y,
        covariates: [
          { name: 'arm', values: [0, 1, 0, 1, 0, 1] },
          { name: 'twice', values: [0, 2, 0, 2, 0, 2] },
        ],
        seType: 'HC2',
      }),
    ).toThrow(/twice is collinear/);
    expect(() => fitRobustLm({ y: [0, 1], covariates: [{ name: 'arm', values: [0, 1] }], seType: 'HC2' })).toThrow(
      /too few/,
    );
    expect(() =>
      fitRobustLm({
        y,
        covariates: [{ name: 'arm', values: [0, 1, 0, 1, 0, 1] }],
        cluster: { index: [0, 0, 0, 0, 0, 0], levels: 1 },
        seType: 'CR2',
      }),
    ).toThrow(/at least 2/);
    expect(() => fitRobustLm({ y, covariates: [{ name: 'arm', values: [0, 1, 0] }], seType: 'HC2' })).toThrow(
      /3 values, expected 6/,
    );
    expect(() =>
      fitRobustLm({
        y: [0, 1, NaN, 1, 1, 0],
        covariates: [{ name: 'arm', values: [0, 1, 0, 1, 0, 1] }],
        seType: 'HC2',
      }),
    ).toThrow(/y\[2\] = NaN is not finite/);
    expect(() => fitRobustLm({ y, covariates: [{ name: 'arm', values: [0, 1, 0, 1, 0, 1] }], seType: 'CR2' })).toThrow(
      /needs a cluster index/,
    );
    // arm constant within each block
    expect(() =>
      fitRobustLm({
        y,
        covariates: [{ name: 'arm', values: [0, 0, 0, 1, 1, 1] }],
        factor: { name: 'block', index: [0, 0, 0, 1, 1, 1], levels: 2 },
        seType: 'HC2',
      }),
    ).toThrow(/arm is constant within the levels of block/);
  });
});

describe('fitRobustLm: performance', () => {
  it('1M rows, 5 covariates, 100 clusters, CR2 in well under 2 s of CPU time', () => {
    const n = 1_000_000;
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const cluster = new Int32Array(n);
    const arm = new Float64Array(n);
    const covs = Array.from({ length: 5 }, () => new Float64Array(n));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const g = Math.floor(rand() * 100);
      cluster[i] = g;
      arm[i] = g % 2;
      for (const c of covs) c[i] = rand();
      y[i] = rand() < 0.3 + 0.1 * arm[i]! ? 1 : 0;
    }
    // CPU time, not wall time: the test machine may be shared.
    const c0 = process.cpuUsage();
    const fit = fitRobustLm({
      y,
      covariates: [{ name: 'arm', values: arm }, ...covs.map((values, k) => ({ name: `x${k}`, values }))],
      cluster: { index: cluster, levels: 100 },
      seType: 'CR2',
      dfFor: [0],
    });
    const used = process.cpuUsage(c0);
    const ms = (used.user + used.system) / 1000;
    expect(fit.coefficients[0]!.df).toBeGreaterThan(50);
    expect(fit.coefficients[0]!.df).toBeLessThan(100);
    expect(ms).toBeLessThan(2000);
  });
});
