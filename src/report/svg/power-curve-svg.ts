/**
 * The power curve as a small standalone SVG file (`power --plot`): power against size, with the
 * target power as a dashed line and the chosen size marked. `calendarCurveSvg` draws power (or the
 * MDES) against the date recruitment closes (`power --calendar-plot`).
 */
import { civilFromDays, daysFromCivil, formatDate } from '../../core/dates.js';
import type { CurvePoint } from '../../core/power/power-curve.js';
import { c, esc, niceTicks, standaloneSvgOpen, tickLabel } from './svg-kit.js';

export interface CurveSvgOptions {
  title: string;
  xLabel: string;
  /** Dashed horizontal line (the target power). */
  target?: number;
  /** x of the point to mark. */
  mark?: number;
  /** Vertical axis label ('power'). */
  yLabel?: string;
  /** Top of the vertical axis (1). */
  yMax?: number;
  /** Label of an x tick (default: the number). */
  xTickLabel?: (x: number) => string;
  /** Where the x ticks go (default: round numbers). */
  xTicks?: number[];
}

/** First days of months spanning [lo, hi], every 1, 2, 3, 6, 12 or 24 months: about 4-7 ticks. */
export function monthTicks(lo: number, hi: number): number[] {
  const a = civilFromDays(lo);
  const b = civilFromDays(hi);
  const span = (b.y - a.y) * 12 + (b.m - a.m) + 1;
  const step = [1, 2, 3, 6, 12, 24].find((k) => span / k <= 6) ?? 48;
  const out: number[] = [];
  // Start at the first month boundary on a multiple of the step (January for 12 and 24).
  let index = a.y * 12 + (a.m - 1) + 1;
  while (index % step !== 0) index++;
  for (; ; index += step) {
    const day = daysFromCivil(Math.floor(index / 12), (index % 12) + 1, 1);
    if (day > hi) break;
    out.push(day);
  }
  return out;
}

/**
 * MDES or power against the day recruitment closes (day numbers since 1970-01-01), ticks labelled
 * as ISO dates.
 */
export function calendarCurveSvg(
  points: ReadonlyArray<{ day: number; value: number }>,
  options: Omit<CurveSvgOptions, 'xTickLabel' | 'xLabel'> & { xLabel?: string },
): string {
  return powerCurveSvg(
    points.map((p) => ({ size: p.day, power: p.value })),
    {
      ...options,
      xLabel: options.xLabel ?? 'recruitment closes',
      xTickLabel: (x) => formatDate(Math.round(x)),
      xTicks: monthTicks(Math.min(...points.map((p) => p.day)), Math.max(...points.map((p) => p.day))),
    },
  );
}

export function powerCurveSvg(points: readonly CurvePoint[], options: CurveSvgOptions): string {
  if (points.length === 0) throw new RangeError('powerCurveSvg: no points');
  const W = 640;
  const H = 400;
  const left = 60;
  const right = 20;
  const top = 40;
  const bottom = 50;
  const xs = points.map((p) => p.size);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs) === xMin ? xMin + 1 : Math.max(...xs);
  const px = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * (W - left - right);
  const yMax = options.yMax ?? 1;
  const py = (y: number): number => top + (1 - y / yMax) * (H - top - bottom);
  const parts: string[] = [];
  parts.push(standaloneSvgOpen(W, H, options.title));
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(options.title)}</text>`);
  // Axes and grid.
  for (let i = 0; i <= 5; i++) {
    const y = (i / 5) * yMax;
    parts.push(`<line x1="${left}" y1="${c(py(y))}" x2="${W - right}" y2="${c(py(y))}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${left - 8}" y="${c(py(y) + 4)}" text-anchor="end">${yMax === 1 ? y.toFixed(1) : tickLabel(y)}</text>`,
    );
  }
  const xTicks = options.xTicks ?? niceTicks(xMin, xMax, 6);
  for (const x of xTicks.filter((t) => t >= xMin && t <= xMax)) {
    parts.push(
      `<text x="${c(px(x))}" y="${H - bottom + 18}" text-anchor="middle">${esc(options.xTickLabel ? options.xTickLabel(x) : tickLabel(x))}</text>`,
    );
  }
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="black"/>`);
  parts.push(`<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="black"/>`);
  parts.push(`<text x="${(left + W - right) / 2}" y="${H - 12}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  parts.push(
    `<text x="16" y="${(top + H - bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(top + H - bottom) / 2})">${esc(options.yLabel ?? 'power')}</text>`,
  );
  if (options.target !== undefined) {
    parts.push(
      `<line x1="${left}" y1="${c(py(options.target))}" x2="${W - right}" y2="${c(py(options.target))}" stroke="#c33" stroke-dasharray="6 4"/>`,
    );
  }
  const path = points.map((p) => `${c(px(p.size))},${c(py(p.power))}`).join(' ');
  parts.push(`<polyline points="${path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>`);
  if (options.mark !== undefined && options.mark >= xMin && options.mark <= xMax) {
    const m = points.reduce((best, p) =>
      Math.abs(p.size - options.mark!) < Math.abs(best.size - options.mark!) ? p : best,
    );
    parts.push(`<circle cx="${c(px(m.size))}" cy="${c(py(m.power))}" r="4" fill="#1f5fa8"/>`);
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
