import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import {
  parsePowerOptions,
  runPower,
  type BinaryPowerResult,
  type SimulatedPowerResult,
  type StandardisedPowerResult,
} from './power.js';

const CONTRACT_STANDARDISED = [
  'design',
  'solve',
  'mdes',
  'conf_low',
  'conf_high',
  'power',
  'df',
  'multiplier',
  'sse',
  'n',
  'J',
  'K',
];
const CONTRACT_BINARY = [
  'n_per_arm',
  'n_per_arm_exact',
  'n_total',
  'clusters_per_arm',
  'design_effect',
  'power',
  'p1',
  'p2',
  'cohens_h',
  'detectable_p2',
];
const CONTRACT_SIMULATION = ['power', 'power_mcse', 'bias', 'rmse', 'coverage', 'reps'];

function run(args: Record<string, string | boolean>): ReturnType<typeof runPower> {
  return runPower(parsePowerOptions(args));
}

describe('pilot-eval power: standardised outcomes', () => {
  it('mdes.ira(n = 250) = 0.356 with the contract fields', async () => {
    const r = (await run({ design: 'ira', solve: 'mdes', n: '250' })) as StandardisedPowerResult;
    for (const k of CONTRACT_STANDARDISED) expect(r).toHaveProperty(k);
    // PowerUpR: mdes.ira(n = 250) = 0.356; R formula 0.35577503935795396
    expect(r.mdes).toBeCloseTo(0.35577503935795396, 10);
    expect(r.df).toBe(248);
    expect(r.J).toBeNull();
    expect(r.K).toBeNull();
    expect(r.power).toBe(0.8);
  });
  it('solve n for cra2 returns J = 81 and the exact 80.57', async () => {
    const r = (await run({ design: 'cra2', solve: 'n', es: '0.3', rho2: '0.17', n: '15' })) as StandardisedPowerResult;
    // R: uniroot(function(J) pw('cra2', es = .3, rho2 = .17, n = 15, J = J) - .8, ...)$root = 80.571391529296051
    expect(r.J).toBe(81);
    expect(r.J_exact).toBeCloseTo(80.571391529296051, 6);
    expect(r.solved_size).toBe('J');
    expect(r.power).toBeGreaterThanOrEqual(0.8);
  });
  it('attrition inflates the solved n and shrinks the analysed n', async () => {
    const r = (await run({ design: 'ira', solve: 'n', es: '0.25', attrition: '0.2' })) as StandardisedPowerResult;
    // 505 analysed (R: ceiling(504.255)) -> ceil(505 / 0.8) = 632 randomised
    expect(r.n).toBe(632);
    expect(r.n_exact).toBeCloseTo(504.25500244475569 / 0.8, 5);
    expect(r.n_analysed).toBeCloseTo(632 * 0.8, 10);
    const m = (await run({ design: 'ira', solve: 'mdes', n: '250', attrition: '0.2' })) as StandardisedPowerResult;
    expect(m.df).toBeCloseTo(198, 10);
  });
  it('solve is inferred: es and sizes give power', async () => {
    const r = (await run({ design: 'ira', n: '250', es: '0.25' })) as StandardisedPowerResult;
    expect(r.solve).toBe('power');
    // R: pw('ira', es = .25, n = 250)
    expect(r.power).toBeCloseTo(0.50355459600358077, 10);
  });
  it('--plot writes an SVG power curve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'power-'));
    const file = join(dir, 'curve.svg');
    const r = (await run({
      design: 'cra2',
      solve: 'mdes',
      rho2: '0.17',
      n: '15',
      J: '20',
      plot: file,
    })) as StandardisedPowerResult;
    expect(r.plot).toBe(file);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<polyline');
    expect(r.power_curve.length).toBeGreaterThan(10);
    expect(r.power_curve.every((p, i, a) => i === 0 || p.power >= a[i - 1]!.power)).toBe(true);
  });
});

describe('pilot-eval power: mod212 (--omega2t)', () => {
  // PowerUpR 1.1.0 help-page example (bench/power-mod212-reference.R):
  //   mdes.mod212(power = .739, rho2 = .247, omega2t = .148, r21 = .493, n = 20, J = 20)$mdes[1] = 0.24836551171202392
  //   power.mod212(es = .248, rho2 = .247, omega2t = .148, r21 = .493, n = 20, J = 20)$power = 0.73874974844872876
  //   uniroot(function(J) power.mod212(es = .248, ..., n = 20, J = J)$power - .739, c(3, 5000), tol = 1e-13)$root = 20.010521104927268
  const a = { design: 'mod212', rho2: '0.247', omega2t: '0.148', r21: '0.493', n: '20', power: '0.739' };
  it('mdes, power and J from the command-line options', async () => {
    const m = (await run({ ...a, J: '20', solve: 'mdes' })) as StandardisedPowerResult;
    expect(m.mdes).toBeCloseTo(0.24836551171202392, 10);
    expect(m.df).toBe(18);
    const p = (await run({ ...a, J: '20', es: '0.248', solve: 'power' })) as StandardisedPowerResult;
    expect(p.power).toBeCloseTo(0.73874974844872876, 10);
    const j = (await run({ ...a, es: '0.248', solve: 'n' })) as StandardisedPowerResult;
    expect(j.J).toBe(21);
    expect(j.J_exact).toBeCloseTo(20.010521104927268, 6);
  });
  it('refuses an effect larger than the treatment-effect variance allows', async () => {
    await expect(run({ ...a, J: '20', es: '0.4', solve: 'power' })).rejects.toThrow('would explain 0.16');
    await expect(run({ design: 'mod212', rho2: '0.247', r21: '0.493', n: '20', J: '20' })).rejects.toThrow(
      '--omega2t is required for design mod212',
    );
  });
});

describe('pilot-eval power: binary outcomes', () => {
  it('p1 .5, p2 .75, power .9 -> 77 per arm (76.71 exact)', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.5',
      p2: '0.75',
      power: '0.9',
      solve: 'n',
    })) as BinaryPowerResult;
    for (const k of CONTRACT_BINARY) expect(r).toHaveProperty(k);
    // R: power.prop.test(p1 = .5, p2 = .75, power = .9, tol = 1e-12)$n
    expect(r.n_per_arm).toEqual([77, 77]);
    expect(r.n_per_arm_exact![0]).toBeCloseTo(76.706928451777443, 8);
    expect(r.n_total).toBe(154);
    expect(r.clusters_per_arm).toBeNull();
    expect(r.design_effect).toBe(1);
  });
  it('arcsine, h = 0.4049 -> 96 per arm (95.77)', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.65',
      p2: '0.45',
      solve: 'n',
      method: 'arcsine',
    })) as BinaryPowerResult;
    expect(r.n_per_arm).toEqual([96, 96]);
    expect(r.cohens_h).toBeCloseTo(0.40486007517695755, 12);
  });
  it('40 teams of 25 (z with the design effect): detectable rate and logit d', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.35',
      n: '500',
      icc: '0.027',
      clusterSize: '25',
      clusterTest: 'z',
      solve: 'mdes',
    })) as BinaryPowerResult;
    expect(r.clusters_per_arm).toEqual([20, 20]);
    expect(r.design_effect).toBeCloseTo(1.648, 12);
    // R: uniroot(function(p2) power.prop.test(n = 500/1.648, p1 = .35, p2 = p2)$power - .8, c(.01, .3499), tol = 1e-14)$root
    expect(r.detectable_p2!).toBeCloseTo(0.24615682872411618, 8);
    expect(r.logit_d!).toBeCloseTo(0.27576164388991647, 7);
  });
  it('clustered sample size (z): n x DE and clusters = ceil(n DE / m)', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.35',
      p2: '0.288',
      icc: '0.027',
      clusterSize: '25',
      clusterTest: 'z',
      solve: 'n',
    })) as BinaryPowerResult;
    // R: power.prop.test(p1 = .35, p2 = .288, power = .8, tol = 1e-12)$n * 1.648 = 1460.0620723316963
    expect(r.n_per_arm_exact![0]).toBeCloseTo(1460.0620723316963, 6);
    expect(r.n_per_arm).toEqual([1461, 1461]);
    expect(r.clusters_per_arm).toEqual([59, 59]);
  });
  it('power with continuity correction, ratio 2, unequal clusters and attrition', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.35',
      p2: '0.25',
      n: '300',
      allocationRatio: '2',
      method: 'continuity',
      icc: '0.02',
      clusterSize: '10',
      clusterCv: '0.5',
      attrition: '0.1',
    })) as BinaryPowerResult;
    // DE = 1 + ((0.5^2 + 1) 10 - 1) 0.02 = 1.23; effective n1 = 300 x 0.9 / 1.23; Fleiss cc inverted:
    // R: c <- 3/(2*.1); n1 <- 300*.9/1.23; n <- (n1 - c/2)^2/n1; pbar <- (.35 + 2*.25)/3
    //    pnorm((.1*sqrt(n) - qnorm(.975)*sqrt(1.5*pbar*(1-pbar)))/sqrt(.35*.65 + .25*.75/2)) = 0.73113728952874368
    expect(r.design_effect).toBeCloseTo(1.23, 12);
    expect(r.power).toBeCloseTo(0.73113728952874368, 10);
    expect(r.n_per_arm).toEqual([300, 600]);
    expect(r.clusters_per_arm).toEqual([30, 60]);
  });
  it('--simulate reports the DeclareDesign diagnosands', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.35',
      p2: '0.288',
      icc: '0.027',
      clusterSize: '25',
      n: '500',
      simulate: '200',
      seed: '1',
    })) as SimulatedPowerResult;
    for (const k of CONTRACT_SIMULATION) expect(r).toHaveProperty(k);
    expect(r.reps).toBe(200);
    expect(r.clusters_per_arm).toEqual([20, 20]);
    expect(r.power).toBeGreaterThan(0.2);
    expect(r.power).toBeLessThan(0.7);
    // Default: the headline analysis (LPM risk difference, CR2), named in one sentence.
    expect(r.sim_analysis).toBe('primary');
    expect(r.estimand).toBe('risk_difference');
    expect(r.analysis).toMatch(
      /^Risk difference as the arm coefficient of a linear probability model .*CR2.*estimatr::lm_robust\(y ~ arm, clusters = team, se_type = "CR2"\)/,
    );
    expect(Math.abs(r.power - r.formula_power)).toBeLessThan(4 * r.power_mcse);
  });
  it('--sim-analysis logistic keeps the glm + vcovCL analysis', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.35',
      p2: '0.288',
      icc: '0.027',
      clusterSize: '25',
      n: '500',
      simulate: '100',
      seed: '1',
      simAnalysis: 'logistic',
    })) as SimulatedPowerResult;
    for (const k of CONTRACT_SIMULATION) expect(r).toHaveProperty(k);
    expect(r.sim_analysis).toBe('logistic');
    expect(r.estimand).toBe('log_odds_ratio');
    expect(r.truth).toBeCloseTo(Math.log(0.288 / 0.712) - Math.log(0.35 / 0.65), 14);
    expect(r.analysis).toBe(
      'Log odds ratio from glm(y ~ arm, binomial) with sandwich::vcovCL(cluster = ~team) standard error, Wald z test.',
    );
  });
});

describe('pilot-eval power: usage errors name the option and the rule', () => {
  it.each([
    [
      { design: 'abc', solve: 'mdes', n: '10' },
      '--design must be one of ira, bira2, bira2f1, cra2, cra3, bcra3r2, bcra3f2, bira2c1, bira3, bira4, cra4, bcra4f3, bcra4r2, bcra4r3, mod211, mod212, mod221, mod222, mod331, mod332, mod333, ira_pn, bira2_pn, cra2_pn, bcra3r2_pn; got "abc"',
    ],
    [
      { solve: 'mdes', n: '10' },
      '--design is required: one of ira, bira2, bira2f1, cra2, cra3, bcra3r2, bcra3f2, bira2c1, bira3, bira4, cra4, bcra4f3, bcra4r2, bcra4r3',
    ],
    [{ design: 'ira', solve: 'maybe' }, '--solve must be one of mdes, power, n; got "maybe"'],
    [
      { design: 'ira', solve: 'n', n: '100', es: '0.3' },
      '--n conflicts with --solve n: design ira solves for n; leave --n out',
    ],
    [
      { design: 'cra2', solve: 'n', J: '20', n: '10', rho2: '0.1', es: '0.3' },
      '--J conflicts with --solve n: design cra2 solves for J; leave --J out',
    ],
    [{ design: 'ira', solve: 'power', n: '100' }, '--es is required for --solve power'],
    [{ design: 'ira', solve: 'mdes', n: '100', es: '0.2' }, '--es conflicts with --solve mdes'],
    [{ design: 'ira', solve: 'mdes', n: '2' }, 'sizes too small for design ira: df = n - g1 - 2 = 0, must be > 0'],
    [{ design: 'ira', solve: 'mdes', n: '100', K: '5' }, '--K does not apply to design ira (sizes: --n)'],
    [{ design: 'ira', solve: 'mdes', n: '100', p1: '0.3' }, '--p1 needs --outcome-type binary'],
    [{ design: 'ira', n: '100', simulate: '100', seed: '1' }, '--simulate needs --outcome-type binary'],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.3', solve: 'n' },
      '--p1 and --p2 must differ (both are 0.3): there is no effect to detect',
    ],
    [{ outcomeType: 'binary', p1: '0', p2: '0.3', solve: 'n' }, '--p1 must be strictly between 0 and 1, got 0'],
    [{ outcomeType: 'binary', p1: '0.3', p2: '1', solve: 'n' }, '--p2 must be strictly between 0 and 1, got 1'],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', n: '100', solve: 'n' },
      '--n conflicts with --solve n: the size is the answer; leave --n out',
    ],
    [{ outcomeType: 'binary', p1: '0.3', p2: '0.2', n: '100', solve: 'mdes' }, '--p2 conflicts with --solve mdes'],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', solve: 'power' },
      '--n (control-arm size) is required for --solve power',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', icc: '0.05', solve: 'n' },
      '--icc and --cluster-size go together: give both for a cluster design',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', method: 'exact', solve: 'n' },
      '--method must be one of normal, continuity, arcsine; got "exact"',
    ],
    [
      { outcomeType: 'binary', design: 'cra2', p1: '0.3', p2: '0.2', solve: 'n' },
      '--design applies to standardised outcomes; with --outcome-type binary use --p1/--p2',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', n: '100', simulate: '100' },
      '--seed <int> is required with --simulate so the result can be reproduced',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', n: '100', simulate: '100', seed: '1', solve: 'n' },
      '--solve n conflicts with --simulate',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', n: '100', seed: '1' },
      '--seed only applies with --simulate <reps>',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', n: '100', simAnalysis: 'logistic' },
      '--sim-analysis only applies with --simulate <reps>',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', n: '100', simulate: '10', seed: '1', simAnalysis: 'probit' },
      '--sim-analysis must be one of primary, logistic; got "probit"',
    ],
    [{ outcomeType: 'weibull' }, '--outcome-type must be one of standardised, binary, survival, count; got "weibull"'],
    [{ outcome: 'weibull' }, '--outcome-type must be one of standardised, binary, survival, count; got "weibull"'],
    [{ outcomeType: 'binary', outcome: 'count' }, '--outcome is the older name of --outcome-type: give one of them'],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', allocationRatio: '2:0' },
      '--allocation-ratio (treated part) must be strictly between 0 and Infinity, got 0',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', allocationRatio: '1:2:3' },
      '--allocation-ratio must be a number, got "1:2:3"',
    ],
    [{ outcomeType: 'binary', p1: '0.3', p2: '0.2', attrition: '1' }, '--attrition must be in [0, 1), got 1'],
    [{ outcomeType: 'binary', p1: '0.3', p2: '0.2', compliance: '0' }, '--compliance must be in (0, 1], got 0'],
  ])('%#: %j', async (args, message) => {
    const p = (async () => run(args as Record<string, string>))();
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(message);
  });
});

describe('pilot-eval power: the new modes parse from the command line', () => {
  it('parses survival, count, calendar, cluster and design options into typed values', () => {
    const o = parsePowerOptions({
      outcomeType: 'survival',
      hr: '0.7',
      eventProb: '0.45',
      icc: '0.02',
      clusterSize: '25',
      recruitPerMonth: '10',
      teams: '4',
      start: '2026-01-01',
      extractLagDays: '90',
      from: 'r.json',
    });
    expect(o).toEqual({
      outcome: 'survival',
      hr: 0.7,
      eventProb: 0.45,
      icc: 0.02,
      clusterSize: 25,
      recruitPerMonth: 10,
      teams: 4,
      start: '2026-01-01',
      extractLagDays: 90,
      from: 'r.json',
    });
    expect(
      parsePowerOptions({ outcomeType: 'count', rate0: '0.8', rr: '0.85', dispersion: '0.4', approach: '2' }),
    ).toEqual({ outcome: 'count', rate0: 0.8, rr: 0.85, dispersion: 0.4, approach: 2 });
    expect(
      parsePowerOptions({ design: 'cra2_pn', rhoIc: '0.1', icSize: '10', rho2Trt: '0.15', q: '0.5' }),
    ).toMatchObject({ design: 'cra2_pn', rhoIc: 0.1, icSize: 10, rho2Trt: 0.15, q: 0.5 });
  });
  it('--J with a binary outcome solves the cluster size', async () => {
    const r = (await run({
      outcomeType: 'binary',
      p1: '0.35',
      p2: '0.25',
      icc: '0.02',
      J: '20',
      json: true,
    })) as BinaryPowerResult;
    // R: cpa.binary(power = .8, nclusters = 20, p1 = .35, p2 = .25, ICC = .02) = 25.58 -> 26
    expect(r.cluster_size).toBe(26);
  });
  it.each([
    [{ outcomeType: 'binary', p1: '0.3', p2: '0.2', hr: '0.7' }, '--hr needs --outcome-type survival'],
    [{ outcomeType: 'survival', hr: '0.7', eventProb: '0.4', p1: '0.3' }, '--p1 needs --outcome-type binary'],
    [{ outcomeType: 'count', rate0: '0.8', rr: '0.85', approach: '4' }, '--approach must be one of 1, 2, 3; got "4"'],
    [{ outcomeType: 'binary', p1: '0.3', p2: '0.2', clusterTest: 'x' }, '--cluster-test must be one of t, z; got "x"'],
    [
      { outcomeType: 'survival', hr: '0.7' },
      '--outcome-type survival needs --event-prob, or --median0 with --follow-up',
    ],
    [
      {
        outcomeType: 'binary',
        p1: '0.3',
        p2: '0.2',
        icc: '0.05',
        clusterSize: '20',
        method: 'arcsine',
        clusterTest: 't',
      },
      '--cluster-test t uses the normal-approximation method',
    ],
    [{ outcomeType: 'binary', p1: '0.3', p2: '0.2', cvBetween: '0.2' }, '--cv-between needs --cluster-size'],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', recruitPerMonth: '10' },
      'calendar planning needs --recruit-per-month and --start',
    ],
    [
      { outcomeType: 'binary', p1: '0.3', p2: '0.2', recruitPerMonth: '10', start: '2026-13-01' },
      '--start "2026-13-01": month 13 does not exist',
    ],
    [{ design: 'ira', n: '100', compliance: '0.8' }, '--compliance needs --outcome-type binary'],
  ])('%#: %j', async (args, message) => {
    const p = (async () => run(args as Record<string, string>))();
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(message);
  });
});
