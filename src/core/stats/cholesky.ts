/**
 * Small dense symmetric positive-definite algebra for the p x p systems of regression models
 * (normal equations, Newton steps, information matrices). Matrices are row-major `number[][]`.
 * p is the number of model terms (a handful), so clarity beats blocking.
 */

/** Result of a Cholesky factorisation A = L L'. `ok` is false when A is not positive definite. */
export interface Cholesky {
  ok: boolean;
  /** Lower-triangular factor (meaningful only when ok). */
  lower: number[][];
  /** log det(A) = 2 sum log L_ii (meaningful only when ok). */
  logDet: number;
}

/**
 * Cholesky factorisation of a symmetric matrix. A pivot below `tol` times its own diagonal entry
 * means that column is (numerically) a combination of the earlier ones: not positive definite, so
 * callers can raise a clear error.
 * @example cholesky([[4, 2], [2, 3]]).lower // => [[2, 0], [1, 1.4142135623730951]] // t(chol(matrix(c(4, 2, 2, 3), 2)))
 */
export function cholesky(a: readonly (readonly number[])[], tol = 1e-10): Cholesky {
  const p = a.length;
  const lower: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let logDet = 0;
  for (let j = 0; j < p; j++) {
    let d = a[j]![j]!;
    for (let k = 0; k < j; k++) d -= lower[j]![k]! * lower[j]![k]!;
    if (!(d > tol * Math.abs(a[j]![j]!)) || !(d > 0) || !Number.isFinite(d))
      return { ok: false, lower, logDet: Number.NaN };
    const ljj = Math.sqrt(d);
    lower[j]![j] = ljj;
    logDet += 2 * Math.log(ljj);
    for (let i = j + 1; i < p; i++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= lower[i]![k]! * lower[j]![k]!;
      lower[i]![j] = s / ljj;
    }
  }
  return { ok: true, lower, logDet };
}

/** Solves A x = b given the Cholesky factor L of A. */
export function choleskySolve(lower: readonly (readonly number[])[], b: readonly number[]): number[] {
  const p = lower.length;
  const z = new Array<number>(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= lower[i]![k]! * z[k]!;
    z[i] = s / lower[i]![i]!;
  }
  const x = new Array<number>(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= lower[k]![i]! * x[k]!;
    x[i] = s / lower[i]![i]!;
  }
  return x;
}

/** Inverse of A from its Cholesky factor (column by column). */
export function choleskyInverse(lower: readonly (readonly number[])[]): number[][] {
  const p = lower.length;
  const inv: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    const e = new Array<number>(p).fill(0);
    e[j] = 1;
    const col = choleskySolve(lower, e);
    for (let i = 0; i < p; i++) inv[i]![j] = col[i]!;
  }
  return inv;
}
