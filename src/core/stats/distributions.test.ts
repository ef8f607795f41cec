import { describe, expect, it } from 'vitest';
import {
  dbinom,
  dnorm,
  dpois,
  dt,
  lbeta,
  lchoose,
  lgamma,
  pbeta,
  pbinom,
  pchisq,
  pf,
  pnorm,
  pnt,
  ppois,
  pt,
  qnorm,
  qt,
} from './distributions.js';

/** Relative error, with an absolute floor for exact zeros. */
function relErr(got: number, ref: number): number {
  if (ref === 0) return Math.abs(got);
  return Math.abs(got - ref) / Math.abs(ref);
}

// Reference values from R 4 (nmath), each printed with sprintf('%.17g', <call>).
// Body and tails must agree to 1e-10 relative.
const TABLE: Array<[string, () => number, number]> = [
  ['pnorm(0)', () => pnorm(0), 0.5], // R: sprintf('%.17g', pnorm(0))
  ['pnorm(1.96)', () => pnorm(1.96), 0.97500210485177963], // R: sprintf('%.17g', pnorm(1.96))
  ['pnorm(-1.96)', () => pnorm(-1.96), 0.024997895148220428], // R: sprintf('%.17g', pnorm(-1.96))
  ['pnorm(0.3)', () => pnorm(0.3), 0.61791142218895267], // R: sprintf('%.17g', pnorm(0.3))
  ['pnorm(-2.5)', () => pnorm(-2.5), 0.0062096653257761349], // R: sprintf('%.17g', pnorm(-2.5))
  ['pnorm(2.9)', () => pnorm(2.9), 0.99813418669961596], // R: sprintf('%.17g', pnorm(2.9))
  ['pnorm(-2.9)', () => pnorm(-2.9), 0.0018658133003840384], // R: sprintf('%.17g', pnorm(-2.9))
  ['pnorm(-5)', () => pnorm(-5), 2.8665157187919391e-7], // R: sprintf('%.17g', pnorm(-5))
  ['pnorm(-10)', () => pnorm(-10), 7.6198530241605269e-24], // R: sprintf('%.17g', pnorm(-10))
  ['pnorm(-30)', () => pnorm(-30), 4.9067139271481872e-198], // R: sprintf('%.17g', pnorm(-30))
  ['pnorm(-38)', () => pnorm(-38), 0], // R: sprintf('%.17g', pnorm(-38))
  ['pnorm(8, lower.tail=FALSE)', () => pnorm(8, false), 6.2209605742717849e-16], // R: sprintf('%.17g', pnorm(8, lower.tail=FALSE))
  ['pnorm(2.828, lower.tail=FALSE)', () => pnorm(2.828, false), 0.002341990326822471], // R: sprintf('%.17g', pnorm(2.828, lower.tail=FALSE))
  ['pnorm(2.83, lower.tail=FALSE)', () => pnorm(2.83, false), 0.0023274002067315545], // R: sprintf('%.17g', pnorm(2.83, lower.tail=FALSE))
  ['pnorm(1e-10)', () => pnorm(1e-10), 0.5000000000398942], // R: sprintf('%.17g', pnorm(1e-10))
  ['qnorm(0.975)', () => qnorm(0.975), 1.9599639845400536], // R: sprintf('%.17g', qnorm(0.975))
  ['qnorm(0.5)', () => qnorm(0.5), 0], // R: sprintf('%.17g', qnorm(0.5))
  ['qnorm(0.8)', () => qnorm(0.8), 0.84162123357291441], // R: sprintf('%.17g', qnorm(0.8))
  ['qnorm(1e-12)', () => qnorm(1e-12), -7.0344838253011321], // R: sprintf('%.17g', qnorm(1e-12))
  ['qnorm(1e-300)', () => qnorm(1e-300), -37.047096299361201], // R: sprintf('%.17g', qnorm(1e-300))
  ['qnorm(0.3)', () => qnorm(0.3), -0.52440051270804067], // R: sprintf('%.17g', qnorm(0.3))
  ['qnorm(1e-5, lower.tail=FALSE)', () => qnorm(1e-5, false), 4.2648907939228256], // R: sprintf('%.17g', qnorm(1e-5, lower.tail=FALSE))
  ['qnorm(0.999999)', () => qnorm(0.999999), 4.7534243088170891], // R: sprintf('%.17g', qnorm(0.999999))
  ['qnorm(0.49999)', () => qnorm(0.49999), -2.5066282748960018e-5], // R: sprintf('%.17g', qnorm(0.49999))
  ['pt(2, 10)', () => pt(2, 10), 0.96330598261462974], // R: sprintf('%.17g', pt(2, 10))
  ['pt(-40, 3)', () => pt(-40, 3), 1.719034039457927e-5], // R: sprintf('%.17g', pt(-40, 3))
  ['pt(0.1, 5)', () => pt(0.1, 5), 0.53788492942266974], // R: sprintf('%.17g', pt(0.1, 5))
  ['pt(-2.5, 1)', () => pt(-2.5, 1), 0.12111894159084335], // R: sprintf('%.17g', pt(-2.5, 1))
  ['pt(3, 2, lower.tail=FALSE)', () => pt(3, 2, false), 0.047732983133354563], // R: sprintf('%.17g', pt(3, 2, lower.tail=FALSE))
  ['pt(1.5, 1000)', () => pt(1.5, 1000), 0.93303498058895684], // R: sprintf('%.17g', pt(1.5, 1000))
  ['pt(-8, 50)', () => pt(-8, 50), 8.3164830141606713e-11], // R: sprintf('%.17g', pt(-8, 50))
  ['pt(1e-5, 7)', () => pt(1e-5, 7), 0.5000038499145083], // R: sprintf('%.17g', pt(1e-5, 7))
  ['pt(2.2, 4.5)', () => pt(2.2, 4.5), 0.95744234048816679], // R: sprintf('%.17g', pt(2.2, 4.5))
  ['pt(-200, 1.5)', () => pt(-200, 1.5), 0.00013331708804964861], // R: sprintf('%.17g', pt(-200, 1.5))
  ['pt(0.7, 100000)', () => pt(0.7, 100000), 0.7580355335763389], // R: sprintf('%.17g', pt(0.7, 100000))
  ['qt(0.975, 10)', () => qt(0.975, 10), 2.2281388519862739], // R: sprintf('%.17g', qt(0.975, 10))
  ['qt(0.8, 18)', () => qt(0.8, 18), 0.86204866798959878], // R: sprintf('%.17g', qt(0.8, 18))
  ['qt(1e-12, 3)', () => qt(1e-12, 3), -10331.108244292485], // R: sprintf('%.17g', qt(1e-12, 3))
  ['qt(0.995, 1)', () => qt(0.995, 1), 63.656741162871526], // R: sprintf('%.17g', qt(0.995, 1))
  ['qt(0.9, 2)', () => qt(0.9, 2), 1.8856180831641269], // R: sprintf('%.17g', qt(0.9, 2))
  ['qt(0.975, 1000)', () => qt(0.975, 1000), 1.9623390808264076], // R: sprintf('%.17g', qt(0.975, 1000))
  ['qt(1e-8, 5, lower.tail=FALSE)', () => qt(1e-8, 5, false), 62.404506110967276], // R: sprintf('%.17g', qt(1e-8, 5, lower.tail=FALSE))
  ['qt(0.6, 4.5)', () => qt(0.6, 4.5), 0.2687518355421753], // R: sprintf('%.17g', qt(0.6, 4.5))
  ['qt(0.95, 58)', () => qt(0.95, 58), 1.671552762454859], // R: sprintf('%.17g', qt(0.95, 58))
  ['qt(1e-20, 2)', () => qt(1e-20, 2), -7071067811.8654757], // R: sprintf('%.17g', qt(1e-20, 2))
  ['pchisq(3.84, 1)', () => pchisq(3.84, 1), 0.94995647875129474], // R: sprintf('%.17g', pchisq(3.84, 1))
  ['pchisq(200, 3, lower.tail=FALSE)', () => pchisq(200, 3, false), 4.2185411071920418e-43], // R: sprintf('%.17g', pchisq(200, 3, lower.tail=FALSE))
  ['pchisq(0.5, 10)', () => pchisq(0.5, 10), 6.6117105610342458e-6], // R: sprintf('%.17g', pchisq(0.5, 10))
  ['pchisq(10, 10)', () => pchisq(10, 10), 0.55950671493478754], // R: sprintf('%.17g', pchisq(10, 10))
  ['pchisq(1e-5, 1)', () => pchisq(1e-5, 1), 0.0025231283168055977], // R: sprintf('%.17g', pchisq(1e-5, 1))
  ['pchisq(1500, 1000, lower.tail=FALSE)', () => pchisq(1500, 1000, false), 1.0454640385979652e-22], // R: sprintf('%.17g', pchisq(1500, 1000, lower.tail=FALSE))
  ['pchisq(0.1, 0.5)', () => pchisq(0.1, 0.5), 0.51655532083046563], // R: sprintf('%.17g', pchisq(0.1, 0.5))
  ['pchisq(30, 2)', () => pchisq(30, 2), 0.99999969409767953], // R: sprintf('%.17g', pchisq(30, 2))
  ['lgamma(0.5)', () => lgamma(0.5), 0.57236494292470008], // R: sprintf('%.17g', lgamma(0.5))
  ['lgamma(10.3)', () => lgamma(10.3), 13.482036786138359], // R: sprintf('%.17g', lgamma(10.3))
  ['lgamma(100)', () => lgamma(100), 359.1342053695754], // R: sprintf('%.17g', lgamma(100))
  ['lgamma(1e-8)', () => lgamma(1e-8), 18.420680738180209], // R: sprintf('%.17g', lgamma(1e-8))
  ['lgamma(3.7)', () => lgamma(3.7), 1.4280723266653881], // R: sprintf('%.17g', lgamma(3.7))
  ['lgamma(1e6)', () => lgamma(1e6), 12815504.569147611], // R: sprintf('%.17g', lgamma(1e6))
  ['lgamma(-2.5)', () => lgamma(-2.5), -0.056243716497674033], // R: sprintf('%.17g', lgamma(-2.5))
  ['lgamma(1.5)', () => lgamma(1.5), -0.12078223763524518], // R: sprintf('%.17g', lgamma(1.5))
  ['lchoose(10,3)', () => lchoose(10, 3), 4.7874917427820458], // R: sprintf('%.17g', lchoose(10,3))
  ['lchoose(1000, 400)', () => lchoose(1000, 400), 669.35214512554546], // R: sprintf('%.17g', lchoose(1000, 400))
  ['lchoose(5.5, 2)', () => lchoose(5.5, 2), 2.515678308454754], // R: sprintf('%.17g', lchoose(5.5, 2))
  ['pbeta(0.5, 2, 3)', () => pbeta(0.5, 2, 3), 0.6875], // R: sprintf('%.17g', pbeta(0.5, 2, 3))
  ['pbeta(0.01, 0.5, 20)', () => pbeta(0.01, 0.5, 20), 0.47136993548501577], // R: sprintf('%.17g', pbeta(0.01, 0.5, 20))
  ['pbeta(0.999, 30, 2)', () => pbeta(0.999, 30, 2), 0.99954389628097839], // R: sprintf('%.17g', pbeta(0.999, 30, 2))
  ['pbeta(0.3, 200, 150)', () => pbeta(0.3, 200, 150), 3.7933686992520888e-26], // R: sprintf('%.17g', pbeta(0.3, 200, 150))
  ['pbeta(1e-10, 2, 5)', () => pbeta(1e-10, 2, 5), 1.4999999996000024e-19], // R: sprintf('%.17g', pbeta(1e-10, 2, 5))
  ['pbeta(0.7, 0.3, 0.4)', () => pbeta(0.7, 0.3, 0.4), 0.67639105548889011], // R: sprintf('%.17g', pbeta(0.7, 0.3, 0.4))
  ['pbeta(0.2, 1000, 1000)', () => pbeta(0.2, 1000, 1000), 2.2479089280361154e-196], // R: sprintf('%.17g', pbeta(0.2, 1000, 1000))
  ['dbinom(3, 10, 0.3)', () => dbinom(3, 10, 0.3), 0.26682793199999993], // R: sprintf('%.17g', dbinom(3, 10, 0.3))
  ['dbinom(0, 100, 0.02)', () => dbinom(0, 100, 0.02), 0.13261955589475319], // R: sprintf('%.17g', dbinom(0, 100, 0.02))
  ['dbinom(500, 1000, 0.5)', () => dbinom(500, 1000, 0.5), 0.025225018178360804], // R: sprintf('%.17g', dbinom(500, 1000, 0.5))
  ['dbinom(20, 20, 0.9)', () => dbinom(20, 20, 0.9), 0.12157665459056936], // R: sprintf('%.17g', dbinom(20, 20, 0.9))
  ['dbinom(1, 1e5, 1e-6)', () => dbinom(1, 1e5, 1e-6), 0.090483827763233701], // R: sprintf('%.17g', dbinom(1, 1e5, 1e-6))
  ['pbinom(3, 10, 0.3)', () => pbinom(3, 10, 0.3), 0.64961071840000018], // R: sprintf('%.17g', pbinom(3, 10, 0.3))
  ['pbinom(3, 10, 0.3, lower.tail=FALSE)', () => pbinom(3, 10, 0.3, false), 0.35038928159999977], // R: sprintf('%.17g', pbinom(3, 10, 0.3, lower.tail=FALSE))
  ['pbinom(0, 50, 0.1)', () => pbinom(0, 50, 0.1), 0.0051537752073201127], // R: sprintf('%.17g', pbinom(0, 50, 0.1))
  ['pbinom(90, 100, 0.5, lower.tail=FALSE)', () => pbinom(90, 100, 0.5, false), 1.6610244897268272e-18], // R: sprintf('%.17g', pbinom(90, 100, 0.5, lower.tail=FALSE))
  ['pbinom(450, 1000, 0.5)', () => pbinom(450, 1000, 0.5), 0.00086526804248815816], // R: sprintf('%.17g', pbinom(450, 1000, 0.5))
  ['dpois(2, 3)', () => dpois(2, 3), 0.22404180765538773], // R: sprintf('%.17g', dpois(2, 3))
  ['dpois(0, 5)', () => dpois(0, 5), 0.006737946999085467], // R: sprintf('%.17g', dpois(0, 5))
  ['dpois(100, 80)', () => dpois(100, 80), 0.0039394581591992595], // R: sprintf('%.17g', dpois(100, 80))
  ['dpois(0, 1e-8)', () => dpois(0, 1e-8), 0.99999999000000006], // R: sprintf('%.17g', dpois(0, 1e-8))
  ['dpois(1000, 1000)', () => dpois(1000, 1000), 0.012614611348721503], // R: sprintf('%.17g', dpois(1000, 1000))
  ['ppois(2, 3)', () => ppois(2, 3), 0.42319008112684348], // R: sprintf('%.17g', ppois(2, 3))
  ['ppois(2, 3, lower.tail=FALSE)', () => ppois(2, 3, false), 0.57680991887315658], // R: sprintf('%.17g', ppois(2, 3, lower.tail=FALSE))
  ['ppois(150, 100, lower.tail=FALSE)', () => ppois(150, 100, false), 1.2330944191600362e-6], // R: sprintf('%.17g', ppois(150, 100, lower.tail=FALSE))
  ['ppois(10, 50)', () => ppois(10, 50), 6.4501529184977259e-12], // R: sprintf('%.17g', ppois(10, 50))
  ['ppois(0, 0.5)', () => ppois(0, 0.5), 0.60653065971263342], // R: sprintf('%.17g', ppois(0, 0.5))
  ['pf(4.96, 1, 10)', () => pf(4.96, 1, 10), 0.94991234943353187], // R: sprintf('%.17g', pf(4.96, 1, 10))
  ['pf(2, 3, 20, lower.tail=FALSE)', () => pf(2, 3, 20, false), 0.14643880308662147], // R: sprintf('%.17g', pf(2, 3, 20, lower.tail=FALSE))
  ['pf(0.1, 5, 5)', () => pf(0.1, 5, 5), 0.012241916531069715], // R: sprintf('%.17g', pf(0.1, 5, 5))
  ['pf(50, 2, 100, lower.tail=FALSE)', () => pf(50, 2, 100, false), 8.8817841970012484e-16], // R: sprintf('%.17g', pf(50, 2, 100, lower.tail=FALSE))
  ['pf(1.2, 300, 400)', () => pf(1.2, 300, 400), 0.95525465931662046], // R: sprintf('%.17g', pf(1.2, 300, 400))
];

// Noncentral t (R: pt(x, df, ncp = d)). AS 243 stops at an absolute error bound of 1e-12, and R
// sums in long double, so values are compared to 1e-10 relative plus 1e-14 absolute: results
// below ~1e-6 (e.g. pt(-2.1, 18, ncp = 2.8) = 1.9e-6, computed by R as 1 - sum) agree in absolute terms.
const PNT_TABLE: Array<[string, () => number, number]> = [
  ['pnt(1.5, 10, 0)', () => pnt(1.5, 10, 0), 0.9177463367772799], // R: sprintf('%.17g', pt(1.5, 10, ncp = 0))
  ['pnt(2, 10, 1)', () => pnt(2, 10, 1), 0.80761156253031108], // R: sprintf('%.17g', pt(2, 10, ncp = 1))
  ['pnt(2.1, 18, 2.8)', () => pnt(2.1, 18, 2.8), 0.24538175737173898], // R: sprintf('%.17g', pt(2.1, 18, ncp = 2.8))
  ['pnt(2.1, 18, 2.8, lower.tail=FALSE)', () => pnt(2.1, 18, 2.8, false), 0.75461824262826105], // R: sprintf('%.17g', pt(2.1, 18, ncp = 2.8, lower.tail = FALSE))
  ['pnt(-2.1, 18, 2.8)', () => pnt(-2.1, 18, 2.8), 1.9023205263257736e-6], // R: sprintf('%.17g', pt(-2.1, 18, ncp = 2.8))
  ['pnt(-1, 5, -1)', () => pnt(-1, 5, -1), 0.51907385875803802], // R: sprintf('%.17g', pt(-1, 5, ncp = -1))
  ['pnt(1.97, 248, 3.5, lower.tail=FALSE)', () => pnt(1.97, 248, 3.5, false), 0.93649825188214741], // R: sprintf('%.17g', pt(1.97, 248, ncp = 3.5, lower.tail = FALSE))
  ['pnt(5, 30, 25)', () => pnt(5, 30, 25), 3.8195888743107994e-74], // R: sprintf('%.17g', pt(5, 30, ncp = 25))
  ['pnt(40, 30, 38)', () => pnt(40, 30, 38), 0.6243258890386274], // R: sprintf('%.17g', pt(40, 30, ncp = 38))
  ['pnt(50, 30, 45)', () => pnt(50, 30, 45), 0.7585596119314465], // R: sprintf('%.17g', pt(50, 30, ncp = 45))
  ['pnt(0.5, 3, 0.2)', () => pnt(0.5, 3, 0.2), 0.60077194501167541], // R: sprintf('%.17g', pt(0.5, 3, ncp = 0.2))
  ['pnt(1, 2, 10)', () => pnt(1, 2, 10), 1.869556010521459e-15], // R: sprintf('%.17g', pt(1, 2, ncp = 10))
  ['pnt(-1.97, 248, 0.3)', () => pnt(-1.97, 248, 0.3), 0.011934733009840715], // R: sprintf('%.17g', pt(-1.97, 248, ncp = 0.3))
  // Normal-approximation branches (df > 4e5; ncp^2 > 1415) and the quick left tail for ncp > 40:
  ['pnt(2, 5e5, 1.5)', () => pnt(2, 5e5, 1.5), 0.69146175714476787], // R: sprintf('%.17g', pt(2, 5e5, ncp = 1.5))
  ['pnt(45, 60, 40)', () => pnt(45, 60, 40), 0.87249744946525487], // R: sprintf('%.17g', pt(45, 60, ncp = 40))
  ['pnt(-1, 10, 45)', () => pnt(-1, 10, 45), 0], // R: pt(-1, 10, ncp = 45)
  ['pnt(-1, 10, 45, upper)', () => pnt(-1, 10, 45, false), 1], // R: pt(-1, 10, ncp = 45, lower.tail = FALSE)
];

describe('distributions agree with R', () => {
  it.each(TABLE)('%s', (_label, f, ref) => {
    expect(relErr(f(), ref)).toBeLessThanOrEqual(1e-10);
  });
  it.each(PNT_TABLE)('%s', (_label, f, ref) => {
    expect(Math.abs(f() - ref)).toBeLessThanOrEqual(1e-10 * Math.abs(ref) + 1e-14);
  });
});

describe('tails are computed directly, not as 1 - p', () => {
  it('upper and lower tails sum to one and the small one keeps full relative precision', () => {
    // R: sprintf('%.17g', pnorm(30, lower.tail = FALSE)) == pnorm(-30)
    expect(relErr(pnorm(30, false), 4.9067139271481872e-198)).toBeLessThan(1e-12);
    // R: sprintf('%.17g', pt(40, 3, lower.tail = FALSE))
    expect(relErr(pt(40, 3, false), 1.719034039457927e-5)).toBeLessThan(1e-12);
    for (const [x, df] of [
      [0.3, 4],
      [2.5, 30],
      [-1.2, 7.5],
    ] as const) {
      expect(pt(x, df) + pt(x, df, false)).toBeCloseTo(1, 14);
      expect(pchisq(Math.abs(x), df) + pchisq(Math.abs(x), df, false)).toBeCloseTo(1, 14);
    }
  });
});

describe('quantiles invert the distribution functions', () => {
  it('qnorm(pnorm(x)) = x over the whole range', () => {
    for (const x of [-37, -20, -8.5, -3, -1, -0.2, 0.05, 0.7, 2, 5, 8]) {
      // Above x = 2 the round trip through Phi(x) ~ 1 is ill-conditioned, so only the tail form is checked.
      if (x <= 2) expect(relErr(qnorm(pnorm(x)), x)).toBeLessThan(1e-13);
      if (x > 2) expect(relErr(qnorm(pnorm(x, false), false), x)).toBeLessThan(1e-13);
      // Upper-tail form: qnorm(Q(-x), lowerTail = false) = -x, with Q(-x) = Phi(x) small for x < 0.
      if (x < 0) expect(relErr(qnorm(pnorm(-x, false), false), -x)).toBeLessThan(1e-13);
    }
  });
  it('pt(qt(p, df), df) = p, including heavy tails where df < 1', () => {
    for (const df of [0.54, 0.9, 1, 2, 3.5, 10, 58, 1000]) {
      for (const p of [1e-14, 1e-8, 0.001, 0.025, 0.3, 0.4999]) {
        expect(relErr(pt(qt(p, df), df), p)).toBeLessThan(1e-12);
        expect(relErr(pt(qt(p, df, false), df, false), p)).toBeLessThan(1e-12);
      }
    }
  });
  it('qt is the Cauchy quantile when df = 1', () => {
    // R: sprintf('%.17g', qt(0.995, 1)) and qt(0.995, 1) == tan(pi * 0.495)
    expect(relErr(qt(0.995, 1), 63.656741162871526)).toBeLessThan(1e-13);
  });
  it('infinite df is the normal', () => {
    expect(qt(0.975, Infinity)).toBe(qnorm(0.975));
    expect(pt(1.3, Infinity)).toBe(pnorm(1.3));
  });
});

describe('densities and helpers', () => {
  it('dnorm, dt and lbeta agree with R', () => {
    // R: sprintf('%.17g', dnorm(1.5)); dt(1.5, 4); lbeta(3.5, 200); lbeta(0.5, 1e6)
    expect(relErr(dnorm(1.5), 0.12951759566589174)).toBeLessThan(1e-13);
    expect(relErr(dt(1.5, 4), 0.12287999999999999)).toBeLessThan(1e-13);
    expect(relErr(lbeta(3.5, 200), -17.364903596257935)).toBeLessThan(1e-13);
    expect(relErr(lbeta(0.5, 1e6), -6.3353902110574367)).toBeLessThan(1e-13);
  });
  it('pnt with ncp = 0 is the central t', () => {
    expect(pnt(1.7, 12, 0)).toBe(pt(1.7, 12));
  });
  it('pbinom and ppois are sums of their densities', () => {
    let s = 0;
    for (let k = 0; k <= 7; k++) s += dbinom(k, 20, 0.35);
    expect(relErr(pbinom(7, 20, 0.35), s)).toBeLessThan(1e-13);
    s = 0;
    for (let k = 0; k <= 4; k++) s += dpois(k, 2.2);
    expect(relErr(ppois(4, 2.2), s)).toBeLessThan(1e-13);
  });
  it('lgamma has poles at non-positive integers and lchoose matches log C(n,k)', () => {
    expect(lgamma(0)).toBe(Infinity);
    expect(lgamma(-3)).toBe(Infinity);
    expect(relErr(lchoose(52, 5), Math.log(2598960))).toBeLessThan(1e-14);
  });
});

describe('invalid parameters throw RangeError instead of returning NaN', () => {
  it.each([
    ['pt df 0', () => pt(1, 0), 'pt: df must be > 0, got 0'],
    ['qt p 1.2', () => qt(1.2, 5), 'qt: p must be in [0, 1], got 1.2'],
    ['qnorm p -0.1', () => qnorm(-0.1), 'qnorm: p must be in [0, 1], got -0.1'],
    ['qnorm NaN', () => qnorm(Number.NaN), 'qnorm: p must be in [0, 1], got NaN'],
    ['pchisq df -1', () => pchisq(1, -1), 'pchisq: df must be > 0, got -1'],
    ['pnt df 0', () => pnt(1, 0, 1), 'pnt: df must be > 0, got 0'],
    ['pnt ncp Inf', () => pnt(1, 5, Infinity), 'pnt: ncp must be a finite number, got Infinity'],
    ['pbeta a 0', () => pbeta(0.5, 0, 1), 'pbeta: a must be > 0, got 0'],
    ['dbinom n 2.5', () => dbinom(1, 2.5, 0.5), 'dbinom: n must be a non-negative integer, got 2.5'],
    ['pbinom p 2', () => pbinom(1, 5, 2), 'pbinom: p must be in [0, 1], got 2'],
    ['dpois lambda -1', () => dpois(1, -1), 'dpois: lambda must be finite and >= 0, got -1'],
    ['pf df2 0', () => pf(1, 2, 0), 'pf: df2 must be > 0, got 0'],
    ['pnorm NaN', () => pnorm(Number.NaN), 'pnorm: x must be a number, got NaN'],
  ])('%s', (_label, f, message) => {
    expect(f).toThrow(RangeError);
    expect(f).toThrow(message);
  });
  it('boundary probabilities give infinite quantiles', () => {
    expect(qnorm(0)).toBe(-Infinity);
    expect(qnorm(1)).toBe(Infinity);
    expect(qt(1, 4)).toBe(Infinity);
    expect(qt(0, 4, false)).toBe(Infinity);
  });
});
