/**
 * Nested (two-stage) allocation: after the arms are drawn, the units of one arm are allocated
 * again to sub-arms (concept 2: treatment -> told / not_told the budget). The second stage uses
 * the same method as the first, on that arm's units only, with its own random streams.
 */
import { UsageError } from '../errors.js';
import { parseArms, parseRatio } from './ratio.js';

export interface NestedDesign {
  arm: string;
  subArms: string[];
  weights: number[];
}

/**
 * Parses `--nested treatment:told,not_told` (with `--nested-ratio 1:1`).
 * @throws UsageError for an arm not in --arms, fewer than two sub-arms, or a ratio of the wrong length
 * @example parseNested('treatment:told,not_told', ['control', 'treatment']) // => { arm: 'treatment', subArms: ['told', 'not_told'], weights: [1, 1] }
 */
export function parseNested(text: string, arms: readonly string[], ratio?: string): NestedDesign {
  const colon = text.indexOf(':');
  if (colon < 0)
    throw new UsageError(
      `--nested must look like <arm>:<sub_arm>,<sub_arm> (e.g. treatment:told,not_told), got ${JSON.stringify(text)}`,
    );
  const arm = text.slice(0, colon).trim();
  if (!arms.includes(arm))
    throw new UsageError(`--nested names arm ${JSON.stringify(arm)}, which is not one of --arms (${arms.join(', ')})`);
  const subArms = parseArms(text.slice(colon + 1), '--nested');
  const weights =
    ratio === undefined ? subArms.map(() => 1) : parseRatio(ratio, subArms.length, '--nested-ratio', '--nested');
  return { arm, subArms, weights };
}

/** Indices of the units allocated to arm index `armIndex`. */
export function unitsInArm(arms: Int32Array, armIndex: number): Int32Array {
  let n = 0;
  for (let i = 0; i < arms.length; i++) if (arms[i] === armIndex) n++;
  const out = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < arms.length; i++) if (arms[i] === armIndex) out[j++] = i;
  return out;
}
