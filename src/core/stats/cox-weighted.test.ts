/**
 * Cox regression with case weights against R 4.2.2 survival: test/data/weighted/weighted-cox-reference.R
 * -> weighted-cox-reference.out, on Rossi with weights w = 1 + 0.5 (row mod 3) and sets of 4
 * consecutive rows. The R calls:
 *   coxph(Surv(week, arrest) ~ fin + age, data = r, weights = w, robust = TRUE)            (efron_robust)
 *   coxph(..., weights = w, robust = TRUE, ties = "breslow")                              (breslow_robust)
 *   coxph(Surv(week, arrest) ~ fin, data = r, weights = w, cluster = set)                 (efron_cluster)
 * each with coef(fit)[1], sqrt(fit$naive.var[1, 1]), sqrt(vcov(fit)[1, 1]), fit$loglik, summary(fit)$robscore.
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../../io/table.js';
import { coxRegression } from './cox-regression.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('coxRegression with case weights (R coxph(weights = w))', async () => {
  const t = await readTable('test/data/rossi.csv');
  const col = (c: string) => t.cells.get(c)!;
  const week = col('week').map(Number);
  const arrest = col('arrest').map(Number);
  const fin = col('fin').map((v) => (v === 'yes' ? 1 : 0));
  const age = col('age').map(Number);
  const w = week.map((_, i) => 1 + 0.5 * ((i + 1) % 3));
  const set = week.map((_, i) => Math.floor(i / 4));
  const check = (fit: ReturnType<typeof coxRegression>, ref: number[]) => {
    const [coef, se, robust, ll0, ll1, robscore] = ref as [number, number, number, number, number, number];
    const c = fit.coefficients[0]!;
    expect(rel(c.estimate, coef)).toBeLessThan(1e-8);
    expect(rel(c.modelStdError, se)).toBeLessThan(1e-8);
    expect(rel(c.stdError, robust)).toBeLessThan(1e-8);
    expect(rel(fit.logLikNull, ll0)).toBeLessThan(1e-12);
    expect(rel(fit.logLik, ll1)).toBeLessThan(1e-10);
    expect(rel(fit.robust!.score!.statistic, robscore)).toBeLessThan(1e-8);
  };
  it('Efron ties, robust per row', () => {
    const fit = coxRegression(
      week,
      arrest,
      [
        { name: 'fin', values: fin },
        { name: 'age', values: age },
      ],
      { weights: w },
    );
    check(
      fit,
      [-0.39170103375216, 0.155443868135249, 0.194745281465074, -1085.49553362386, -1071.1348753197, 15.7684972815442],
    );
    expect(fit.robust!.clusters).toBe(432);
  });
  it('Breslow ties, robust per row', () => {
    const fit = coxRegression(
      week,
      arrest,
      [
        { name: 'fin', values: fin },
        { name: 'age', values: age },
      ],
      { weights: w, ties: 'breslow' },
    );
    check(
      fit,
      [-0.391393285369032, 0.155443263310533, 0.193930351688785, -1085.96875994489, -1071.6731328092, 15.8109186064028],
    );
  });
  it('clustered by matched set', () => {
    const fit = coxRegression(week, arrest, [{ name: 'fin', values: fin }], { weights: w, cluster: set });
    check(
      fit,
      [
        -0.426951297971298, 0.155387043125228, 0.206842385235595, -1085.49553362386, -1081.64925523684,
        4.18393745567286,
      ],
    );
    expect(fit.robust!.clusters).toBe(108);
  });
  it('refuses a non-positive weight', () => {
    expect(() =>
      coxRegression([1, 2, 3], [1, 0, 1], [{ name: 'x', values: [0, 1, 0] }], { weights: [1, 0, 1] }),
    ).toThrow(RangeError);
  });
});
