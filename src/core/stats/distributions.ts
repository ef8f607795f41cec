/**
 * Probability distributions, accurate to about 1e-13 relative (as R's nmath) in the body and the
 * tails. Upper tails are computed directly, never as 1 - (something close to 1).
 *
 * Methods (written for pilot-eval from the published mathematics):
 * - normal: erf power series (all terms positive) for |x| < 2 sqrt(2), Laplace's continued fraction
 *   for erfc beyond; exp(-x^2/2) is evaluated in two pieces so large |x| keep full precision.
 *   Quantile: Hastings' start (A&S 26.2.23) refined by Halley steps on the accurate cdf.
 * - binomial and Poisson densities: Loader's saddle-point form (Stirling remainder + deviance bd0),
 *   which also supplies the prefactors of the incomplete gamma and beta functions.
 * - regularised incomplete gamma: power series below a + 1, Lentz continued fraction above.
 * - regularised incomplete beta: Lentz continued fraction on the side where it converges.
 * - noncentral t: Lenth (1989) AS 243, as in R's pnt, including its normal approximation for very
 *   large df or noncentrality.
 * All functions throw RangeError on invalid parameters instead of returning NaN.
 */

/* eslint-disable no-loss-of-precision -- R's Rmath.h constants as R quotes them (30 digits); each is read as its nearest double */
const LN_SQRT_2PI = 0.918938533204672741780329736406; // log(sqrt(2 pi))
const LN_2PI = 1.83787706640934548356065947281; // log(2 pi)
const SQRT_2PI = 2.50662827463100050241576528481;
const LN_SQRT_PI = 0.572364942924700087071713675677; // log(sqrt(pi))
/* eslint-enable no-loss-of-precision */
const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

function requireFinite(name: string, value: number, fn: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${fn}: ${name} must be a finite number, got ${value}`);
}

function requireNotNaN(name: string, value: number, fn: string): void {
  if (Number.isNaN(value)) throw new RangeError(`${fn}: ${name} must be a number, got NaN`);
}

function requireProbability(p: number, fn: string): void {
  if (Number.isNaN(p) || p < 0 || p > 1) throw new RangeError(`${fn}: p must be in [0, 1], got ${p}`);
}

function requirePositive(name: string, value: number, fn: string): void {
  if (Number.isNaN(value) || !(value > 0)) throw new RangeError(`${fn}: ${name} must be > 0, got ${value}`);
}

// ---------------------------------------------------------------------------------------------
// Gamma function helpers

/** Stirling remainder lgamma(x) - [(x - 1/2) ln x - x + ln sqrt(2 pi)] for x >= 10 (asymptotic series). */
function stirlingRemainder(x: number): number {
  const x2 = 1 / (x * x);
  // Coefficients B_2k / (2k (2k - 1)): 1/12, -1/360, 1/1260, -1/1680, 1/1188, -691/360360, 1/156.
  return (
    (1 / 12 +
      x2 * (-1 / 360 + x2 * (1 / 1260 + x2 * (-1 / 1680 + x2 * (1 / 1188 + x2 * (-691 / 360360 + x2 * (1 / 156))))))) /
    x
  );
}

/**
 * log |Gamma(x)|. Stirling's series with 7 correction terms for x >= 10, the recurrence
 * Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1)) below, reflection for negative x.
 * Returns Infinity at the poles (0, -1, -2, ...), as R does.
 * @example lgamma(0.5) // => 0.57236494292470 // log(sqrt(pi)) = 0.5723649429247001
 */
export function lgamma(x: number): number {
  requireNotNaN('x', x, 'lgamma');
  if (x === Infinity) return Infinity;
  if (x === -Infinity) throw new RangeError('lgamma: x must be finite or +Infinity');
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0) {
    // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
    const s = Math.abs(Math.sin(Math.PI * x));
    return Math.log(Math.PI / s) - lgamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingRemainder(x);
  let prod = 1;
  let y = x;
  while (y < 10) {
    prod *= y;
    y += 1;
  }
  return (y - 0.5) * Math.log(y) - y + LN_SQRT_2PI + stirlingRemainder(y) - Math.log(prod);
}

/**
 * log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), arranged so that large arguments do not
 * cancel (the Stirling leading terms are combined analytically, with log1p).
 */
export function lbeta(a: number, b: number): number {
  requirePositive('a', a, 'lbeta');
  requirePositive('b', b, 'lbeta');
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (q === Infinity) return -Infinity;
  if (p >= 10) {
    const corr = stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = stirlingRemainder(q) - stirlingRemainder(p + q);
    return lgamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lgamma(p) + lgamma(q) - lgamma(p + q);
}

/**
 * log of the binomial coefficient C(n, k) for real n >= k >= 0 (lgamma form, as R's lchoose for
 * non-negative arguments).
 * @example lchoose(10, 3) // => 4.787491742782046 // log(120)
 */
export function lchoose(n: number, k: number): number {
  requireFinite('n', n, 'lchoose');
  requireFinite('k', k, 'lchoose');
  if (k < 0 || n < 0 || k > n) throw new RangeError(`lchoose: need 0 <= k <= n, got n = ${n}, k = ${k}`);
  if (k === 0 || k === n) return 0;
  if (k < 1 || n - k < 1) return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
  // -log((n + 1) B(n - k + 1, k + 1)) keeps precision for large n.
  return -Math.log(n + 1) - lbeta(n - k + 1, k + 1);
}

/** Stirling error lgamma(n + 1) - [(n + 1/2) ln n - n + ln sqrt(2 pi)] for real n > 0. */
function stirlerr(n: number): number {
  if (n > 15) {
    // lgamma(n+1) = lgamma(n) + ln n, so this is the remainder of lgamma at n.
    return stirlingRemainder(n);
  }
  return lgamma(n + 1) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI;
}

/** Deviance term x ln(x / np) + np - x, by a series when x is close to np (Loader 2000). */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    if (Math.abs(s) < Number.MIN_VALUE) return s;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}

/** Poisson density for real x >= 0: lambda^x e^-lambda / Gamma(x + 1). */
function dpoisRaw(x: number, lambda: number): number {
  if (lambda === 0) return x === 0 ? 1 : 0;
  if (!Number.isFinite(lambda)) return 0;
  if (x < 0) return 0;
  if (x <= lambda * Number.MIN_VALUE) return Math.exp(-lambda);
  if (lambda < x * Number.MIN_VALUE) {
    if (!Number.isFinite(x)) return 0;
    return Math.exp(-lambda + x * Math.log(lambda) - lgamma(x + 1));
  }
  return Math.exp(-stirlerr(x) - bd0(x, lambda)) / Math.sqrt(2 * Math.PI * x);
}

/** Binomial density for real 0 <= x <= n: Gamma(n+1)/(Gamma(x+1)Gamma(n-x+1)) p^x q^(n-x); q = 1 - p given separately. */
function dbinomRaw(x: number, n: number, p: number, q: number): number {
  if (p === 0) return x === 0 ? 1 : 0;
  if (q === 0) return x === n ? 1 : 0;
  if (x === 0) {
    if (n === 0) return 1;
    return p < 0.1 ? Math.exp(n * Math.log1p(-p)) : Math.exp(n * Math.log(q));
  }
  if (x === n) return q < 0.1 ? Math.exp(n * Math.log1p(-q)) : Math.exp(n * Math.log(p));
  if (x < 0 || x > n) return 0;
  const lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
  const lf = LN_2PI + Math.log(x) + Math.log1p(-x / n);
  return Math.exp(lc - 0.5 * lf);
}

// ---------------------------------------------------------------------------------------------
// Normal

/** exp(-x^2 / 2) without the rounding error of forming x^2 (split x = xs + d, xs on a 1/16 grid). */
function expHalfSquare(x: number): number {
  const ax = Math.abs(x);
  const xs = Math.trunc(ax * 16) / 16;
  const d = (ax - xs) * (ax + xs);
  return Math.exp(-xs * xs * 0.5) * Math.exp(-d * 0.5);
}

/** Standard normal density. */
export function dnorm(x: number): number {
  requireNotNaN('x', x, 'dnorm');
  if (!Number.isFinite(x)) return 0;
  return expHalfSquare(x) / SQRT_2PI;
}

/** Upper tail 1 - Phi(x) for x >= 2 sqrt(2), via Laplace's continued fraction for erfc. */
function normalUpperTailCF(x: number): number {
  // Q(x) = phi(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), modified Lentz.
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    d = x + n * d;
    d = d === 0 ? 1 / TINY : 1 / d;
    c = x + n / c;
    if (c === 0) c = TINY;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return expHalfSquare(x) / SQRT_2PI / f;
}

/** Phi(x) - 1/2 for |x| < 3, from the all-positive series erf(z) = 2/sqrt(pi) e^{-z^2} sum (2z^2)^n z / (2n+1)!!. */
function normalCentral(x: number): number {
  const z2 = x * x; // (2 z^2) with z = x / sqrt 2
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= z2 / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  // erf(z)/2 = (1/sqrt(pi)) e^{-z^2} * sum_in_z ; with x: Phi - 1/2 = phi(x) * sum_in_x.
  return (expHalfSquare(x) / SQRT_2PI) * sum;
}

/**
 * Standard normal distribution function Phi(x) (or its upper tail).
 * @throws RangeError if x is NaN
 * @example pnorm(1.959963984540054) // => 0.975
 */
export function pnorm(x: number, lowerTail = true): number {
  requireNotNaN('x', x, 'pnorm');
  if (x === Infinity) return lowerTail ? 1 : 0;
  if (x === -Infinity) return lowerTail ? 0 : 1;
  const ax = Math.abs(x);
  if (ax < 2.8284271247461903) {
    const half = normalCentral(x);
    return lowerTail ? 0.5 + half : 0.5 - half;
  }
  const tail = normalUpperTailCF(ax); // P(Z > |x|)
  const wantSmall = lowerTail ? x < 0 : x > 0;
  return wantSmall ? tail : 1 - tail;
}

/**
 * Reduces a quantile problem for a distribution symmetric about 0 to the lower tail: the
 * probability pl <= 1/2 (1 - p is exact for p in [1/2, 1]) and the sign to put on the quantile.
 */
function lowerHalf(p: number, lowerTail: boolean): { pl: number; sign: number } {
  const upperHalf = p > 0.5;
  return { pl: upperHalf ? 1 - p : p, sign: upperHalf === lowerTail ? -1 : 1 };
}

/**
 * Standard normal quantile.
 * @throws RangeError if p is outside [0, 1]
 * @example qnorm(0.975) // => 1.959963984540054
 */
export function qnorm(p: number, lowerTail = true): number {
  requireProbability(p, 'qnorm');
  const { pl, sign } = lowerHalf(p, lowerTail);
  if (pl === 0) return sign * -Infinity;
  if (pl === 0.5) return 0;
  // Hastings' rational start (A&S 26.2.23, |error| < 4.5e-4).
  const t = Math.sqrt(-2 * Math.log(pl));
  let x = -(
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
  );
  for (let i = 0; i < 50; i++) {
    const d = dnorm(x);
    if (d === 0) break;
    // Near the centre compare Phi(x) - 1/2 with p - 1/2 (exact for p >= 1/4) to keep precision.
    const r = (pl > 0.25 ? normalCentral(x) - (pl - 0.5) : pnorm(x) - pl) / d;
    const step = r / (1 + (x * r) / 2); // Halley
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return sign * x;
}

// ---------------------------------------------------------------------------------------------
// Incomplete gamma and chi-square

/** Regularised incomplete gamma, both tails: { lower: P(a, x), upper: Q(a, x) }. */
function incompleteGamma(a: number, x: number): { lower: number; upper: number } {
  if (x <= 0) return { lower: 0, upper: 1 };
  if (x === Infinity) return { lower: 1, upper: 0 };
  if (x < a + 1) {
    // P = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a+1)...(a+n))
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 1e7; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const lower = dpoisRaw(a, x) * sum;
    return { lower, upper: 1 - lower };
  }
  // Q = x^a e^-x / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), modified Lentz.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1e7; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const upper = dpoisRaw(a, x) * a * h;
  return { lower: 1 - upper, upper };
}

/**
 * Chi-square distribution function (regularised incomplete gamma P(df/2, x/2)).
 * @throws RangeError if df <= 0
 * @example pchisq(3.841458820694124, 1) // => 0.95
 */
export function pchisq(x: number, df: number, lowerTail = true): number {
  requireNotNaN('x', x, 'pchisq');
  requirePositive('df', df, 'pchisq');
  if (df === Infinity) throw new RangeError('pchisq: df must be finite');
  const g = incompleteGamma(df / 2, x / 2);
  return lowerTail ? g.lower : g.upper;
}

// ---------------------------------------------------------------------------------------------
// Incomplete beta, t, F

/** Continued fraction for I_x(a, b) (valid when x < (a + 1)/(a + b + 2)); y = 1 - x given exactly. */
function betaCF(x: number, y: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  const maxIter = 10000 + Math.ceil(20 * Math.sqrt(Math.max(a, b)));
  for (let m = 1; m <= maxIter; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  // Prefactor x^a y^b / (a B(a, b)) = dbinom_raw(a; a + b, x) * b / (a + b), exact in the tails.
  const front = (dbinomRaw(a, a + b, x, y) * b) / (a + b);
  return front * h;
}

/** Regularised incomplete beta, both tails, given x and y = 1 - x separately. */
function incompleteBeta(x: number, y: number, a: number, b: number): { lower: number; upper: number } {
  if (x <= 0) return { lower: 0, upper: 1 };
  if (y <= 0) return { lower: 1, upper: 0 };
  if (x < (a + 1) / (a + b + 2)) {
    const lower = betaCF(x, y, a, b);
    return { lower, upper: 1 - lower };
  }
  const upper = betaCF(y, x, b, a);
  return { lower: 1 - upper, upper };
}

/**
 * Regularised incomplete beta function I_x(a, b) (R's pbeta).
 * @throws RangeError if a <= 0, b <= 0 or x is NaN
 * @example pbeta(0.5, 2, 3) // => 0.6875
 */
export function pbeta(x: number, a: number, b: number, lowerTail = true): number {
  requireNotNaN('x', x, 'pbeta');
  requirePositive('a', a, 'pbeta');
  requirePositive('b', b, 'pbeta');
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError('pbeta: a and b must be finite');
  if (x <= 0) return lowerTail ? 0 : 1;
  if (x >= 1) return lowerTail ? 1 : 0;
  const r = incompleteBeta(x, 1 - x, a, b);
  return lowerTail ? r.lower : r.upper;
}

/** P(T > |t|) for Student's t with df degrees of freedom. */
function tTail(t: number, df: number): number {
  const at = Math.abs(t);
  if (at === Infinity) return 0;
  if (df === Infinity) return pnorm(-at);
  // x = df/(df + t^2), y = t^2/(df + t^2), formed without overflow.
  let x: number;
  let y: number;
  if (at * at > df) {
    const r = Math.sqrt(df) / at;
    const r2 = r * r;
    x = r2 / (1 + r2);
    y = 1 / (1 + r2);
  } else {
    const s = (at * at) / df;
    x = 1 / (1 + s);
    y = s / (1 + s);
  }
  return 0.5 * incompleteBeta(x, y, df / 2, 0.5).lower;
}

/**
 * Student's t distribution function (central).
 * @throws RangeError if df <= 0
 * @example pt(2, 10) // => 0.963305982614630 // R: pt(2, 10)
 */
export function pt(x: number, df: number, lowerTail = true): number {
  requireNotNaN('x', x, 'pt');
  requirePositive('df', df, 'pt');
  if (x === 0) return 0.5;
  const tail = tTail(x, df);
  const wantSmall = lowerTail ? x < 0 : x > 0;
  return wantSmall ? tail : 1 - tail;
}

/** Student's t density. */
export function dt(x: number, df: number): number {
  requireNotNaN('x', x, 'dt');
  requirePositive('df', df, 'dt');
  if (!Number.isFinite(x)) return 0;
  if (df === Infinity) return dnorm(x);
  const ax = Math.abs(x);
  const logKernel =
    ax * ax > df
      ? -((df + 1) / 2) * (2 * Math.log(ax) - Math.log(df) + Math.log1p(df / (ax * ax)))
      : -((df + 1) / 2) * Math.log1p((ax * ax) / df);
  return Math.exp(logKernel - 0.5 * Math.log(df) - lbeta(0.5, df / 2));
}

/**
 * Student's t quantile, by safeguarded Newton steps on the accurate cdf (log scale in the tails).
 * @throws RangeError if p is outside [0, 1] or df <= 0
 * @example qt(0.975, 10) // => 2.228138851986274
 */
export function qt(p: number, df: number, lowerTail = true): number {
  requireProbability(p, 'qt');
  requirePositive('df', df, 'qt');
  if (df === Infinity) return qnorm(p, lowerTail);
  // Solve for t <= 0 at the lower-tail probability pl <= 1/2, then apply the sign.
  const { pl, sign } = lowerHalf(p, lowerTail);
  if (pl === 0) return sign * -Infinity;
  if (pl === 0.5) return 0;
  if (df === 1) {
    // Cauchy: exact; tan(pi (p - 1/2)) = -1/tan(pi p).
    return sign * (-1 / Math.tan(Math.PI * pl));
  }
  const lp = Math.log(pl);
  // Bracket [lo, hi] with F(lo) <= pl <= F(hi), hi <= 0.
  let hi = 0;
  let lo = Math.min(qnorm(pl), -1);
  while (pt(lo, df) > pl) {
    hi = lo;
    lo *= 4;
    if (!Number.isFinite(lo)) return sign * -Infinity;
  }
  // Start from the normal quantile (inside the bracket unless the tail is heavy).
  let t = Math.min(qnorm(pl), -1e-300);
  if (t < lo || t > hi) t = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const f = pt(t, df);
    if (f > pl) hi = t;
    else lo = t;
    const d = dt(t, df);
    // Newton on log F: step = (log F - log p) F / f'(t).
    let next = f > 0 && d > 0 ? t - ((Math.log(f) - lp) * f) / d : NaN;
    if (!(next > lo && next < hi)) {
      // Bisect, geometrically when the bracket spans orders of magnitude.
      next = lo < 2 * hi && hi < -1 ? -Math.sqrt(lo * hi) : (lo + hi) / 2;
    }
    if (Math.abs(next - t) <= 4 * EPS * Math.abs(next) || next === lo || next === hi) {
      t = next;
      break;
    }
    t = next;
  }
  return sign * t;
}

/**
 * F distribution function.
 * @throws RangeError if df1 or df2 <= 0
 * @example pf(4.964602743730711, 1, 10) // => 0.95
 */
export function pf(x: number, df1: number, df2: number, lowerTail = true): number {
  requireNotNaN('x', x, 'pf');
  requirePositive('df1', df1, 'pf');
  requirePositive('df2', df2, 'pf');
  if (x <= 0) return lowerTail ? 0 : 1;
  if (x === Infinity) return lowerTail ? 1 : 0;
  if (df2 === Infinity) {
    if (df1 === Infinity) return x < 1 ? (lowerTail ? 0 : 1) : lowerTail ? 1 : 0;
    return pchisq(x * df1, df1, lowerTail);
  }
  if (df1 === Infinity) return pchisq(df2 / x, df2, !lowerTail);
  // P(F <= x) = I_u(df1/2, df2/2), u = df1 x/(df1 x + df2); 1 - u = df2/(df1 x + df2).
  const denom = df1 * x + df2;
  const r = incompleteBeta((df1 * x) / denom, df2 / denom, df1 / 2, df2 / 2);
  return lowerTail ? r.lower : r.upper;
}

// ---------------------------------------------------------------------------------------------
// Noncentral t (Lenth 1989, AS 243)

/**
 * Noncentral t distribution function, R's pt(x, df, ncp). With ncp = 0 it is the central pt.
 * Sums Poisson-weighted incomplete beta terms (AS 243), stopping at a 1e-12 absolute error bound
 * (so, as in R, values below ~1e-12 are accurate in absolute, not relative, terms); for
 * df > 4e5 or ncp^2 > 1415 it uses R's normal approximation (A&S 26.7.10).
 * @throws RangeError if df <= 0 or ncp is not finite
 * @example pnt(2, 10, 1) // => 0.807611562530311 // R: pt(2, 10, ncp = 1)
 */
export function pnt(x: number, df: number, ncp: number, lowerTail = true): number {
  requireNotNaN('x', x, 'pnt');
  requirePositive('df', df, 'pnt');
  requireFinite('ncp', ncp, 'pnt');
  if (ncp === 0) return pt(x, df, lowerTail);
  if (x === Infinity) return lowerTail ? 1 : 0;
  if (x === -Infinity) return lowerTail ? 0 : 1;

  let negdel: boolean;
  let tt: number;
  let del: number;
  if (x >= 0) {
    negdel = false;
    tt = x;
    del = ncp;
  } else {
    // P(T <= x; ncp) = P(T >= -x; -ncp); for ncp > 40 this is zero to double precision.
    if (ncp > 40 && lowerTail) return 0;
    negdel = true;
    tt = -x;
    del = -ncp;
  }
  const lower = lowerTail !== negdel;

  if (df > 4e5 || del * del > 2 * Math.LN2 * 1021) {
    // Normal approximation (Abramowitz & Stegun 26.7.10), as R.
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - del) / Math.sqrt(1 + tt * tt * 2 * s);
    return pnorm(z, lower);
  }

  let tnc = 0;
  const tt2 = tt * tt;
  const xv = tt2 / (tt2 + df);
  if (xv > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    if (p === 0) return lower ? 0 : 1; // |ncp| too large for the series (cannot happen below 37.6)
    let q = Math.sqrt(2 / Math.PI) * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const yv = df / (tt2 + df);
    const rxb = Math.pow(yv, b);
    const albeta = LN_SQRT_PI + lgamma(b) - lgamma(0.5 + b);
    let xodd = incompleteBeta(xv, yv, a, b).lower;
    let godd = 2 * rxb * Math.exp(a * Math.log(xv) - albeta);
    const bx = b * xv;
    let xeven = bx < EPS ? bx : 1 - rxb;
    let geven = bx * rxb;
    tnc = p * xodd + q * xeven;
    // Stops at an absolute error bound of 1e-12, or when the Poisson weights are used up; after
    // 1000 terms the partial sum is returned, as R does (with a warning there).
    for (let it = 1; it <= 1000; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (xv * (a + b - 1)) / a;
      geven *= (xv * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      if (s < -1e-10) break; // rounding has exhausted the Poisson weights
      if (s <= 0 && it > 1) break;
      const errbd = 2 * s * (xodd - godd);
      if (Math.abs(errbd) < 1e-12) break;
    }
  }
  tnc += pnorm(-del);
  if (tnc > 1) tnc = 1;
  const out = lower ? tnc : 1 - tnc;
  return Math.min(1, Math.max(0, out));
}

// ---------------------------------------------------------------------------------------------
// Binomial and Poisson

function requireCount(name: string, value: number, fn: string): void {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${value}`);
}

/**
 * Binomial probability P(X = k), X ~ Bin(n, p) (Loader's saddle-point algorithm, as R's dbinom).
 * @throws RangeError if n is not a non-negative integer, k is not an integer or p is outside [0, 1]
 * @example dbinom(3, 10, 0.3) // => 0.266827932
 */
export function dbinom(k: number, n: number, p: number): number {
  requireCount('n', n, 'dbinom');
  requireProbability(p, 'dbinom');
  if (!Number.isInteger(k)) throw new RangeError(`dbinom: k must be an integer, got ${k}`);
  if (k < 0 || k > n) return 0;
  return dbinomRaw(k, n, p, 1 - p);
}

/**
 * Binomial distribution function P(X <= k) (or P(X > k)), via the incomplete beta:
 * P(X <= k) = I_{1-p}(n - k, k + 1). Non-integer k is floored, as in R.
 * @throws RangeError if n is not a non-negative integer or p is outside [0, 1]
 * @example pbinom(3, 10, 0.3) // => 0.6496107184
 */
export function pbinom(k: number, n: number, p: number, lowerTail = true): number {
  requireNotNaN('k', k, 'pbinom');
  requireCount('n', n, 'pbinom');
  requireProbability(p, 'pbinom');
  const kk = Math.floor(k + 1e-7);
  if (kk < 0) return lowerTail ? 0 : 1;
  if (kk >= n) return lowerTail ? 1 : 0;
  const r = incompleteBeta(p, 1 - p, kk + 1, n - kk); // lower = P(X >= k + 1)
  return lowerTail ? r.upper : r.lower;
}

/**
 * Poisson probability P(X = k).
 * @throws RangeError if lambda < 0 or k is not an integer
 * @example dpois(2, 3) // => 0.224041807655388 // R: dpois(2, 3)
 */
export function dpois(k: number, lambda: number): number {
  requireNotNaN('k', k, 'dpois');
  if (Number.isNaN(lambda) || lambda < 0 || !Number.isFinite(lambda))
    throw new RangeError(`dpois: lambda must be finite and >= 0, got ${lambda}`);
  if (!Number.isInteger(k)) throw new RangeError(`dpois: k must be an integer, got ${k}`);
  if (k < 0) return 0;
  return dpoisRaw(k, lambda);
}

/**
 * Poisson distribution function P(X <= k) = Q(k + 1, lambda) (or the upper tail P(X > k)).
 * Non-integer k is floored, as in R.
 * @throws RangeError if lambda < 0
 * @example ppois(2, 3) // => 0.42319008112684 // R: ppois(2, 3) = 0.42319008112684348
 */
export function ppois(k: number, lambda: number, lowerTail = true): number {
  requireNotNaN('k', k, 'ppois');
  if (Number.isNaN(lambda) || lambda < 0 || !Number.isFinite(lambda))
    throw new RangeError(`ppois: lambda must be finite and >= 0, got ${lambda}`);
  const kk = Math.floor(k + 1e-7);
  if (kk < 0) return lowerTail ? 0 : 1;
  if (lambda === 0) return lowerTail ? 1 : 0;
  const g = incompleteGamma(kk + 1, lambda);
  return lowerTail ? g.upper : g.lower;
}
