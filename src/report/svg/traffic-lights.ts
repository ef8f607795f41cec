/** Progression criteria as traffic lights, with the value and the thresholds beside each. */
import type { ProgressionItem } from '../../core/report/progression.js';
import { esc, svgOpen, PALETTE, c } from './svg-kit.js';

const COLOUR = { green: PALETTE.green, amber: PALETTE.amber, red: PALETTE.red, not_measured: PALETTE.grey } as const;
/** Darker shades for text, readable on white. */
const TEXT_COLOUR = { green: '#1b5e20', amber: '#8a5a00', red: '#b71c1c', not_measured: '#4a535b' } as const;
const WORD = {
  green: 'GREEN: proceed',
  amber: 'AMBER: proceed with changes',
  red: 'RED: stop',
  not_measured: 'not measured',
} as const;

export function trafficLightsSvg(items: ProgressionItem[]): string {
  const rowH = 44;
  const width = 720;
  const height = 10 + items.length * rowH;
  const parts = [svgOpen(width, height, 'Progression criteria traffic lights')];
  items.forEach((it, i) => {
    const y = 8 + i * rowH;
    const cy = y + 16;
    (['red', 'amber', 'green'] as const).forEach((s, j) => {
      const on = it.status === s;
      parts.push(
        `<circle cx="${c(20 + j * 26)}" cy="${c(cy)}" r="10" fill="${on ? COLOUR[s] : '#eceff1'}" stroke="${on ? COLOUR[s] : '#c5cbd0'}"/>`,
      );
    });
    parts.push(
      `<text x="104" y="${c(cy - 2)}" font-weight="600" fill="${PALETTE.text}">${esc(it.label)}: ${it.value === null ? 'not measured' : `${(100 * it.value).toFixed(1)}%`}</text>`,
    );
    parts.push(
      `<text x="104" y="${c(cy + 14)}" fill="#4a535b">green &#8805; ${(100 * it.green).toFixed(0)}%, amber &#8805; ${(100 * it.amber).toFixed(0)}%</text>`,
    );
    parts.push(
      `<text x="${width - 8}" y="${c(cy + 4)}" text-anchor="end" font-weight="600" fill="${TEXT_COLOUR[it.status]}">${WORD[it.status]}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
