import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { FREE_SIZE, designSse, mdesFor, powerFor, solveSize } from './powerup.js';

// R reference values: the PowerUpR 1.1.0 formulas of docs/methods.md written out in R (sse(), dfd() per
// design; mdes(): M = qt(alpha/2, df, lower.tail = FALSE) + abs(qt(power, df)); pw(): pt(tc, df,
// ncp = es/sse, lower.tail = FALSE) + pt(-tc, df, ncp = es/sse)); the script is bench/power-reference.R.
function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('MDES: published PowerUpR examples', () => {
  it.each([
    // PowerUpR docs: mdes.ira(n = 250) = 0.356; R formula: 0.35577503935795396, df 248
    ['ira', { n: 250 }, 0.35577503935795396, 248, 0.356],
    // mdes.cra2(rho2 = .17, n = 15, J = 20) = 0.629 (df 18)
    ['cra2', { rho2: 0.17, n: 15, J: 20 }, 0.62900641769142285, 18, 0.629],
    // mdes.cra3(rho3 = .06, rho2 = .17, n = 15, J = 3, K = 60) = 0.269
    ['cra3', { rho3: 0.06, rho2: 0.17, n: 15, J: 3, K: 60 }, 0.26910837004560806, 58, 0.269],
    // mdes.bcra3r2(rho3 = .13, rho2 = .10, omega3 = .4, n = 10, J = 6, K = 24) = 0.246
    ['bcra3r2', { rho3: 0.13, rho2: 0.1, omega3: 0.4, n: 10, J: 6, K: 24 }, 0.2462753476205935, 23, 0.246],
    // mdes.bira2(rho2 = .17, omega2 = .5, n = 15, J = 20) = 0.366
    ['bira2', { rho2: 0.17, omega2: 0.5, n: 15, J: 20 }, 0.36558543739019306, 19, 0.366],
  ] as const)('%s', (design, params, ref, df, published) => {
    const r = mdesFor(design, params);
    expect(rel(r.mdes, ref)).toBeLessThan(1e-9);
    expect(r.df).toBe(df);
    expect(Number(r.mdes.toFixed(3))).toBe(published);
  });
});

describe('MDES: further designs and options against the R formula', () => {
  it('ira CI and multiplier', () => {
    // R: mdes('ira', n = 250): lo 0.10664123577902064, hi 0.60490884293688729, M 2.8126486475179595, sse 0.12649110640673517
    const r = mdesFor('ira', { n: 250 });
    expect(rel(r.conf_low, 0.10664123577902064)).toBeLessThan(1e-9);
    expect(rel(r.conf_high, 0.60490884293688729)).toBeLessThan(1e-9);
    expect(rel(r.multiplier, 2.8126486475179595)).toBeLessThan(1e-9);
    expect(rel(r.sse, 0.12649110640673517)).toBeLessThan(1e-12);
  });
  it('bira2f1 with covariates', () => {
    // R: mdes('bira2f1', n = 20, J = 10, r21 = .3, g1 = 2) -> 0.33331502509070637, df 178
    const r = mdesFor('bira2f1', { n: 20, J: 10, r21: 0.3, g1: 2 });
    expect(rel(r.mdes, 0.33331502509070637)).toBeLessThan(1e-9);
    expect(r.df).toBe(178);
  });
  it('bcra3f2', () => {
    // R: mdes('bcra3f2', rho2 = .15, n = 20, J = 4, K = 10, r22 = .4, r21 = .2, g2 = 1) -> 0.32894069065253662, df 19
    const r = mdesFor('bcra3f2', { rho2: 0.15, n: 20, J: 4, K: 10, r22: 0.4, r21: 0.2, g2: 1 });
    expect(rel(r.mdes, 0.32894069065253662)).toBeLessThan(1e-9);
    expect(r.df).toBe(19);
  });
  it('cra2 one-tailed, alpha .1, power .9, p = .4', () => {
    // R: mdes('cra2', rho2 = .2, n = 25, J = 40, p = .4, r22 = .5, r21 = .3, g2 = 2, power = .9, alpha = .1, two = FALSE) -> 0.29482654522909857
    const r = mdesFor(
      'cra2',
      { rho2: 0.2, n: 25, J: 40, p: 0.4, r22: 0.5, r21: 0.3, g2: 2 },
      { power: 0.9, alpha: 0.1, twoTailed: false },
    );
    expect(rel(r.mdes, 0.29482654522909857)).toBeLessThan(1e-9);
    expect(rel(r.conf_low, 0.14741327261454928)).toBeLessThan(1e-9);
  });
  it('power below one half uses M = t1 - t2', () => {
    // R: mdes('ira', n = 100, power = .4) -> 0.34608629461255164, M 1.7304314730627581
    const r = mdesFor('ira', { n: 100 }, { power: 0.4 });
    expect(rel(r.mdes, 0.34608629461255164)).toBeLessThan(1e-9);
  });
});

describe('power: noncentral t, both tails', () => {
  it.each([
    // R: pw('ira', es = .25, n = 250)
    ['ira', { n: 250 }, 0.25, true, 0.50355459600358077],
    // R: pw('cra2', es = .3, rho2 = .17, n = 15, J = 20)
    ['cra2', { rho2: 0.17, n: 15, J: 20 }, 0.3, true, 0.26757081584516906],
    // R: pw('cra3', es = .2, rho3 = .06, rho2 = .17, n = 15, J = 3, K = 60)
    ['cra3', { rho3: 0.06, rho2: 0.17, n: 15, J: 3, K: 60 }, 0.2, true, 0.54884938575530184],
    // R: pw('bcra3r2', es = .2, two = FALSE, rho3 = .13, rho2 = .10, omega3 = .4, n = 10, J = 6, K = 24)
    ['bcra3r2', { rho3: 0.13, rho2: 0.1, omega3: 0.4, n: 10, J: 6, K: 24 }, 0.2, false, 0.74559018520520004],
    // R: pw('bira2', es = .3, rho2 = .17, omega2 = .5, n = 15, J = 20)
    ['bira2', { rho2: 0.17, omega2: 0.5, n: 15, J: 20 }, 0.3, true, 0.63322303047238115],
    // R: pw('bcra3f2', es = .25, rho2 = .15, n = 20, J = 4, K = 10, r22 = .4, r21 = .2, g2 = 1)
    ['bcra3f2', { rho2: 0.15, n: 20, J: 4, K: 10, r22: 0.4, r21: 0.2, g2: 1 }, 0.25, true, 0.56785729833087928],
    // R: pw('bira2f1', es = .25, n = 20, J = 10, r21 = .3, g1 = 2)
    ['bira2f1', { n: 20, J: 10, r21: 0.3, g1: 2 }, 0.25, true, 0.55629218601986885],
  ] as const)('%s', (design, params, es, twoTailed, ref) => {
    expect(rel(powerFor(design, params, es, { twoTailed }).power, ref)).toBeLessThan(1e-9);
  });
});

describe('solving for the free size', () => {
  it.each([
    // R: uniroot(function(n) pw('ira', es = .25, n = n) - .8, c(3, 5000), tol = 1e-13)$root; pw at 504 = 0.7998 < .8
    ['ira', {}, 0.25, 0.8, 'n', 504.25500244475569, 505],
    // R: uniroot(function(J) pw('cra2', es = .3, rho2 = .17, n = 15, J = J) - .8, ...)
    ['cra2', { rho2: 0.17, n: 15 }, 0.3, 0.8, 'J', 80.571391529296051, 81],
    ['cra3', { rho3: 0.06, rho2: 0.17, n: 15, J: 3 }, 0.25, 0.8, 'K', 69.174413149156379, 70],
    ['bcra3r2', { rho3: 0.13, rho2: 0.1, omega3: 0.4, n: 10, J: 6 }, 0.25, 0.9, 'K', 30.565852429917005, 31],
    ['bira2', { rho2: 0.17, omega2: 0.5, n: 15 }, 0.3, 0.8, 'J', 28.695162860531042, 29],
    ['bira2f1', { J: 10, r21: 0.3, g1: 2 }, 0.3, 0.8, 'n', 24.629478253517142, 25],
    ['bcra3f2', { rho2: 0.15, n: 20, J: 4, r22: 0.4, r21: 0.2, g2: 1 }, 0.3, 0.8, 'K', 11.810309338665157, 12],
  ] as const)('%s', (design, params, es, power, size, exact, integer) => {
    const r = solveSize(design, params, es, { power });
    expect(r.size).toBe(size);
    expect(rel(r.exact, exact)).toBeLessThan(1e-8);
    expect(r.value).toBe(integer);
    expect(r.power).toBeGreaterThanOrEqual(power);
    expect(powerFor(design, { ...params, [size]: integer - 1 }, es).power).toBeLessThan(power);
  });
});

describe('bad input is a usage error naming the option and the rule', () => {
  it.each([
    [() => mdesFor('cra2', { n: 15, J: 20 }), '--rho2 is required for design cra2'],
    [() => mdesFor('cra2', { rho2: 0.1, n: 15 }), '--J is required for design cra2'],
    [
      () => mdesFor('cra2', { rho2: 0.1, n: 15, J: 2 }),
      'sizes too small for design cra2: df = J - g2 - 2 = 0, must be > 0',
    ],
    [() => mdesFor('ira', { n: 2 }), 'sizes too small for design ira: df = n - g1 - 2 = 0, must be > 0'],
    [() => mdesFor('ira', { n: 100, p: 1 }), '--p (proportion treated) must be strictly between 0 and 1, got 1'],
    [() => mdesFor('ira', { n: 100, r21: 1 }), '--r21 must be in [0, 1), got 1'],
    [() => mdesFor('cra3', { rho2: 0.6, rho3: 0.5, n: 10, J: 3, K: 20 }), '--rho2 + --rho3 must be below 1, got 1.1'],
    [() => powerFor('ira', { n: 100 }, -0.2), '--es must be a positive number, got -0.2'],
    [
      () => solveSize('bcra3f2', { rho2: 0.1, n: 10, J: 2 }, 0.3),
      '--J must be above 2 for design bcra3f2 (df = K (J - 2) - g2), got 2',
    ],
  ])('%#', (f, message) => {
    expect(f).toThrow(UsageError);
    expect(f).toThrow(message);
  });
});

// PowerUpR 1.1.0's help-page cross-checks for the designs added later (bira2c1, bira3, bira4, cra4,
// bcra4f3, bcra4r2, bcra4r3): the package's own R functions, sourced from its repository
// (bench/power-plan-reference.R; output in bench/power-plan-reference.out).
describe('PowerUpR 1.1.0 help-page cross-checks: 4-level designs, bira2c1 and bira3', () => {
  it.each([
    // R: mdes.bira2c1(n = 15, J = 20) = 0.32463419250124542 (df 279); power.bira2c1(es = .325, ...) = 0.80092253500869981;
    //    uniroot on power.bira2c1(es = .325, n = n, J = 20) = .8: 14.964987202034099; mrss.bira2c1(es = .325, J = 20) = 15
    ['bira2c1', { n: 15, J: 20 }, 0.32463419250124542, 279, 0.325, 0.80092253500869981, 14.964987202034099, 15, 15],
    // R: mdes.bira3(rho3 = .20, rho2 = .15, omega3 = .10, omega2 = .10, n = 69, J = 10, K = 100) = 0.044977329966723913 (df 99);
    //    power.bira3(es = .045, ...) = 0.8004941166234415; root K 99.876478373170187; mrss.bira3 K = 100
    [
      'bira3',
      { rho3: 0.2, rho2: 0.15, omega3: 0.1, omega2: 0.1, n: 69, J: 10, K: 100 },
      0.044977329966723913,
      99,
      0.045,
      0.8004941166234415,
      99.876478373170187,
      100,
      100,
    ],
    // R: mdes.bira4(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .5, omega3 = .5, omega2 = .5, n = 10, J = 4, K = 4, L = 27) = 0.14249497491746174 (df 26);
    //    power.bira4(es = .142, ...) = 0.79744527737214255; root L 27.16298459763842; mrss.bira4 L = 27 (nearest), ours 28
    [
      'bira4',
      { rho4: 0.05, rho3: 0.15, rho2: 0.15, omega4: 0.5, omega3: 0.5, omega2: 0.5, n: 10, J: 4, K: 4, L: 27 },
      0.14249497491746174,
      26,
      0.142,
      0.79744527737214255,
      27.16298459763842,
      28,
      27,
    ],
    // R: mdes.bcra4r2(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .5, omega3 = .5, n = 10, J = 4, K = 4, L = 20) = 0.20625005231455212 (df 19);
    //    power.bcra4r2(es = .206, ...) = 0.79915355970998581; root L 20.038788897724729; mrss.bcra4r2 L = 20, ours 21
    [
      'bcra4r2',
      { rho4: 0.05, rho3: 0.15, rho2: 0.15, omega4: 0.5, omega3: 0.5, n: 10, J: 4, K: 4, L: 20 },
      0.20625005231455212,
      19,
      0.206,
      0.79915355970998581,
      20.038788897724729,
      21,
      20,
    ],
    // R: mdes.bcra4r3(rho4 = .05, rho3 = .15, rho2 = .15, omega4 = .5, n = 10, J = 4, K = 4, L = 20) = 0.3159165011922932 (df 19);
    //    power.bcra4r3(es = .316, ...) = 0.80030988580363738; root L 19.985806127745022; mrss L = 20
    [
      'bcra4r3',
      { rho4: 0.05, rho3: 0.15, rho2: 0.15, omega4: 0.5, n: 10, J: 4, K: 4, L: 20 },
      0.3159165011922932,
      19,
      0.316,
      0.80030988580363738,
      19.985806127745022,
      20,
      20,
    ],
    // R: mdes.cra4(rho4 = .05, rho3 = .05, rho2 = .10, n = 10, J = 2, K = 3, L = 20) = 0.41198435821209706 (df 18);
    //    power.cra4(es = .412, ...) = 0.80010841698260937; root L 19.995093243434628; mrss L = 20
    [
      'cra4',
      { rho4: 0.05, rho3: 0.05, rho2: 0.1, n: 10, J: 2, K: 3, L: 20 },
      0.41198435821209706,
      18,
      0.412,
      0.80010841698260937,
      19.995093243434628,
      20,
      20,
    ],
    // R: mdes.bcra4f3(rho3 = .15, rho2 = .15, n = 10, J = 4, K = 23, L = 15) = 0.1370086872049337 (df 315);
    //    root K (es = .137) 23.000814378507329; mrss.bcra4f3 K = 23, ours 24
    [
      'bcra4f3',
      { rho3: 0.15, rho2: 0.15, n: 10, J: 4, K: 23, L: 15 },
      0.1370086872049337,
      315,
      null,
      null,
      23.000814378507329,
      24,
      23,
    ],
  ] as const)('%s', (design, params, mdes, df, es, power, root, ours, powerUpR) => {
    const m = mdesFor(design, params);
    expect(rel(m.mdes, mdes)).toBeLessThan(1e-9);
    expect(m.df).toBe(df);
    if (es !== null) expect(rel(powerFor(design, params, es).power, power!)).toBeLessThan(1e-9);
    const free = FREE_SIZE[design];
    const rest: Record<string, number> = { ...params };
    delete rest[free];
    const r = solveSize(design, rest, es ?? 0.137);
    expect(r.size).toBe(free);
    expect(rel(r.exact, root)).toBeLessThan(1e-8);
    // Ours: the smallest integer reaching the power; PowerUpR's mrss rounds to the nearest.
    expect(r.value).toBe(ours);
    expect(Math.round(r.exact)).toBe(powerUpR);
  });
  it('cra4 with covariates, one-tailed, power .9', () => {
    // R: mdes.cra4(rho4 = .05, rho3 = .05, rho2 = .10, r21 = .3, r22 = .2, r23 = .8, r24 = .5, g4 = 2, n = 10, J = 2, K = 3, L = 20,
    //    two.tailed = FALSE, power = .9): 0.31133146423170838 [0.13500585612813115, 0.4876570723352856], df 16
    const m = mdesFor(
      'cra4',
      { rho4: 0.05, rho3: 0.05, rho2: 0.1, r21: 0.3, r22: 0.2, r23: 0.8, r24: 0.5, g4: 2, n: 10, J: 2, K: 3, L: 20 },
      { twoTailed: false, power: 0.9 },
    );
    expect(rel(m.mdes, 0.31133146423170838)).toBeLessThan(1e-9);
    expect(rel(m.conf_low, 0.13500585612813115)).toBeLessThan(1e-9);
    expect(rel(m.conf_high, 0.4876570723352856)).toBeLessThan(1e-9);
    expect(m.df).toBe(16);
  });
  it('4-level ICCs must sum below 1', () => {
    expect(() => mdesFor('cra4', { rho4: 0.5, rho3: 0.3, rho2: 0.3, n: 10, J: 2, K: 3, L: 20 })).toThrow(
      '--rho2 + --rho3 + --rho4 must be below 1',
    );
  });
});

// Moderator designs: PowerUpR 1.1.0's help-page cross-checks (man/bira2.Rd, cra2.Rd, cra3.Rd and the
// examples in R/cra3.R), run with the package's own functions in bench/power-plan-reference.R:
// mdes.<d>(...) (mdes, df), power.<d>(es, ...), uniroot on power.<d> = .8 over the free size, mrss.<d>.
describe('PowerUpR 1.1.0 moderator designs (subgroup questions)', () => {
  it.each([
    [
      'mod211',
      { rho2: 0.247, omega2tm: 0.148, r21: 0.493, n: 20, J: 35 },
      0.248,
      0.23094763098802384,
      34,
      0.85291327509983805,
      30.607335707323845,
      31,
    ],
    [
      'mod221',
      { rho2: 0.17, omegam2: 0.1, n: 15, J: 20 },
      0.3563,
      0.3563785820041856,
      18,
      0.7999062555947607,
      20.004243076538845,
      20,
    ],
    [
      'mod221',
      { rho2: 0.17, omegam2: 0, n: 15, J: 20 },
      0.2957,
      0.29575955894758948,
      278,
      0.79988214269355329,
      20.005969202530931,
      20,
    ],
    [
      'mod221',
      { rho2: 0.17, omegam2: 0.1, q: 0.5, n: 15, J: 20 },
      0.647,
      0.64689642260825797,
      18,
      0.80020391185438211,
      19.990771702134694,
      20,
    ],
    [
      'mod221',
      { rho2: 0.17, omegam2: 0, q: 0.5, n: 15, J: 20 },
      0.5915,
      0.59151911789517897,
      278,
      0.80001476356620138,
      19.999252299839732,
      20,
    ],
    [
      'mod222',
      { rho2: 0.17, n: 15, J: 100 },
      0.2742,
      0.27425191054796799,
      96,
      0.79995315656361399,
      100.01123957240483,
      100,
    ],
    [
      'mod222',
      { rho2: 0.17, q: 0.5, n: 15, J: 100 },
      0.5485,
      0.54850382109593598,
      96,
      0.80009614427814235,
      99.976932577738566,
      100,
    ],
    [
      'mod331',
      { rho2: 0.17, rho3: 0.06, omegam2: 0.1, omegam3: 0.1, n: 15, J: 3, K: 60 },
      0.1248,
      0.12477786153866398,
      59,
      0.80028381940158677,
      59.958000818098384,
      60,
    ],
    [
      'mod331',
      { rho2: 0.17, rho3: 0.06, omegam2: 0, omegam3: 0, n: 15, J: 3, K: 60 },
      0.0946,
      0.094660683282338176,
      2458,
      0.79950244477102905,
      60.076080871849264,
      60,
    ],
    [
      'mod331',
      { rho2: 0.17, rho3: 0.06, omegam2: 0.1, omegam3: 0.1, q: 0.5, n: 15, J: 3, K: 60 },
      0.2082,
      0.20818780614437468,
      59,
      0.8001906743599988,
      59.971783209275372,
      60,
    ],
    [
      'mod331',
      { rho2: 0.17, rho3: 0.06, omegam2: 0, omegam3: 0, q: 0.5, n: 15, J: 3, K: 60 },
      0.1893,
      0.18932136656467635,
      2458,
      0.79991709122526833,
      60.012675371206747,
      60,
    ],
    [
      'mod332',
      { rho3: 0.1, rho2: 0.1, omegam3: 0.05, q: 0.5, g2: 1, r21: 0.3, r22: 0.4, r2m3: 0, n: 20, J: 4, K: 60 },
      0.22,
      0.22437614973755066,
      58,
      0.78450769956785349,
      62.306204696523899,
      62,
    ],
    [
      'mod332',
      { rho3: 0.1, rho2: 0.1, omegam3: 0, g2: 1, r21: 0.3, r22: 0.4, r2m3: 0, n: 20, J: 4, K: 60 },
      0.11,
      0.10788724818579079,
      177,
      0.81506106169950332,
      57.73369302500619,
      58,
    ],
    [
      'mod333',
      { rho3: 0.1, rho2: 0.1, q: 0.5, g3: 1, r21: 0.3, r22: 0.4, r23: 0.5, n: 20, J: 4, K: 60 },
      0.22,
      0.4127931828873192,
      55,
      0.3207571710541699,
      193.73537186674693,
      194,
    ],
  ] as const)('%s %j', (design, params, es, mdes, df, power, root, powerUpR) => {
    const m = mdesFor(design, params);
    expect(rel(m.mdes, mdes)).toBeLessThan(1e-9);
    expect(m.df).toBe(df);
    expect(rel(powerFor(design, params, es).power, power)).toBeLessThan(1e-9);
    const free = FREE_SIZE[design];
    const rest: Record<string, number> = { ...params };
    delete rest[free];
    const r = solveSize(design, rest, es);
    expect(rel(r.exact, root)).toBeLessThan(1e-8);
    expect(r.value).toBe(Math.ceil(root));
    // PowerUpR's mrss prints the nearest whole number.
    expect(Math.round(r.exact)).toBe(powerUpR);
  });
  it('q must be a share', () => {
    expect(() => mdesFor('mod222', { rho2: 0.17, q: 1, n: 15, J: 100 })).toThrow(
      "--q (share in the moderator's group) must be strictly between 0 and 1, got 1",
    );
  });
});

// mod212 (individuals randomised within blocks, block-level moderator; the SSE depends on the effect
// when omega2t > 0): PowerUpR 1.1.0's own mdes.mod212, power.mod212 and mrss.mod212 run by
// bench/power-mod212-reference.R on the help-page example (man/bira2.Rd) and the examples written
// under the functions in R/bira2.R, e.g.
//   mdes.mod212(power = .739, rho2 = .247, omega2t = .148, r21 = .493, n = 20, J = 20)
//   power.mod212(es = .248, rho2 = .247, omega2t = .148, r21 = .493, n = 20, J = 20)
//   uniroot(function(J) power.mod212(es = .248, rho2 = .247, omega2t = .148, r21 = .493, n = 20, J = J)$power - .739, c(3, 5000), tol = 1e-13)$root
//   mrss.mod212(es = .248, power = .739, rho2 = .247, omega2t = .148, r21 = .493, n = 20)
// Columns: params, power (for the MDES and the size), es, mdes, lcl, ucl, df, power.mod212(es)$power,
// root in J of power.mod212(es) = power, mrss.mod212(es, power)$J.
describe('PowerUpR 1.1.0 mod212 (level-2 moderator of an individually randomised blocked design)', () => {
  it.each([
    [
      { rho2: 0.247, omega2t: 0.148, r21: 0.493, n: 20, J: 20 },
      0.739,
      0.248,
      0.24836551171202392,
      0.058892641428038579,
      0.43783838199600927,
      18,
      0.73874974844872876,
      20.010521104927268,
      20,
    ],
    [
      { rho2: 0.242, omega2t: 0.216, r21: 0.5, n: 20, J: 20 },
      0.611,
      0.253,
      0.25436847377117067,
      0.030496189035711406,
      0.47824075850662995,
      18,
      0.61144870332167389,
      19.981445139944473,
      20,
    ],
    [
      { rho2: 0.247, omega2t: 0.213, r21: 0.501, n: 20, J: 40 },
      0.909,
      0.253,
      0.2532388070659003,
      0.10174042348566659,
      0.404737190646134,
      38,
      0.90877605343968582,
      40.031463732405825,
      40,
    ],
    [
      { rho2: 0.247, omega2t: 0.166, r21: 0.501, q: 0.5, n: 20, J: 40 },
      0.366,
      0.249,
      0.25205864884990442,
      -0.051779925328869887,
      0.55589722302867883,
      38,
      0.36551786457026958,
      40.060348112803482,
      41,
    ],
    [
      { rho2: 0.247, omega2t: 0.166, r21: 0.501, q: 0.5, n: 20, J: 80 },
      0.65,
      0.252,
      0.25231254541942649,
      0.041041553132740397,
      0.46358353770611255,
      78,
      0.64994834843911675,
      80.009277666557011,
      80,
    ],
    [
      { rho2: 0.245, omega2t: 0, r21: 0.499, n: 20, J: 20 },
      0.693,
      0.152,
      0.15197672092259648,
      0.031045927380514718,
      0.27290751446467826,
      377,
      0.6932895751246021,
      19.986691771634163,
      20,
    ],
    [
      { rho2: 0.247, omega2t: 0, r21: 0.499, n: 20, J: 40 },
      0.932,
      0.15,
      0.15007827784974218,
      0.064818465475653342,
      0.23533809022383101,
      757,
      0.93180810482458953,
      40.03377997929676,
      40,
    ],
    [
      { rho2: 0.249, omega2t: 0, r21: 0.498, q: 0.5, n: 20, J: 20 },
      0.528,
      0.25,
      0.25009235970700638,
      0.0086316978672421173,
      0.49155302154677066,
      377,
      0.52819992222183265,
      19.990152501184486,
      20,
    ],
    [
      { rho2: 0.251, omega2t: 0, r21: 0.5, q: 0.5, n: 20, J: 40 },
      0.82,
      0.249,
      0.24916449117528774,
      0.079268188309981044,
      0.41906079404059443,
      757,
      0.81951273564646887,
      40.051541057724968,
      40,
    ],
  ] as const)('%j', (params, power, es, mdes, lcl, ucl, df, pw, root, mrss) => {
    const m = mdesFor('mod212', params, { power });
    expect(rel(m.mdes, mdes)).toBeLessThan(1e-9);
    expect(rel(m.conf_low, lcl)).toBeLessThan(1e-8);
    expect(rel(m.conf_high, ucl)).toBeLessThan(1e-9);
    expect(m.df).toBe(df);
    // The MDES is a fixed point, es = M SSE(es): the SSE evaluated at the MDES itself is the reported one.
    expect(rel(designSse('mod212', params, m.mdes), m.sse)).toBeLessThan(1e-12);
    expect(rel(m.mdes / designSse('mod212', params, m.mdes), m.multiplier)).toBeLessThan(1e-12);
    expect(rel(powerFor('mod212', params, es).power, pw)).toBeLessThan(1e-9);
    const { J: _J, ...rest } = params;
    const r = solveSize('mod212', rest, es, { power });
    expect(rel(r.exact, root)).toBeLessThan(1e-8);
    expect(r.value).toBe(Math.ceil(root));
    // PowerUpR's mrss stops its halving iteration at a step below 0.1 and rounds, so it is within 1 of the root.
    expect(Math.abs(r.exact - mrss)).toBeLessThan(1);
  });
  it('the SSE depends on the effect only with a random treatment effect', () => {
    const rand = { rho2: 0.247, omega2t: 0.148, r21: 0.493, n: 20, J: 20 };
    // (omega2t - es^2) / J + (1 - rho2)(1 - r21) / (P(1 - P) J n), written out
    expect(
      rel(designSse('mod212', rand, 0.2), Math.sqrt((0.148 - 0.04) / 20 + (0.753 * 0.507) / (0.25 * 400))),
    ).toBeLessThan(1e-14);
    expect(designSse('mod212', rand, 0.3)).toBeLessThan(designSse('mod212', rand, 0.2));
    const fixed = { ...rand, omega2t: 0 };
    expect(designSse('mod212', fixed, 0.3)).toBe(designSse('mod212', fixed, 0.2));
    expect(() => designSse('mod212', rand)).toThrow(UsageError);
  });
  it('refuses an effect that would explain more than omega2t', () => {
    const a = { rho2: 0.247, omega2t: 0.148, r21: 0.493, n: 20, J: 20 };
    expect(() => powerFor('mod212', a, 0.4)).toThrow('design mod212: an effect of 0.4 would explain 0.16');
    expect(() => solveSize('mod212', { rho2: 0.247, omega2t: 0.148, r21: 0.493, n: 20 }, 0.4)).toThrow(UsageError);
    // binary moderator: es^2 q(1 - q) = 0.16 * 0.25 = 0.04 < 0.148 is allowed
    expect(powerFor('mod212', { ...a, q: 0.5 }, 0.4).power).toBeGreaterThan(0);
    // a tiny omega2t with few blocks: the MDES would exceed sqrt(omega2t)
    expect(() => mdesFor('mod212', { ...a, omega2t: 0.01 })).toThrow('design mod212: no MDES with these sizes');
    expect(() => mdesFor('mod212', { rho2: 0.247, r21: 0.493, n: 20, J: 20 })).toThrow(
      '--omega2t is required for design mod212',
    );
    expect(() => mdesFor('mod212', { rho2: 0.247, omega2t: 0.148, n: 20, J: 2 })).toThrow(
      'df = J - 2 (random treatment effect) or J (n - 1) - 3 = 0',
    );
  });
});

// Partially nested designs: PowerUpR 1.1.0's functions run on their help-page examples
// (bench/power-plan-reference.R): mdes.<d> (mdes, Satterthwaite df), power.<d>(es), and the root of
// power.<d> = .8 over the free size.
describe('PowerUpR 1.1.0 partially nested designs (groups in the treatment arm only)', () => {
  it.each([
    [
      'ira_pn',
      { rhoIc: 0.2, icSize: 1, n: 250 },
      0.377,
      0.37737482078160617,
      244.97560975609755,
      0.79926517941589792,
      250.46489009364294,
    ],
    [
      'ira_pn',
      { rhoIc: 0.1, icSize: 8, n: 400 },
      0.3,
      0.34287757121231732,
      54.302850895635359,
      0.68859001308830192,
      517.8719094855802,
    ],
    [
      'bira2_pn',
      { rho2Trt: 0.2, omega2: 0.5, rhoIc: 0.1, icSize: 5, n: 20, J: 15 },
      0.357,
      0.44426319589070151,
      12.966924486057398,
      0.61533479577989514,
      21.946480557612254,
    ],
    [
      'cra2_pn',
      { rho2Trt: 0.15, rhoIc: 0.1, icSize: 10, n: 40, J: 70 },
      0.305,
      0.30494063390181614,
      67.678106508875729,
      0.80028471696742842,
      69.950652790289467,
    ],
    [
      'bcra3r2_pn',
      { rho3Trt: 0.1, omega3: 0.5, rho2Trt: 0.15, rhoIc: 0.2, icSize: 10, n: 40, J: 60, K: 6 },
      0.399,
      0.39851969114718494,
      5,
      0.79577666737350428,
      6.0413481873770385,
    ],
  ] as const)('%s %j', (design, params, es, mdes, df, power, root) => {
    const m = mdesFor(design, params);
    expect(rel(m.mdes, mdes)).toBeLessThan(1e-9);
    expect(rel(m.df, df)).toBeLessThan(1e-12);
    expect(rel(powerFor(design, params, es).power, power)).toBeLessThan(1e-9);
    const free = FREE_SIZE[design];
    const rest: Record<string, number> = { ...params };
    delete rest[free];
    const r = solveSize(design, rest, es);
    expect(rel(r.exact, root)).toBeLessThan(1e-8);
    expect(r.value).toBe(Math.ceil(root));
  });
  it('the delivery-group ICC is required', () => {
    expect(() => mdesFor('cra2_pn', { rho2Trt: 0.15, icSize: 10, n: 40, J: 70 })).toThrow(
      '--rho-ic is required for design cra2_pn',
    );
  });
});
