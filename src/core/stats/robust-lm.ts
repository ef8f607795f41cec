/**
 * Ordinary least squares with heteroskedasticity- and cluster-robust (sandwich) covariances and
 * small-sample corrections, for the model
 *
 *     y ~ 0 + factor(level) + x1 + ... + xq      (R formula; with no factor: y ~ 1 + x1 + ... + xq)
 *
 * The coefficients, standard errors and degrees of freedom of x1..xq equal R's
 * `estimatr::lm_robust(y ~ x1 + ... + factor(level), se_type = ...)`; the intercept or the level
 * effects are nuisance parameters and are not returned.
 *
 * Covariances, all M (sum of scores) M with M = (X'X)^-1 and e the OLS residuals:
 * - HC0: scores e_i x_i (White 1980); HC2: scores e_i x_i / sqrt(1 - h_ii), h_ii = x_i' M x_i
 *   (MacKinnon & White 1985), t on n - p df as estimatr.
 * - CR0: cluster score sums X_g' e_g with no adjustment (Liang & Zeger 1986), t on G - 1 df as
 *   estimatr's "CR0".
 * - CR2: X_g' A_g e_g with A_g = (I - H_gg)^(-1/2), H_gg = X_g M X_g' (Bell & McCaffrey 2002), and
 *   for each coefficient the Satterthwaite degrees of freedom under a working model of independent
 *   homoskedastic errors (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018), as
 *   `clubSandwich::coef_test(lm(...), vcov = "CR2", cluster = ..., test = "Satterthwaite")`.
 *   When I - H_gg is singular (a cluster with a leverage-1 direction, e.g. the only cluster of its
 *   block) the inverse square root is the generalised one, eigenvalues <= 1e-12 mapped to 0, as
 *   clubSandwich's `Sym_power`; HC2 applies the same rule to an observation with h_ii = 1 (so HC2 is
 *   CR2 with every observation its own cluster, as `clubSandwich::vcovCR(fit, cluster = 1:n)`).
 *
 * Computation, linear in n and never forming an n_g x n_g matrix:
 * - the numeric columns are centred within the factor levels (or about their mean), which spans the
 *   same column space as R's dummies, so the fit, residuals and hat matrix are R's, and makes X'X
 *   block diagonal: M = diag(1/n_b) (+) (D'D)^-1;
 * - H_gg = Z Z' with Z = X_g L (L L' = M) has rank <= p, and with Z'Z = L' S_g L = V diag(lambda) V'
 *   (S_g = X_g' X_g) one gets A_g X_g = X_g T_g with T_g = I + L V diag(d) V' L' S_g,
 *   d = ((1 - lambda)^(-1/2) - 1) / lambda = 1 / (s (1 + s)), s = sqrt(1 - lambda); so each cluster
 *   needs only its p x p cross-product S_g and score sum X_g' e_g;
 * - Satterthwaite df for coefficient c: with a_g = T_g M c, w_g = S_g a_g, the G x G matrix of the
 *   working-model covariances of the cluster terms is P = diag(a_g' w_g) - W' M W (W = [w_g]), and
 *   df = tr(P)^2 / |P|_F^2; both use only p x p sums: |W'MW|_F^2 = |L' W W' L|_F^2.
 */
import { cholesky, choleskyInverse, choleskySolve } from './cholesky.js';
import { pt } from './distributions.js';

export type RobustSeType = 'HC0' | 'HC2' | 'CR0' | 'CR2';

export interface RobustLmInput {
  y: ArrayLike<number>;
  /** The numeric regressors whose coefficients are estimated (intercept or levels are added). */
  covariates: ReadonlyArray<{ name: string; values: ArrayLike<number> }>;
  /** A fixed effect: 0-based level per row; its dummies replace the intercept. Empty levels are ignored. */
  factor?: { name: string; index: ArrayLike<number>; levels: number } | null;
  /** 0-based cluster per row, for CR0 / CR2. Empty clusters are ignored. */
  cluster?: { index: ArrayLike<number>; levels: number } | null;
  seType: RobustSeType;
  /** Covariate positions whose CR2 Satterthwaite df is computed (default: all); others get NaN df. */
  dfFor?: readonly number[];
}

export interface RobustCoefficient {
  name: string;
  estimate: number;
  std_error: number;
  /** t = estimate / std_error */
  statistic: number;
  /** n - p (HC), G - 1 (CR0) or Satterthwaite (CR2) */
  df: number;
  /** two-sided p from t on df */
  p_value: number;
}

export interface RobustLmFit {
  n: number;
  /** Number of regression coefficients (intercept or non-empty levels, plus covariates). */
  p: number;
  /** Non-empty clusters (null without clustering). */
  n_clusters: number | null;
  se_type: RobustSeType;
  /** One per covariate, in input order. */
  coefficients: RobustCoefficient[];
  /** Robust covariance of the covariate coefficients (q x q). */
  vcov: number[][];
}

/** Eigenvalues at or below this are treated as zero in the generalised inverse square root (as clubSandwich). */
const EIGEN_TOL = 1e-12;

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (accurate to rounding
 * for the p x p matrices used here).
 * @returns values and vectors (columns: vectors[i][k] is component i of eigenvector k)
 * @example symmetricEigen([[2, 1], [1, 2]]).values.sort((a, b) => a - b) // => [1.000000000, 3.000000000]
 */
export function symmetricEigen(a: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const m = a.length;
  const A = new Float64Array(m * m);
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) A[i * m + j] = a[i]![j]!;
    V[i * m + i] = 1;
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < m; i++) {
      diag += A[i * m + i]! * A[i * m + i]!;
      for (let j = i + 1; j < m; j++) off += A[i * m + j]! * A[i * m + j]!;
    }
    // Converged when the off-diagonal mass is below rounding of the diagonal (relative 1e-15 in norm).
    if (off <= 1e-30 * diag) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q]!;
        const app = A[p * m + p]!;
        const aqq = A[q * m + q]!;
        if (Math.abs(apq) <= 1e-18 * (Math.abs(app) + Math.abs(aqq))) {
          A[p * m + q] = 0;
          A[q * m + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A <- J' A J for the rotation J in the (p, q) plane; V <- V J.
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p]!;
          const akq = A[k * m + q]!;
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k]!;
          const aqk = A[q * m + k]!;
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p]!;
          const vkq = V[k * m + q]!;
          V[k * m + p] = c * vkp - s * vkq;
          V[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return {
    values: Array.from({ length: m }, (_, i) => A[i * m + i]!),
    vectors: Array.from({ length: m }, (_, i) => Array.from(V.subarray(i * m, (i + 1) * m))),
  };
}

/** d(lambda) = ((1 - lambda)^(-1/2) - 1) / lambda, with the generalised inverse at lambda = 1. */
function adjustmentFactor(lambda: number): number {
  const oneMinus = 1 - lambda;
  if (oneMinus <= EIGEN_TOL) return -1 / lambda;
  const s = Math.sqrt(oneMinus);
  return 1 / (s * (1 + s));
}

/** Compacts a 0-based index to the non-empty levels: returns the new index and level counts. */
function compact(
  index: ArrayLike<number>,
  levels: number,
  n: number,
  what: string,
): { index: Int32Array; counts: number[] } {
  const map = new Int32Array(levels).fill(-1);
  const out = new Int32Array(n);
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = index[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= levels)
      throw new RangeError(`robustLm: ${what}[${i}] = ${v} is not an integer in [0, ${levels})`);
    if (map[v] === -1) {
      map[v] = counts.length;
      counts.push(0);
    }
    const k = map[v]!;
    out[i] = k;
    counts[k]! += 1;
  }
  return { index: out, counts };
}

/**
 * Fits OLS and its robust covariance.
 * @throws RangeError on mismatched lengths, non-finite values, a covariate that is constant (within
 *   the factor levels) or collinear with the others, n <= p, fewer than 2 clusters, or a CR type
 *   without clusters
 * @example
 * const fit = fitRobustLm({ y: [1, 1, 0, 1, 0, 0, 1, 0], covariates: [{ name: 'arm', values: [0, 0, 0, 0, 1, 1, 1, 1] }], seType: 'HC2' });
 * fit.coefficients[0].std_error // => 0.3535534 // estimatr::lm_robust(y ~ arm, se_type = "HC2")
 */
export function fitRobustLm(input: RobustLmInput): RobustLmFit {
  const { y, covariates, seType } = input;
  const n = y.length;
  const q = covariates.length;
  if (q === 0) throw new RangeError('robustLm: at least one covariate is needed');
  for (const c of covariates) {
    if (c.values.length !== n)
      throw new RangeError(`robustLm: covariate ${c.name} has ${c.values.length} values, expected ${n}`);
  }
  const clustered = seType === 'CR0' || seType === 'CR2';
  if (clustered && !input.cluster) throw new RangeError(`robustLm: se_type ${seType} needs a cluster index`);
  if (input.factor && input.factor.index.length !== n)
    throw new RangeError(
      `robustLm: factor ${input.factor.name} has ${input.factor.index.length} values, expected ${n}`,
    );
  if (input.cluster && input.cluster.index.length !== n)
    throw new RangeError(`robustLm: cluster index has ${input.cluster.index.length} values, expected ${n}`);

  // Levels (intercept = one level).
  const lev = input.factor
    ? compact(input.factor.index, input.factor.levels, n, input.factor.name)
    : { index: new Int32Array(n), counts: [n] };
  const B = lev.counts.length;
  const level = lev.index;
  const p = B + q;
  if (n <= p) throw new RangeError(`robustLm: ${n} observations are too few for ${p} coefficients`);

  // Numeric columns centred within levels; y likewise (its level means are the level fits' base).
  const D = covariates.map((c) => finiteCopy(c.values, c.name));
  const rawSS = D.map((col) => dot(col, col));
  for (const col of D) centreWithin(col, level, lev.counts);
  const yc = finiteCopy(y, 'y');
  centreWithin(yc, level, lev.counts);

  // D'D, scaled by the raw column norms to detect constant or collinear columns.
  const DtD: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  const Dty = D.map((col) => dot(col, yc));
  for (let j = 0; j < q; j++) {
    for (let k = 0; k <= j; k++) {
      const s = dot(D[j]!, D[k]!);
      DtD[j]![k] = s;
      DtD[k]![j] = s;
    }
  }
  const scale = rawSS.map((s) => (s > 0 ? Math.sqrt(s) : 1));
  const scaled = DtD.map((row, j) => row.map((v, k) => v / (scale[j]! * scale[k]!)));
  const within = input.factor ? ` within the levels of ${input.factor.name}` : '';
  for (let j = 0; j < q; j++) {
    if (!(scaled[j]![j]! > 1e-10))
      throw new RangeError(`robustLm: covariate ${covariates[j]!.name} is constant${within}`);
    const sub = scaled.slice(0, j + 1).map((r) => r.slice(0, j + 1));
    if (!cholesky(sub).ok)
      throw new RangeError(
        `robustLm: covariate ${covariates[j]!.name} is collinear with the covariates before it${within}`,
      );
  }
  const invScaled = choleskyInverse(cholesky(scaled).lower);
  const Mdd = invScaled.map((row, j) => row.map((v, k) => v / (scale[j]! * scale[k]!)));
  const beta = Mdd.map((row) => row.reduce((s, v, k) => s + v * Dty[k]!, 0));

  // Residuals: y - level mean - D_centred beta.
  const e = Float64Array.from(yc);
  for (let j = 0; j < q; j++) axpy(-beta[j]!, D[j]!, e);

  const meat: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  let df: number[];
  let nClusters: number | null = null;
  if (!clustered) {
    const dfRes = n - p;
    // Weights e_i^2 (HC0) or e_i^2 / (1 - h_ii) (HC2), h_ii = 1/n_b + d_i' Mdd d_i.
    const wt = new Float64Array(n);
    for (let i = 0; i < n; i++) wt[i] = e[i]! * e[i]!;
    if (seType === 'HC2') {
      const h = new Float64Array(n);
      for (let i = 0; i < n; i++) h[i] = 1 / lev.counts[level[i]!]!;
      for (let j = 0; j < q; j++) {
        for (let k = 0; k <= j; k++) addProduct((j === k ? 1 : 2) * Mdd[j]![k]!, D[j]!, D[k]!, h);
      }
      for (let i = 0; i < n; i++) {
        const oneMinus = 1 - h[i]!;
        wt[i] = oneMinus <= EIGEN_TOL ? 0 : wt[i]! / oneMinus;
      }
    }
    for (let j = 0; j < q; j++) for (let k = 0; k <= j; k++) meat[j]![k] = weightedDot(wt, D[j]!, D[k]!);
    df = new Array<number>(q).fill(dfRes);
  } else {
    const cl = compact(input.cluster!.index, input.cluster!.levels, n, 'cluster');
    const G = cl.counts.length;
    nClusters = G;
    if (G < 2) throw new RangeError(`robustLm: ${G} cluster; cluster-robust variance needs at least 2`);
    const r = clusterMeat({
      n,
      q,
      B,
      D,
      e,
      level,
      levelCounts: lev.counts,
      cluster: cl.index,
      clusterCounts: cl.counts,
      Mdd,
      meat,
      cr2: seType === 'CR2',
      dfFor: input.dfFor ?? covariates.map((_, j) => j),
    });
    df = seType === 'CR2' ? r : new Array<number>(q).fill(G - 1);
  }
  for (let j = 0; j < q; j++) for (let k = 0; k < j; k++) meat[k]![j] = meat[j]![k]!;
  // V = Mdd meat Mdd (M is block diagonal, so the covariate block needs only Mdd).
  const tmp = Mdd.map((row) => meat[0]!.map((_, k) => row.reduce((s, v, l) => s + v * meat[l]![k]!, 0)));
  const vcov = tmp.map((row) => Mdd[0]!.map((_, k) => row.reduce((s, v, l) => s + v * Mdd[l]![k]!, 0)));
  for (let j = 0; j < q; j++) for (let k = 0; k < j; k++) vcov[j]![k] = vcov[k]![j] = (vcov[j]![k]! + vcov[k]![j]!) / 2;
  return {
    n,
    p,
    n_clusters: nClusters,
    se_type: seType,
    coefficients: covariates.map((c, j) => {
      const se = Math.sqrt(vcov[j]![j]!);
      const t = beta[j]! / se;
      const d = df[j]!;
      return {
        name: c.name,
        estimate: beta[j]!,
        std_error: se,
        statistic: t,
        df: d,
        p_value: d > 0 && Number.isFinite(t) ? 2 * pt(-Math.abs(t), d) : NaN,
      };
    }),
    vcov,
  };
}

interface ClusterWork {
  n: number;
  q: number;
  B: number;
  D: Float64Array[];
  e: Float64Array;
  level: Int32Array;
  levelCounts: number[];
  cluster: Int32Array;
  clusterCounts: number[];
  Mdd: number[][];
  /** accumulated in place (lower triangle) */
  meat: number[][];
  cr2: boolean;
  dfFor: readonly number[];
}

/**
 * Accumulates the CR0 / CR2 meat of the covariate block and returns the CR2 Satterthwaite df per
 * covariate (NaN where not requested). Works cluster by cluster in the reduced coordinates of the
 * levels present in the cluster plus the q covariates.
 */
function clusterMeat(w: ClusterWork): number[] {
  const { n, q, B, D, e, level, levelCounts, cluster, clusterCounts, Mdd, meat, cr2 } = w;
  const G = clusterCounts.length;
  // (cluster, level) pairs: the levels present in each cluster.
  const pairOf = new Int32Array(n);
  const pairLevel: number[] = [];
  const pairsOfCluster: number[][] = Array.from({ length: G }, () => []);
  if (B === 1) {
    for (let g = 0; g < G; g++) {
      pairLevel.push(0);
      pairsOfCluster[g]!.push(g);
    }
    pairOf.set(cluster);
  } else {
    const dense = G * B <= 1 << 24 ? new Int32Array(G * B).fill(-1) : null;
    const sparse = dense ? null : new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const g = cluster[i]!;
      const key = g * B + level[i]!;
      let k = dense ? dense[key]! : (sparse!.get(key) ?? -1);
      if (k === -1) {
        k = pairLevel.length;
        pairLevel.push(level[i]!);
        pairsOfCluster[g]!.push(k);
        if (dense) dense[key] = k;
        else sparse!.set(key, k);
      }
      pairOf[i] = k;
    }
  }
  const nPairs = pairLevel.length;
  // Sequential, column-wise sums: per pair the row count, residual sum and covariate sums; per
  // cluster the covariate cross-products (lower triangle) and covariate-residual products.
  const pairCount = new Float64Array(nPairs);
  const pairE = new Float64Array(nPairs);
  const pairD = new Float64Array(nPairs * q);
  const clusterDe = new Float64Array(G * q);
  const clusterDD = new Float64Array(G * q * q);
  for (let i = 0; i < n; i++) {
    const k = pairOf[i]!;
    pairCount[k] += 1;
    pairE[k] += e[i]!;
  }
  for (let j = 0; j < q; j++) {
    const dj = D[j]!;
    for (let i = 0; i < n; i++) {
      const v = dj[i]!;
      pairD[pairOf[i]! * q + j] += v;
      clusterDe[cluster[i]! * q + j] += v * e[i]!;
    }
    for (let k = 0; k <= j; k++) {
      const dk = D[k]!;
      const off = j * q + k;
      const qq = q * q;
      for (let i = 0; i < n; i++) clusterDD[cluster[i]! * qq + off] += dj[i]! * dk[i]!;
    }
  }

  const Ldd = cholesky(Mdd).lower;
  const dfFor = w.dfFor.filter((j) => j >= 0 && j < q);
  const P = B + q; // global coordinates: levels then covariates
  // Per requested coefficient: sum_g (q_g - r_g), sum_g (q_g - r_g)^2, sum_g r_g^2 and Ptilde = sum_g wt_g wt_g'.
  if (cr2 && dfFor.length > 0 && P * P * dfFor.length > 5e7)
    throw new RangeError(`robustLm: ${B} fixed-effect levels are too many for the CR2 degrees of freedom`);
  const acc = (cr2 ? dfFor : []).map(() => ({ tr: 0, diagSq: 0, rSq: 0, Pt: new Float64Array(P * P) }));

  for (let g = 0; g < G; g++) {
    const pairs = pairsOfCluster[g]!;
    const present = pairs.map((k) => pairLevel[k]!);
    const kb = present.length;
    const m = kb + q;
    // S = X_g' X_g and u = X_g' e_g in reduced coordinates [present levels, covariates].
    const S: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    const u = new Array<number>(m).fill(0);
    pairs.forEach((k, a) => {
      S[a]![a] = pairCount[k]!;
      u[a] = pairE[k]!;
      for (let j = 0; j < q; j++) S[a]![kb + j] = pairD[k * q + j]!;
    });
    for (let j = 0; j < q; j++) {
      u[kb + j] = clusterDe[g * q + j]!;
      for (let k = 0; k <= j; k++) S[kb + j]![kb + k] = clusterDD[g * q * q + j * q + k]!;
    }
    for (let a = 0; a < m; a++)
      for (let b = 0; b < a; b++) S[b]![a] = S[a]![b] = a >= kb && b >= kb ? S[a]![b]! : S[b]![a]! + S[a]![b]!;
    if (!cr2) {
      for (let j = 0; j < q; j++) for (let k = 0; k <= j; k++) meat[j]![k]! += u[kb + j]! * u[kb + k]!;
      continue;
    }
    // L (reduced): diag(1/sqrt(n_b)) (+) Ldd.
    const L: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (let a = 0; a < kb; a++) L[a]![a] = 1 / Math.sqrt(levelCounts[present[a]!]!);
    for (let j = 0; j < q; j++) for (let k = 0; k <= j; k++) L[kb + j]![kb + k] = Ldd[j]![k]!;
    const SL = matMul(S, L);
    const ZtZ = matMul(transpose(L), SL);
    const eig = symmetricEigen(ZtZ);
    // K = L V diag(d) V' L'
    const LV = matMul(L, eig.vectors);
    const d = eig.values.map((lam) => (lam > EIGEN_TOL ? adjustmentFactor(Math.min(lam, 1)) : 0.5));
    const K: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (let a = 0; a < m; a++) {
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += LV[a]![k]! * d[k]! * LV[b]![k]!;
        K[a]![b] = s;
        K[b]![a] = s;
      }
    }
    // Adjusted score sum T' u = u + S K u.
    const Ku = matVec(K, u);
    const SKu = matVec(S, Ku);
    for (let j = 0; j < q; j++) {
      const aj = u[kb + j]! + SKu[kb + j]!;
      for (let k = 0; k <= j; k++) meat[j]![k]! += aj * (u[kb + k]! + SKu[kb + k]!);
    }
    // Satterthwaite pieces for each requested coefficient.
    dfFor.forEach((j, t) => {
      const Mc = new Array<number>(m).fill(0);
      for (let k = 0; k < q; k++) Mc[kb + k] = Mdd[k]![j]!;
      const KSMc = matVec(K, matVec(S, Mc));
      const a = Mc.map((v, k) => v + KSMc[k]!);
      const wv = matVec(S, a);
      const qg = a.reduce((s, v, k) => s + v * wv[k]!, 0);
      // wt = L' w, placed in global coordinates.
      const wt = new Array<number>(m).fill(0);
      for (let k = 0; k < m; k++) {
        let s = 0;
        for (let l = 0; l < m; l++) s += L[l]![k]! * wv[l]!;
        wt[k] = s;
      }
      const rg = wt.reduce((s, v) => s + v * v, 0);
      const A = acc[t]!;
      A.tr += qg - rg;
      A.diagSq += (qg - rg) * (qg - rg);
      A.rSq += rg * rg;
      const gi = (k: number) => (k < kb ? present[k]! : B + (k - kb));
      for (let k = 0; k < m; k++) {
        const rowOff = gi(k) * P;
        for (let l = 0; l < m; l++) A.Pt[rowOff + gi(l)] += wt[k]! * wt[l]!;
      }
    });
  }
  const df = new Array<number>(q).fill(NaN);
  if (!cr2) return df;
  dfFor.forEach((j, t) => {
    const A = acc[t]!;
    let fro = 0;
    for (let k = 0; k < A.Pt.length; k++) fro += A.Pt[k]! * A.Pt[k]!;
    // |P|_F^2 = sum_g (q_g - r_g)^2 + sum_{g != h} (w_g' M w_h)^2, the latter = |L'WW'L|_F^2 - sum_g r_g^2.
    const offDiag = Math.max(0, fro - A.rSq);
    df[j] = (A.tr * A.tr) / (A.diagSq + offDiag);
  });
  return df;
}

/** A Float64Array copy; RangeError naming the first non-finite value. */
function finiteCopy(values: ArrayLike<number>, name: string): Float64Array {
  const col = new Float64Array(values as ArrayLike<number>);
  for (let i = 0; i < col.length; i++) {
    if (!Number.isFinite(col[i]!)) throw new RangeError(`robustLm: ${name}[${i}] = ${values[i]} is not finite`);
  }
  return col;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function weightedDot(w: Float64Array, a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += w[i]! * a[i]! * b[i]!;
  return s;
}

/** y += alpha x */
function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i]!;
}

/** out += alpha a .* b */
function addProduct(alpha: number, a: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < a.length; i++) out[i] += alpha * a[i]! * b[i]!;
}

/** Subtracts from each value the mean of its level. */
function centreWithin(col: Float64Array, level: Int32Array, counts: readonly number[]): void {
  const sums = new Float64Array(counts.length);
  for (let i = 0; i < col.length; i++) sums[level[i]!] += col[i]!;
  for (let b = 0; b < counts.length; b++) sums[b] /= counts[b]!;
  for (let i = 0; i < col.length; i++) col[i] -= sums[level[i]!]!;
}

function transpose(a: number[][]): number[][] {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

function matMul(a: number[][], b: number[][]): number[][] {
  const m = a.length;
  const k = b.length;
  const c = b[0]!.length;
  const out: number[][] = Array.from({ length: m }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < m; i++) {
    const ai = a[i]!;
    const oi = out[i]!;
    for (let l = 0; l < k; l++) {
      const v = ai[l]!;
      if (v === 0) continue;
      const bl = b[l]!;
      for (let j = 0; j < c; j++) oi[j]! += v * bl[j]!;
    }
  }
  return out;
}

function matVec(a: number[][], x: number[]): number[] {
  return a.map((row) => row.reduce((s, v, k) => s + v * x[k]!, 0));
}

/**
 * CR2 for a canonical-link GLM (binomial/logit, Poisson/log): the same Bell-McCaffrey adjustment
 * and Satterthwaite df as `fitRobustLm`'s CR2, in the form `clubSandwich::vcovCR(glm_fit, cluster,
 * type = "CR2")` and `coef_test(..., test = "Satterthwaite")` use for a glm (inverse-variance
 * working model). With prior weight w_i and variance function v_i = V(mu_i) (mu(1 - mu) or mu):
 * the model matrix is X~ = v X (dmu/deta = v for a canonical link), the weight w/v, the working
 * variance Theta = diag(v/w) = S^2 and the residual y - mu. Per cluster
 *
 *     A_g = S_g B_g^(-1/2) S_g,   B_g = S_g (S_g^2 - X~_g M X~_g') S_g,   M = (X' diag(w v) X)^-1,
 *
 * the meat sums X~_g' W_g A_g e_g, and for a linear model (v = w = 1) A_g = (I - H_gg)^(-1/2), the
 * CR2 above. B^(-1/2) is the generalised inverse square root (eigenvalues <= 1e-12 set to 0, as
 * clubSandwich's `matrix_power`).
 *
 * Rows of a cluster with the same covariate row, prior weight and fitted mean ("profiles") are
 * interchangeable: on vectors that sum to zero within a profile B_g is s^4 I and those directions
 * contribute nothing to the meat or the df, so every n_g x n_g product reduces exactly to a K x K
 * one on the K profiles (K <= n_g; a cluster-randomised arm-only model has K = 1 per cluster).
 * @throws RangeError with fewer than 2 clusters, a non-positive weight, or a cluster with more
 *   than GLM_CR2_MAX_PROFILES profiles (the eigen-decomposition would be too slow).
 */
export interface GlmCr2Input {
  /** Design matrix, column-major (X[j * n + i]). */
  X: Float64Array;
  n: number;
  p: number;
  y: ArrayLike<number>;
  /** Fitted means. */
  mu: ArrayLike<number>;
  family: 'binomial' | 'poisson';
  /** Prior weights (R glm(weights = )); all 1 when absent. */
  weights?: ArrayLike<number>;
  /** 0-based cluster per row. */
  cluster: ArrayLike<number>;
  nClusters: number;
  /** (X' diag(w v) X)^-1, p x p row-major: the fit's unscaled covariance. */
  bread: Float64Array;
  /** Coefficients (0-based) whose Satterthwaite df is computed. */
  dfFor: readonly number[];
  /** How B^(-1/2) is applied (default auto: dense eigen-decomposition for small clusters, quadrature otherwise); for tests. */
  method?: InverseSqrtMethod;
}

export type InverseSqrtMethod = 'auto' | 'dense' | 'quadrature';

export interface GlmCr2Result {
  /** CR2 covariance, p x p row-major. */
  vcov: Float64Array;
  /** Satterthwaite df per coefficient (NaN where not requested). */
  df: number[];
  /** Non-empty clusters. */
  nClusters: number;
}

/**
 * Distinct covariate patterns per cluster up to which B^(-1/2) comes from a dense eigen-decomposition
 * (exact, O(K^3)); larger clusters use the quadrature below (O(K p^2) per node). A near-singular B
 * (a leverage-1 direction) always takes the dense route, which needs K <= GLM_CR2_MAX_PROFILES.
 */
export const GLM_CR2_DENSE_PROFILES = 40;
export const GLM_CR2_MAX_PROFILES = 400;

/**
 * B^(-1/2) v for B = diag(D) - E M E' (K x K, positive semi-definite), for each v in `vs`.
 *
 * Dense: eigen-decomposition, eigenvalues <= 1e-12 mapped to 0 (clubSandwich's matrix_power).
 * Quadrature: B^(-1/2) = (2/pi) int_0^inf (t^2 I + B)^(-1) dt; with t = e^u the integrand is
 * analytic in the strip |Im u| < pi/2 and decays exponentially both ways, so the trapezoid rule
 * with step h = 0.4 has relative discretisation error about exp(-pi^2 / h) (2e-11), and the range
 * is cut 32 e-folds beyond the eigenvalue bounds (tails below e^-32, 1e-14). Each node solves (t^2 + D - E M E') x = v
 * by the Woodbury identity: x = Dt^-1 v + Dt^-1 E (M^-1 - E' Dt^-1 E)^-1 E' Dt^-1 v, Dt = t^2 + D.
 * Eigenvalue bounds: B = T (I - Z Z') T with T = diag(sqrt D), so lambda in
 * [min D (1 - rho), max D], rho the largest eigenvalue of Z'Z = L' E' D^-1 E L (L L' = M).
 */
function inverseSqrtApply(
  D: number[],
  E: number[][],
  M: number[][],
  Minv: number[][],
  vs: number[][],
  method: InverseSqrtMethod = 'auto',
): number[][] {
  const K = D.length;
  const p = M.length;
  let rho = 0;
  let dMin = Infinity;
  let dMax = 0;
  for (const d of D) {
    dMin = Math.min(dMin, d);
    dMax = Math.max(dMax, d);
  }
  if (method !== 'dense' && !(K <= GLM_CR2_DENSE_PROFILES && method === 'auto') && dMin > 0) {
    const L = cholesky(M).lower;
    const EtDE: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let a = 0; a < K; a++)
      for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) EtDE[j]![k]! += (E[a]![j]! * E[a]![k]!) / D[a]!;
    const ZtZ = matMul(matMul(transpose(L), EtDE), L);
    rho = Math.max(...symmetricEigen(ZtZ).values);
  }
  const quadrature = method === 'quadrature' || (method === 'auto' && K > GLM_CR2_DENSE_PROFILES);
  if (quadrature && dMin > 0 && rho < 1 - 1e-8) {
    const lo = 0.5 * Math.log(dMin * (1 - rho));
    const hi = 0.5 * Math.log(dMax);
    const h = 0.4;
    const nv = vs.length;
    // Flat typed copies: E (K x p), the vectors (nv x K), the results.
    const Ef = new Float64Array(K * p);
    for (let a = 0; a < K; a++) for (let j = 0; j < p; j++) Ef[a * p + j] = E[a]![j]!;
    const Vf = new Float64Array(nv * K);
    vs.forEach((v, r) => {
      for (let a = 0; a < K; a++) Vf[r * K + a] = v[a]!;
    });
    const out = new Float64Array(nv * K);
    const dt = new Float64Array(K);
    const inner = new Float64Array(p * p);
    const yv = new Float64Array(K);
    const ety = new Array<number>(p);
    const innerRows: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let u = lo - 32; u <= hi + 32; u += h) {
      const t2 = Math.exp(2 * u);
      for (let a = 0; a < K; a++) dt[a] = t2 + D[a]!;
      // Inner p x p matrix M^-1 - E' Dt^-1 E.
      for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) inner[j * p + k] = Minv[j]![k]!;
      for (let a = 0; a < K; a++) {
        const ia = 1 / dt[a]!;
        const o = a * p;
        for (let j = 0; j < p; j++) {
          const ej = Ef[o + j]! * ia;
          for (let k = 0; k <= j; k++) inner[j * p + k] -= ej * Ef[o + k]!;
        }
      }
      for (let j = 0; j < p; j++) for (let k = 0; k <= j; k++) innerRows[j]![k] = innerRows[k]![j] = inner[j * p + k]!;
      const ch = cholesky(innerRows, 0);
      if (!ch.ok) return inverseSqrtApply(D, E, M, Minv, vs, 'dense');
      const wgt = (2 / Math.PI) * h * Math.exp(u);
      for (let r = 0; r < nv; r++) {
        ety.fill(0);
        for (let a = 0; a < K; a++) {
          const ya = Vf[r * K + a]! / dt[a]!;
          yv[a] = ya;
          for (let j = 0; j < p; j++) ety[j]! += Ef[a * p + j]! * ya;
        }
        const z = choleskySolve(ch.lower, ety);
        for (let a = 0; a < K; a++) {
          let ez = 0;
          for (let j = 0; j < p; j++) ez += Ef[a * p + j]! * z[j]!;
          out[r * K + a] += wgt * (yv[a]! + ez / dt[a]!);
        }
      }
    }
    return vs.map((_, r) => Array.from(out.subarray(r * K, (r + 1) * K)));
  }
  if (K > GLM_CR2_MAX_PROFILES)
    throw new RangeError(
      `glmCr2: a cluster has ${K} distinct covariate patterns and a (near-)singular adjustment matrix; more than ${GLM_CR2_MAX_PROFILES} is too many for the exact route`,
    );
  const EM = matMul(E, M);
  const B: number[][] = Array.from({ length: K }, (_, a) =>
    Array.from({ length: K }, (_, b) => (a === b ? D[a]! : 0) - EM[a]!.reduce((t, val, j) => t + val * E[b]![j]!, 0)),
  );
  const eig = symmetricEigen(B);
  const lamP = eig.values.map((l) => (l > EIGEN_TOL ? 1 / Math.sqrt(l) : 0));
  const V = eig.vectors;
  return vs.map((x) => {
    const t = lamP.map((l, k) => l * V.reduce((acc2, row, a) => acc2 + row[k]! * x[a]!, 0));
    return V.map((row) => row.reduce((acc2, vk, k) => acc2 + vk * t[k]!, 0));
  });
}

export function glmCr2(input: GlmCr2Input): GlmCr2Result {
  const { X, n, p, y, mu, family, weights, bread } = input;
  const cl = compact(input.cluster, input.nClusters, n, 'cluster');
  const G = cl.counts.length;
  if (G < 2) throw new RangeError(`glmCr2: ${G} cluster; cluster-robust variance needs at least 2`);
  // Profiles within clusters.
  const profileOf = new Map<string, number>();
  const profiles: Array<{ g: number; row: number; m: number; eSum: number }> = [];
  const byCluster: number[][] = Array.from({ length: G }, () => []);
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w > 0)) throw new RangeError(`glmCr2: prior weight ${w} at row ${i} is not positive`);
    const g = cl.index[i]!;
    let key = `${g}|${w}|${mu[i]}`;
    for (let j = 0; j < p; j++) key += `|${X[j * n + i]}`;
    let k = profileOf.get(key);
    if (k === undefined) {
      k = profiles.length;
      profileOf.set(key, k);
      profiles.push({ g, row: i, m: 0, eSum: 0 });
      byCluster[g]!.push(k);
    }
    const pr = profiles[k]!;
    pr.m += 1;
    pr.eSum += y[i]! - mu[i]!;
  }
  const M: number[][] = Array.from({ length: p }, (_, j) => Array.from(bread.subarray(j * p, (j + 1) * p)));
  const L = cholesky(M).lower;
  const Minv = choleskyInverse(L);
  const dfFor = input.dfFor.filter((j) => j >= 0 && j < p);
  const Mc = dfFor.map((c) => M.map((row) => row[c]!));
  const acc = dfFor.map(() => ({ tr: 0, diagSq: 0, rSq: 0, Pt: new Float64Array(p * p) }));
  const meat: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let g = 0; g < G; g++) {
    const ks = byCluster[g]!;
    const K = ks.length;
    const s = new Array<number>(K);
    const E: number[][] = [];
    const F: number[][] = [];
    const phi = new Array<number>(K);
    ks.forEach((k, a) => {
      const pr = profiles[k]!;
      const m = mu[pr.row]!;
      const v = family === 'binomial' ? m * (1 - m) : m;
      const w = weights ? weights[pr.row]! : 1;
      const sk = Math.sqrt(v / w);
      const rm = Math.sqrt(pr.m);
      s[a] = sk;
      const x = Array.from({ length: p }, (_, j) => X[j * n + pr.row]!);
      E.push(x.map((xj) => rm * sk * v * xj));
      F.push(x.map((xj) => rm * sk * w * xj));
      phi[a] = (sk * pr.eSum) / rm;
    });
    // B_red = diag(s^4) - E M E'; its inverse square root applied to phi and each psi.
    const psis = dfFor.map((_, t) => F.map((row) => row.reduce((acc2, f, j) => acc2 + f * Mc[t]![j]!, 0)));
    const applied = inverseSqrtApply(
      s.map((x) => x ** 4),
      E,
      M,
      Minv,
      [phi, ...psis],
      input.method,
    );
    const Rphi = applied[0]!;
    const u = new Array<number>(p).fill(0);
    for (let a = 0; a < K; a++) for (let j = 0; j < p; j++) u[j]! += F[a]![j]! * Rphi[a]!;
    for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) meat[j]![k]! += u[j]! * u[k]!;
    dfFor.forEach((_, t) => {
      const Rpsi = applied[t + 1]!;
      let qg = 0;
      for (let a = 0; a < K; a++) qg += s[a]! ** 4 * Rpsi[a]! * Rpsi[a]!;
      const Et = new Array<number>(p).fill(0);
      for (let a = 0; a < K; a++) for (let j = 0; j < p; j++) Et[j]! += E[a]![j]! * Rpsi[a]!;
      const h = new Array<number>(p).fill(0);
      for (let k = 0; k < p; k++) for (let j = 0; j < p; j++) h[k]! += L[j]![k]! * Et[j]!;
      const rg = h.reduce((acc2, v) => acc2 + v * v, 0);
      const A = acc[t]!;
      A.tr += qg - rg;
      A.diagSq += (qg - rg) * (qg - rg);
      A.rSq += rg * rg;
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) A.Pt[a * p + b] += h[a]! * h[b]!;
    });
  }
  const VM = matMul(matMul(M, meat), M);
  const vcov = new Float64Array(p * p);
  for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) vcov[j * p + k] = (VM[j]![k]! + VM[k]![j]!) / 2;
  const df = new Array<number>(p).fill(NaN);
  dfFor.forEach((c, t) => {
    const A = acc[t]!;
    let fro = 0;
    for (let k = 0; k < A.Pt.length; k++) fro += A.Pt[k]! * A.Pt[k]!;
    df[c] = (A.tr * A.tr) / (A.diagSq + Math.max(0, fro - A.rSq));
  });
  return { vcov, df, nClusters: G };
}
