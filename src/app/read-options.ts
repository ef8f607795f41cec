/**
 * How input cells are read, for the commands that offer `--na`, `--delimiter`, `--date-format`,
 * `--decimal-comma` and `--sheet`: the defaults shown in --help and the delimiter parser.
 */
export { DEFAULT_NA_TOKENS } from '../core/cells.js';
export { parseDelimiter } from '../io/csv-reader.js';
export type { ReadOptions } from '../io/read-options.js';
