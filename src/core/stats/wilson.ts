/** Wilson score interval for a proportion, as R `prop.test(x, n, correct = FALSE)$conf.int`. */
import { qnorm } from './distributions.js';

/**
 * @throws RangeError when n is not positive.
 * @example wilson(3, 10) // => [0.1077913, 0.6032219] // prop.test(3, 10, correct = FALSE)$conf.int
 */
export function wilson(x: number, n: number, level = 0.95): [number, number] {
  if (!(n > 0)) throw new RangeError('wilson(): n must be > 0');
  const z = qnorm(1 - (1 - level) / 2);
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
