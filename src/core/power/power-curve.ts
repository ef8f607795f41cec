/**
 * Power curves: the power at a range of sizes, and a text sparkline for the terminal. The SVG
 * picture (`--plot`) is drawn by src/report/svg/power-curve-svg.ts. Pure: returns strings.
 */

export interface CurvePoint {
  size: number;
  power: number;
}

/** About `count` distinct integer sizes from `from` to `to` (inclusive), evenly spread. */
export function curveSizes(from: number, to: number, count = 24): number[] {
  const lo = Math.ceil(from);
  const hi = Math.max(lo, Math.floor(to));
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(lo + ((hi - lo) * i) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * One character per point, height proportional to power on [0, 1].
 * @example sparkline([{ size: 10, power: 0 }, { size: 20, power: 1 }]) // => '▁█'
 */
export function sparkline(points: readonly CurvePoint[]): string {
  return points
    .map((p) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round(p.power * (BARS.length - 1))))])
    .join('');
}
