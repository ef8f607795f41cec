/**
 * IRLS logistic / Poisson fits and sandwich covariances against R. Reference values from
 * test/data/make-analyse-references.R (R 4, sandwich 3.0.2), data test/data/sim-cluster-trial.csv
 * (simulated there with set.seed(20240611)), glm(control = glm.control(epsilon = 1e-12)).
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { fitLogistic, logisticArmEffect, modelStdErrors, SingularDesignError } from './logistic-regression.js';
import { fitPoisson, poissonArmEffect } from './poisson-regression.js';
import { vcovCL, vcovHC0 } from './sandwich.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

async function sim() {
  const t = await readTable('test/data/sim-cluster-trial.csv');
  const n = t.n;
  const col = (c: string) => Float64Array.from(t.cells.get(c)!, Number);
  const trt = Float64Array.from(t.cells.get('arm')!, (a) => (a === 'treatment' ? 1 : 0));
  const teams = t.cells.get('team')!;
  const ids = new Map<string, number>();
  const cluster = Int32Array.from(teams, (s) => {
    if (!ids.has(s)) ids.set(s, ids.size);
    return ids.get(s)!;
  });
  return {
    n,
    trt,
    age: col('age'),
    ogrs3: col('ogrs3'),
    y: col('reoffended'),
    count: col('reoffences'),
    cluster,
    G: ids.size,
  };
}

function design(n: number, cols: Float64Array[]): Float64Array {
  const X = new Float64Array(n * (cols.length + 1));
  X.fill(1, 0, n);
  cols.forEach((c, j) => X.set(c, (j + 1) * n));
  return X;
}

describe('logistic regression (R glm binomial)', () => {
  it('matches glm(reoffended ~ trt + age + ogrs3) coefficients, SEs, deviance', async () => {
    const d = await sim();
    const X = design(d.n, [d.trt, d.age, d.ogrs3]);
    const fit = fitLogistic(X, d.n, 4, d.y);
    // coef(glm(reoffended ~ trt + age + ogrs3, binomial, sim))
    const coef = [-0.850318318695915, 0.183119972682408, -0.00212148631196613, 0.393557419730897];
    // sqrt(diag(vcov(f2)))
    const se = [0.491376741831296, 0.231375421631052, 0.0131770141920464, 0.457277455565757];
    const mse = modelStdErrors(fit);
    coef.forEach((c, j) => expect(rel(fit.coef[j]!, c)).toBeLessThan(1e-6));
    se.forEach((s, j) => expect(rel(mse[j]!, s)).toBeLessThan(1e-6));
    expect(rel(fit.deviance, 426.99031285125)).toBeLessThan(1e-9); // deviance(f2)
    expect(fit.converged).toBe(true);
    expect(fit.boundary).toBe(false);
  });

  it('vcovCL(fit, cluster = ~team) and vcovHC(type = "HC0") match sandwich', async () => {
    const d = await sim();
    const X = design(d.n, [d.trt, d.age, d.ogrs3]);
    const fit = fitLogistic(X, d.n, 4, d.y);
    const cl = vcovCL(fit, X, d.y, d.cluster, d.G);
    const hc = vcovHC0(fit, X, d.y);
    // sqrt(diag(vcovCL(f2, cluster = ~team)))
    const seCL = [0.466629494034372, 0.21328241484891, 0.0131725593636468, 0.509489662991624];
    // sqrt(diag(vcovHC(f2, type = "HC0")))
    const seHC = [0.461388220808204, 0.231503533501539, 0.0124713756453194, 0.450045486302758];
    for (let j = 0; j < 4; j++) {
      expect(rel(Math.sqrt(cl[j * 4 + j]!), seCL[j]!)).toBeLessThan(1e-6);
      expect(rel(Math.sqrt(hc[j * 4 + j]!), seHC[j]!)).toBeLessThan(1e-6);
    }
  });

  it('logisticArmEffect gives the ln OR with model and cluster-robust SEs', async () => {
    const d = await sim();
    const e = logisticArmEffect(d.y, d.trt, { cluster: d.cluster, nClusters: d.G });
    // glm(reoffended ~ trt): coef 0.186428338746284, se 0.231007200487095; vcovCL se 0.215128720492196
    expect(rel(e.estimate, 0.186428338746284)).toBeLessThan(1e-6);
    expect(rel(e.std_error_model, 0.231007200487095)).toBeLessThan(1e-6);
    expect(rel(e.std_error_robust!, 0.215128720492196)).toBeLessThan(1e-6);
    // Without covariates the MLE is closed form: ln OR of the 2x2 table (61/105 vs 54/112).
    expect(e.estimate).toBeCloseTo(Math.log((61 * 112) / (105 * 54)), 10);
  });

  it('flags separation (an arm with no events) instead of returning a finite-looking estimate', () => {
    const arm = Float64Array.from({ length: 40 }, (_, i) => (i < 20 ? 1 : 0));
    const y = Float64Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : i % 2));
    const e = logisticArmEffect(y, arm);
    expect(e.separation).toBe(true);
  });

  it('refuses a collinear design', () => {
    const n = 10;
    const a = Float64Array.from({ length: n }, (_, i) => i % 2);
    const X = design(n, [a, a]);
    const y = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    expect(() => fitLogistic(X, n, 3, y)).toThrow(SingularDesignError);
  });
});

describe('Poisson regression (R glm poisson) with sandwich SEs', () => {
  it('matches glm(reoffences ~ trt + age, poisson) and its HC0 / vcovCL SEs', async () => {
    const d = await sim();
    const X = design(d.n, [d.trt, d.age]);
    const fit = fitPoisson(X, d.n, 3, d.count);
    const coef = [0.191756977321687, -0.0251751040775282, -0.00422530453915137];
    const se = [0.206260770793277, 0.10727258180022, 0.00611513559212986];
    const seHC = [0.294038731480278, 0.187448045567741, 0.00876679919560055];
    const seCL = [0.381784336472097, 0.155995245310521, 0.0121705412834852];
    const mse = modelStdErrors(fit);
    const hc = vcovHC0(fit, X, d.count);
    const cl = vcovCL(fit, X, d.count, d.cluster, d.G);
    for (let j = 0; j < 3; j++) {
      expect(rel(fit.coef[j]!, coef[j]!)).toBeLessThan(1e-6);
      expect(rel(mse[j]!, se[j]!)).toBeLessThan(1e-6);
      expect(rel(Math.sqrt(hc[j * 3 + j]!), seHC[j]!)).toBeLessThan(1e-6);
      expect(rel(Math.sqrt(cl[j * 3 + j]!), seCL[j]!)).toBeLessThan(1e-6);
    }
  });

  it('real trial MASS::epil (progabide): rate ratio with HC0 SE', async () => {
    const t = await readTable('test/data/epil-seizures.csv');
    const y = Float64Array.from(t.cells.get('reoffences')!, Number);
    const arm = Float64Array.from(t.cells.get('arm')!, (a) => (a === 'treatment' ? 1 : 0));
    const e = poissonArmEffect(y, arm);
    // glm(reoffences ~ trt, poisson, ep): coef -0.0750870638467509; sqrt(diag(vcovHC(pe, type="HC0")))[2] 0.353883940629571
    expect(rel(e.estimate, -0.0750870638467509)).toBeLessThan(1e-6);
    expect(rel(e.std_error_robust, 0.353883940629571)).toBeLessThan(1e-6);
    expect(e.robust_type).toBe('HC0');
  });
});
