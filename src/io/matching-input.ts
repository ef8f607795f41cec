/**
 * Reads the treated and pool files for `match` and turns the named covariates into model-ready
 * columns over the stacked rows (treated first, then pool). A covariate whose every cell in both
 * files is a number is numeric; otherwise it is a factor (text levels). Empty or NA cells are data
 * errors (a propensity model cannot use them), located by file, line and column.
 */
import { DataError, ProblemList, UsageError } from '../core/errors.js';
import type { CovariateColumn } from '../core/matching/propensity-model.js';
import { readTable, type TextTable } from './table.js';
import { readOptions, type ReadOptions } from './read-options.js';

export interface MatchingInput {
  treated: TextTable;
  pool: TextTable;
  /** 1 for treated rows, 0 for pool rows (treated rows first). */
  treat: Uint8Array;
  covariates: CovariateColumn[];
}

const MISSING = new Set(['', 'na', 'n/a', 'null', '.']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Most levels a factor covariate may have (each level is a parameter of the propensity model). */
const MAX_LEVELS = 100;

/** `read`: how cells are read (a bare delimiter, or the read options: `--na` tokens become empty cells). */
export async function readMatchingInput(
  treatedPath: string,
  poolPath: string,
  covariateNames: string[],
  read: string | Partial<ReadOptions>,
): Promise<MatchingInput> {
  const ro = readOptions(typeof read === 'string' ? { delimiter: read } : read);
  if (covariateNames.length === 0)
    throw new UsageError('--covariates needs at least one column name (e.g. --covariates age,sex,ogrs3)');
  const names = covariateNames.map((c) => c.toLowerCase());
  const dup = names.find((c, i) => names.indexOf(c) !== i);
  if (dup) throw new UsageError(`--covariates names ${dup} twice`);
  if (treatedPath === '-' && poolPath === '-') throw new UsageError('--treated and --pool cannot both read stdin (-)');
  const treated = await readTable(treatedPath, { read: ro, required: names });
  const pool = await readTable(poolPath, { read: ro, required: names });
  if (treated.n === 0)
    throw new DataError({
      file: treated.file,
      line: null,
      column: null,
      value: null,
      reason: 'the treated file has no rows',
    });
  if (pool.n === 0)
    throw new DataError({
      file: pool.file,
      line: null,
      column: null,
      value: null,
      reason: 'the pool file has no rows',
    });
  checkIds(treated, pool);

  const problems = new ProblemList();
  const covariates: CovariateColumn[] = [];
  for (const name of names) {
    const cells = [...treated.cells.get(name)!, ...pool.cells.get(name)!];
    const where = (i: number) =>
      i < treated.n
        ? { file: treated.file, line: treated.lines[i]! }
        : { file: pool.file, line: pool.lines[i - treated.n]! };
    cells.forEach((c, i) => {
      if (MISSING.has(c.toLowerCase())) {
        problems.add({
          ...where(i),
          column: name,
          value: c,
          reason:
            'missing value: every covariate of the propensity model needs a value (drop or impute these rows first)',
        });
      }
    });
    const isNumber = (c: string) => NUMBER.test(c);
    const numbers = cells.reduce((k, c) => k + (isNumber(c) ? 1 : 0), 0);
    if (numbers === cells.length) {
      covariates.push({ name, kind: 'numeric', values: Float64Array.from(cells, Number) });
      continue;
    }
    // A number column with a few stray cells would silently become a factor with a level per
    // distinct number (hundreds of parameters: the model then takes minutes). Name the cells.
    const present = cells.filter((c) => !MISSING.has(c.toLowerCase())).length;
    if (numbers >= 0.9 * present) {
      cells.forEach((c, i) => {
        if (!isNumber(c) && !MISSING.has(c.toLowerCase()))
          problems.add({
            ...where(i),
            column: name,
            value: c,
            reason: `not a number, though ${numbers} of ${cells.length} ${name} values are: fix the cell (or mark it missing and drop the row)`,
          });
      });
      continue;
    }
    const levels = new Set(cells).size;
    if (levels > MAX_LEVELS) {
      problems.add({
        file: `${treated.file} + ${pool.file}`,
        line: null,
        column: name,
        value: null,
        reason: `has ${levels} distinct text values: as a factor each would be a parameter of the propensity model (at most ${MAX_LEVELS}); group it into fewer levels, or drop it from --covariates`,
      });
      continue;
    }
    covariates.push({ name, kind: 'factor', values: cells });
  }
  problems.throwIfAny();
  const treat = new Uint8Array(treated.n + pool.n);
  treat.fill(1, 0, treated.n);
  return { treated, pool, treat, covariates };
}

/** A person in both files would be compared with themselves. */
function checkIds(treated: TextTable, pool: TextTable): void {
  const t = treated.cells.get('id');
  const p = pool.cells.get('id');
  if (!t || !p) return;
  const ids = new Set(t);
  const problems = new ProblemList();
  p.forEach((id, i) => {
    if (id !== '' && ids.has(id)) {
      problems.add({
        file: pool.file,
        line: pool.lines[i]!,
        column: 'id',
        value: id,
        reason: `this person is also in the treated file ${treated.file}: remove the treated people from the pool`,
      });
    }
  });
  problems.throwIfAny();
}
