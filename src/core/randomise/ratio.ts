/**
 * Arm names, allocation ratios and probabilities, parsed into exact integer weights.
 *
 * Everything downstream works with integer weights w_i (W = sum w_i), so "n w_i / W" splits are
 * exact integer arithmetic: `--ratio 1:2` gives [1, 2]; `--prob 0.3` (two arms) gives [7, 3]
 * (0.7 : 0.3 as tenths, reduced by the gcd). No floating-point rounding can shift a unit.
 */
import { UsageError } from '../errors.js';

/** Largest total weight: keeps n x w below 2^53 for n up to 10^6 and fits Rng.int. */
const MAX_TOTAL_WEIGHT = 1_000_000_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Divides integer weights by their greatest common divisor (2:2 -> 1:1). */
export function reduceWeights(weights: readonly number[]): number[] {
  const g = weights.reduce((acc, w) => gcd(acc, w), 0);
  return weights.map((w) => w / g);
}

/** Sum of the weights. */
export function totalWeight(weights: readonly number[]): number {
  let s = 0;
  for (const w of weights) s += w;
  return s;
}

/**
 * Parses `--arms control,treatment`: at least two distinct, non-empty names.
 * @throws UsageError naming the problem
 * @example parseArms('control,treatment') // => ['control', 'treatment']
 */
export function parseArms(text: string, option = '--arms'): string[] {
  const arms = text.split(',').map((s) => s.trim());
  if (arms.some((a) => a === '')) throw new UsageError(`${option} has an empty arm name in ${JSON.stringify(text)}`);
  if (arms.length < 2) throw new UsageError(`${option} needs at least two arms, got ${JSON.stringify(text)}`);
  const seen = new Set<string>();
  for (const a of arms) {
    if (seen.has(a)) throw new UsageError(`${option} names arm ${JSON.stringify(a)} twice`);
    seen.add(a);
  }
  return arms;
}

/** A non-negative decimal as an exact fraction numerator / 10^decimals. */
function decimal(text: string, option: string): { num: number; decimals: number } {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === ''))
    throw new UsageError(`${option}: ${JSON.stringify(text)} is not a number`);
  const frac = m[2] ?? '';
  if (frac.length > 9) throw new UsageError(`${option}: ${JSON.stringify(text)} has more than 9 decimals`);
  const num = Number((m[1] || '0') + frac);
  if (!Number.isSafeInteger(num)) throw new UsageError(`${option}: ${JSON.stringify(text)} is too large`);
  return { num, decimals: frac.length };
}

function toCommonDenominator(parts: Array<{ num: number; decimals: number }>): number[] {
  const d = Math.max(...parts.map((p) => p.decimals));
  return parts.map((p) => p.num * 10 ** (d - p.decimals));
}

function checkWeights(weights: number[], option: string, text: string): number[] {
  if (weights.some((w) => w <= 0))
    throw new UsageError(`${option}: every arm needs a share above zero, got ${JSON.stringify(text)}`);
  const reduced = reduceWeights(weights);
  if (totalWeight(reduced) > MAX_TOTAL_WEIGHT)
    throw new UsageError(
      `${option}: ${JSON.stringify(text)} is too fine-grained (the reduced ratio must sum to at most 10^9)`,
    );
  return reduced;
}

/**
 * Parses `--ratio 1:2` (one part per arm; decimals allowed: 1.5:1 = 3:2) into reduced integer weights.
 * @throws UsageError when the number of parts does not match the arms, or a part is not positive
 * @example parseRatio('2:4', 2) // => [1, 2]
 */
export function parseRatio(text: string, nArms: number, option = '--ratio', armsOption = '--arms'): number[] {
  const parts = text.split(':');
  if (parts.length !== nArms) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)} has ${parts.length} part(s) but ${armsOption} names ${nArms} arm(s); give one part per arm, e.g. ${Array(nArms).fill('1').join(':')}`,
    );
  }
  return checkWeights(toCommonDenominator(parts.map((p) => decimal(p, option))), option, text);
}

/**
 * Parses `--prob`: with two arms one number, the probability of the second (treatment) arm, as
 * randomizr's `prob`; otherwise one probability per arm (randomizr's `prob_each`), summing to 1
 * exactly. Returned as reduced integer weights.
 * @example parseProb('0.3', 2) // => [7, 3]
 */
export function parseProb(text: string, nArms: number, option = '--prob'): number[] {
  const parts = text.split(',').map((p) => decimal(p, option));
  if (parts.length === 1 && nArms === 2) {
    const [p] = toCommonDenominator(parts);
    const one = 10 ** parts[0]!.decimals;
    if (p! <= 0 || p! >= one) throw new UsageError(`${option} must be strictly between 0 and 1, got ${text}`);
    return checkWeights([one - p!, p!], option, text);
  }
  if (parts.length !== nArms) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)} has ${parts.length} value(s) but there are ${nArms} arms: give one probability per arm (or one value with two arms)`,
    );
  }
  const nums = toCommonDenominator(parts);
  const one = 10 ** Math.max(...parts.map((p) => p.decimals));
  if (totalWeight(nums) !== one) throw new UsageError(`${option} ${JSON.stringify(text)} must sum to exactly 1`);
  return checkWeights(nums, option, text);
}
