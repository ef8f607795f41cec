/**
 * The randomisation record (pure): what a manifest says about a design, how a ledger's rows become
 * the prior allocation, how the chain and a replay from the seed check a ledger, and how a batch of
 * cases is split into those already allocated and new ones, and appended as chained rows.
 * Files are read and written in src/io; src/app/randomise.ts composes the two.
 */
import { DataError, IntegrityError, UsageError, type DataProblem } from '../errors.js';
import {
  allocateBatch,
  emptyUnits,
  ReplayMismatchError,
  type BatchAllocation,
  type AllocationDesign,
  type PriorAllocation,
  type UnitColumns,
} from './allocate.js';
import { declareDesign, type DeclaredDesign, type DesignOptions } from './design.js';
import {
  canonicalJson,
  genesisHash,
  KEYED_CHAIN,
  keyId,
  LEDGER_COLUMNS,
  rowHash,
  verifyChain,
  type ChainKey,
} from './ledger.js';

/** What the manifest records about the design: the options as declared, re-declared on verify. */
export interface ManifestDesign {
  options: DesignOptions;
  design: AllocationDesign;
  block_column: string | null;
  cluster_column: string | null;
}

export interface LedgerManifest {
  schema_version: 1;
  kind: 'ledger';
  tool: 'pilot-eval';
  version: string;
  design: ManifestDesign;
  seed: number;
  rows: number;
  batches: number;
  head_hash: string;
  /** Present only on a keyed ledger: the chain is HMAC-SHA256 under the key named by key_id. */
  chain?: typeof KEYED_CHAIN;
  key_id?: string;
}

/** Ledger contents: rows' cells (all columns but `hash`), stored hashes and physical lines. */
export interface LedgerContent {
  file: string;
  rows: string[][];
  hashes: string[];
  lines: number[];
}

/** A ledger as found on disk (manifest and content are null for a ledger not started yet). */
export interface LedgerState {
  path: string;
  manifestPath: string;
  manifest: LedgerManifest | null;
  content: LedgerContent | null;
  /** The ledger CSV's text, to which new rows are appended byte for byte. */
  raw: string | null;
}

const DESIGN_KEYS = [
  'arms',
  'ratio',
  'prob',
  'block',
  'cluster',
  'blockSizes',
  'factors',
  'minimiseP',
  'nested',
  'nestedRatio',
] as const;

export const COL = Object.fromEntries(LEDGER_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof LEDGER_COLUMNS)[number],
  number
>;

export function designRecord(options: DesignOptions, declared: DeclaredDesign): ManifestDesign {
  const o: DesignOptions = { method: options.method };
  for (const k of DESIGN_KEYS) {
    if (options[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = options[k];
  }
  return {
    options: o,
    design: declared.design,
    block_column: declared.blockColumn,
    cluster_column: declared.clusterColumn,
  };
}

/** Only the design's options (in a fixed key order), from a wider options object. */
export function designFromOptions(o: DesignOptions): DesignOptions {
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

export function ledgerGenesis(design: ManifestDesign, seed: number, key: ChainKey = null): string {
  return genesisHash(
    canonicalJson({
      design: design.design,
      block_column: design.block_column,
      cluster_column: design.cluster_column,
      seed,
    }),
    key,
  );
}

/** How two recorded designs differ (empty when they are the same design). */
export function diffDesign(a: ManifestDesign, b: ManifestDesign): string[] {
  const out: string[] = [];
  const x = a.design as unknown as Record<string, unknown>;
  const y = b.design as unknown as Record<string, unknown>;
  for (const k of Object.keys(x))
    if (canonicalJson(x[k]) !== canonicalJson(y[k]))
      out.push(`${k} ${canonicalJson(x[k])} (ledger) vs ${canonicalJson(y[k])} (now)`);
  if (a.block_column !== b.block_column) out.push(`block column ${a.block_column} vs ${b.block_column}`);
  if (a.cluster_column !== b.cluster_column) out.push(`cluster column ${a.cluster_column} vs ${b.cluster_column}`);
  return out;
}

/** Ledger rows -> prior allocation columns (arm names checked against the design). */
export function priorFromLedger(design: AllocationDesign, ledger: LedgerContent): PriorAllocation {
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
    if (a < 0)
      throw new IntegrityError(
        `${where}: arm ${JSON.stringify(r[COL.arm])} is not one of the design's arms (${design.arms.join(', ')})`,
      );
    arms[i] = a;
    if (r[COL.sub_arm] !== '') {
      const s = design.nested ? design.nested.subArms.indexOf(r[COL.sub_arm]!) : -1;
      if (s < 0)
        throw new IntegrityError(
          `${where}: sub_arm ${JSON.stringify(r[COL.sub_arm])} is not one of the design's sub-arms`,
        );
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
        throw new IntegrityError(
          `${where}: factors ${JSON.stringify(r[COL.factors])} is not a JSON list of ${design.factors.length} level(s)`,
        );
      }
      lv.forEach((x, f) => levels[f]!.push(x as string));
    }
  }
  const anyBlock = blocks.some((b) => b !== '');
  const anyCluster = clusters.some((c) => c !== '');
  return {
    ids,
    blocks: anyBlock || design.method === 'permuted-block' ? blocks : null,
    clusters: anyCluster ? clusters : null,
    levels,
    arms,
    subArms,
  };
}

/** Aligns prior columns with the design's: blocks when the design has a block column, etc. */
export function sameColumns(
  design: AllocationDesign,
  declared: DeclaredDesign,
  prior: PriorAllocation,
): PriorAllocation {
  return {
    ...prior,
    blocks: declared.blockColumn
      ? (prior.blocks ?? prior.ids.map(() => ''))
      : design.method === 'permuted-block'
        ? prior.ids.map(() => '')
        : null,
    clusters: declared.clusterColumn ? (prior.clusters ?? prior.ids.map(() => '')) : null,
  };
}

export function sliceColumns(p: PriorAllocation, start: number, end: number): PriorAllocation {
  return {
    ids: p.ids.slice(start, end),
    blocks: p.blocks ? p.blocks.slice(start, end) : null,
    clusters: p.clusters ? p.clusters.slice(start, end) : null,
    levels: p.levels.map((l) => l.slice(start, end)),
    arms: p.arms.slice(start, end),
    subArms: p.subArms.slice(start, end),
  };
}

/** No prior allocation, with the columns the new units have. */
export function noPrior(design: AllocationDesign, units: UnitColumns): PriorAllocation {
  return {
    ...emptyUnits(),
    blocks: units.blocks ? [] : null,
    clusters: units.clusters ? [] : null,
    levels: design.factors.map(() => []),
    arms: new Int32Array(0),
    subArms: new Int32Array(0),
  };
}

/**
 * Checks that the key given (or its absence) fits the ledger. `purpose` decides the error: when
 * verifying, a ledger that does not carry the expected key has not been shown to be authentic
 * (exit 4); when appending, a missing or different key file is a usage mistake (exit 2).
 */
export function checkKey(l: LedgerState, key: ChainKey, purpose: 'verify' | 'append'): void {
  const m = l.manifest;
  if (!m) return;
  const keyed = m.chain === KEYED_CHAIN;
  if (m.chain !== undefined && !keyed)
    throw new IntegrityError(`${l.manifestPath}: unknown chain ${JSON.stringify(m.chain)}`);
  if (keyed && !key)
    throw new UsageError(
      `ledger ${l.path} has a keyed chain (${KEYED_CHAIN}, key id ${m.key_id}): give --key-file with the key it was started with`,
    );
  if (!key) return;
  const Err = purpose === 'verify' ? IntegrityError : UsageError;
  if (!keyed)
    throw new Err(
      `--key-file was given but ledger ${l.path} has an unkeyed chain, which anyone can recompute: it was started without --key-file, or its files have been rewritten`,
    );
  if (m.key_id !== keyId(key))
    throw new Err(
      `the key file does not hold the key ledger ${l.path} was started with (key id ${keyId(key)}, the manifest records ${m.key_id}), or the ledger has been rewritten with another key`,
    );
}

/** Hash chain, sequence numbers, row count and head hash against the manifest. */
export function checkLedgerChain(l: LedgerState, key: ChainKey): void {
  const { manifest, content } = l;
  if (!manifest || !content) return;
  const genesis = ledgerGenesis(manifest.design, manifest.seed, key);
  const brk = verifyChain(genesis, content.rows, content.hashes, key);
  if (brk) {
    const r = content.rows[brk.index]!;
    throw new IntegrityError(
      `ledger ${l.path} line ${content.lines[brk.index]} (sequence ${r[COL.sequence]}, id ${r[COL.id]}): hash expected ${brk.expected}, found ${brk.found}; this row, or the row before it, has been edited, deleted, inserted or moved (or the ledger manifest's design was changed)`,
    );
  }
  content.rows.forEach((r, i) => {
    if (r[COL.sequence] !== String(i + 1))
      throw new IntegrityError(
        `ledger ${l.path} line ${content.lines[i]} (id ${r[COL.id]}): sequence ${r[COL.sequence]}, expected ${i + 1}`,
      );
  });
  const head = content.hashes[content.hashes.length - 1] ?? genesis;
  if (content.rows.length !== manifest.rows || head !== manifest.head_hash) {
    throw new IntegrityError(
      `ledger ${l.path} has ${content.rows.length} row(s) ending in hash ${head}, but its manifest records ${manifest.rows} row(s) ending in ${manifest.head_hash}: rows have been removed from (or added to) the end`,
    );
  }
}

/** Replays the whole ledger from its seed and design; names the first row that does not match. */
export function replayLedger(l: LedgerState): void {
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
          throw new IntegrityError(
            `ledger ${l.path} line ${content.lines[i]} (id ${prior.ids[i]}): expected ${field} ${exp}, found ${found}; the seed and design do not reproduce this row`,
          );
        }
      }
      start = end;
    }
  } catch (err) {
    if (err instanceof ReplayMismatchError) {
      throw new IntegrityError(
        `ledger ${l.path} line ${lineOf(err.id)} (id ${err.id}): expected ${err.column} ${err.replayed}, found ${err.recorded}; the seed and design do not reproduce this row`,
      );
    }
    throw err;
  }
}

/** Cases read for a design, with where each came from. */
export interface CaseUnits {
  file: string;
  units: UnitColumns;
  lines: number[];
}

/** A batch split against the ledger: which cases are new, and which ledger row the others have. */
export interface BatchSplit {
  prior: PriorAllocation;
  /** Input indices of the new cases, in input order. */
  newIdx: number[];
  /** ledgerRow[i]: the case's ledger row, or -1 for a new case. */
  ledgerRow: Int32Array;
  /** The new cases' columns (to be allocated). */
  fresh: UnitColumns;
  warnings: string[];
}

/**
 * Splits the cases into those already in the ledger (they keep their recorded allocation; a change
 * of stratum, cluster or factor level is warned about) and new ones. A new case joining a cluster
 * already in the ledger must be in that cluster's block (a data error otherwise).
 */
export function splitAgainstLedger(
  design: AllocationDesign,
  declared: DeclaredDesign,
  cases: CaseUnits,
  ledger: LedgerState | null,
): BatchSplit {
  const units = cases.units;
  const n = units.ids.length;
  const warnings: string[] = [];
  const prior = ledger?.content
    ? sameColumns(design, declared, priorFromLedger(design, ledger.content))
    : noPrior(design, units);
  const ledgerIndex = new Map<string, number>();
  prior.ids.forEach((id, i) => ledgerIndex.set(id, i));
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
  if (changed)
    warnings.push(
      `${changed} case(s) already in the ledger now have a different stratum, cluster or factor level than when they were allocated (first: ${firstChanged}); they keep their recorded allocation`,
    );

  if (ledger?.content && units.clusters && units.blocks) {
    const home = new Map<string, number>();
    prior.clusters!.forEach((c, j) => home.has(c) || home.set(c, j));
    const problems: DataProblem[] = [];
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
  return { prior, newIdx, ledgerRow, fresh, warnings };
}

/** The batch number the next append gets. */
export function nextBatch(ledger: LedgerState | null): number {
  return ledger?.content ? Math.max(0, ...ledger.content.rows.map((r) => Number(r[COL.batch]))) + 1 : 1;
}

/** Every input case's allocation in input order: recorded ones from the ledger, new ones from `alloc`. */
export function mergeAllocation(
  split: BatchSplit,
  n: number,
  alloc: BatchAllocation,
): { arms: Int32Array; subArms: Int32Array; sequence: Float64Array } {
  const arms = new Int32Array(n);
  const subArms = new Int32Array(n).fill(-1);
  const sequence = new Float64Array(n);
  const priorCount = split.prior.ids.length;
  split.newIdx.forEach((i, k) => {
    arms[i] = alloc.arms[k]!;
    subArms[i] = alloc.subArms[k]!;
    sequence[i] = priorCount + k + 1;
  });
  for (let i = 0; i < n; i++) {
    const j = split.ledgerRow[i]!;
    if (j >= 0) {
      arms[i] = split.prior.arms[j]!;
      subArms[i] = split.prior.subArms[j]!;
      sequence[i] = j + 1;
    }
  }
  return { arms, subArms, sequence };
}

/** The rows a batch appends (cells already formula-neutralised by `neutralise`) and the new manifest. */
export function appendRows(args: {
  ledger: LedgerState;
  record: ManifestDesign;
  seed: number;
  design: AllocationDesign;
  units: UnitColumns;
  split: BatchSplit;
  alloc: BatchAllocation;
  batch: number;
  recordedAt: string;
  version: string;
  key: ChainKey;
  neutralise: (cell: string) => string;
}): { rows: string[][]; manifest: LedgerManifest } {
  const { ledger, seed, design, units, split, alloc, batch, key } = args;
  const rec = ledger.manifest ? ledger.manifest.design : args.record;
  const priorCount = split.prior.ids.length;
  let prev = ledger.content?.hashes[ledger.content.hashes.length - 1] ?? ledgerGenesis(rec, seed, key);
  const subLabel = (s: number) => (s >= 0 ? design.nested!.subArms[s]! : '');
  const rows: string[][] = [];
  split.newIdx.forEach((i, k) => {
    const cells = [
      String(priorCount + k + 1),
      units.ids[i]!,
      design.arms[alloc.arms[k]!]!,
      subLabel(alloc.subArms[k]!),
      units.blocks ? units.blocks[i]! : '',
      units.clusters ? units.clusters[i]! : '',
      design.factors.length ? JSON.stringify(units.levels.map((l) => l[i]!)) : '',
      String(batch),
      args.recordedAt,
    ].map(args.neutralise);
    prev = rowHash(prev, cells, key);
    rows.push([...cells, prev]);
  });
  const manifest: LedgerManifest = {
    schema_version: 1,
    kind: 'ledger',
    tool: 'pilot-eval',
    version: args.version,
    design: rec,
    seed,
    rows: priorCount + rows.length,
    batches: rows.length ? batch : batch - 1,
    head_hash: prev,
    ...(key ? { chain: KEYED_CHAIN, key_id: keyId(key) } : {}),
  };
  return { rows, manifest };
}

/** The allocation manifest (`<out>.json`): design, seed, and the input and output it binds. */
export function allocationManifest(a: {
  version: string;
  design: AllocationDesign;
  record: ManifestDesign;
  seed: number;
  delimiter: string;
  map: { path: string; sha256: string } | null;
  input: { path: string; sha256: string };
  output: { path: string; sha256: string };
  rows: number;
  ledger: { path: string; rows: number; head_hash: string } | null;
}): Record<string, unknown> {
  return {
    schema_version: 1,
    kind: 'allocation',
    tool: 'pilot-eval',
    version: a.version,
    command: 'randomise',
    method: a.design.method,
    design: a.record,
    seed: a.seed,
    delimiter: a.delimiter,
    map: a.map,
    input: { path: a.input.path, sha256: a.input.sha256, rows: a.rows },
    output: { path: a.output.path, sha256: a.output.sha256, rows: a.rows },
    ledger: a.ledger,
  };
}

/** The allocation rows a ledger records for `ids` (id, arm, sub_arm, stratum, cluster, sequence). */
export function rowsFromLedger(ledger: LedgerContent, ids: readonly string[]): string[][] {
  const byId = new Map(ledger.rows.map((r) => [r[COL.id]!, r]));
  return ids.map((id) => {
    const r = byId.get(id);
    if (!r) return [id, '(not in ledger)', '', '', '', ''];
    return [r[COL.id]!, r[COL.arm]!, r[COL.sub_arm]!, r[COL.stratum]!, r[COL.cluster]!, r[COL.sequence]!];
  });
}

/** An allocation recomputed from its design, seed and cases (one batch, no prior allocation). */
export function recomputeAllocation(
  design: AllocationDesign,
  seed: number,
  u: UnitColumns,
): { alloc: BatchAllocation; row: (i: number) => string[] } {
  const units = { ...u, blocks: u.blocks ?? (design.method === 'permuted-block' ? u.ids.map(() => '') : null) };
  const alloc = allocateBatch(design, seed, noPrior(design, u), units, 1);
  const row = (i: number): string[] => [
    u.ids[i]!,
    design.arms[alloc.arms[i]!]!,
    alloc.subArms[i]! >= 0 ? design.nested!.subArms[alloc.subArms[i]!]! : '',
    u.blocks ? u.blocks[i]! : '',
    u.clusters ? u.clusters[i]! : '',
    String(i + 1),
  ];
  return { alloc, row };
}
