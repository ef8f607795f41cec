/**
 * `pilot-eval randomise`: allocation lists (seeded, reproducible, with a manifest), rolling
 * recruitment through a hash-chained ledger, and `--verify` of either.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { DataError, IntegrityError, UsageError } from '../../core/errors.js';
import {
  allocateBatch,
  emptyUnits,
  ReplayMismatchError,
  smallBlocks,
  summarise,
  type AllocationSummary,
  type Design,
  type PriorAllocation,
  type UnitColumns,
} from '../../core/randomise/allocate.js';
import { declareDesign, type DeclaredDesign, type DesignOptions } from '../../core/randomise/design.js';
import { canonicalJson, genesisHash, LEDGER_COLUMNS, rowHash, verifyChain } from '../../core/randomise/ledger.js';
import { VERSION } from '../../version.js';
import {
  ALLOCATION_COLUMNS,
  allocationCsv,
  ledgerCsv,
  readCases,
  readLedgerCsv,
  readManifestJson,
  readOwnCsv,
  sha256File,
  sha256Text,
  spoolStdin,
  type LedgerContent,
  type LoadedCases,
} from '../../io/allocation.js';
import { writeFilesAtomic } from '../../io/atomic.js';
import { loadColumnMap, mapFor, type ColumnMap } from '../../io/column-map.js';
import { parseDelimiter } from '../../io/csv-reader.js';
import { toCsv, toCsvRows, neutraliseCell } from '../../io/csv-writer.js';
import { withCommon } from '../command-kit.js';
import { parseNumberOption, parseSeed } from '../options.js';
import { painter, printJson, printText, progress, table, warn } from '../output.js';

export interface RandomiseOptions extends DesignOptions {
  /** Cases CSV path, or `-` for stdin. */
  cases: string;
  seed?: number;
  out?: string;
  ledger?: string;
  delimiter?: string;
  /** `--map columns.yaml` path. */
  map?: string;
  /** Timestamp written in new ledger rows (the CLI passes the clock; tests pass a constant). */
  now?: string;
  /** Called when no seed is given and none is recorded: the CLI draws one from crypto. */
  generateSeed?: () => number;
}

export interface LedgerSummary {
  path: string;
  rows_before: number;
  rows_after: number;
  already_allocated: number;
  appended: number;
  batch: number | null;
  head_hash: string;
  manifest: string;
}

export interface RandomiseResult extends AllocationSummary {
  method: string;
  seed: number;
  seed_generated: boolean;
  output: string | null;
  sha256: string | null;
  manifest: string | null;
  input: { path: string; sha256: string };
  ledger: LedgerSummary | null;
  warnings: string[];
}

/** What the manifest records about the design: the options as declared, re-declared on verify. */
interface ManifestDesign {
  options: DesignOptions;
  design: Design;
  block_column: string | null;
  cluster_column: string | null;
}

function designRecord(options: DesignOptions, declared: DeclaredDesign): ManifestDesign {
  const o: DesignOptions = { method: options.method };
  for (const k of ['arms', 'ratio', 'prob', 'block', 'cluster', 'blockSizes', 'factors', 'minimiseP', 'nested', 'nestedRatio'] as const) {
    if (options[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = options[k];
  }
  return { options: o, design: declared.design, block_column: declared.blockColumn, cluster_column: declared.clusterColumn };
}

function designFromOptions(o: DesignOptions): DesignOptions {
  return {
    method: o.method,
    arms: o.arms,
    ratio: o.ratio,
    prob: o.prob,
    block: o.block,
    cluster: o.cluster,
    blockSizes: o.blockSizes,
    factors: o.factors,
    minimiseP: o.minimiseP,
    nested: o.nested,
    nestedRatio: o.nestedRatio,
  };
}

function delimiterOf(text: string | undefined): string {
  try {
    return parseDelimiter(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function columnMap(path: string | undefined): { map: ColumnMap; record: { path: string; sha256: string } | null } {
  if (path === undefined) return { map: new Map(), record: null };
  const map = mapFor(loadColumnMap(path), 'cases');
  return { map, record: { path, sha256: sha256Text(readFileSync(path, 'utf8')) } };
}

async function loadInput(path: string, delimiter: string, map: ColumnMap, declared: DeclaredDesign, displayName?: string): Promise<{ cases: LoadedCases; sha256: string }> {
  const spool = path === '-' ? await spoolStdin() : null;
  const real = spool ? spool.path : path;
  try {
    if (!spool && !existsSync(path)) throw new UsageError(`cases file ${path} not found`);
    const sha256 = await sha256File(real);
    const cases = await readCases(
      real,
      { delimiter, map, displayName: displayName ?? (spool ? '<stdin>' : path) },
      { block: declared.blockColumn, cluster: declared.clusterColumn, factors: declared.design.factors.map((f) => f.name) },
    );
    return { cases, sha256 };
  } finally {
    spool?.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Ledger

interface LedgerManifest {
  schema_version: 1;
  kind: 'ledger';
  tool: 'pilot-eval';
  version: string;
  design: ManifestDesign;
  seed: number;
  rows: number;
  batches: number;
  head_hash: string;
}

const COL = Object.fromEntries(LEDGER_COLUMNS.map((c, i) => [c, i])) as Record<(typeof LEDGER_COLUMNS)[number], number>;

function ledgerGenesis(design: ManifestDesign, seed: number): string {
  return genesisHash(canonicalJson({ design: design.design, block_column: design.block_column, cluster_column: design.cluster_column, seed }));
}

/** Ledger rows -> prior allocation columns (arm names checked against the design). */
function priorFromLedger(design: Design, ledger: LedgerContent): PriorAllocation {
  const n = ledger.rows.length;
  const arms = new Int32Array(n);
  const subArms = new Int32Array(n).fill(-1);
  const ids: string[] = [];
  const blocks: string[] = [];
  const clusters: string[] = [];
  const levels: string[][] = design.factors.map(() => []);
  for (let i = 0; i < n; i++) {
    const r = ledger.rows[i]!;
    const where = `ledger ${ledger.file} line ${ledger.lines[i]} (id ${r[COL.id]})`;
    const a = design.arms.indexOf(r[COL.arm]!);
    if (a < 0) throw new IntegrityError(`${where}: arm ${JSON.stringify(r[COL.arm])} is not one of the design's arms (${design.arms.join(', ')})`);
    arms[i] = a;
    if (r[COL.sub_arm] !== '') {
      const s = design.nested ? design.nested.subArms.indexOf(r[COL.sub_arm]!) : -1;
      if (s < 0) throw new IntegrityError(`${where}: sub_arm ${JSON.stringify(r[COL.sub_arm])} is not one of the design's sub-arms`);
      subArms[i] = s;
    }
    ids.push(r[COL.id]!);
    blocks.push(r[COL.stratum]!);
    clusters.push(r[COL.cluster]!);
    if (design.factors.length) {
      let lv: unknown;
      try {
        lv = JSON.parse(r[COL.factors]!);
      } catch {
        lv = null;
      }
      if (!Array.isArray(lv) || lv.length !== design.factors.length || lv.some((x) => typeof x !== 'string')) {
        throw new IntegrityError(`${where}: factors ${JSON.stringify(r[COL.factors])} is not a JSON list of ${design.factors.length} level(s)`);
      }
      lv.forEach((x, f) => levels[f]!.push(x as string));
    }
  }
  const anyBlock = blocks.some((b) => b !== '');
  const anyCluster = clusters.some((c) => c !== '');
  return { ids, blocks: anyBlock || design.method === 'permuted-block' ? blocks : null, clusters: anyCluster ? clusters : null, levels, arms, subArms };
}

function sameColumns(design: Design, declared: DeclaredDesign, prior: PriorAllocation): PriorAllocation {
  // Align prior columns with the design's: blocks when the design has a block column, etc.
  return {
    ...prior,
    blocks: declared.blockColumn ? (prior.blocks ?? prior.ids.map(() => '')) : design.method === 'permuted-block' ? prior.ids.map(() => '') : null,
    clusters: declared.clusterColumn ? (prior.clusters ?? prior.ids.map(() => '')) : null,
  };
}

interface OpenLedger {
  path: string;
  manifestPath: string;
  manifest: LedgerManifest | null;
  content: LedgerContent | null;
  raw: string | null;
}

async function openLedger(path: string): Promise<OpenLedger> {
  const manifestPath = `${path}.json`;
  const csvExists = existsSync(path);
  const manExists = existsSync(manifestPath);
  if (!csvExists && manExists) throw new IntegrityError(`ledger ${path} is missing but its manifest ${manifestPath} exists: the ledger has been deleted or moved`);
  if (!csvExists) return { path, manifestPath, manifest: null, content: null, raw: null };
  const manifest = readManifestJson(manifestPath, 'ledger manifest') as unknown as LedgerManifest;
  if (manifest.kind !== 'ledger' || typeof manifest.seed !== 'number' || !manifest.design) throw new IntegrityError(`${manifestPath} is not a pilot-eval ledger manifest`);
  const content = await readLedgerCsv(path);
  return { path, manifestPath, manifest, content, raw: readFileSync(path, 'utf8') };
}

/** Hash chain, row count and head hash against the manifest. */
function checkLedgerChain(l: OpenLedger): void {
  const { manifest, content } = l;
  if (!manifest || !content) return;
  const brk = verifyChain(ledgerGenesis(manifest.design, manifest.seed), content.rows, content.hashes);
  if (brk) {
    const r = content.rows[brk.index]!;
    throw new IntegrityError(
      `ledger ${l.path} line ${content.lines[brk.index]} (sequence ${r[COL.sequence]}, id ${r[COL.id]}): hash expected ${brk.expected}, found ${brk.found}; this row, or the row before it, has been edited, deleted, inserted or moved (or the ledger manifest's design was changed)`,
    );
  }
  content.rows.forEach((r, i) => {
    if (r[COL.sequence] !== String(i + 1)) throw new IntegrityError(`ledger ${l.path} line ${content.lines[i]} (id ${r[COL.id]}): sequence ${r[COL.sequence]}, expected ${i + 1}`);
  });
  const head = content.hashes[content.hashes.length - 1] ?? ledgerGenesis(manifest.design, manifest.seed);
  if (content.rows.length !== manifest.rows || head !== manifest.head_hash) {
    throw new IntegrityError(
      `ledger ${l.path} has ${content.rows.length} row(s) ending in hash ${head}, but its manifest records ${manifest.rows} row(s) ending in ${manifest.head_hash}: rows have been removed from (or added to) the end`,
    );
  }
}

/** Replays the whole ledger from its seed and design; names the first row that does not match. */
function replayLedger(l: OpenLedger): void {
  const { manifest, content } = l;
  if (!manifest || !content) return;
  const declared = declareDesign(manifest.design.options);
  const design = declared.design;
  const prior = sameColumns(design, declared, priorFromLedger(design, content));
  const lineOf = (id: string) => content.lines[prior.ids.indexOf(id)];
  const sequential = design.method === 'simple' || design.method === 'permuted-block' || design.method === 'minimise';
  try {
    if (sequential) {
      allocateBatch(design, manifest.seed, prior, emptyUnits(), 0);
      return;
    }
    const batches = content.rows.map((r) => Number(r[COL.batch]));
    let start = 0;
    while (start < batches.length) {
      let end = start;
      while (end < batches.length && batches[end] === batches[start]) end++;
      const before = sliceColumns(prior, 0, start);
      const units = sliceColumns(prior, start, end);
      const res = allocateBatch(design, manifest.seed, before, units, batches[start]!);
      for (let i = start; i < end; i++) {
        const a = res.arms[i - start]!;
        const s = res.subArms[i - start]!;
        if (a !== prior.arms[i] || s !== prior.subArms[i]) {
          const field = a !== prior.arms[i] ? 'arm' : 'sub_arm';
          const exp = field === 'arm' ? design.arms[a] : (design.nested?.subArms[s] ?? '');
          const found = content.rows[i]![COL[field]];
          throw new IntegrityError(`ledger ${l.path} line ${content.lines[i]} (id ${prior.ids[i]}): expected ${field} ${exp}, found ${found}; the seed and design do not reproduce this row`);
        }
      }
      start = end;
    }
  } catch (err) {
    if (err instanceof ReplayMismatchError) {
      throw new IntegrityError(`ledger ${l.path} line ${lineOf(err.id)} (id ${err.id}): expected ${err.column} ${err.replayed}, found ${err.recorded}; the seed and design do not reproduce this row`);
    }
    throw err;
  }
}

function sliceColumns(p: PriorAllocation, start: number, end: number): PriorAllocation {
  return {
    ids: p.ids.slice(start, end),
    blocks: p.blocks ? p.blocks.slice(start, end) : null,
    clusters: p.clusters ? p.clusters.slice(start, end) : null,
    levels: p.levels.map((l) => l.slice(start, end)),
    arms: p.arms.slice(start, end),
    subArms: p.subArms.slice(start, end),
  };
}

function diffDesign(a: ManifestDesign, b: ManifestDesign): string[] {
  const out: string[] = [];
  const x = a.design as unknown as Record<string, unknown>;
  const y = b.design as unknown as Record<string, unknown>;
  for (const k of Object.keys(x)) if (canonicalJson(x[k]) !== canonicalJson(y[k])) out.push(`${k} ${canonicalJson(x[k])} (ledger) vs ${canonicalJson(y[k])} (now)`);
  if (a.block_column !== b.block_column) out.push(`block column ${a.block_column} vs ${b.block_column}`);
  if (a.cluster_column !== b.cluster_column) out.push(`cluster column ${a.cluster_column} vs ${b.cluster_column}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Randomise

/** Handler: randomises the cases (or the new ones, with a ledger) and writes the outputs. */
export async function runRandomise(o: RandomiseOptions): Promise<RandomiseResult> {
  const designOptions = designFromOptions(o);
  const declared = declareDesign(designOptions);
  const { design } = declared;
  if (!o.out && !o.ledger) throw new UsageError('--out <allocation.csv> is required (or --ledger <ledger.csv> for rolling recruitment)');
  if (o.out && o.ledger && o.out === o.ledger) throw new UsageError('--out and --ledger must be different files');
  const delimiter = delimiterOf(o.delimiter);
  const { map, record: mapRecord } = columnMap(o.map);
  const record = designRecord(designOptions, declared);
  const warnings: string[] = [];

  // Ledger first (cheap checks before reading a large input).
  const ledger = o.ledger ? await openLedger(o.ledger) : null;
  let seed: number;
  let seedGenerated = false;
  if (ledger?.manifest) {
    const diff = diffDesign(ledger.manifest.design, record);
    if (diff.length) throw new UsageError(`the ledger ${ledger.path} was started with a different design; rolling recruitment must keep it: ${diff.join('; ')}`);
    if (o.seed !== undefined && o.seed !== ledger.manifest.seed) throw new UsageError(`--seed ${o.seed} differs from the seed the ledger ${ledger.path} was started with; omit --seed to continue the ledger`);
    seed = ledger.manifest.seed;
    checkLedgerChain(ledger);
  } else if (o.seed !== undefined) {
    seed = o.seed;
  } else if (o.generateSeed) {
    seed = o.generateSeed();
    seedGenerated = true;
  } else {
    throw new UsageError('--seed <int> is required so the allocation can be reproduced');
  }

  const { cases, sha256: inputSha } = await loadInput(o.cases, delimiter, map, declared);
  const units = cases.units;
  const n = units.ids.length;
  if (n === 0) throw new DataError({ file: cases.file, line: null, column: null, value: null, reason: 'has no cases to randomise' });

  // Split into cases already in the ledger and new ones.
  const prior = ledger?.content ? sameColumns(design, declared, priorFromLedger(design, ledger.content)) : { ...emptyUnits(), blocks: units.blocks ? [] : null, clusters: units.clusters ? [] : null, levels: design.factors.map(() => []), arms: new Int32Array(0), subArms: new Int32Array(0) };
  const ledgerIndex = new Map<string, number>();
  prior.ids.forEach((id, i) => ledgerIndex.set(id, i));
  // ledgerRow[i]: the case's ledger row, or -1 for a new case.
  const ledgerRow = new Int32Array(n).fill(-1);
  const newIdx: number[] = [];
  let changed = 0;
  let firstChanged = '';
  for (let i = 0; i < n; i++) {
    const j = ledgerIndex.size ? ledgerIndex.get(units.ids[i]!) : undefined;
    if (j === undefined) {
      newIdx.push(i);
      continue;
    }
    ledgerRow[i] = j;
    const differs =
      (units.blocks && prior.blocks && units.blocks[i] !== prior.blocks[j]) ||
      (units.clusters && prior.clusters && units.clusters[i] !== prior.clusters[j]) ||
      units.levels.some((l, f) => l[i] !== prior.levels[f]![j]);
    if (differs) {
      changed++;
      if (!firstChanged) firstChanged = `${units.ids[i]} (line ${cases.lines[i]})`;
    }
  }
  if (changed) warnings.push(`${changed} case(s) already in the ledger now have a different stratum, cluster or factor level than when they were allocated (first: ${firstChanged}); they keep their recorded allocation`);

  // A new case joining a cluster already in the ledger must be in that cluster's block.
  if (ledger?.content && units.clusters && units.blocks) {
    const home = new Map<string, number>();
    prior.clusters!.forEach((c, j) => home.has(c) || home.set(c, j));
    const problems = [];
    for (const i of newIdx) {
      const j = home.get(units.clusters[i]!);
      if (j !== undefined && prior.blocks![j] !== units.blocks[i]) {
        problems.push({
          file: cases.file,
          line: cases.lines[i]!,
          column: declared.clusterColumn,
          value: units.clusters[i]!,
          reason: `cluster ${units.clusters[i]} is in ${declared.blockColumn} ${JSON.stringify(units.blocks[i])} here but in ${JSON.stringify(prior.blocks![j])} in the ledger (line ${ledger.content.lines[j]}); a cluster must lie inside one block`,
        });
      }
    }
    if (problems.length) throw new DataError(problems);
  }

  const allNew = newIdx.length === n;
  const take = (col: string[]) => (allNew ? col : newIdx.map((i) => col[i]!));
  const fresh: UnitColumns = {
    ids: take(units.ids),
    blocks: units.blocks ? take(units.blocks) : design.method === 'permuted-block' ? newIdx.map(() => '') : null,
    clusters: units.clusters ? take(units.clusters) : null,
    levels: units.levels.map(take),
  };
  for (const b of smallBlocks(design, fresh)) {
    warnings.push(`block ${b.block} has ${b.size} ${design.method === 'block' ? 'case(s)' : 'cluster(s)'}, fewer than the ratio ${design.weights.join(':')} needs for every arm; its arms get floor/ceiling counts by the remainder rule (probabilities stay exact)`);
  }

  const batch = ledger?.content ? Math.max(0, ...ledger.content.rows.map((r) => Number(r[COL.batch]))) + 1 : 1;
  const spin = progress(`randomising ${newIdx.length.toLocaleString('en-GB')} case(s)`);
  let alloc;
  try {
    alloc = allocateBatch(design, seed, prior, fresh, batch);
  } finally {
    spin.stop();
  }

  // Every input case's allocation, in input order.
  const allArms = new Int32Array(n);
  const allSubs = new Int32Array(n).fill(-1);
  const sequence = new Float64Array(n);
  const priorCount = prior.ids.length;
  newIdx.forEach((i, k) => {
    allArms[i] = alloc.arms[k]!;
    allSubs[i] = alloc.subArms[k]!;
    sequence[i] = priorCount + k + 1;
  });
  for (let i = 0; i < n; i++) {
    const j = ledgerRow[i]!;
    if (j >= 0) {
      allArms[i] = prior.arms[j]!;
      allSubs[i] = prior.subArms[j]!;
      sequence[i] = j + 1;
    }
  }
  const subLabel = (s: number) => (s >= 0 ? design.nested!.subArms[s]! : '');
  const stratumOf = (i: number) => (units.blocks ? units.blocks[i]! : '');
  const clusterOf = (i: number) => (units.clusters ? units.clusters[i]! : '');
  const files: Array<{ path: string; content: string }> = [];

  // Ledger rows for the new cases.
  let ledgerSummary: LedgerSummary | null = null;
  if (ledger) {
    const rec: ManifestDesign = ledger.manifest ? ledger.manifest.design : record;
    let prev = ledger.content?.hashes[ledger.content.hashes.length - 1] ?? ledgerGenesis(rec, seed);
    const recordedAt = o.now ?? '';
    const newRows: string[][] = [];
    newIdx.forEach((i, k) => {
      const cells = [
        String(priorCount + k + 1),
        units.ids[i]!,
        design.arms[alloc.arms[k]!]!,
        subLabel(alloc.subArms[k]!),
        stratumOf(i),
        clusterOf(i),
        design.factors.length ? JSON.stringify(units.levels.map((l) => l[i]!)) : '',
        String(batch),
        recordedAt,
      ].map(neutraliseCell);
      prev = rowHash(prev, cells);
      newRows.push([...cells, prev]);
    });
    const text = ledger.raw !== null ? ledger.raw + toCsvRows(newRows) : ledgerCsv(newRows);
    const rowsAfter = priorCount + newRows.length;
    const manifest: LedgerManifest = {
      schema_version: 1,
      kind: 'ledger',
      tool: 'pilot-eval',
      version: VERSION,
      design: rec,
      seed,
      rows: rowsAfter,
      batches: newRows.length ? batch : batch - 1,
      head_hash: prev,
    };
    if (newRows.length) {
      files.push({ path: ledger.path, content: text });
      files.push({ path: ledger.manifestPath, content: `${JSON.stringify(manifest, null, 2)}\n` });
    }
    ledgerSummary = {
      path: ledger.path,
      rows_before: priorCount,
      rows_after: rowsAfter,
      already_allocated: n - newIdx.length,
      appended: newRows.length,
      batch: newRows.length ? batch : null,
      head_hash: prev,
      manifest: ledger.manifestPath,
    };
  }

  let outSha: string | null = null;
  let manifestPath: string | null = null;
  if (o.out) {
    const text = allocationCsv({ ids: units.ids, arms: allArms, armLabels: design.arms, subArms: allSubs, subLabels: design.nested?.subArms ?? [], strata: units.blocks, clusters: units.clusters, sequence });
    outSha = sha256Text(text);
    manifestPath = `${o.out}.json`;
    const manifest = {
      schema_version: 1,
      kind: 'allocation',
      tool: 'pilot-eval',
      version: VERSION,
      command: 'randomise',
      method: design.method,
      design: record,
      seed,
      delimiter,
      map: mapRecord,
      input: { path: o.cases, sha256: inputSha, rows: n },
      output: { path: o.out, sha256: outSha, rows: n },
      ledger: ledgerSummary ? { path: ledgerSummary.path, rows: ledgerSummary.rows_after, head_hash: ledgerSummary.head_hash } : null,
    };
    files.push({ path: o.out, content: text });
    files.push({ path: manifestPath, content: `${JSON.stringify(manifest, null, 2)}\n` });
  }
  writeFilesAtomic(files);

  const summary = summarise(design, units, allArms, allSubs);
  return {
    method: design.method,
    seed,
    seed_generated: seedGenerated,
    ...summary,
    output: o.out ?? null,
    sha256: outSha,
    manifest: manifestPath,
    input: { path: o.cases, sha256: inputSha },
    ledger: ledgerSummary,
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Verify

export interface VerifyOptions {
  file: string;
  /** Overrides the input path recorded in the manifest (e.g. it was read from stdin). */
  input?: string;
}

export interface VerifyResult {
  verified: true;
  kind: 'allocation' | 'ledger';
  file: string;
  rows: number;
  method: string;
  seed: number;
  sha256: string;
  head_hash: string | null;
}

function resolveBeside(manifestFile: string, path: string): string {
  if (existsSync(path) || isAbsolute(path)) return path;
  const beside = join(dirname(manifestFile), path);
  return existsSync(beside) ? beside : path;
}

async function verifyLedgerFile(file: string): Promise<VerifyResult> {
  const l = await openLedger(file);
  if (!l.manifest || !l.content) throw new IntegrityError(`ledger ${file} not found`);
  checkLedgerChain(l);
  replayLedger(l);
  return {
    verified: true,
    kind: 'ledger',
    file,
    rows: l.content.rows.length,
    method: l.manifest.design.design.method,
    seed: l.manifest.seed,
    sha256: await sha256File(file),
    head_hash: l.manifest.head_hash,
  };
}

/** Names the first row where `found` differs from `expected` (both allocation CSV texts). */
async function firstDifference(file: string, expected: string[][]): Promise<IntegrityError> {
  const t = await readOwnCsv(file);
  if (t.columns.join(',') !== ALLOCATION_COLUMNS.join(',')) return new IntegrityError(`${file} line 1: header is ${t.columns.join(',')}, expected ${ALLOCATION_COLUMNS.join(',')}`);
  const cols = ALLOCATION_COLUMNS.map((c) => t.cells.get(c)!);
  for (let i = 0; i < Math.min(t.n, expected.length); i++) {
    for (let c = 0; c < cols.length; c++) {
      const found = cols[c]![i]!;
      const exp = expected[i]![c]!;
      if (found !== exp) {
        const id = c === 0 ? `id ${exp} expected` : `id ${cols[0]![i]}`;
        return new IntegrityError(`${file} line ${t.lines[i]} (${id}): expected ${ALLOCATION_COLUMNS[c]} ${JSON.stringify(exp)}, found ${JSON.stringify(found)}`);
      }
    }
  }
  if (t.n < expected.length) return new IntegrityError(`${file} has ${t.n} row(s), expected ${expected.length}: the first missing row is id ${expected[t.n]![0]} (after line ${t.lines[t.n - 1] ?? 1})`);
  if (t.n > expected.length) return new IntegrityError(`${file} line ${t.lines[expected.length]} (id ${cols[0]![expected.length]}): unexpected extra row (expected ${expected.length} rows)`);
  return new IntegrityError(`${file} differs from the recomputed allocation in its bytes (quoting or line endings), though every row matches`);
}

/** Handler for `--verify`: recomputes an allocation from its manifest, or checks a ledger. */
export async function runVerify(o: VerifyOptions): Promise<VerifyResult> {
  if (!existsSync(o.file)) throw new UsageError(`${o.file} not found`);
  const manifestFile = `${o.file}.json`;
  const m = readManifestJson(manifestFile, 'manifest');
  if (m.kind === 'ledger') return verifyLedgerFile(o.file);
  if (m.kind !== 'allocation') throw new IntegrityError(`${manifestFile} is not a pilot-eval allocation or ledger manifest`);
  const rec = m.design as ManifestDesign;
  const seed = m.seed as number;
  const output = m.output as { sha256: string; rows: number };
  const actualText = readFileSync(o.file, 'utf8');
  const actualSha = sha256Text(actualText);

  let rowCount: number;
  const ledgerRef = m.ledger as { path: string; rows: number; head_hash: string } | null;
  if (ledgerRef) {
    // Made with a ledger: the ledger must verify and hold every row of the file.
    const ledgerPath = resolveBeside(manifestFile, ledgerRef.path);
    await verifyLedgerFile(ledgerPath);
    const l = await readLedgerCsv(ledgerPath);
    if (l.rows.length < ledgerRef.rows) throw new IntegrityError(`ledger ${ledgerPath} has ${l.rows.length} rows, fewer than the ${ledgerRef.rows} it had when ${o.file} was written`);
    if (l.hashes[ledgerRef.rows - 1] !== ledgerRef.head_hash && ledgerRef.rows > 0) throw new IntegrityError(`ledger ${ledgerPath} row ${ledgerRef.rows} no longer has the hash recorded in ${manifestFile}`);
    const byId = new Map(l.rows.map((r) => [r[COL.id]!, r]));
    const t = await readOwnCsv(o.file);
    const ids = t.cells.get('id') ?? [];
    const expectedRows = ids.map((id) => {
      const r = byId.get(id);
      if (!r) return [id, '(not in ledger)', '', '', '', ''];
      return [r[COL.id]!, r[COL.arm]!, r[COL.sub_arm]!, r[COL.stratum]!, r[COL.cluster]!, r[COL.sequence]!];
    });
    rowCount = expectedRows.length;
    const expectedText = toCsv(ALLOCATION_COLUMNS, expectedRows);
    if (expectedText !== actualText) throw await firstDifference(o.file, expectedRows);
  } else {
    const declared = declareDesign(rec.options);
    const input = m.input as { path: string; sha256: string };
    const inputPath = o.input ?? resolveBeside(manifestFile, input.path);
    if (inputPath === '-') throw new UsageError(`the allocation was made from stdin; give the cases file with --input <cases.csv> to verify it`);
    if (!existsSync(inputPath)) throw new IntegrityError(`the input named in the manifest, ${inputPath}, is not there; give it with --input <cases.csv>`);
    const inputSha = await sha256File(inputPath);
    if (inputSha !== input.sha256) throw new IntegrityError(`input ${inputPath} has changed since the allocation was made (sha256 ${inputSha}, manifest records ${input.sha256})`);
    const mapRec = m.map as { path: string; sha256: string } | null;
    let map: ColumnMap = new Map();
    if (mapRec) {
      const mp = resolveBeside(manifestFile, mapRec.path);
      if (!existsSync(mp)) throw new IntegrityError(`the column map named in the manifest, ${mp}, is not there`);
      if (sha256Text(readFileSync(mp, 'utf8')) !== mapRec.sha256) throw new IntegrityError(`column map ${mp} has changed since the allocation was made`);
      map = mapFor(loadColumnMap(mp), 'cases');
    }
    const { cases } = await loadInput(inputPath, (m.delimiter as string) ?? ',', map, declared);
    const d = declared.design;
    const prior: PriorAllocation = { ...emptyUnits(), blocks: cases.units.blocks ? [] : null, clusters: cases.units.clusters ? [] : null, levels: d.factors.map(() => []), arms: new Int32Array(0), subArms: new Int32Array(0) };
    const units = { ...cases.units, blocks: cases.units.blocks ?? (d.method === 'permuted-block' ? cases.units.ids.map(() => '') : null) };
    const alloc = allocateBatch(d, seed, prior, units, 1);
    const u = cases.units;
    const expectedRow = (i: number): string[] => [
      u.ids[i]!,
      d.arms[alloc.arms[i]!]!,
      alloc.subArms[i]! >= 0 ? d.nested!.subArms[alloc.subArms[i]!]! : '',
      u.blocks ? u.blocks[i]! : '',
      u.clusters ? u.clusters[i]! : '',
      String(i + 1),
    ];
    rowCount = u.ids.length;
    const expectedText = allocationCsv({
      ids: u.ids,
      arms: alloc.arms,
      armLabels: d.arms,
      subArms: alloc.subArms,
      subLabels: d.nested?.subArms ?? [],
      strata: u.blocks,
      clusters: u.clusters,
      sequence: Int32Array.from({ length: rowCount }, (_, i) => i + 1),
    });
    if (expectedText !== actualText) throw await firstDifference(o.file, Array.from({ length: rowCount }, (_, i) => expectedRow(i)));
  }
  if (actualSha !== output.sha256) throw new IntegrityError(`${o.file} matches the recomputation but not the sha256 in ${manifestFile} (${output.sha256}): the manifest has been edited`);
  return { verified: true, kind: 'allocation', file: o.file, rows: rowCount, method: rec.design.method, seed, sha256: actualSha, head_hash: ledgerRef?.head_hash ?? null };
}

// ---------------------------------------------------------------------------------------------
// Command

interface CliOptions {
  json?: boolean;
  method?: string;
  seed?: string;
  out?: string;
  arms?: string;
  ratio?: string;
  prob?: string;
  block?: string;
  cluster?: string;
  blockSizes?: string;
  factors?: string;
  minimiseP?: string;
  nested?: string;
  nestedRatio?: string;
  ledger?: string;
  delimiter?: string;
  map?: string;
  verify?: string;
  input?: string;
}

const EXAMPLES = `
Examples:
  $ pilot-eval randomise cases.csv --method complete --seed 20240501 --out allocation.csv
  $ pilot-eval randomise cases.csv --method block --block site --ratio 1:2 --seed 7 --out allocation.csv
  $ pilot-eval randomise cases.csv --method cluster --cluster team --seed 11 --out teams.csv
  $ pilot-eval randomise cases.csv --method minimise --factors site:2,sex --minimise-p 0.8 --seed 3 --out alloc.csv
  $ pilot-eval randomise week1.csv --method permuted-block --block site --block-sizes 2,4 --seed 5 --ledger ledger.csv
  $ pilot-eval randomise week2.csv --method permuted-block --block site --block-sizes 2,4 --ledger ledger.csv
  $ pilot-eval randomise cases.csv --method complete --nested treatment:told,not_told --seed 2 --out alloc.csv
  $ pilot-eval randomise --verify allocation.csv
  $ pilot-eval randomise --verify ledger.csv

Outputs: <out> (id, arm, sub_arm, stratum, cluster, sequence) and <out>.json (method, options, seed,
version, sha256 of input and output). A ledger keeps <ledger>.json beside it (design, seed, head
hash): keep both with the trial statistician, not with recruiting staff, so that allocations stay
concealed. Blocks smaller than the ratio are allowed with a warning (floor/ceiling counts, exact
probabilities). Exit 4 when --verify finds a difference.`;

export function register(program: Command): void {
  withCommon(program.command('randomise'))
    .description('Randomise cases to arms (simple, complete, block, cluster, block-cluster, permuted-block, minimise), with a manifest, a rolling ledger and --verify')
    .argument('[cases]', "cases CSV ('-' for stdin)")
    .option('--method <m>', 'simple | complete | block | cluster | block-cluster | permuted-block | minimise')
    .option('--seed <int>', 'random seed (if omitted, one is drawn and printed to stderr)')
    .option('-o, --out <allocation.csv>', 'allocation CSV (the manifest goes to <out>.json)')
    .option('--arms <a,b,...>', 'arm names (default control,treatment)')
    .option('--ratio <r>', 'allocation ratio, one part per arm, e.g. 1:2 (default 1:1)')
    .option('--prob <p>', 'simple-style probability of the second arm, or one probability per arm')
    .option('--block <col>', 'block / stratum column (block, block-cluster, permuted-block)')
    .option('--cluster <col>', 'cluster column (cluster, block-cluster)')
    .option('--block-sizes <list>', 'permuted-block sizes, drawn at random, e.g. 2,4 (default W,2W)')
    .option('--factors <list>', 'minimisation factors with optional weights, e.g. site:2,sex')
    .option('--minimise-p <p>', 'probability of the arm that minimises imbalance (default 0.8)')
    .option('--nested <arm:a,b>', 'second-stage allocation inside one arm, e.g. treatment:told,not_told')
    .option('--nested-ratio <r>', 'ratio of the nested sub-arms (default 1:1)')
    .option('--ledger <ledger.csv>', 'rolling recruitment ledger: keeps earlier allocations, appends new cases')
    .option('--delimiter <d>', "input delimiter: ',' ';' '|' or tab")
    .option('--map <columns.yaml>', "map the site's column names onto canonical ones")
    .option('--verify <file>', 'verify an allocation (recompute from its manifest) or a ledger (hash chain and replay)')
    .option('--input <cases.csv>', 'with --verify: the cases file, if not where the manifest says')
    .addHelpText('after', EXAMPLES)
    .action(async (cases: string | undefined, opts: CliOptions) => {
      const json = Boolean(opts.json);
      if (opts.verify !== undefined) {
        if (cases !== undefined) throw new UsageError('--verify takes the file to check; do not give a cases file as well (use --input)');
        const r = await runVerify({ file: opts.verify, input: opts.input });
        if (json) return printJson(r);
        const p = painter({ json });
        printText(`${p.green('verified')}: ${r.file} (${r.kind}, ${r.rows} row(s), method ${r.method}, seed ${r.seed})${r.head_hash ? `\nhead hash ${r.head_hash}` : ''}`);
        return;
      }
      if (cases === undefined) throw new UsageError('give the cases CSV to randomise (or --verify <file>)');
      if (opts.method === undefined) throw new UsageError('--method is required (simple, complete, block, cluster, block-cluster, permuted-block or minimise)');
      const r = await runRandomise({
        cases,
        method: opts.method,
        seed: parseSeed(opts.seed, false),
        out: opts.out,
        arms: opts.arms,
        ratio: opts.ratio,
        prob: opts.prob,
        block: opts.block,
        cluster: opts.cluster,
        blockSizes: opts.blockSizes,
        factors: opts.factors,
        minimiseP: parseNumberOption('--minimise-p', opts.minimiseP, 0, 1),
        nested: opts.nested,
        nestedRatio: opts.nestedRatio,
        ledger: opts.ledger,
        delimiter: opts.delimiter,
        map: opts.map,
        now: new Date().toISOString(),
        generateSeed: () => randomInt(1, 2 ** 47),
      });
      if (r.seed_generated) process.stderr.write(`pilot-eval: no --seed given; drew seed ${r.seed} (recorded in the manifest; keep it)\n`);
      for (const w of r.warnings) warn(w, { json });
      if (json) {
        const { warnings: _w, seed_generated: _g, ...rest } = r;
        return printJson(rest);
      }
      printText(renderHuman(r));
    });
}

function renderHuman(r: RandomiseResult): string {
  const p = painter({ json: false });
  const lines: string[] = [];
  lines.push(`${p.bold('randomised')} ${r.n} case(s), method ${r.method}, seed ${r.seed}`);
  const armRows = [['arm', 'n', ...(Object.keys(r.clusters).length ? ['clusters'] : [])]];
  for (const [a, c] of Object.entries(r.arms)) armRows.push([a, String(c), ...(Object.keys(r.clusters).length ? [String(r.clusters[a] ?? 0)] : [])]);
  lines.push(table(armRows, ['l', 'r', 'r']));
  if (Object.keys(r.sub_arms).length) lines.push(`sub-arms: ${Object.entries(r.sub_arms).map(([s, c]) => `${s} ${c}`).join(', ')}`);
  const strata = Object.entries(r.strata);
  if (strata.length && strata.length <= 30) {
    const arms = Object.keys(r.arms);
    lines.push('', table([['stratum', ...arms], ...strata.map(([s, c]) => [s, ...arms.map((a) => String(c[a] ?? 0))])], ['l', ...arms.map(() => 'r' as const)]));
  } else if (strata.length) lines.push(`${strata.length} strata (see --json)`);
  if (r.ledger) lines.push('', `ledger ${r.ledger.path}: ${r.ledger.already_allocated} already allocated (kept), ${r.ledger.appended} appended; ${r.ledger.rows_after} row(s), head hash ${r.ledger.head_hash}`);
  if (r.output) lines.push(`wrote ${r.output} (sha256 ${r.sha256}) and ${r.manifest}`);
  return lines.join('\n');
}
