/**
 * Random-intercept logistic regression by the Laplace approximation, as R
 * `lme4::glmer(y ~ x + (1 | cluster), family = binomial)` (nAGQ = 1).
 *
 * Model: logit P(y = 1) = x'beta + sigma u_g, u_g ~ N(0, 1) per cluster g (sigma is lme4's `theta`,
 * the standard deviation of the random intercept). For each cluster the conditional mode u_g
 * maximises  l_g(u) - u^2/2  (l_g the binomial log-likelihood of the cluster's rows), found by
 * Newton's method (one scalar per cluster). The Laplace log-likelihood is
 *   sum_g [ l_g(u_g) - u_g^2/2 - log(1 + sigma^2 S_g)/2 ],   S_g = sum_i m_i mu_i (1 - mu_i),
 * maximised jointly over (beta, sigma), as lme4 does in its second optimisation stage. Its gradient
 * is analytic (implicit differentiation of the modes); the Hessian is the central difference of
 * that gradient. The covariance of beta is the beta block of the inverse Hessian of the negative
 * log-likelihood over (sigma, beta): what `vcov()` of a glmer fit returns when lme4 has computed
 * its finite-difference Hessian (the default, `use.hessian = TRUE`).
 *
 * Everything is per-cluster sums, so the cost is linear in the rows; identical rows within a
 * cluster (an arm-only model) are aggregated to binomial counts first.
 */
import { fitLogistic } from './logistic-regression.js';
import { cholesky as cholRows, choleskyInverse as cholInvRows } from './cholesky.js';

export interface GlmmLogisticFit {
  /** Fixed effects (intercept first, as the columns of X). */
  coef: Float64Array;
  /** p x p covariance of the fixed effects (row-major). */
  vcov: Float64Array;
  /** Standard deviation of the random intercept (lme4 `getME(fit, "theta")` for one intercept). */
  sigma: number;
  /** Laplace log-likelihood (R `logLik(fit)` for 0/1 data). */
  logLik: number;
  /** Units the likelihood was computed on (rows, or aggregated cells). */
  units: number;
  iterations: number;
  converged: boolean;
  /** sigma numerically 0: the clusters show no extra variation (lme4's "singular fit"). */
  singular: boolean;
}

export interface GlmmData {
  /** Successes per unit. */
  s: Float64Array;
  /** Trials per unit. */
  m: Float64Array;
  /** Column-major units x p design. */
  X: Float64Array;
  p: number;
  /** Units sorted by cluster: cluster g holds units start[g] .. start[g+1]-1. */
  start: Int32Array;
  nClusters: number;
}

/**
 * Fits the random-intercept logistic model.
 * @param y 0/1 outcome per row.
 * @param X column-major n x p design with the intercept column first.
 * @param cluster 0-based cluster index per row, each in [0, nClusters).
 * @param options.start the ordinary logistic regression's coefficients when already fitted (else fitted here).
 * @throws RangeError when the design is degenerate or the optimisation fails.
 * @example
 * const y = [1,1,1,0,1,1, 0,0,1,0,0,0, 1,1,0,1,0,1, 0,0,0,0,1,0, 1,0,1,0,0,0, 0,0,0,0,0,1, 0,1,1,1,0,0, 1,0,0,0,0,0];
 * const team = y.map((_, i) => Math.floor(i / 6)); // 8 teams of 6, teams 4-7 treated
 * const X = Float64Array.from([...y.map(() => 1), ...team.map((t) => (t >= 4 ? 1 : 0))]);
 * fitGlmmLogistic(y, X, 48, 2, team, 8).coef[1] // => -0.76345... // fixef(glmer(y ~ arm + (1 | team), binomial))[2] = -0.7634506
 */
export function fitGlmmLogistic(
  y: ArrayLike<number>,
  X: Float64Array,
  n: number,
  p: number,
  cluster: ArrayLike<number>,
  nClusters: number,
  options: { start?: ArrayLike<number> } = {},
): GlmmLogisticFit {
  if (X.length !== n * p) throw new RangeError(`X has ${X.length} cells, expected ${n * p}`);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1) throw new RangeError(`the outcome must be 0 or 1, got ${v} at row ${i}`);
    const g = cluster[i]!;
    if (!(g >= 0 && g < nClusters)) throw new RangeError(`cluster index ${g} out of range at row ${i}`);
  }
  if (options.start && options.start.length !== p)
    throw new RangeError(`start has ${options.start.length} values, expected ${p}`);
  return fitGlmm(aggregate(y, X, n, p, cluster, nClusters), options.start);
}

/** Groups rows by cluster; rows with the same design row in a cluster (checked for p <= 2 binary) become one binomial unit. */
function aggregate(
  y: ArrayLike<number>,
  X: Float64Array,
  n: number,
  p: number,
  cluster: ArrayLike<number>,
  G: number,
): GlmmData {
  let binaryArm = p === 2;
  for (let i = 0; i < n && binaryArm; i++) if (X[i] !== 1 || (X[n + i] !== 0 && X[n + i] !== 1)) binaryArm = false;
  if (binaryArm) {
    // Cells (cluster, arm): successes and trials.
    const s = new Float64Array(2 * G);
    const m = new Float64Array(2 * G);
    for (let i = 0; i < n; i++) {
      const k = 2 * cluster[i]! + X[n + i]!;
      s[k] += y[i]!;
      m[k]++;
    }
    let u = 0;
    for (let k = 0; k < 2 * G; k++) if (m[k]! > 0) u++;
    const out = {
      s: new Float64Array(u),
      m: new Float64Array(u),
      X: new Float64Array(2 * u),
      p: 2,
      start: new Int32Array(G + 1),
      nClusters: G,
    };
    let r = 0;
    for (let g = 0; g < G; g++) {
      out.start[g] = r;
      for (let a = 0; a < 2; a++) {
        const k = 2 * g + a;
        if (m[k] === 0) continue;
        out.s[r] = s[k]!;
        out.m[r] = m[k]!;
        out.X[r] = 1;
        out.X[u + r] = a;
        r++;
      }
    }
    out.start[G] = u;
    return out;
  }
  // Counting sort of the rows by cluster.
  const start = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) start[cluster[i]! + 1]++;
  for (let g = 0; g < G; g++) start[g + 1] += start[g]!;
  const pos = start.slice(0, G);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[pos[cluster[i]!]!++] = i;
  const s = new Float64Array(n);
  const m = new Float64Array(n).fill(1);
  const Xs = new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    s[r] = y[i]!;
    for (let j = 0; j < p; j++) Xs[j * n + r] = X[j * n + i]!;
  }
  return { s, m, X: Xs, p, start, nClusters: G };
}

/** The Laplace objective (negative log-likelihood) and its gradient over (beta, sigma). */
class Laplace {
  readonly d: GlmmData;
  readonly n: number;
  readonly u: Float64Array;
  /** d u_g / d par_j at the last gradient evaluation (G x (p+1)): predicts the modes after a small move. */
  readonly du: Float64Array;
  private readonly eta0: Float64Array;
  constructor(d: GlmmData) {
    this.d = d;
    this.n = d.s.length;
    this.u = new Float64Array(d.nClusters);
    this.du = new Float64Array(d.nClusters * (d.p + 1));
    this.eta0 = new Float64Array(this.n);
  }

  /** Negative Laplace log-likelihood at par = [beta..., sigma]; fills grad when given. */
  value(par: Float64Array, grad?: Float64Array): number {
    const { s, m, X, p, start, nClusters } = this.d;
    const n = this.n;
    const sigma = par[p]!;
    const eta0 = this.eta0;
    eta0.fill(0);
    for (let j = 0; j < p; j++) {
      const b = par[j]!;
      const o = j * n;
      for (let i = 0; i < n; i++) eta0[i] += b * X[o + i]!;
    }
    if (grad) grad.fill(0);
    const A = new Float64Array(p);
    const Tx = new Float64Array(p);
    let f = 0;
    for (let g = 0; g < nClusters; g++) {
      const a = start[g]!;
      const b = start[g + 1]!;
      if (a === b) continue;
      // Conditional mode by Newton on  sigma * sum(s - m mu) - u = 0  (strictly decreasing in u).
      // Newton converges quadratically: after a step below 1e-8 the error is of order 1e-16.
      let u = this.u[g]!;
      for (let it = 0; it < 100; it++) {
        let r = 0;
        let S = 0;
        for (let i = a; i < b; i++) {
          const mu = expit(eta0[i]! + sigma * u);
          r += s[i]! - m[i]! * mu;
          S += m[i]! * mu * (1 - mu);
        }
        const h = sigma * r - u;
        const step = h / (1 + sigma * sigma * S);
        u += step;
        if (Math.abs(step) <= 1e-8 * (1 + Math.abs(u))) break;
      }
      this.u[g] = u;
      let ll = 0;
      let S = 0;
      let T = 0;
      let r = 0;
      if (grad) {
        A.fill(0);
        Tx.fill(0);
      }
      for (let i = a; i < b; i++) {
        const eta = eta0[i]! + sigma * u;
        const mu = expit(eta);
        ll += s[i]! * eta - m[i]! * log1pexp(eta);
        const w = mu * (1 - mu);
        const mw = m[i]! * w;
        const mwp = mw * (1 - 2 * mu);
        S += mw;
        T += mwp;
        const res = s[i]! - m[i]! * mu;
        r += res;
        if (grad) {
          for (let j = 0; j < p; j++) {
            const x = X[j * n + i]!;
            grad[j] -= res * x;
            A[j] += mw * x;
            Tx[j] += mwp * x;
          }
        }
      }
      const s2 = sigma * sigma;
      const D = 1 + s2 * S;
      f += -ll + (u * u) / 2 + Math.log(D) / 2;
      if (grad) {
        const c = s2 / (2 * D);
        // dS/dbeta = Tx + T sigma du/dbeta, du/dbeta = -sigma A / D.
        for (let j = 0; j < p; j++) grad[j] += c * (Tx[j]! - (T * s2 * A[j]!) / D);
        // d/dsigma: direct terms plus the log-det through the mode, du/dsigma = (r - sigma S u)/D.
        const duds = (r - sigma * S * u) / D;
        const o = g * (p + 1);
        for (let j = 0; j < p; j++) this.du[o + j] = (-sigma * A[j]!) / D;
        this.du[o + p] = duds;
        const dSds = T * (u + sigma * duds);
        grad[p] += -r * u + (sigma * S) / D + c * dSds;
      }
    }
    return f;
  }
}

function expit(e: number): number {
  if (e >= 0) return 1 / (1 + Math.exp(-e));
  const t = Math.exp(e);
  return t / (1 + t);
}

function log1pexp(e: number): number {
  return e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e));
}

function fitGlmm(d: GlmmData, start?: ArrayLike<number>): GlmmLogisticFit {
  const { p } = d;
  const n = d.s.length;
  const L = new Laplace(d);
  // Start: the ordinary logistic regression's coefficients.
  const prop = new Float64Array(n);
  for (let i = 0; i < n; i++) prop[i] = d.s[i]! / d.m[i]!;
  const glmFit = () => fitLogistic(d.X, n, p, prop, { weights: d.m });
  const glm = start ? null : glmFit();
  const beta0 = glm ? glm.coef : Float64Array.from(start!);
  const mu0 = glm ? glm.mu : new Float64Array(n);
  if (!glm) {
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < p; j++) e += beta0[j]! * d.X[j * n + i]!;
      mu0[i] = expit(e);
    }
  }
  const k = p + 1;
  let par = new Float64Array(k);
  par.set(beta0);
  // sigma starts from a moment estimate: with a random intercept, Var(O_g - E_g) is about
  // V_g + sigma^2 V_g^2 (O, E observed and expected events of cluster g, V the binomial variance).
  {
    let num = 0;
    let den = 0;
    for (let g = 0; g < d.nClusters; g++) {
      let o = 0;
      let e = 0;
      let v = 0;
      for (let i = d.start[g]!; i < d.start[g + 1]!; i++) {
        const mu = mu0[i]!;
        o += d.s[i]!;
        e += d.m[i]! * mu;
        v += d.m[i]! * mu * (1 - mu);
      }
      num += (o - e) * (o - e) - v;
      den += v * v;
    }
    par[p] = Math.min(3, Math.max(0.1, Math.sqrt(Math.max(0, num / den))));
  }
  let grad = new Float64Array(k);
  let f = L.value(par, grad);
  let converged = false;
  let iter: number;
  // Newton's method; the Hessian (k gradient evaluations) is reused while full steps succeed (the
  // chord method: linear but fast convergence near the optimum) and refreshed otherwise.
  let H: number[][] | null = null;
  let sinceRefresh = 0;
  for (iter = 1; iter <= 200; iter++) {
    if (!H || sinceRefresh >= 8) {
      H = hessian(L, par, grad);
      sinceRefresh = 0;
    }
    sinceRefresh++;
    const Hc = H;
    let fullStep = false;
    // Newton step, with a ridge when the Hessian is not positive definite (far from the optimum).
    let lambda = 0;
    let moved = false;
    for (let attempt = 0; attempt < 60 && !moved; attempt++) {
      const Hr = Hc.map((row, i) => row.map((v, j) => v + (i === j ? lambda * Math.max(1, Math.abs(Hc[i]![i]!)) : 0)));
      const ch = cholRows(Hr);
      if (!ch.ok) {
        lambda = lambda === 0 ? 1e-6 : lambda * 10;
        continue;
      }
      const inv = cholInvRows(ch.lower);
      const step = new Float64Array(k);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) step[i] -= inv[i]![j]! * grad[j]!;
      let t = 1;
      for (let ls = 0; ls < 40; ls++) {
        const trial = par.map((v, i) => v + t * step[i]!);
        const g2 = new Float64Array(k);
        const f2 = L.value(trial, g2);
        if (Number.isFinite(f2) && f2 <= f + 1e-4 * t * dot(grad, step)) {
          const decrease = f - f2;
          par = trial;
          f = f2;
          grad = g2;
          moved = true;
          fullStep = t === 1 && lambda === 0;
          let small = true;
          for (let i = 0; i < k; i++) if (Math.abs(t * step[i]!) > 1e-10 * (1 + Math.abs(par[i]!))) small = false;
          if (small || decrease < 1e-14 * (1 + Math.abs(f))) converged = lambda === 0 || small;
          break;
        }
        t /= 2;
      }
      if (!moved) lambda = lambda === 0 ? 1e-6 : lambda * 10;
    }
    if (!moved) {
      // No decrease along the current Hessian's direction: refresh it once, else at the optimum.
      if (sinceRefresh > 1) {
        H = null;
        continue;
      }
      converged = gradNorm(grad, par) < 1e-6;
      break;
    }
    if (converged) break;
    if (!fullStep) H = null;
  }
  const sigma = Math.abs(par[p]!);
  par[p] = sigma;
  f = L.value(par, grad);
  const singular = sigma < 1e-4;
  let vcov: Float64Array;
  if (singular) {
    // At the boundary the Laplace likelihood is the ordinary logistic one: its covariance.
    const g0 = glm ?? glmFit();
    par.set(g0.coef);
    vcov = g0.covUnscaled.slice();
  } else {
    const H = hessian(L, par, grad);
    const ch = cholRows(H);
    if (!ch.ok) throw new RangeError('the Hessian of the Laplace likelihood is not positive definite at the estimates');
    const inv = cholInvRows(ch.lower);
    vcov = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) vcov[i * p + j] = inv[i]![j]!;
  }
  return {
    coef: par.slice(0, p),
    vcov,
    sigma: singular ? 0 : sigma,
    logLik: -f,
    units: n,
    iterations: iter,
    converged,
    singular,
  };
}

/**
 * Hessian of the negative log-likelihood from differences of the analytic gradient, symmetrised:
 * forward differences from `grad` (the gradient at par; step 1e-6, error of that order), or
 * central differences without it.
 */
function hessian(L: Laplace, par: Float64Array, grad?: Float64Array): number[][] {
  const k = par.length;
  const H: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const gp = new Float64Array(k);
  const gm = new Float64Array(k);
  const saved = L.u.slice();
  const du = L.du.slice();
  const G = saved.length;
  // Start each mode search from the first-order prediction u + h du/dpar: one Newton step then suffices.
  const predict = (j: number, h: number) => {
    for (let g = 0; g < G; g++) L.u[g] = saved[g]! + h * du[g * k + j]!;
  };
  for (let j = 0; j < k; j++) {
    const h = (grad ? 1e-6 : 1e-5) * Math.max(1, Math.abs(par[j]!));
    const a = par.slice();
    a[j] = par[j]! + h;
    predict(j, h);
    L.value(a, gp);
    L.u.set(saved);
    if (grad) {
      for (let i = 0; i < k; i++) H[i]![j] = (gp[i]! - grad[i]!) / h;
      continue;
    }
    a[j] = par[j]! - h;
    predict(j, -h);
    L.value(a, gm);
    L.u.set(saved);
    for (let i = 0; i < k; i++) H[i]![j] = (gp[i]! - gm[i]!) / (2 * h);
  }
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      const v = (H[i]![j]! + H[j]![i]!) / 2;
      H[i]![j] = v;
      H[j]![i] = v;
    }
  }
  return H;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function gradNorm(g: ArrayLike<number>, par: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) m = Math.max(m, Math.abs(g[i]!) * Math.max(1, Math.abs(par[i]!)));
  return m;
}
