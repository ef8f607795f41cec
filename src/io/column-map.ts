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
import type { LineCounter as LineCounterT, Node as YamlNode } from 'yaml';
import { yaml } from './yaml.js';
import { DataError, UsageError } from '../core/errors.js';
import { CASE_RULES, OFFENCE_RULES } from '../core/case-schema.js';
import { checkInputPath } from './csv-reader.js';

/**
 * canonical name -> site column name, both normalised (trimmed, lower case). A map made by mapFor
 * also carries `check`: where each entry was written, so a header can be checked against it.
 */
export type ColumnMap = Map<string, string> & { check?: MapCheck };

/** One entry of a column map file, with its place in the file. */
export interface MapEntry {
  canonical: string;
  site: string;
  /** 1-based line of the entry in the map file. */
  line: number | null;
  /** The site column must be in the file read (else the entry is a mistake): see mapFor. */
  required: boolean;
  /** Written under the file kind's own section (not at the top level). */
  specific: boolean;
}

/** What canonicalHeader checks a header against (plain data: it is posted to worker threads). */
export interface MapCheck {
  /** The map file, as named in messages. */
  file: string;
  entries: MapEntry[];
}

export function normaliseName(name: string): string {
  return name.trim().toLowerCase();
}

export interface ColumnMaps {
  /** Applies to every file. */
  all: ColumnMap;
  /** Per file kind (`cases`, `offences`, ...). */
  byKind: Map<string, ColumnMap>;
  /** The map file (for messages); '' for a map built in code. */
  file?: string;
  /** Line of each entry: key `${section}\u0000${canonical}`, section '' for the general ones. */
  lines?: Map<string, number>;
}

const FILE_KINDS = new Set(['cases', 'offences', 'process', 'themes', 'costs', 'pool', 'treated']);

/** The canonical columns of each file kind that is read with a map. */
const KIND_COLUMNS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['cases', new Set(CASE_RULES.map(([n]) => n))],
  ['offences', new Set(OFFENCE_RULES.map(([n]) => n))],
  ['pool', new Set(CASE_RULES.map(([n]) => n))],
  ['treated', new Set(CASE_RULES.map(([n]) => n))],
  ['process', new Set(['level', 'unit', 'arm', 'measure', 'value'])],
  ['costs', new Set(['item', 'category', 'amount_gbp', 'arm'])],
  ['themes', new Set(['source', 'participant', 'theme', 'arm'])],
]);

/** Every canonical column name a map may target. */
export const CANONICAL_COLUMNS: ReadonlySet<string> = new Set([...KIND_COLUMNS.values()].flatMap((s) => [...s]));

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The canonical name a mistyped one most likely meant, if any is close. */
export function closestCanonical(name: string, within: ReadonlySet<string> = CANONICAL_COLUMNS): string | null {
  const squashed = name.replace(/[\s-]+/g, '_');
  if (within.has(squashed)) return squashed;
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of within) {
    const d = c.startsWith(squashed) || squashed.startsWith(c) ? 1 : editDistance(squashed, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 4)) ? best : null;
}

/**
 * Loads and validates a column map file. Its problems are usage errors (exit 2) naming the line:
 * a name that is not a canonical column, a value that is not one column name, an alias or tag.
 * Keys are held in Maps, so `constructor` or `__proto__` are names like any other.
 */
export function loadColumnMap(path: string): ColumnMaps {
  let text: string;
  try {
    checkInputPath(path, path);
  } catch (err) {
    throw new UsageError(`--map: ${(err as Error).message}`);
  }
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--map: cannot read ${path}: ${code === 'EISDIR' ? 'it is a directory' : (code ?? (err as Error).message)}`,
    );
  }
  const Y = yaml();
  const counter: LineCounterT = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? null;
    throw new DataError({
      file: path,
      line,
      column: null,
      value: null,
      reason: `not valid YAML: ${e.message.split('\n')[0]}`,
    });
  }
  const lineOf = (node: YamlNode | null | undefined): number | null =>
    node?.range ? counter.linePos(node.range[0]).line : null;
  const fail = (node: YamlNode | null | undefined, what: string): never => {
    const line = lineOf(node);
    throw new UsageError(`--map ${path}${line !== null ? ` line ${line}` : ''}: ${what}`);
  };
  const maps: ColumnMaps = { all: new Map(), byKind: new Map(), file: path, lines: new Map() };
  const root = doc.contents;
  if (root === null || (Y.isScalar(root) && (root.value === null || root.value === ''))) return maps;
  if (!Y.isMap(root)) return fail(root, 'expected a mapping of canonical column: site column (e.g. `id: PersonRef`)');

  const keyText = (node: unknown): string => {
    if (Y.isAlias(node))
      return fail(node, 'YAML aliases (*name) are not allowed in a column map: write each column name out');
    if (!Y.isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number'))
      return fail(node as YamlNode, 'a canonical column name must be plain text');
    return String(node.value);
  };
  const add = (target: ColumnMap, section: string, keyNode: unknown, valueNode: unknown) => {
    const key = normaliseName(keyText(keyNode));
    if (!CANONICAL_COLUMNS.has(key)) {
      const near = closestCanonical(
        key,
        section ? (KIND_COLUMNS.get(section) ?? CANONICAL_COLUMNS) : CANONICAL_COLUMNS,
      );
      fail(
        keyNode as YamlNode,
        `${JSON.stringify(key)} is not a canonical column name${near ? ` (did you mean ${near}?)` : ''}; the left side names a canonical column, the right side your file's column`,
      );
    }
    if (Y.isAlias(valueNode))
      fail(valueNode, 'YAML aliases (*name) are not allowed in a column map: write each column name out');
    if (
      !Y.isScalar(valueNode) ||
      (typeof valueNode.value !== 'string' && typeof valueNode.value !== 'number') ||
      String(valueNode.value).trim() === ''
    ) {
      fail(
        (valueNode as YamlNode | null) ?? (keyNode as YamlNode),
        `${key}: the site column name must be one column name (text)`,
      );
    }
    target.set(key, normaliseName(String((valueNode as { value: unknown }).value)));
    maps.lines!.set(`${section}\u0000${key}`, lineOf(keyNode as YamlNode) ?? 0);
  };
  for (const pair of root.items) {
    const k = normaliseName(keyText(pair.key));
    const v = pair.value;
    if ((k === 'columns' || FILE_KINDS.has(k)) && Y.isMap(v)) {
      const section = k === 'columns' ? '' : k;
      let target: ColumnMap = maps.all;
      if (section) {
        target = maps.byKind.get(section) ?? new Map();
        maps.byKind.set(section, target);
      }
      for (const p2 of v.items) add(target, section, p2.key, p2.value);
    } else {
      add(maps.all, '', pair.key, v);
    }
  }
  return maps;
}

/**
 * The effective map for one file kind: file-specific entries win over general ones. The map
 * carries the entries' lines: an entry under this kind's section, or a general one naming a
 * canonical column of this kind, must find its site column (or the canonical column) in the file.
 */
export function mapFor(maps: ColumnMaps | null, kind: string): ColumnMap {
  const m: ColumnMap = new Map(maps?.all ?? []);
  for (const [k, v] of maps?.byKind.get(kind) ?? []) m.set(k, v);
  if (maps && maps.file !== undefined && m.size > 0) {
    const own = maps.byKind.get(kind);
    const columns = KIND_COLUMNS.get(kind);
    const entries: MapEntry[] = [];
    for (const [canonical, site] of m) {
      const specific = own?.has(canonical) ?? false;
      entries.push({
        canonical,
        site,
        line: maps.lines?.get(`${specific ? kind : ''}\u0000${canonical}`) ?? null,
        required: specific || (columns?.has(canonical) ?? false),
        specific,
      });
    }
    m.check = { file: maps.file, entries };
  }
  return m;
}

/**
 * The usage error for map entries whose site column is not in a file's header (a typo in the map
 * would otherwise pass unnoticed and the column be read as absent).
 */
function checkMapAgainstHeader(check: MapCheck, names: ReadonlySet<string>, header: string[], file: string): void {
  const bad = check.entries.filter((e) => e.required && !names.has(e.site) && !names.has(e.canonical));
  if (bad.length === 0) return;
  const cols = header.map((h) => h.trim()).filter((h) => h !== '');
  const shown = `${cols.slice(0, 15).join(', ')}${cols.length > 15 ? ', ...' : ''}`;
  throw new UsageError(
    bad
      .map(
        (e) =>
          `--map ${check.file}${e.line !== null ? ` line ${e.line}` : ''}: ${e.canonical}: column ${JSON.stringify(e.site)} is not in ${file} (its columns: ${shown})${e.specific ? '' : "; an entry at the top level applies to every file, so put it under a file's section (cases:, offences:) if only that file has the column"}`,
      )
      .join('\n'),
  );
}

/**
 * Resolves a header to canonical names: each header cell is trimmed and lower-cased, then renamed
 * when the map names it as some canonical column's source. Duplicate names are a data error.
 */
export function canonicalHeader(
  header: string[],
  map: ColumnMap,
  file: string,
  check: MapCheck | undefined = map.check,
): string[] {
  const reverse = new Map<string, string>();
  for (const [canon, site] of map) reverse.set(site, canon);
  const normalised = header.map(normaliseName);
  if (check) checkMapAgainstHeader(check, new Set(normalised), header, file);
  const out = normalised.map((n) => reverse.get(n) ?? n);
  const seen = new Map<string, number>();
  const problems = [];
  for (let i = 0; i < out.length; i++) {
    const name = out[i]!;
    if (name === '') continue;
    if (seen.has(name)) {
      problems.push({
        file,
        line: 1,
        column: name,
        value: header[i]!,
        reason: `duplicate column name (also column ${seen.get(name)! + 1}); column names are matched case-insensitively`,
      });
    } else seen.set(name, i);
  }
  if (problems.length) throw new DataError(problems);
  return out;
}
