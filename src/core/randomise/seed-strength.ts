/**
 * Whether a seed could be guessed. Allocation is concealed only while the seed is secret: someone
 * who sees a few allocations can try every plausible seed (every date in a century is ~37,000
 * tries; every number below a million, a million) and keep the one that reproduces them, after
 * which every later allocation at the site is known in advance. A seed drawn at random from a
 * wide range (e.g. `--seed random`) cannot be found that way.
 */

/** Seeds below this (in absolute value) are counted as small enough to try them all. */
export const SMALL_SEED = 1_000_000;

function isDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    m - 1
  ]!;
  return d <= days;
}

/**
 * Why a seed is guessable, or null. Dates are recognised as the digits of YYYYMMDD, DDMMYYYY or
 * MMDDYYYY (so 20240117 and 17012024, the digits of 2024-01-17 and 17/01/2024, both count).
 */
export function guessableSeed(seed: number): string | null {
  const a = Math.abs(seed);
  if (a < SMALL_SEED)
    return `seed ${seed} is below ${SMALL_SEED.toLocaleString('en-GB')}, so every seed up to it can be tried in well under a second`;
  const s = String(a);
  if (s.length === 8) {
    const n = (from: number, len: number) => Number(s.slice(from, from + len));
    const ymd = isDate(n(0, 4), n(4, 2), n(6, 2));
    const dmy = isDate(n(4, 4), n(2, 2), n(0, 2));
    const mdy = isDate(n(4, 4), n(0, 2), n(2, 2));
    if (ymd || dmy || mdy)
      return `seed ${seed} looks like a date, and every date in a century can be tried in well under a second`;
  }
  return null;
}

/** The warning printed for a guessable seed. */
export function seedWarning(seed: number): string | null {
  const why = guessableSeed(seed);
  if (!why) return null;
  return `${why}: anyone who sees a few allocations could find it and predict every later one. Use a drawn seed (--seed random draws one and records it in the manifest) and keep it with the trial statistician`;
}
