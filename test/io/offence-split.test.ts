/**
 * The worker thread links the rows whose id hashes to part 1 while the main thread links part 0
 * (splitByIdHash); their accumulators and problem lists are then merged. Whatever the rows, that
 * must give exactly what one linker over the whole file gives: outcomes, counts, the latest
 * disposal, and the problems (the first 20 in file order, and the total).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProblemList } from '../../src/core/errors.js';
import { IdIndex } from '../../src/core/outcomes/id-index.js';
import { DEFAULT_RULES, OutcomeAccumulator } from '../../src/core/outcomes/proven-reoffending.js';
import { OffenceLinker, OffenceRowParser, splitByIdHash } from '../../src/io/offence-rows.js';
import { mergeProblems } from '../../src/io/offence-reader.js';
import type { CsvBatch } from '../../src/io/csv-reader.js';
import { daysFromCivil } from '../../src/core/dates.js';

const CASE_IDS = ['A1', 'B2', 'C3', 'D4', 'E5', 'F6', 'G7', 'H8'];
const START = Int32Array.from(CASE_IDS, (_, i) => daysFromCivil(2023, 1, 1) + 20 * i);
const HEADER = ['id', 'offence_date', 'disposal_date', 'disposal_type', 'severity'];

const row = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.tuple(
      fc.constantFrom(...CASE_IDS, 'ZZ9', ''),
      fc.integer({ min: 0, max: 700 }),
      fc.integer({ min: -5, max: 300 }),
      fc.constantFrom('conviction', 'caution', 'breach', 'other', 'fine?'),
      fc.constantFrom('', '2', '3.5', 'x', '-1'),
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) }, // a ragged row
);

function day(d: number): string {
  const base = new Date(Date.UTC(2023, 0, 1) + d * 86_400_000);
  return base.toISOString().slice(0, 10);
}

describe('splitting the linking between two threads', () => {
  it('gives what one linker gives, problems included', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 120 }), fc.integer({ min: 1, max: 40 }), (rows, batchSize) => {
        const fields = rows.map((r) =>
          r === null
            ? ['A1', '2023-01-05']
            : [r[0], day(r[1]), r[2] === -5 ? 'not a date' : day(r[1] + r[2]), r[3], r[4]],
        );
        const batches: CsvBatch[] = [];
        for (let i = 0; i < fields.length; i += batchSize)
          batches.push({
            fields: fields.slice(i, i + batchSize),
            lines: fields.slice(i, i + batchSize).map((_, k) => i + k + 2),
          });
        const index = IdIndex.of(CASE_IDS);
        CASE_IDS.forEach((_, r) => index.addRow(r));
        const run = (split: boolean) => {
          const parser = new OffenceRowParser('off.csv', HEADER, new Map(), ',');
          const accs = [0, 1].map(() => new OutcomeAccumulator(START, DEFAULT_RULES, true));
          const linkers = accs.map(
            (acc, k) =>
              new OffenceLinker(
                'off.csv',
                'cases.csv',
                k === 0 ? index : IdIndex.lookupOnly(index.lookupParts()),
                acc,
                new ProblemList(),
              ),
          );
          for (const b of batches) {
            const parsed = parser.parse(b);
            if (!split) linkers[0]!.consume(parsed);
            else splitByIdHash(parsed).forEach((part, k) => linkers[k]!.consume(part));
          }
          accs[0]!.merge(accs[1]!.state());
          const problems = mergeProblems(linkers[0]!.problems, linkers[1]!.problems.shown, linkers[1]!.problems.total);
          const out = accs[0]!.finish(daysFromCivil(2025, 6, 1));
          return {
            out,
            problems: { shown: problems.shown, total: problems.total },
            maxDisposal: Math.max(linkers[0]!.maxDisposal, linkers[1]!.maxDisposal),
          };
        };
        expect(run(true)).toEqual(run(false));
      }),
      { numRuns: 300 },
    );
  });
  it('the split puts every offence of an id in one part', () => {
    const parser = new OffenceRowParser('off.csv', HEADER, new Map(), ',');
    const ids = Array.from({ length: 400 }, (_, i) => `P${i % 97}`);
    const b = parser.parse({
      fields: ids.map((id) => [id, '2023-02-01', '2023-03-01', 'conviction', '']),
      lines: ids.map((_, i) => i + 2),
    });
    const [p0, p1] = splitByIdHash(b);
    expect(p0.n + p1.n).toBe(400);
    // The hash split of these 97 ids (fixed by the hash, so a change to it shows here).
    expect([p0.n, p1.n]).toEqual([192, 208]);
    const idsOf = (p: typeof p0) =>
      new Set(Array.from({ length: p.n }, (_, r) => p.idText.slice(r === 0 ? 0 : p.idEnd[r - 1]!, p.idEnd[r]!)));
    const a = idsOf(p0);
    for (const id of idsOf(p1)) expect(a.has(id)).toBe(false);
  });
});
