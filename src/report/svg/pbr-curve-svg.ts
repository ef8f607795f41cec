/**
 * SVG picture of the probability of payment against cohort size (the sawtooth of exact power),
 * with the target line and the provider's own cohort marked (`pbr --plot`). Pure text, no I/O.
 */
import type { PbrResult } from '../../core/pbr/assess-pbr.js';
import { esc, niceTicks, standaloneSvgOpen } from './svg-kit.js';

const W = 720;
const H = 420;
const M = { left: 64, right: 24, top: 48, bottom: 56 };

export function pbrCurveSvg(r: PbrResult): string {
  const pts = r.curve;
  const xMax = pts[pts.length - 1]!.cohort;
  const x = (n: number) => M.left + ((n - 0) / xMax) * (W - M.left - M.right);
  const y = (p: number) => H - M.bottom - p * (H - M.top - M.bottom);
  const line = (get: (p: (typeof pts)[number]) => number | null) =>
    pts
      .filter((p) => get(p) !== null)
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.cohort).toFixed(1)},${y(get(p)!).toFixed(1)}`)
      .join('');
  const out: string[] = [];
  out.push(standaloneSvgOpen(W, H, 'Probability of payment by cohort size'));
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(
      `Chance of being paid: true rate ${(r.true_rate * 100).toFixed(1)}% vs baseline ${(r.baseline_rate * 100).toFixed(1)}% (${r.test} test, alpha ${r.alpha})`,
    )}</text>`,
  );
  // Axes and grid.
  for (let p = 0; p <= 1.0001; p += 0.2) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(p).toFixed(1)}" y2="${y(p).toFixed(1)}" stroke="#e5e5e5"/>`,
    );
    out.push(`<text x="${M.left - 8}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">${Math.round(p * 100)}%</text>`);
  }
  for (const n of niceTicks(0, xMax, 8).filter((t) => t >= 0 && t <= xMax)) {
    out.push(
      `<line x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${x(n).toFixed(1)}" y="${H - M.bottom + 18}" text-anchor="middle">${n.toLocaleString('en-GB')}</text>`,
    );
  }
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">Cohort size (people)</text>`);
  out.push(
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">Probability of payment</text>`,
  );
  // Target line and the provider's cohort.
  const ty = y(r.target_probability).toFixed(1);
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${ty}" y2="${ty}" stroke="#b45309" stroke-dasharray="6 4"/>`);
  out.push(
    `<text x="${W - M.right - 4}" y="${Number(ty) - 6}" text-anchor="end" fill="#b45309">target ${Math.round(r.target_probability * 100)}%</text>`,
  );
  const cx = x(r.cohort).toFixed(1);
  out.push(`<line x1="${cx}" x2="${cx}" y1="${M.top}" y2="${H - M.bottom}" stroke="#6b7280" stroke-dasharray="2 3"/>`);
  out.push(
    `<text x="${Number(cx) + 4}" y="${M.top + 12}" fill="#374151">your cohort: ${r.cohort.toLocaleString('en-GB')} (${Math.round(r.probability_paid * 100)}%)</text>`,
  );
  if (r.cohort_for_target_stable !== null && r.cohort_for_target_stable <= xMax) {
    const sx = x(r.cohort_for_target_stable).toFixed(1);
    out.push(`<line x1="${sx}" x2="${sx}" y1="${ty}" y2="${H - M.bottom}" stroke="#b45309" stroke-dasharray="2 3"/>`);
  }
  out.push(`<path d="${line((p) => p.probability_paid)}" fill="none" stroke="#1d4ed8" stroke-width="1.5"/>`);
  const hasFreq = pts.some((p) => p.probability_paid_frequency !== null);
  if (hasFreq)
    out.push(
      `<path d="${line((p) => p.probability_paid_frequency)}" fill="none" stroke="#059669" stroke-width="1.5"/>`,
    );
  // Legend, bottom right: the curves rise from the bottom left, and the cohort label is top left.
  const lx = W - M.right - 320;
  const ly = H - M.bottom - (hasFreq ? 44 : 26);
  out.push(
    `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="#1d4ed8" stroke-width="2"/><text x="${lx + 30}" y="${ly + 4}">binary measure (re-offenders)</text>`,
  );
  if (hasFreq)
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly + 18}" y2="${ly + 18}" stroke="#059669" stroke-width="2"/><text x="${lx + 30}" y="${ly + 22}">frequency measure (re-offences per re-offender)</text>`,
    );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
