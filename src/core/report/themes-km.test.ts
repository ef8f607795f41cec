import { describe, expect, it } from 'vitest';
import { kmCurves } from './km-curve.js';
import { themesMatrix } from './themes-matrix.js';
import type { ThemeRow } from './types.js';

const row = (source: string, participant: string, theme: string, excerpt = ''): ThemeRow => ({
  source,
  participant,
  theme,
  subtheme: '',
  excerpt,
  arm: 'treatment',
});

describe('framework matrix of themes', () => {
  it('counts distinct participants per source, orders themes by reach, keeps at most two excerpts', () => {
    const m = themesMatrix([
      row('staff', 'ST-1', 'hope', 'Staff see hope.'),
      row('service_user', 'SU-1', 'hope', 'I felt hopeful.'),
      row('service_user', 'SU-1', 'hope', 'Again, hope.'),
      row('service_user', 'SU-2', 'hope', 'A third excerpt that should not appear at all.'),
      row('service_user', 'SU-3', 'stigma', 'They judge.'),
    ]);
    expect(m.sources).toEqual(['service_user', 'staff']);
    expect(m.rows.map((r) => [r.theme, r.participants, r.total_participants])).toEqual([
      ['hope', [2, 1], 3],
      ['stigma', [1, 0], 1],
    ]);
    expect(m.rows[0]!.excerpts).toEqual([
      { source: 'service_user', text: 'Again, hope.' },
      { source: 'staff', text: 'Staff see hope.' },
    ]);
    expect(JSON.stringify(m)).not.toMatch(/SU-|ST-/);
  });
});

describe('Kaplan-Meier curve', () => {
  it('matches R survfit', () => {
    // R: library(survival); f <- survfit(Surv(c(5,8,8,12,20,20,30), c(1,1,0,1,1,0,0)) ~ 1)
    //    f$surv at 5, 8, 12, 20 = 0.857142857142857 0.714285714285714 0.535714285714286 0.357142857142857
    const times = [5, 8, 8, 12, 20, 20, 30];
    const events = [1, 1, 0, 1, 1, 0, 0] as const;
    const [k] = kmCurves(
      times.map((t, i) => ({ arm: 'control', time: t, event: events[i]! })),
      ['control', 'treatment'],
    );
    expect(k!.steps.map((s) => s.time)).toEqual([0, 5, 8, 12, 20]);
    const want = [1, 0.857142857142857, 0.714285714285714, 0.535714285714286, 0.357142857142857];
    k!.steps.forEach((s, i) => expect(s.survival).toBeCloseTo(want[i]!, 12));
    expect(k!.events).toBe(4);
  });
});
