/** Re-offending rates by arm with their 95% intervals (computed by the report model). Suppressed arms are drawn as "<5" notes. */
import { esc, svgOpen, PALETTE, armColour, c } from './svg-kit.js';

export interface RateBar {
  arm: string;
  rate: number | null;
  conf_low: number | null;
  conf_high: number | null;
  n: number | null;
}

export function ratesSvg(bars: RateBar[], title: string): string {
  const width = 560;
  const left = 120;
  const right = 40;
  const barH = 30;
  const gap = 16;
  const height = 30 + bars.length * (barH + gap) + 36;
  const maxV = Math.min(1, Math.max(0.1, ...bars.map((b) => b.conf_high ?? b.rate ?? 0)) * 1.1);
  const step = maxV > 0.5 ? 0.2 : maxV > 0.25 ? 0.1 : 0.05;
  const top = Math.ceil(maxV / step) * step;
  const x = (v: number) => left + (v / top) * (width - left - right);
  const parts = [svgOpen(width, height, title)];
  const yAxis = 20 + bars.length * (barH + gap);
  for (let t = 0; t <= top + 1e-9; t += step) {
    parts.push(`<line x1="${c(x(t))}" y1="14" x2="${c(x(t))}" y2="${c(yAxis)}" stroke="${PALETTE.grid}"/>`);
    parts.push(
      `<text x="${c(x(t))}" y="${c(yAxis + 16)}" text-anchor="middle" fill="${PALETTE.text}">${Math.round(t * 100)}%</text>`,
    );
  }
  bars.forEach((b, i) => {
    const y = 20 + i * (barH + gap);
    parts.push(
      `<text x="${left - 8}" y="${c(y + barH / 2 + 4)}" text-anchor="end" fill="${PALETTE.text}">${esc(b.arm)}</text>`,
    );
    if (b.rate === null) {
      parts.push(
        `<text x="${left + 6}" y="${c(y + barH / 2 + 4)}" fill="${PALETTE.text}">suppressed (disclosure control)</text>`,
      );
      return;
    }
    parts.push(
      `<rect x="${left}" y="${c(y)}" width="${c(x(b.rate) - left)}" height="${barH}" fill="${armColour(b.arm, i)}" opacity="0.85"/>`,
    );
    if (b.conf_low !== null && b.conf_high !== null) {
      const my = y + barH / 2;
      parts.push(
        `<line x1="${c(x(b.conf_low))}" y1="${c(my)}" x2="${c(x(b.conf_high))}" y2="${c(my)}" stroke="${PALETTE.text}" stroke-width="1.5"/>`,
      );
      parts.push(
        `<line x1="${c(x(b.conf_low))}" y1="${c(my - 6)}" x2="${c(x(b.conf_low))}" y2="${c(my + 6)}" stroke="${PALETTE.text}" stroke-width="1.5"/>`,
      );
      parts.push(
        `<line x1="${c(x(b.conf_high))}" y1="${c(my - 6)}" x2="${c(x(b.conf_high))}" y2="${c(my + 6)}" stroke="${PALETTE.text}" stroke-width="1.5"/>`,
      );
    }
    const labelX = Math.min(width - right - 4, x(b.conf_high ?? b.rate) + 8);
    parts.push(
      `<text x="${c(labelX)}" y="${c(y + barH / 2 + 4)}" fill="${PALETTE.text}" ${labelX >= width - right - 4 ? 'text-anchor="end"' : ''}>${(100 * b.rate).toFixed(1)}%</text>`,
    );
  });
  parts.push(
    `<text x="${c((left + width - right) / 2)}" y="${c(height - 4)}" text-anchor="middle" fill="${PALETTE.text}">proven re-offending within the follow-up (95% CI)</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
