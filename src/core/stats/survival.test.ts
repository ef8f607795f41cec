/**
 * Kaplan-Meier, log-rank and Cox (Efron) against R 4, survival 3.5.3. Data: test/data/veteran.csv
 * (survival::veteran, the randomised VA lung cancer trial, Kalbfleisch & Prentice 1980; arm = trt == 2)
 * and test/data/surv-ties.csv (whole-week times, many ties), both written by
 * test/data/survival-reml-data.R. In the R calls: v <- read.csv("test/data/veteran.csv");
 * v$arm <- as.integer(v$trt == 2); s <- read.csv("test/data/surv-ties.csv"); options(digits = 15).
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { coxRegression, CoxDesignError } from './cox-regression.js';
import { kaplanMeier, sortedOrder, survivalAt } from './kaplan-meier.js';
import { logRank } from './logrank.js';

const rel = (a: number, b: number): number => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));

async function load(path: string, cols: string[]): Promise<Record<string, number[]>> {
  const t = await readTable(path);
  return Object.fromEntries(cols.map((c) => [c, t.cells.get(c)!.map(Number)]));
}
const veteran = async (): Promise<Record<string, number[]>> => {
  const v = await load('test/data/veteran.csv', ['time', 'status', 'trt', 'karno', 'age']);
  return { ...v, arm: v.trt!.map((t) => (t === 2 ? 1 : 0)) };
};
const ties = () => load('test/data/surv-ties.csv', ['arm', 'x1', 'x2', 'time', 'status']);
const subset = (xs: number[], keep: number[], code: number): number[] => xs.filter((_, i) => keep[i] === code);

describe('Kaplan-Meier (R survfit)', () => {
  it('matches summary(survfit(Surv(time, status) ~ 1, v[v$arm == a, ]), times = c(90, 182, 365))', async () => {
    const v = await veteran();
    // cbind(n.risk, surv, std.err, lower, upper) from the summary above, arm 0 then arm 1.
    const ref = {
      0: [
        [37, 0.546746234725774, 0.0602840709903379, 0.4404864785606202, 0.678639322059627],
        [13, 0.212426789236581, 0.0514227636346147, 0.1321771794073864, 0.341398878291098],
        [4, 0.070808929745527, 0.0336074684447469, 0.0279311707927333, 0.179509286199038],
      ],
      1: [
        [25, 0.38016806722689, 0.0591290241463507, 0.2802753700804237, 0.515663432350684],
        [14, 0.23285294117647, 0.0528795382385205, 0.1492034434023367, 0.363399737821893],
        [6, 0.109773529411765, 0.0407375075823976, 0.0530410928895731, 0.227186641583783],
      ],
    } as const;
    for (const a of [0, 1] as const) {
      const km = kaplanMeier(subset(v.time!, v.arm, a), subset(v.status!, v.arm, a));
      [90, 182, 365].forEach((day, k) => {
        const pt = survivalAt(km, day);
        const [nRisk, surv, se, lo, hi] = ref[a][k]!;
        expect(pt.nRisk).toBe(nRisk);
        expect(rel(pt.estimate, surv!)).toBeLessThan(1e-12);
        expect(rel(pt.stdErr!, se!)).toBeLessThan(1e-10);
        expect(rel(pt.confLow!, lo!)).toBeLessThan(1e-10);
        expect(rel(pt.confHigh!, hi!)).toBeLessThan(1e-10);
        expect(pt.beyondFollowUp).toBe(false);
      });
    }
  });

  it('handles tied times and Greenwood SE on the log scale (survfit()$std.err)', async () => {
    const s = await ties();
    const km = kaplanMeier(s.time!, s.status!);
    // k <- survfit(Surv(time, status) ~ 1, s); k$time[1:5]; k$std.err[1:5]
    expect(km.steps.slice(0, 5).map((x) => x.time)).toEqual([2, 3, 4, 5, 6]);
    const refSe = [0.0195740073171568, 0.0227331446490158, 0.0329243198883197, 0.0351364184463153, 0.0372677996249965];
    km.steps.slice(0, 5).forEach((x, i) => expect(rel(x.stdErrLog!, refSe[i]!)).toBeLessThan(1e-10));
    // summary(k, times = c(10, 26, 52)): surv, std.err, lower, upper
    const ref = [
      [10, 70, 0.755555555555555, 0.0453003995597649, 0.671786718706224, 0.849769996391527],
      [26, 49, 0.58287984839263, 0.0525451548709739, 0.488478393847745, 0.695524964750257],
      [52, 30, 0.393859500403763, 0.05377343384575, 0.301388876325087, 0.514701497778502],
    ];
    for (const [day, nRisk, surv, se, lo, hi] of ref) {
      const pt = survivalAt(km, day!);
      expect(pt.nRisk).toBe(nRisk);
      expect(rel(pt.estimate, surv!)).toBeLessThan(1e-12);
      expect(rel(pt.stdErr!, se!)).toBeLessThan(1e-10);
      expect(rel(pt.confLow!, lo!)).toBeLessThan(1e-10);
      expect(rel(pt.confHigh!, hi!)).toBeLessThan(1e-10);
    }
  });

  it('is 1 before the first event, steps at events only, and flags days after follow-up', () => {
    const km = kaplanMeier([3, 5, 5, 8, 10], [0, 1, 0, 1, 0]);
    expect(survivalAt(km, 4)).toMatchObject({ estimate: 1, stdErr: 0, confLow: 1, confHigh: 1, nRisk: 4 });
    // S(5) = 1 - 1/4; censored at 5 still at risk at 5.
    expect(survivalAt(km, 7).estimate).toBeCloseTo(0.75, 15);
    expect(survivalAt(km, 8).estimate).toBeCloseTo(0.375, 15);
    expect(survivalAt(km, 10).beyondFollowUp).toBe(false);
    expect(survivalAt(km, 11).beyondFollowUp).toBe(true);
  });

  it('gives null SE and CI once the curve reaches 0 (R: NaN), never NaN', () => {
    const km = kaplanMeier([1, 2, 2], [1, 1, 1]);
    const pt = survivalAt(km, 5);
    expect(pt).toMatchObject({
      estimate: 0,
      stdErr: null,
      stdErrLog: null,
      confLow: null,
      confHigh: null,
      beyondFollowUp: true,
    });
  });

  it('rejects malformed input (a caller bug) with a named message', () => {
    expect(() => kaplanMeier([1, 2], [1])).toThrow('survival data: 2 times but 1 status values');
    expect(() => kaplanMeier([1, Number.NaN], [1, 0])).toThrow('time[1] = NaN is not a finite number');
    expect(() => kaplanMeier([1, 2], [1, 2])).toThrow('status[1] = 2 is not 0 or 1');
  });
});

describe('log-rank test (R survdiff, rho = 0)', () => {
  it('matches survdiff(Surv(time, status) ~ arm, v)', async () => {
    const v = await veteran();
    const lr = logRank(v.time!, v.status!, v.arm);
    // d$chisq; d$obs; d$exp; d$var[1, 1]
    expect(rel(lr.statistic!, 0.00822734320235077)).toBeLessThan(1e-9);
    expect(lr.groups.map((g) => g.observed)).toEqual([64, 64]);
    expect(rel(lr.groups[0]!.expected, 64.5001966636009)).toBeLessThan(1e-12);
    expect(rel(lr.groups[1]!.expected, 63.4998033363991)).toBeLessThan(1e-12);
    expect(rel(lr.variance[0]![0]!, 30.4103883992589)).toBeLessThan(1e-12);
    expect(lr.df).toBe(1);
    // pchisq(0.00822734320235077, 1, lower.tail = FALSE)
    expect(rel(lr.pValue!, 0.927727233340074)).toBeLessThan(1e-9);
  });

  it('matches survdiff on heavily tied data', async () => {
    const s = await ties();
    const lr = logRank(s.time!, s.status!, s.arm!);
    // survdiff(Surv(time, status) ~ arm, s): chisq, exp, var[1, 1]
    expect(rel(lr.statistic!, 1.757104488383)).toBeLessThan(1e-11);
    expect(rel(lr.groups[0]!.expected, 25.2685549501513)).toBeLessThan(1e-12);
    expect(rel(lr.variance[0]![0]!, 12.740603878566)).toBeLessThan(1e-12);
  });

  it('small cases: survdiff(Surv(c(1,2,3,4), rep(1,4)) ~ c(0,1,0,1)) = 0.615384615384615; all tied -> 0', () => {
    expect(rel(logRank([1, 2, 3, 4], [1, 1, 1, 1], [0, 1, 0, 1]).statistic!, 0.615384615384615)).toBeLessThan(1e-12);
    // survdiff(Surv(rep(5, 8), c(1,1,1,0,1,1,0,1)) ~ rep(0:1, each = 4))$chisq = 0
    expect(logRank(new Array(8).fill(5), [1, 1, 1, 0, 1, 1, 0, 1], [0, 0, 0, 0, 1, 1, 1, 1]).statistic).toBe(0);
    // no events in arm 1: survdiff(Surv(c(3,5,7,9,4,6,8,10), c(1,1,0,1,0,0,0,0)) ~ a)$chisq = 3
    const a = [0, 0, 0, 0, 1, 1, 1, 1];
    expect(rel(logRank([3, 5, 7, 9, 4, 6, 8, 10], [1, 1, 0, 1, 0, 0, 0, 0], a).statistic!, 3)).toBeLessThan(1e-12);
    // one event: ... c(0,1,0,0,0,0,0,0) ... $chisq = 1
    expect(rel(logRank([3, 5, 7, 9, 4, 6, 8, 10], [0, 1, 0, 0, 0, 0, 0, 0], a).statistic!, 1)).toBeLessThan(1e-12);
  });

  it('has no statistic when there are no events', () => {
    const lr = logRank([1, 2, 3], [0, 0, 0], [0, 1, 0]);
    expect(lr.statistic).toBeNull();
    expect(lr.pValue).toBeNull();
    expect(lr.df).toBe(0);
  });
});

describe('Cox regression, Efron ties (R coxph)', () => {
  it('matches coxph(Surv(time, status) ~ arm, v): coef, SE, loglik, LR and score tests', async () => {
    const v = await veteran();
    const fit = coxRegression(v.time!, v.status!, [{ name: 'arm', values: v.arm }]);
    const b = fit.coefficients[0]!;
    expect(rel(b.estimate, 0.0177425695187366)).toBeLessThan(1e-6);
    expect(rel(b.stdError, 0.18066101228769)).toBeLessThan(1e-6);
    expect(rel(fit.logLikNull, -505.449054918058)).toBeLessThan(1e-12);
    expect(rel(fit.logLik, -505.444233228747)).toBeLessThan(1e-10);
    // summary(fit)$logtest, $sctest
    expect(rel(fit.likelihoodRatio.statistic, 0.00964337862239972)).toBeLessThan(1e-5);
    expect(rel(fit.score!.statistic, 0.00964528282457525)).toBeLessThan(1e-9);
    expect(rel(fit.score!.pValue, 0.921765223751385)).toBeLessThan(1e-9);
    expect(b.possiblyInfinite).toBe(false);
    expect(fit.converged).toBe(true);
  });

  it('matches coxph(Surv(time, status) ~ arm + karno + age, v) with its Wald CI', async () => {
    const v = await veteran();
    const fit = coxRegression(v.time!, v.status!, [
      { name: 'arm', values: v.arm },
      { name: 'karno', values: v.karno! },
      { name: 'age', values: v.age! },
    ]);
    const est = [0.18954644192337786, -0.03444389683874909, -0.00386441787397457];
    const se = [0.18553066502305918, 0.00523241490055477, 0.00918738465815066];
    // summary(fit)$conf.int[, c("lower .95", "upper .95")]
    const ci = [
      [0.840223812191274, 1.738773297912192],
      [0.956285049351964, 0.976101646408514],
      [0.978366083073228, 1.014243003792234],
    ];
    fit.coefficients.forEach((c, j) => {
      expect(rel(c.estimate, est[j]!)).toBeLessThan(1e-6);
      expect(rel(c.stdError, se[j]!)).toBeLessThan(1e-6);
      expect(rel(c.confLow, ci[j]![0]!)).toBeLessThan(1e-6);
      expect(rel(c.confHigh, ci[j]![1]!)).toBeLessThan(1e-6);
    });
    expect(rel(fit.logLik, -483.87798003783)).toBeLessThan(1e-10);
  });

  it('uses Efron, not Breslow, on tied data: coxph(Surv(time, status) ~ arm + x1 + x2, s)', async () => {
    const s = await ties();
    const one = coxRegression(s.time!, s.status!, [{ name: 'arm', values: s.arm! }]);
    // coxph(Surv(time, status) ~ arm, s): -0.365185388774949 (Breslow gives -0.367124962460252)
    expect(rel(one.coefficients[0]!.estimate, -0.365185388774949)).toBeLessThan(1e-6);
    expect(rel(one.coefficients[0]!.stdError, 0.280957039278074)).toBeLessThan(1e-6);
    expect(rel(one.logLik, -211.453680888892876)).toBeLessThan(1e-10);
    const fit = coxRegression(s.time!, s.status!, [
      { name: 'arm', values: s.arm! },
      { name: 'x1', values: s.x1! },
      { name: 'x2', values: s.x2! },
    ]);
    // summary(fit)$coefficients: coef, se(coef), z, Pr(>|z|)
    const ref = [
      [-0.3831767091353959, 0.2911732422972885, -1.315975005506075, 0.188182431932011],
      [0.0153945852989757, 0.0170269437860181, 0.904130858270479, 0.365926017386742],
      [-0.113243920617481, 0.2955167123775174, -0.383206485028887, 0.701566670016282],
    ];
    fit.coefficients.forEach((c, j) => {
      const [b, se, z, p] = ref[j]!;
      expect(rel(c.estimate, b!)).toBeLessThan(1e-6);
      expect(rel(c.stdError, se!)).toBeLessThan(1e-6);
      expect(rel(c.statistic, z!)).toBeLessThan(1e-6);
      expect(rel(c.pValue, p!)).toBeLessThan(1e-6);
    });
    expect(rel(fit.logLik, -210.949971828539)).toBeLessThan(1e-10);
  });

  it('small and degenerate cases', () => {
    // exp(coef(coxph(Surv(c(1,2,3,4,5,6), c(1,1,1,1,0,1)) ~ c(0,1,0,1,0,1)))) = 0.760371752457079
    const small = coxRegression([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], [{ name: 'arm', values: [0, 1, 0, 1, 0, 1] }]);
    expect(rel(small.coefficients[0]!.hazardRatio, 0.760371752457079)).toBeLessThan(1e-6);
    // All times tied: coxph(Surv(rep(5, 8), c(1,1,1,0,1,1,0,1)) ~ a): coef 0, se 0.816496580927726
    const tied = coxRegression(
      new Array(8).fill(5),
      [1, 1, 1, 0, 1, 1, 0, 1],
      [{ name: 'a', values: [0, 0, 0, 0, 1, 1, 1, 1] }],
    );
    expect(Math.abs(tied.coefficients[0]!.estimate)).toBeLessThan(1e-12);
    expect(rel(tied.coefficients[0]!.stdError, 0.816496580927726)).toBeLessThan(1e-6);
    // No events in arm 1: R "did not converge", coef -21.2 (infinite): flagged here.
    const a = [0, 0, 0, 0, 1, 1, 1, 1];
    const mono = coxRegression([3, 5, 7, 9, 4, 6, 8, 10], [1, 1, 0, 1, 0, 0, 0, 0], [{ name: 'a', values: a }]);
    expect(mono.coefficients[0]!.possiblyInfinite).toBe(true);
    // One event: the coefficient is infinite too.
    const one = coxRegression([3, 5, 7, 9, 4, 6, 8, 10], [0, 1, 0, 0, 0, 0, 0, 0], [{ name: 'a', values: a }]);
    expect(one.coefficients[0]!.possiblyInfinite).toBe(true);
    expect(() => coxRegression([1, 2], [0, 0], [{ name: 'a', values: [0, 1] }])).toThrow(CoxDesignError);
    expect(() => coxRegression([1, 2, 3], [1, 1, 0], [{ name: 'a', values: [1, 1, 1] }])).toThrow(
      'the information matrix is singular: covariate(s) a are constant among those at risk or collinear',
    );
  });

  it('fits a million rows in a few seconds', () => {
    const n = 1_000_000;
    const time = new Float64Array(n);
    const status = new Float64Array(n);
    const arm = new Float64Array(n);
    let seed = 12345;
    const unif = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed + 0.5) / 4294967296;
    };
    for (let i = 0; i < n; i++) {
      arm[i] = i % 2;
      const t = Math.ceil(-Math.log(unif()) / (0.002 * Math.exp(-0.3 * arm[i]!)));
      time[i] = Math.min(t, 365);
      status[i] = t <= 365 ? 1 : 0;
    }
    const start = performance.now();
    const fit = coxRegression(time, status, [{ name: 'arm', values: arm }]);
    const seconds = (performance.now() - start) / 1000;
    expect(Math.abs(fit.coefficients[0]!.estimate + 0.3)).toBeLessThan(0.02);
    expect(seconds).toBeLessThan(8);
  });
});

describe('sortedOrder', () => {
  /** The reference: indices sorted by time, ties in input order (a stable comparator sort). */
  const reference = (t: number[]) => [...t.keys()].sort((a, b) => t[a]! - t[b]! || a - b);
  it('whole numbers (counting sort) and fractions (rank sort) give the stable ascending order', () => {
    let state = 7;
    const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const cases: number[][] = [
      [3, 1, 2, 1, 3, 0],
      [-5, 10, -5, 0, 365, 365, 1],
      Array.from({ length: 2000 }, () => Math.floor(rand() * 400)),
      Array.from({ length: 50 }, () => Math.floor(rand() * 1e6)), // spread too wide: rank sort
      Array.from({ length: 500 }, () => Math.round(rand() * 100) / 4), // fractions: rank sort
      [7],
    ];
    for (const t of cases) expect([...sortedOrder(t)]).toEqual(reference(t));
    expect([...sortedOrder(new Int32Array([2, -1, 2, 0]))]).toEqual([1, 3, 0, 2]);
  });
});
