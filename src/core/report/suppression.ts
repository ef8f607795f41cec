/**
 * Small-count suppression for published tables (docs/reference/reports.md#disclosure-control): counts of people from 1 to 4 are
 * shown as "<5" (primary suppression), and where a table's totals would let a reader work a
 * suppressed count out by subtraction, the smallest other part is suppressed too (secondary,
 * complementary suppression), repeated until no suppressed count can be recovered.
 * Zero is shown: it is not a small group of identifiable people on its own.
 */

export const SUPPRESSION_THRESHOLD = 5;

/** A linear relation between cells: total = sum of parts. */
export interface Relation {
  total: string;
  parts: string[];
}

export interface SuppressionResult {
  /** Keys of suppressed cells. */
  suppressed: Set<string>;
  primary: string[];
  secondary: string[];
}

export function isSmall(n: number): boolean {
  return n > 0 && n < SUPPRESSION_THRESHOLD;
}

/**
 * Decides which cells to suppress. `cells` maps a key to a count of people; `alwaysShown` keys are
 * published whatever their size (CONSORT flow counts), so a relation with such a total hides two
 * of its parts instead. Keys with `~` are
 * counts that are not printed but can still be derived (e.g. non-re-offenders = n - re-offenders),
 * so they take part in the relations.
 * @example [...suppressCells(new Map([['n', 20], ['a', 3], ['b', 17]]), [{ total: 'n', parts: ['a', 'b'] }]).suppressed].sort() // => ['a', 'b']
 */
export function suppressCells(
  cells: Map<string, number>,
  relations: Relation[],
  alwaysShown: ReadonlySet<string> = new Set(),
): SuppressionResult {
  const suppressed = new Set<string>();
  const primary: string[] = [];
  const secondary: string[] = [];
  for (const [k, v] of cells) {
    if (isSmall(v) && !alwaysShown.has(k)) {
      suppressed.add(k);
      primary.push(k);
    }
  }
  // Secondary suppression: a relation with exactly one unknown lets a reader recover it.
  for (let guard = 0; guard < 1000; guard++) {
    let changed = false;
    for (const rel of relations) {
      const members = [rel.total, ...rel.parts].filter((k) => cells.has(k));
      const hiddenCount = members.filter((k) => suppressed.has(k)).length;
      if (hiddenCount !== 1) continue;
      // Suppress the smallest visible part (ties: first listed); the total only if no part is left.
      const candidates = rel.parts.filter((k) => cells.has(k) && !suppressed.has(k) && !alwaysShown.has(k));
      candidates.sort((a, b) => cells.get(a)! - cells.get(b)!);
      const pick =
        candidates[0] ??
        (cells.has(rel.total) && !suppressed.has(rel.total) && !alwaysShown.has(rel.total) ? rel.total : undefined);
      if (pick === undefined) continue;
      suppressed.add(pick);
      secondary.push(pick);
      changed = true;
    }
    if (!changed) break;
  }
  return { suppressed, primary, secondary };
}

/** The printed form of a count: "<5" when suppressed. */
export function showCount(n: number | null, suppressed: boolean): string {
  if (n === null) return 'n/a';
  return suppressed ? '<5' : Math.round(n).toLocaleString('en-GB');
}
