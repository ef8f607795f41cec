import { describe, expect, it } from 'vitest';
import { powerCurveSvg } from './power-curve-svg.js';

describe('powerCurveSvg (power --plot)', () => {
  const points = [
    { size: 100, power: 0.3 },
    { size: 200, power: 0.55 },
    { size: 400, power: 0.82 },
    { size: 800, power: 0.97 },
  ];
  it('is a standalone SVG file with a title, one vertex per size, the target line and the chosen size', () => {
    const svg = powerCurveSvg(points, { title: 'Power <by> size', xLabel: 'people per arm', target: 0.8, mark: 390 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400"')).toBe(true);
    expect(svg).toContain('<title>Power &lt;by&gt; size</title>');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline points="([^"]+)"/)![1]!.split(' ')).toHaveLength(4);
    expect(svg).toContain('stroke-dasharray="6 4"');
    // The mark sits on the nearest computed point (400, 0.82): x = 60 + (300 / 700) * 560, y = 40 + 0.18 * 310.
    expect(svg).toContain('<circle cx="300" cy="95.8" r="4"');
  });
  it('refuses an empty curve', () => {
    expect(() => powerCurveSvg([], { title: 't', xLabel: 'x' })).toThrow('no points');
  });
});
