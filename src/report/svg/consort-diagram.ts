/** CONSORT flow diagram: randomised -> allocated per arm -> received -> pending -> lost -> analysed (flow counts are always shown). */
import type { Consort } from '../../core/report/consort.js';
import { esc, svgOpen, PALETTE, c } from './svg-kit.js';

const show = (n: number | null) => (n === null ? 'not recorded' : n.toLocaleString('en-GB'));

export function consortSvg(consort: Consort, unitLabel: string | null): string {
  const arms = consort.arms;
  const boxW = 250;
  const gap = 30;
  const width = Math.max(560, arms.length * boxW + (arms.length + 1) * gap);
  const rowH = 64;
  const top = 16;
  const height = top + 6 * (rowH + 26) + 4;
  const parts: string[] = [svgOpen(width, height, 'CONSORT flow diagram')];
  parts.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${PALETTE.text}"/></marker></defs>`,
  );
  const box = (x: number, y: number, w: number, lines: string[], bold = false) => {
    parts.push(
      `<rect x="${c(x)}" y="${c(y)}" width="${c(w)}" height="${rowH}" rx="6" fill="#fff" stroke="${PALETTE.text}" stroke-width="1"/>`,
    );
    const lh = 16;
    const y0 = y + rowH / 2 - ((lines.length - 1) * lh) / 2 + 4;
    lines.forEach((l, i) =>
      parts.push(
        `<text x="${c(x + w / 2)}" y="${c(y0 + i * lh)}" text-anchor="middle"${bold && i === 0 ? ' font-weight="600"' : ''} fill="${PALETTE.text}">${esc(l)}</text>`,
      ),
    );
  };
  const arrow = (x1: number, y1: number, x2: number, y2: number) =>
    parts.push(
      `<line x1="${c(x1)}" y1="${c(y1)}" x2="${c(x2)}" y2="${c(y2)}" stroke="${PALETTE.text}" stroke-width="1.2" marker-end="url(#arrow)"/>`,
    );
  const cl = (n: number | null) => (n === null ? '' : `; ${n} ${unitLabel ?? 'cluster'}${n === 1 ? '' : 's'}`);
  // unitLabel is a singular noun ("probation team", "group").
  const topW = Math.min(width - 2 * gap, 340);
  const topX = (width - topW) / 2;
  box(
    topX,
    top,
    topW,
    [
      'Randomised',
      `${show(consort.randomised)} people${consort.clusters_randomised !== null ? `, ${consort.clusters_randomised} ${unitLabel ?? 'cluster'}s` : ''}`,
    ],
    true,
  );
  const colX = (i: number) => gap + i * (boxW + gap) + (width - (arms.length * boxW + (arms.length + 1) * gap)) / 2;
  const stages: Array<[string, (a: Consort['arms'][number]) => string]> = [
    ['Allocated', (a) => `${show(a.allocated)} people${cl(a.clusters_allocated)}`],
    ['Received allocated intervention', (a) => show(a.received)],
    ['Pending: outcome window still open', (a) => `${show(a.pending)} people (not attrition)`],
    ['Lost to follow-up / withdrew', (a) => show(a.lost)],
    ['Analysed', (a) => `${show(a.analysed)} people${cl(a.clusters_analysed)}`],
  ];
  arms.forEach((a, i) => {
    const x = colX(i);
    arrow(width / 2, top + rowH, x + boxW / 2, top + rowH + 26);
    stages.forEach(([label, fn], s) => {
      const y = top + (s + 1) * (rowH + 26);
      box(x, y, boxW, [s === 0 ? `${label}: ${a.arm}` : label, fn(a)], s === 0);
      if (s < stages.length - 1) arrow(x + boxW / 2, y + rowH, x + boxW / 2, y + rowH + 26);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
