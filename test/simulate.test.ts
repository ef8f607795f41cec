import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulate } from '../src/cli/commands/simulate.js';
import { CONCEPTS, findConcept } from '../src/core/concepts.js';
import { simulateTrial } from '../src/core/simulate/simulate-trial.js';
import { UsageError } from '../src/core/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'pilot-eval-sim-'));

function proven(trial: ReturnType<typeof simulateTrial>) {
  // An independent re-statement of the MoJ rule, written out here so the simulator is checked
  // against the definition rather than against itself.
  const start = new Map(trial.cases.map((c) => [c.id, Date.parse(c.start_date) / 86400000]));
  const counts = new Map<string, number>();
  for (const o of trial.offences) {
    const s = start.get(o.id)!;
    const off = Date.parse(o.offence_date) / 86400000;
    const disp = Date.parse(o.disposal_date) / 86400000;
    if (off > s && off <= s + 365 && disp <= s + 548 && o.disposal_type !== 'breach' && o.disposal_type !== 'other') {
      counts.set(o.id, (counts.get(o.id) ?? 0) + 1);
    }
  }
  return counts;
}

describe('simulate', () => {
  it('same seed gives identical bytes; a different seed differs', async () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    await runSimulate({ concept: 'pcp-fund', stage: 'pilot', seed: '9', outDir: a });
    await runSimulate({ concept: '2', stage: 'pilot', seed: '9', outDir: b });
    await runSimulate({ concept: 'pcp-fund', stage: 'pilot', seed: '10', outDir: c });
    for (const f of readdirSync(a)) expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    expect(readFileSync(join(c, 'cases.csv'), 'utf8')).not.toBe(readFileSync(join(a, 'cases.csv'), 'utf8'));
  });

  it('the bundled fixtures are exactly what simulate produces (scripts/make-fixtures.sh)', async () => {
    const slugs = ['pcp', 'pcp-fund', 'women-pcp-fund', 'user-grants', 'community-navigation'];
    for (let i = 0; i < slugs.length; i++) {
      const out = tmp();
      await runSimulate({ concept: slugs[i], stage: 'efficacy', seed: String(101 + i), outDir: out });
      for (const f of [
        'cases.csv',
        'offences.csv',
        'process.csv',
        'costs.csv',
        'themes.csv',
        'truth.json',
        'trial.yaml',
      ]) {
        expect(readFileSync(join(out, f), 'utf8'), `${slugs[i]}/${f}`).toBe(
          readFileSync(join('fixtures', slugs[i]!, f), 'utf8'),
        );
      }
    }
  });

  it('recovers the true re-offending rates in a large simulated cohort', () => {
    const concept = findConcept('pcp')!;
    const trial = simulateTrial({
      concept,
      stage: 'effectiveness',
      seed: 5,
      n: 20000,
      clusters: 400,
      baseRate: 0.35,
      effectRate: 0.28,
    });
    const counts = proven(trial);
    const by: Record<string, { n: number; r: number; k: number }> = {};
    for (const c of trial.cases) {
      if (c.withdrawn === 'yes') continue;
      const g = (by[c.arm] ??= { n: 0, r: 0, k: 0 });
      g.n++;
      const k = counts.get(c.id) ?? 0;
      if (k > 0) g.r++;
      g.k += k;
    }
    const control = by.control!;
    const treated = by.treatment!;
    // SE of a rate near 0.35 with n ~ 9,500 is ~0.005; the cluster effect inflates it a little.
    expect(Math.abs(control.r / control.n - 0.35)).toBeLessThan(0.03);
    expect(Math.abs(treated.r / treated.n - 0.28)).toBeLessThan(0.03);
    // Realistic frequency: about 3 re-offences per re-offender.
    const perReoffender = (control.k + treated.k) / (control.r + treated.r);
    expect(perReoffender).toBeGreaterThan(2.5);
    expect(perReoffender).toBeLessThan(4.5);
    expect(trial.truth.hazard_ratio).toBeLessThan(1);
  });

  it('honours each concept design: women only, nested told/not told, whole clusters', () => {
    for (const concept of CONCEPTS) {
      const t = simulateTrial({ concept, stage: 'efficacy', seed: 3 });
      const arms = new Set(t.cases.map((c) => c.arm));
      expect([...arms].sort()).toEqual(['control', 'treatment']);
      if (concept.id === 3) expect(t.cases.every((c) => c.sex === 'female')).toBe(true);
      if (concept.id === 2) {
        const treated = t.cases.filter((c) => c.arm === 'treatment');
        expect(new Set(treated.map((c) => c.sub_arm))).toEqual(new Set(['told', 'not_told']));
        expect(treated.every((c) => c.budget_told === (c.sub_arm === 'told' ? 'yes' : 'no'))).toBe(true);
        expect(t.cases.filter((c) => c.arm === 'control').every((c) => c.sub_arm === '' && c.budget_told === '')).toBe(
          true,
        );
      }
      if (concept.unit === 'cluster') {
        const armOfTeam = new Map<string, string>();
        for (const c of t.cases) {
          const prev = armOfTeam.get(c.team);
          if (prev) expect(prev).toBe(c.arm);
          armOfTeam.set(c.team, c.arm);
        }
      }
      // Offences belong to known people, and disposals never precede offences.
      const ids = new Set(t.cases.map((c) => c.id));
      expect(t.offences.every((o) => ids.has(o.id) && o.disposal_date >= o.offence_date)).toBe(true);
      // Noise the MoJ rules must exclude is present.
      expect(t.offences.some((o) => o.disposal_type === 'breach')).toBe(true);
    }
  });

  it('rejects bad options with usage errors naming the option', async () => {
    await expect(runSimulate({ concept: 'pcp', stage: 'pilot', outDir: tmp() })).rejects.toThrow(
      '--seed <int> is required',
    );
    await expect(runSimulate({ concept: 'x', stage: 'pilot', seed: '1', outDir: tmp() })).rejects.toThrow(UsageError);
    await expect(runSimulate({ concept: 'pcp', stage: 'trial', seed: '1', outDir: tmp() })).rejects.toThrow(
      '--stage must be one of',
    );
    await expect(
      runSimulate({ concept: 'pcp', stage: 'pilot', seed: '1', outDir: tmp(), baseRate: '1.5' }),
    ).rejects.toThrow('--base-rate');
  });
});
