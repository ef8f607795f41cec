import { describe, expect, it } from 'vitest';
import { showCount, suppressCells } from './suppression.js';

describe('small-count suppression', () => {
  it('suppresses counts of 1 to 4 and shows 0 and 5+', () => {
    const r = suppressCells(
      new Map([
        ['a', 0],
        ['b', 1],
        ['c', 4],
        ['d', 5],
      ]),
      [],
    );
    expect([...r.suppressed].sort()).toEqual(['b', 'c']);
  });
  it('also hides the complementary cell that would reveal a suppressed count by subtraction', () => {
    const cells = new Map([
      ['n', 40],
      ['lost', 3],
      ['analysed', 37],
    ]);
    const r = suppressCells(cells, [{ total: 'n', parts: ['lost', 'analysed'] }]);
    expect(r.primary).toEqual(['lost']);
    expect(r.secondary).toEqual(['analysed']);
  });
  it('propagates through linked totals until nothing can be recovered', () => {
    // arm A: allocated 3 (small). Total randomised 30 = A + B, so B must go; B = lostB + analysedB, so one of those too.
    const cells = new Map([
      ['total', 30],
      ['A', 3],
      ['B', 27],
      ['lostB', 7],
      ['analysedB', 20],
    ]);
    const rel = [
      { total: 'total', parts: ['A', 'B'] },
      { total: 'B', parts: ['lostB', 'analysedB'] },
    ];
    const r = suppressCells(cells, rel);
    expect([...r.suppressed].sort()).toEqual(['A', 'B', 'lostB']);
    for (const x of rel) expect([x.total, ...x.parts].filter((k) => r.suppressed.has(k)).length).not.toBe(1);
  });
  it('a hidden derived count (non-re-offenders) forces the shown count to be suppressed', () => {
    const r = suppressCells(
      new Map([
        ['n', 12],
        ['reoffenders', 9],
        ['~non', 3],
      ]),
      [{ total: 'n', parts: ['reoffenders', '~non'] }],
    );
    expect(r.suppressed.has('reoffenders')).toBe(true);
  });
  it('prints "<5"', () => {
    expect(showCount(3, true)).toBe('<5');
    expect(showCount(1234, false)).toBe('1,234');
  });
});
