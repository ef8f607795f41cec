import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import { fitGlm } from './irls.js';
import { armDesign, logisticArmEffect } from './logistic-regression.js';
import { fitLogisticTwoGroup } from './logistic-two-group.js';

describe('closed-form glm(y ~ arm, binomial)', () => {
  it("equals the IRLS fit (coefficients, (X'WX)^-1, deviance, fitted values)", () => {
    const rng = createRng(11);
    for (let rep = 0; rep < 20; rep++) {
      const n = 60 + rng.int(200);
      const arm = new Float64Array(n);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        arm[i] = rng.int(2);
        // Every fifth data set has fractional responses (proportions), as glm allows.
        y[i] = rep % 5 === 0 ? rng.next() : rng.next() < (arm[i] ? 0.3 : 0.45) ? 1 : 0;
      }
      const closed = fitLogisticTwoGroup(y, arm)!;
      const { X, p } = armDesign(arm);
      const irls = fitGlm('binomial', X, n, p, y, { epsilon: 1e-14 });
      for (let j = 0; j < 2; j++) expect(closed.coef[j]).toBeCloseTo(irls.coef[j]!, 9);
      for (let j = 0; j < 4; j++) expect(closed.covUnscaled[j]).toBeCloseTo(irls.covUnscaled[j]!, 9);
      expect(closed.deviance).toBeCloseTo(irls.deviance, 8);
      expect(closed.mu[0]).toBeCloseTo(irls.mu[0]!, 9);
    }
  });
  it('2 x 2 table by hand: ln OR and its Wald SE (Woolf)', () => {
    // control 10/40, treated 20/40: ln OR = log((20/20)/(10/30)) = log(3); SE = sqrt(1/10 + 1/30 + 1/20 + 1/20)
    const arm = [...Array(40).fill(0), ...Array(40).fill(1)];
    const y = [...Array(10).fill(1), ...Array(30).fill(0), ...Array(20).fill(1), ...Array(20).fill(0)];
    const e = logisticArmEffect(y, arm);
    expect(e.estimate).toBeCloseTo(Math.log(3), 14);
    expect(e.std_error_model).toBeCloseTo(Math.sqrt(1 / 10 + 1 / 30 + 1 / 20 + 1 / 20), 14);
  });
  it('leaves separation and non-binary arms to IRLS', () => {
    expect(fitLogisticTwoGroup([0, 0, 1, 1], [0, 0, 1, 1])).toBeNull();
    expect(fitLogisticTwoGroup([0, 1, 1, 0], [0, 0, 2, 2])).toBeNull();
    expect(fitLogisticTwoGroup([0, 1, 1, 0], [0, 0, 0, 0])).toBeNull();
  });
});
