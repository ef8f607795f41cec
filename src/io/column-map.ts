/**
 * `--map columns.yaml`: a site's own column names mapped onto the canonical ones.
 *
 * ```yaml
 * # canonical: the site's column (case-insensitive)
 * id: PersonRef
 * start_date: Order Start
 * # or per file:
 * offences:
 *   offence_date: OffDate
 * ```
 */
import { readFileSync } from 'node:fs';
import { yaml } from './yaml.js';
import { DataError, UsageError } from '../core/errors.js';

/** canonical name -> site column name, both normalised (trimmed, lower case). */
export type ColumnMap = Map<string, string>;

export function normaliseName(name: string): string {
  return name.trim().toLowerCase();
}

export interface ColumnMaps {
  /** Applies to every file. */
  all: ColumnMap;
  /** Per file kind (`cases`, `offences`, ...). */
  byKind: Map<string, ColumnMap>;
}

const FILE_KINDS = new Set(['cases', 'offences', 'process', 'themes', 'costs', 'pool', 'treated']);

/** Loads and validates a column map file. */
export function loadColumnMap(path: string): ColumnMaps {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--map: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (err) {
    const e = err as { linePos?: Array<{ line: number; col: number }>; message: string };
    const line = e.linePos?.[0]?.line ?? null;
    throw new DataError({ file: path, line, column: null, value: null, reason: `not valid YAML: ${e.message.split('\n')[0]}` });
  }
  if (doc === null || doc === undefined) return { all: new Map(), byKind: new Map() };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new DataError({ file: path, line: 1, column: null, value: null, reason: 'expected a mapping of canonical column: site column' });
  }
  const maps: ColumnMaps = { all: new Map(), byKind: new Map() };
  const add = (target: ColumnMap, key: string, value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new DataError({ file: path, line: null, column: key, value: JSON.stringify(value), reason: 'the site column name must be text' });
    }
    target.set(normaliseName(key), normaliseName(String(value)));
  };
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (k === 'columns' && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) add(maps.all, k2, v2);
    } else if (FILE_KINDS.has(normaliseName(k)) && v && typeof v === 'object' && !Array.isArray(v)) {
      const m: ColumnMap = new Map();
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) add(m, k2, v2);
      maps.byKind.set(normaliseName(k), m);
    } else {
      add(maps.all, k, v);
    }
  }
  return maps;
}

/** The effective map for one file kind: file-specific entries win over general ones. */
export function mapFor(maps: ColumnMaps | null, kind: string): ColumnMap {
  const m: ColumnMap = new Map(maps?.all ?? []);
  for (const [k, v] of maps?.byKind.get(kind) ?? []) m.set(k, v);
  return m;
}

/**
 * Resolves a header to canonical names: each header cell is trimmed and lower-cased, then renamed
 * when the map names it as some canonical column's source. Duplicate names are a data error.
 */
export function canonicalHeader(header: string[], map: ColumnMap, file: string): string[] {
  const reverse = new Map<string, string>();
  for (const [canon, site] of map) reverse.set(site, canon);
  const out = header.map((h) => {
    const n = normaliseName(h);
    return reverse.get(n) ?? n;
  });
  const seen = new Map<string, number>();
  const problems = [];
  for (let i = 0; i < out.length; i++) {
    const name = out[i]!;
    if (name === '') continue;
    if (seen.has(name)) {
      problems.push({ file, line: 1, column: name, value: header[i]!, reason: `duplicate column name (also column ${seen.get(name)! + 1}); column names are matched case-insensitively` });
    } else seen.set(name, i);
  }
  if (problems.length) throw new DataError(problems);
  return out;
}
