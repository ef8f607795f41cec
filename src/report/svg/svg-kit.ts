/**
 * Tiny helpers for the report's inline SVG: escaping, number formatting for coordinates and
 * "nice" axis ticks. No fonts or images are fetched: the pictures are self-contained.
 */

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Coordinates with 2 dp (deterministic, compact). */
export function c(x: number): string {
  const s = (Math.round(x * 100) / 100).toFixed(2).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** 4-6 round ticks spanning [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceTicks(lo - d, hi + d, target);
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  if (out[0]! > lo) out.unshift(out[0]! - step);
  if (out[out.length - 1]! < hi) out.push(out[out.length - 1]! + step);
  return out.map((v) => Number(v.toPrecision(12)));
}

export function tickLabel(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

export const PALETTE = {
  control: '#5b6770',
  treatment: '#1f6fb2',
  extra: ['#b25d1f', '#6a3d9a', '#2e7d32'],
  text: '#1b1f23',
  grid: '#d8dde2',
  green: '#2e7d32',
  amber: '#e0a100',
  red: '#c62828',
  grey: '#9aa3ab',
};

export function armColour(arm: string, index: number): string {
  if (arm === 'control') return PALETTE.control;
  if (arm === 'treatment') return PALETTE.treatment;
  return index === 0
    ? PALETTE.control
    : index === 1
      ? PALETTE.treatment
      : PALETTE.extra[(index - 2) % PALETTE.extra.length]!;
}

/**
 * The start of a standalone SVG file (`power --plot`, `pbr --plot`): the namespace a file needs,
 * its title, and a white background (image viewers otherwise show it on black or a checkerboard).
 */
export function standaloneSvgOpen(width: number, height: number, title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ].join('\n');
}

/** Opening tag of an accessible inline SVG (no xmlns: inline SVG in HTML5 needs none, and the page holds no URLs). */
export function svgOpen(width: number, height: number, title: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="12"><title>${esc(title)}</title>`;
}
