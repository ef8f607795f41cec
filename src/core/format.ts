/**
 * Number formatting shared by every human-readable output (command text, reports, method texts).
 * JSON keeps full precision; only text is rounded. Never prints NaN or "-0".
 */

/** Fixed decimals, with a negative zero shown as zero ("-0.00" -> "0.00"). */
export function fixed(x: number, dp: number): string {
  if (!Number.isFinite(x)) throw new Error(`fixed(): not a finite number: ${x}`);
  const s = x.toFixed(dp);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/**
 * A proportion (or a difference of proportions) as a percentage: 0.3056 -> "30.6%" with one
 * decimal. `missing` stands in for null, undefined or a non-finite value; `unit` is "%" unless the
 * caller's column header already says so (then "").
 */
export function percent(x: number | null | undefined, digits = 1, missing = 'n/a', unit = '%'): string {
  return x === null || x === undefined || !Number.isFinite(x) ? missing : `${fixed(100 * x, digits)}${unit}`;
}
