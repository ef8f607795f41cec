import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, IntegrityError, UsageError } from '../../core/errors.js';
import { runRandomise, runVerify } from './randomise.js';

function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'randomise-test-'));
}

function casesCsv(n: number, start = 0): string {
  const lines = ['id,site,team,sex'];
  for (let i = start; i < start + n; i++) {
    const site = ['North', 'South', 'East'][i % 3]!;
    lines.push(`P${String(i).padStart(4, '0')},${site},${site[0]}${i % 4},${i % 5 < 2 ? 'female' : 'male'}`);
  }
  return `${lines.join('\n')}\n`;
}

const NOW = '2025-01-01T00:00:00.000Z';

describe('randomise: outputs, manifest and determinism', () => {
  it('writes the same bytes for the same input, seed and options', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, casesCsv(100));
    const out = join(dir, 'alloc.csv');
    const r1 = await runRandomise({ cases, method: 'block', block: 'site', ratio: '1:2', seed: 5, out });
    const bytes = readFileSync(out, 'utf8');
    const manifest = readFileSync(`${out}.json`, 'utf8');
    const r2 = await runRandomise({ cases, method: 'block', block: 'site', ratio: '1:2', seed: 5, out });
    expect(readFileSync(out, 'utf8')).toBe(bytes);
    expect(readFileSync(`${out}.json`, 'utf8')).toBe(manifest);
    expect(r2.sha256).toBe(r1.sha256);
    expect(bytes.split('\n')[0]).toBe('id,arm,sub_arm,stratum,cluster,sequence');
    // Sites of 34, 33, 33: treatment gets 2/3 of each, 22 or 23 of 34 by the remainder rule.
    expect(r1.strata.East).toEqual({ control: 11, treatment: 22 });
    expect(r1.strata.South).toEqual({ control: 11, treatment: 22 });
    expect([22, 23]).toContain(r1.strata.North!.treatment);
    expect(r1.arms.control! + r1.arms.treatment!).toBe(100);
    const m = JSON.parse(manifest);
    expect(m.seed).toBe(5);
    expect(m.input.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.output.sha256).toBe(r1.sha256);
    const other = await runRandomise({
      cases,
      method: 'block',
      block: 'site',
      ratio: '1:2',
      seed: 6,
      out: join(dir, 'b.csv'),
    });
    expect(other.sha256).not.toBe(r1.sha256);
  });

  it('records a generated seed when none is given', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, casesCsv(10));
    const r = await runRandomise({ cases, method: 'complete', out: join(dir, 'a.csv'), generateSeed: () => 123456789 });
    expect(r.seed).toBe(123456789);
    expect(r.seed_generated).toBe(true);
    await expect(runRandomise({ cases, method: 'complete', out: join(dir, 'a.csv') })).rejects.toThrow(
      '--seed <int> is required so the allocation can be reproduced',
    );
  });

  it('nests told / not_told inside treatment and keeps clusters whole', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, casesCsv(120));
    const r = await runRandomise({
      cases,
      method: 'block-cluster',
      block: 'site',
      cluster: 'team',
      nested: 'treatment:told,not_told',
      seed: 3,
      out: join(dir, 'a.csv'),
    });
    expect(r.arms.control! + r.arms.treatment!).toBe(120);
    expect(r.sub_arms.told! + r.sub_arms.not_told!).toBe(r.arms.treatment);
    expect(r.clusters.control! + r.clusters.treatment!).toBe(12);
    const rows = readFileSync(join(dir, 'a.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const byTeam = new Map<string, string>();
    for (const [, arm, sub, , team] of rows) {
      const key = `${arm}/${sub}`;
      if (byTeam.has(team!)) expect(byTeam.get(team!)).toBe(key);
      byTeam.set(team!, key);
    }
  });
});

describe('randomise: bad input writes nothing', () => {
  it('duplicate ids name both lines', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, 'id,site\nA,x\nB,x\nA,y\n');
    const out = join(dir, 'a.csv');
    const err = await runRandomise({ cases, method: 'complete', seed: 1, out }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(
      `data error:\n  ${cases}:4: column id value "A": duplicate id (also on line 2); each person can be randomised once`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.json`)).toBe(false);
  });
  it('a missing column lists the header; a cluster spanning blocks names both lines', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, 'id,site,team\nA,x,t1\nB,y,t1\n');
    const out = join(dir, 'a.csv');
    await expect(runRandomise({ cases, method: 'block', block: 'region', seed: 1, out })).rejects.toThrow(
      'required column "region" is missing (header: id, site, team)',
    );
    await expect(
      runRandomise({ cases, method: 'block-cluster', block: 'site', cluster: 'team', seed: 1, out }),
    ).rejects.toThrow('cluster t1 is in site "y" here but in "x" on line 2; a cluster must lie inside one block');
    expect(existsSync(out)).toBe(false);
  });
  it('usage errors: ratio vs arms, unknown nested arm', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, casesCsv(5));
    const out = join(dir, 'a.csv');
    await expect(
      runRandomise({ cases, method: 'complete', arms: 'a,b,c', ratio: '1:2', seed: 1, out }),
    ).rejects.toThrow(UsageError);
    await expect(
      runRandomise({ cases, method: 'complete', nested: 'active:told,not_told', seed: 1, out }),
    ).rejects.toThrow('--nested names arm "active", which is not one of --arms (control, treatment)');
    expect(existsSync(out)).toBe(false);
  });
  it('warns (does not fail) when a block is smaller than the ratio', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, 'id,site\nA,x\nB,x\nC,x\nD,y\n');
    const r = await runRandomise({
      cases,
      method: 'block',
      block: 'site',
      ratio: '1:2',
      seed: 1,
      out: join(dir, 'a.csv'),
    });
    expect(r.warnings).toEqual([
      'block y has 1 case(s), fewer than the ratio 1:2 needs for every arm; its arms get floor/ceiling counts by the remainder rule (probabilities stay exact)',
    ]);
  });
});

describe('randomise --verify', () => {
  it('passes on an untouched allocation and names the first tampered row', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, casesCsv(50));
    const out = join(dir, 'a.csv');
    await runRandomise({ cases, method: 'minimise', factors: 'site:2,sex', seed: 9, out });
    expect((await runVerify({ file: out })).verified).toBe(true);
    const lines = readFileSync(out, 'utf8').split('\n');
    const row = lines[7]!.split(',');
    const was = row[1]!;
    row[1] = was === 'control' ? 'treatment' : 'control';
    lines[7] = row.join(',');
    writeFileSync(out, lines.join('\n'));
    const err = await runVerify({ file: out }).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe(`${out} line 8 (id ${row[0]}): expected arm "${was}", found "${row[1]}"`);
  });
  it('fails when the input changed since the allocation', async () => {
    const dir = workspace();
    const cases = join(dir, 'cases.csv');
    writeFileSync(cases, casesCsv(20));
    const out = join(dir, 'a.csv');
    await runRandomise({ cases, method: 'complete', seed: 9, out });
    writeFileSync(cases, casesCsv(21));
    await expect(runVerify({ file: out })).rejects.toThrow(/input .* has changed since the allocation was made/);
  });
});

describe('randomise --ledger (rolling recruitment)', () => {
  async function twoBatches(method: Record<string, string | undefined>) {
    const dir = workspace();
    const ledger = join(dir, 'ledger.csv');
    const c1 = join(dir, 'c1.csv');
    const c2 = join(dir, 'c2.csv');
    const all = join(dir, 'all.csv');
    writeFileSync(c1, casesCsv(40));
    writeFileSync(c2, casesCsv(50, 30)); // 10 already allocated, 40 new
    writeFileSync(all, casesCsv(80));
    const opts = { method: 'permuted-block', ...method };
    await runRandomise({ cases: c1, ...opts, seed: 4, ledger, now: NOW });
    const r2 = await runRandomise({ cases: c2, ...opts, ledger, now: NOW, out: join(dir, 'part.csv') });
    const one = await runRandomise({ cases: all, ...opts, seed: 4, out: join(dir, 'one.csv') });
    return { dir, ledger, r2, one };
  }
  it('keeps earlier allocations, appends new ones and matches one sequential run', async () => {
    for (const m of [
      { method: 'permuted-block', block: 'site', blockSizes: '2,4' },
      { method: 'minimise', factors: 'site,sex' },
    ]) {
      const { dir, ledger, r2 } = await twoBatches(m);
      expect(r2.ledger).toMatchObject({
        rows_before: 40,
        rows_after: 80,
        already_allocated: 10,
        appended: 40,
        batch: 2,
      });
      const armsOf = (file: string, idCol: number, armCol: number) =>
        new Map(
          readFileSync(file, 'utf8')
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => [l.split(',')[idCol]!, l.split(',')[armCol]!]),
        );
      expect(armsOf(ledger, 1, 2)).toEqual(armsOf(join(dir, 'one.csv'), 0, 1));
      expect((await runVerify({ file: ledger })).rows).toBe(80);
      expect((await runVerify({ file: join(dir, 'part.csv') })).verified).toBe(true);
    }
  });
  it('detects an edited, deleted or reordered ledger row', async () => {
    const { ledger } = await twoBatches({ method: 'permuted-block', block: 'site' });
    const original = readFileSync(ledger, 'utf8');
    const lines = original.split('\n');
    const edit = lines.slice();
    edit[5] = edit[5]!.replace(
      /,(control|treatment),/,
      (_m, a: string) => `,${a === 'control' ? 'treatment' : 'control'},`,
    );
    writeFileSync(ledger, edit.join('\n'));
    await expect(runVerify({ file: ledger })).rejects.toThrow(
      /^ledger .* line 6 \(sequence 5, id P0004\): hash expected [0-9a-f]{64}, found/,
    );
    writeFileSync(ledger, [...lines.slice(0, 10), ...lines.slice(11)].join('\n'));
    await expect(runVerify({ file: ledger })).rejects.toThrow(/line 11 \(sequence 11, id P0010\): hash expected/);
    const swapped = lines.slice();
    [swapped[20], swapped[21]] = [swapped[21]!, swapped[20]!];
    writeFileSync(ledger, swapped.join('\n'));
    await expect(runVerify({ file: ledger })).rejects.toThrow(/line 21 \(sequence 21, id P0020\): hash expected/);
    writeFileSync(ledger, lines.slice(0, -2).join('\n') + '\n');
    await expect(runVerify({ file: ledger })).rejects.toThrow('rows have been removed from (or added to) the end');
    writeFileSync(ledger, original);
    expect((await runVerify({ file: ledger })).verified).toBe(true);
  });
  it('refuses to continue a ledger with another seed or design', async () => {
    const { dir, ledger } = await twoBatches({ method: 'permuted-block', block: 'site' });
    const c = join(dir, 'c3.csv');
    writeFileSync(c, casesCsv(5, 100));
    await expect(runRandomise({ cases: c, method: 'permuted-block', block: 'site', seed: 5, ledger })).rejects.toThrow(
      '--seed 5 differs from the seed the ledger',
    );
    await expect(runRandomise({ cases: c, method: 'permuted-block', block: 'sex', ledger })).rejects.toThrow(
      /was started with a different design/,
    );
  });
});

describe('allocation CSV writer', () => {
  it('writes exactly the bytes of toCsv, tricky cells included', async () => {
    const { allocationCsv, ALLOCATION_COLUMNS } = await import('../../io/allocation.js');
    const { toCsv } = await import('../../io/csv-writer.js');
    const cells = [
      'P1',
      '',
      '=SUM(A1)',
      '-12',
      '-x',
      '+1e5',
      '@me',
      ' lead',
      'trail ',
      'a,b',
      'say "hi"',
      'line\nbreak',
      'cr\rx',
      '\tx',
      'café',
      'x\u00a0',
    ];
    const labels = ['control', '=arm', 'two words ', 'a,b'];
    const subs = ['told', '-not'];
    const ids: string[] = [];
    const strata: string[] = [];
    const rows: Array<Array<string | number>> = [];
    const arms = new Int32Array(cells.length * cells.length);
    const subArms = new Int32Array(arms.length);
    cells.forEach((a, i) =>
      cells.forEach((b, j) => {
        const k = i * cells.length + j;
        ids.push(a + b);
        strata.push(b);
        arms[k] = k % labels.length;
        subArms[k] = (k % 3) - 1;
        rows.push([a + b, labels[arms[k]!]!, subArms[k]! >= 0 ? subs[subArms[k]!]! : '', b, a, k + 1]);
      }),
    );
    const clusters = cells.flatMap((a) => cells.map(() => a));
    const sequence = Int32Array.from(rows, (_, k) => k + 1);
    expect(allocationCsv({ ids, arms, armLabels: labels, subArms, subLabels: subs, strata, clusters, sequence })).toBe(
      toCsv(ALLOCATION_COLUMNS, rows),
    );
  });
});
