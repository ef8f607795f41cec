/** Forest plot: one row per effect with its 95% CI and a line of no effect. */
import { esc, svgOpen, niceTicks, tickLabel, PALETTE, c } from './svg-kit.js';

export interface ForestRow {
  label: string;
  estimate: number;
  conf_low: number;
  conf_high: number;
  /** Ratio measures are drawn on a log axis with the null at 1. */
  ratio: boolean;
}

export function forestSvg(rows: ForestRow[], title: string): string {
  const labelW = 250;
  const plotW = 380;
  const valueW = 170;
  const rowH = 26;
  const width = labelW + plotW + valueW;
  const height = 40 + rows.length * rowH + 40;
  const ratio = rows.length > 0 && rows.every((r) => r.ratio);
  const tf = (v: number) => (ratio ? Math.log(v) : v);
  const lo = Math.min(ratio ? 0 : 0, ...rows.map((r) => tf(r.conf_low)));
  const hi = Math.max(0, ...rows.map((r) => tf(r.conf_high)));
  const ticks = ratio ? niceTicks(Math.exp(lo), Math.exp(hi)).filter((t) => t > 0) : niceTicks(lo, hi);
  const tlo = ratio ? Math.min(lo, Math.log(ticks[0]!)) : ticks[0]!;
  const thi = ratio ? Math.max(hi, Math.log(ticks[ticks.length - 1]!)) : ticks[ticks.length - 1]!;
  const x = (v: number) => labelW + 10 + ((tf(v) - tlo) / (thi - tlo || 1)) * (plotW - 20);
  const parts = [svgOpen(width, height, title)];
  const yAxis = 30 + rows.length * rowH + 6;
  for (const t of ticks) {
    parts.push(`<line x1="${c(x(t))}" y1="24" x2="${c(x(t))}" y2="${c(yAxis)}" stroke="${PALETTE.grid}"/>`);
    parts.push(
      `<text x="${c(x(t))}" y="${c(yAxis + 16)}" text-anchor="middle" fill="${PALETTE.text}">${tickLabel(t)}</text>`,
    );
  }
  const nullV = ratio ? 1 : 0;
  parts.push(
    `<line x1="${c(x(nullV))}" y1="20" x2="${c(x(nullV))}" y2="${c(yAxis)}" stroke="${PALETTE.text}" stroke-dasharray="4 3"/>`,
  );
  parts.push(
    `<text x="${c(labelW + plotW + 8)}" y="16" font-weight="600" fill="${PALETTE.text}">estimate (95% CI)</text>`,
  );
  rows.forEach((r, i) => {
    const y = 30 + i * rowH + rowH / 2;
    parts.push(`<text x="8" y="${c(y + 4)}" fill="${PALETTE.text}">${esc(r.label)}</text>`);
    parts.push(
      `<line x1="${c(x(r.conf_low))}" y1="${c(y)}" x2="${c(x(r.conf_high))}" y2="${c(y)}" stroke="${PALETTE.treatment}" stroke-width="2"/>`,
    );
    parts.push(
      `<rect x="${c(x(r.estimate) - 5)}" y="${c(y - 5)}" width="10" height="10" fill="${PALETTE.treatment}"/>`,
    );
    parts.push(
      `<text x="${c(labelW + plotW + 8)}" y="${c(y + 4)}" fill="${PALETTE.text}">${r.estimate.toFixed(2)} (${r.conf_low.toFixed(2)} to ${r.conf_high.toFixed(2)})</text>`,
    );
  });
  parts.push(
    `<text x="${c(labelW + plotW / 2)}" y="${c(height - 4)}" text-anchor="middle" fill="${PALETTE.text}">${ratio ? 'ratio (log scale); left of 1 = lower in the treatment arm' : 'difference (treatment minus control); left of 0 = lower in the treatment arm'}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
