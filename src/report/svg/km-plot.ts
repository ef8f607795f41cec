/** Kaplan-Meier curves: share not yet re-offended over days since the start date, per arm. */
import type { KmCurve } from '../../core/report/km-curve.js';
import { esc, svgOpen, PALETTE, armColour, c, niceTicks } from './svg-kit.js';

export function kmSvg(curves: KmCurve[], followUpDays: number, title: string): string {
  const width = 620;
  const height = 320;
  const left = 56;
  const right = 130;
  const top = 16;
  const bottom = 44;
  const maxT = Math.max(followUpDays, ...curves.map((k) => Math.min(k.max_time, followUpDays)));
  const minS = Math.min(...curves.flatMap((k) => k.steps.map((s) => s.survival)), 1);
  const yLo = Math.max(0, Math.floor((minS - 0.05) * 10) / 10);
  const x = (t: number) => left + (t / maxT) * (width - left - right);
  const y = (s: number) => top + ((1 - s) / (1 - yLo || 1)) * (height - top - bottom);
  const parts = [svgOpen(width, height, title)];
  for (const t of niceTicks(0, maxT, 6).filter((t) => t >= 0 && t <= maxT)) {
    parts.push(
      `<line x1="${c(x(t))}" y1="${top}" x2="${c(x(t))}" y2="${c(height - bottom)}" stroke="${PALETTE.grid}"/>`,
    );
    parts.push(
      `<text x="${c(x(t))}" y="${c(height - bottom + 16)}" text-anchor="middle" fill="${PALETTE.text}">${t}</text>`,
    );
  }
  for (let s = 1; s >= yLo - 1e-9; s -= 0.1) {
    parts.push(
      `<line x1="${left}" y1="${c(y(s))}" x2="${c(width - right)}" y2="${c(y(s))}" stroke="${PALETTE.grid}"/>`,
    );
    parts.push(
      `<text x="${left - 6}" y="${c(y(s) + 4)}" text-anchor="end" fill="${PALETTE.text}">${Math.round(s * 100)}%</text>`,
    );
  }
  // End labels: at each curve's last height, pushed apart so they never overlap.
  const ends = curves.map((k, i) => {
    const last = k.steps.filter((s) => s.time <= maxT).at(-1)!;
    return { i, y: y(last.survival) + 4 };
  });
  ends.sort((a, b) => a.y - b.y);
  for (let j = 1; j < ends.length; j++) ends[j]!.y = Math.max(ends[j]!.y, ends[j - 1]!.y + 15);
  const labelY = new Map(ends.map((e) => [e.i, e.y]));
  curves.forEach((k, i) => {
    const col = armColour(k.arm, i);
    let d = `M${c(x(0))},${c(y(1))}`;
    for (const s of k.steps.slice(1)) {
      if (s.time > maxT) break;
      d += ` H${c(x(s.time))} V${c(y(s.survival))}`;
    }
    d += ` H${c(x(Math.min(k.max_time, maxT)))}`;
    parts.push(
      `<path d="${d}" fill="none" stroke="${col}" stroke-width="2"${i % 2 === 0 && curves.length > 1 ? ' stroke-dasharray="6 3"' : ''}/>`,
    );
    parts.push(
      `<text x="${c(width - right + 8)}" y="${c(labelY.get(i)!)}" fill="${col}" font-weight="600">${esc(k.arm)}</text>`,
    );
  });
  parts.push(
    `<text x="${c((left + width - right) / 2)}" y="${c(height - 8)}" text-anchor="middle" fill="${PALETTE.text}">days since start of order or licence</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${c((top + height - bottom) / 2)}) rotate(-90)" text-anchor="middle" fill="${PALETTE.text}">not yet re-offended</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
