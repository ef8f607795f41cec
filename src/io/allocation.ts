/**
 * Files of the randomise command: reading cases for a design, the allocation CSV and its
 * manifest (`<out>.json`), and the rolling-recruitment ledger (`<ledger>.csv` + `<ledger>.csv.json`).
 * All writes go through src/io/atomic.ts; nothing is written until every check has passed.
 */
import { IdIndex } from '../core/outcomes/id-index.js';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntegrityError, ProblemList, UsageError, type DataProblem } from '../core/errors.js';
import type { UnitColumns } from '../core/randomise/allocate.js';
import type { LedgerContent, LedgerManifest, LedgerState } from '../core/randomise/ledger-record.js';
import { findClustersSpanningBlocks } from '../core/randomise/block-cluster.js';
import { LEDGER_COLUMNS } from '../core/randomise/ledger.js';
import type { ColumnMap } from './column-map.js';
import { neutraliseCell, toCsv, toCsvRows, type Cell } from './csv-writer.js';
import { readTable, type TextTable } from './table.js';

export const ALLOCATION_COLUMNS = ['id', 'arm', 'sub_arm', 'stratum', 'cluster', 'sequence'] as const;

export { sha256File, sha256Text } from './hash.js';

/** stdin copied to a private temporary file, so it can be hashed and then parsed. */
export async function spoolStdin(): Promise<{ path: string; cleanup: () => void }> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-'));
  const path = join(dir, 'stdin.csv');
  writeFileSync(path, Buffer.concat(chunks), { mode: 0o600 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CaseColumnSpec {
  block: string | null;
  cluster: string | null;
  factors: string[];
}

export interface LoadedCases {
  file: string;
  units: UnitColumns;
  /** Physical line of each case. */
  lines: number[];
}

/**
 * Reads cases for a design: `id` plus the block, cluster and factor columns, none of them empty.
 * Duplicate ids (both lines named), ids that would collide once formula-neutralised, and clusters
 * spanning two blocks are data errors, all reported together (up to 20).
 */
export async function readCases(
  path: string,
  options: { delimiter?: string; map?: ColumnMap; displayName?: string },
  spec: CaseColumnSpec,
): Promise<LoadedCases> {
  const required = [
    'id',
    ...(spec.block ? [spec.block] : []),
    ...(spec.cluster ? [spec.cluster] : []),
    ...spec.factors,
  ];
  // Only the design's columns are kept as text (a wide 1M-row file would otherwise hold them all).
  const table = await readTable(path, {
    delimiter: options.delimiter,
    map: options.map,
    displayName: options.displayName,
    required,
    columns: required,
  });
  const problems = new ProblemList();
  const add = (p: DataProblem) => problems.add(p);
  const col = (name: string) => table.cells.get(name)!;
  for (const name of required) {
    const cells = col(name);
    for (let i = 0; i < table.n; i++) {
      if (cells[i] === '')
        add({
          file: table.file,
          line: table.lines[i]!,
          column: name,
          value: '',
          reason: `${name} is empty; every case needs one for this design`,
        });
    }
  }
  const ids = col('id');
  // Ids are compared as the output will hold them (formula-neutralised).
  const keys = ids.every(plainCell) ? ids : ids.map((id) => (plainCell(id) ? id : neutraliseCell(id)));
  const seen = IdIndex.of(keys);
  for (let i = 0; i < table.n; i++) {
    const id = ids[i]!;
    if (id === '') continue;
    const first = seen.addRow(i);
    if (first === undefined) continue;
    if (ids[first] === id)
      add({
        file: table.file,
        line: table.lines[i]!,
        column: 'id',
        value: id,
        reason: `duplicate id (also on line ${table.lines[first]}); each person can be randomised once`,
      });
    else
      add({
        file: table.file,
        line: table.lines[i]!,
        column: 'id',
        value: id,
        reason: `id ${JSON.stringify(id)} and ${JSON.stringify(ids[first])} (line ${table.lines[first]}) are written the same once protected against spreadsheet formulas; rename one`,
      });
  }
  if (spec.block && spec.cluster) {
    for (const s of findClustersSpanningBlocks(col(spec.block), col(spec.cluster))) {
      add({
        file: table.file,
        line: table.lines[s.otherIndex]!,
        column: spec.cluster,
        value: s.cluster,
        reason: `cluster ${s.cluster} is in ${spec.block} ${JSON.stringify(s.otherBlock)} here but in ${JSON.stringify(s.firstBlock)} on line ${table.lines[s.firstIndex]}; a cluster must lie inside one block`,
      });
    }
  }
  problems.throwIfAny();
  // Labels are used as the output CSV will hold them (formula-neutralised), so a ledger read back
  // matches the cases file exactly.
  const safe = (cells: string[]) => (cells.every(plainCell) ? cells : cells.map(neutraliseCell));
  return {
    file: table.file,
    lines: table.lines,
    units: {
      ids: safe(ids),
      blocks: spec.block ? safe(col(spec.block)) : null,
      clusters: spec.cluster ? safe(col(spec.cluster)) : null,
      levels: spec.factors.map((f) => safe(col(f))),
    },
  };
}

/** True when a cell needs neither formula protection nor quoting (the common case). */
function plainCell(text: string): boolean {
  const n = text.length;
  if (n === 0) return true;
  const c0 = text.charCodeAt(0);
  // = + - @ TAB CR, or edge whitespace (space, tab, LF, VT, FF, CR, NBSP...)
  if (c0 === 61 || c0 === 43 || c0 === 45 || c0 === 64 || c0 <= 32 || c0 === 160 || text.charCodeAt(n - 1) <= 32)
    return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return false;
  }
  // Unicode spaces at the edges are quoted too (toCsv's /^\s|\s$/).
  return (c0 < 128 || !/\s/.test(text[0]!)) && (text.charCodeAt(n - 1) < 128 || !/\s/.test(text[n - 1]!));
}

function cellCsv(v: Cell): string {
  if (typeof v === 'string' && plainCell(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  // Anything unusual takes the shared writer's path, so the bytes are exactly toCsv's.
  return toCsvRows([[v]]).slice(0, -1);
}

/** Allocation columns held as arrays (arm and sub-arm as indices into their labels). */
export interface AllocationColumns {
  ids: readonly string[];
  arms: Int32Array;
  armLabels: readonly string[];
  /** -1 for no sub-arm. */
  subArms: Int32Array;
  subLabels: readonly string[];
  strata: readonly string[] | null;
  clusters: readonly string[] | null;
  sequence: ArrayLike<number>;
}

/**
 * The allocation CSV text: the same bytes as `toCsv(ALLOCATION_COLUMNS, rows)` (formula-safe,
 * RFC 4180, LF; a test pins the equality), built column-wise so that a million rows never exist
 * as row arrays: plain cells are copied, anything unusual goes through the shared writer.
 */
export function allocationCsv(c: AllocationColumns): string {
  const cell = (v: string) => (plainCell(v) ? v : cellCsv(v));
  const arm = c.armLabels.map(cell);
  const sub = c.subLabels.map(cell);
  const n = c.ids.length;
  const parts: string[] = [toCsv(ALLOCATION_COLUMNS, [])];
  const SLICE = 65536;
  for (let start = 0; start < n; start += SLICE) {
    const lines: string[] = [];
    const end = Math.min(n, start + SLICE);
    for (let i = start; i < end; i++) {
      const s = c.subArms[i]!;
      lines.push(
        `${cell(c.ids[i]!)},${arm[c.arms[i]!]},${s >= 0 ? sub[s] : ''},${c.strata ? cell(c.strata[i]!) : ''},${c.clusters ? cell(c.clusters[i]!) : ''},${cellCsv(c.sequence[i]!)}`,
      );
    }
    lines.push('');
    parts.push(lines.join('\n'));
  }
  return parts.join('');
}

/** Reads an allocation or ledger CSV as text columns (no column map: these are our own files). */
export function readOwnCsv(path: string, displayName?: string): Promise<TextTable> {
  return readTable(path, displayName === undefined ? {} : { displayName });
}

/** Reads and parses a JSON manifest; a missing or unreadable one does not verify (exit 4). */
export function readManifestJson(path: string, what: string, displayName: string = path): Record<string, unknown> {
  if (!existsSync(path))
    throw new IntegrityError(
      `${what} ${displayName} not found: it is written beside the file by 'pilot-eval randomise'`,
    );
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
    return doc as Record<string, unknown>;
  } catch (err) {
    throw new IntegrityError(`${what} ${displayName} is not valid JSON (${(err as Error).message})`);
  }
}

export type { LedgerContent } from '../core/randomise/ledger-record.js';

/** Reads a ledger CSV; its header must be exactly the ledger columns. */
export async function readLedgerCsv(path: string, displayName?: string): Promise<LedgerContent> {
  const t = await readOwnCsv(path, displayName);
  const want = LEDGER_COLUMNS.join(',');
  if (t.columns.join(',') !== want)
    throw new IntegrityError(`${path} is not a pilot-eval ledger: header is ${t.columns.join(',')}, expected ${want}`);
  const cols = LEDGER_COLUMNS.map((c) => t.cells.get(c)!);
  const rows: string[][] = [];
  const hashes: string[] = [];
  for (let i = 0; i < t.n; i++) {
    rows.push(cols.slice(0, -1).map((c) => c[i]!));
    hashes.push(cols[cols.length - 1]![i]!);
  }
  return { file: t.file, rows, hashes, lines: t.lines };
}

/** Ledger CSV text: header plus rows (each row's cells + hash). */
export function ledgerCsv(rows: ReadonlyArray<readonly string[]>): string {
  return toCsv(LEDGER_COLUMNS, rows);
}

/**
 * Reads a ledger and its manifest (`<ledger>.json`). `via` maps a path to the file to read in its
 * place (a committed but unfinished write's staged copy); messages still name the real path.
 */
export async function readLedgerState(path: string, via: (p: string) => string = (p) => p): Promise<LedgerState> {
  const manifestPath = `${path}.json`;
  const csvExists = existsSync(via(path));
  const manExists = existsSync(via(manifestPath));
  if (!csvExists && manExists)
    throw new IntegrityError(
      `ledger ${path} is missing but its manifest ${manifestPath} exists: the ledger has been deleted or moved`,
    );
  if (!csvExists) return { path, manifestPath, manifest: null, content: null, raw: null };
  const manifest = readManifestJson(via(manifestPath), 'ledger manifest', manifestPath) as unknown as LedgerManifest;
  if (manifest.kind !== 'ledger' || typeof manifest.seed !== 'number' || !manifest.design)
    throw new IntegrityError(`${manifestPath} is not a pilot-eval ledger manifest`);
  const content = await readLedgerCsv(via(path), path);
  return { path, manifestPath, manifest, content, raw: readFileSync(via(path), 'utf8') };
}

/** Smallest key accepted by --key-file (bytes). */
export const MIN_KEY_BYTES = 16;

/** Reads a chain key: the file's bytes, as they are (keep the file; the same bytes are needed to verify). */
export function readKeyFile(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UsageError(
      `cannot read --key-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (bytes.length < MIN_KEY_BYTES)
    throw new UsageError(
      `--key-file ${path} holds ${bytes.length} byte(s); a key needs at least ${MIN_KEY_BYTES} random bytes (e.g. openssl rand -hex 32 > ${path})`,
    );
  return new Uint8Array(bytes);
}
