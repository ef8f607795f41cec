/**
 * Use cases of `pilot-eval randomise`: randomise cases (or append new ones to a rolling ledger),
 * verify an allocation or a ledger, and finish a write interrupted by a crash. Typed options in,
 * a result out; the pure work is in src/core/randomise and the files are read and written by
 * src/io. A ledger (and any set of files written together) is locked for the whole
 * read-append-write, and the set is written with a write-ahead record so a crash at any point
 * leaves a set that verifies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DataError, IntegrityError, UsageError } from '../core/errors.js';
import { allocateBatch, smallBlocks, summarise, type AllocationSummary } from '../core/randomise/allocate.js';
import { declareDesign, type DeclaredDesign, type DesignOptions } from '../core/randomise/design.js';
import type { ChainKey } from '../core/randomise/ledger.js';
import {
  allocationManifest,
  appendRows,
  checkKey,
  checkLedgerChain,
  designFromOptions,
  designRecord,
  diffDesign,
  mergeAllocation,
  nextBatch,
  recomputeAllocation,
  replayLedger,
  rowsFromLedger,
  splitAgainstLedger,
  type LedgerState,
  type ManifestDesign,
} from '../core/randomise/ledger-record.js';
import { seedWarning } from '../core/randomise/seed-strength.js';
import { VERSION } from '../version.js';
import {
  ALLOCATION_COLUMNS,
  allocationCsv,
  ledgerCsv,
  readCases,
  readKeyFile,
  readLedgerCsv,
  readLedgerState,
  readManifestJson,
  readOwnCsv,
  sha256File,
  sha256Text,
  spoolStdin,
  type LoadedCases,
} from '../io/allocation.js';
import {
  pendingFileSet,
  recoverFileSet,
  removeStrayTemps,
  writeFileSetJournalled,
  type WriteStep,
} from '../io/atomic.js';
import { loadColumnMap, mapFor, type ColumnMap } from '../io/column-map.js';
import { parseDelimiter } from '../io/csv-reader.js';
import { neutraliseCell, toCsv, toCsvRows } from '../io/csv-writer.js';
import { acquireLocks } from '../io/lock.js';
import { checkDistinctFiles } from '../io/distinct-files.js';

export { checkDistinctFiles };

export interface RandomiseOptions extends DesignOptions {
  /** Cases CSV path, or `-` for stdin. */
  cases: string;
  seed?: number;
  out?: string;
  ledger?: string;
  delimiter?: string;
  /** `--map columns.yaml` path. */
  map?: string;
  /** `--key-file`: the ledger's chain is HMAC-SHA256 under the file's bytes. */
  keyFile?: string;
  /** Timestamp written in new ledger rows (the CLI passes the clock; tests pass a constant). */
  now?: string;
  /** Called when no seed is given and none is recorded: the CLI draws one from crypto. */
  generateSeed?: () => number;
  /** How long to wait for another writer's lock, in milliseconds (default 10 s). */
  lockWaitMs?: number;
  /** Called after each step of the final multi-file write (fault-injection tests). */
  writeHook?: (step: WriteStep) => void;
  /** Shows progress while a batch is allocated (the CLI passes a spinner). */
  progress?: (label: string) => { stop(): void };
  /** Called while the locks are held, before anything is read (concurrency tests). */
  lockedHook?: () => Promise<void> | void;
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
  /** Why the seed given could be guessed (printed as a warning), or null. */
  seed_warning: string | null;
  /** Targets of an interrupted earlier write that this run finished first. */
  recovered: string[];
}

function columnMap(path: string | undefined): { map: ColumnMap; record: { path: string; sha256: string } | null } {
  if (path === undefined) return { map: new Map(), record: null };
  const map = mapFor(loadColumnMap(path), 'cases');
  return { map, record: { path, sha256: sha256Text(readFileSync(path, 'utf8')) } };
}

async function loadInput(
  path: string,
  delimiter: string,
  map: ColumnMap,
  declared: DeclaredDesign,
  displayName?: string,
): Promise<{ cases: LoadedCases; sha256: string }> {
  const spool = path === '-' ? await spoolStdin() : null;
  const real = spool ? spool.path : path;
  try {
    if (!spool && !existsSync(path)) throw new UsageError(`cases file ${path} not found`);
    const sha256 = await sha256File(real);
    const cases = await readCases(
      real,
      { delimiter, map, displayName: displayName ?? (spool ? '<stdin>' : path) },
      {
        block: declared.blockColumn,
        cluster: declared.clusterColumn,
        factors: declared.design.factors.map((f) => f.name),
      },
    );
    return { cases, sha256 };
  } finally {
    spool?.cleanup();
  }
}

function journalFor(primary: string): string {
  return `${primary}.journal`;
}

/** Finishes an interrupted write of the set whose primary file is `primary` (lock held). */
function finishInterrupted(primary: string, members: string[]): { recovered: string[]; removed: string[] } {
  const recovered = recoverFileSet(journalFor(primary)) ?? [];
  const removed = members.flatMap((m) => removeStrayTemps(m));
  return { recovered, removed };
}

/** Randomises the cases (or the new ones, with a ledger) and writes the outputs. */
export async function runRandomise(o: RandomiseOptions): Promise<RandomiseResult> {
  const designOptions = designFromOptions(o);
  const declared = declareDesign(designOptions);
  if (!o.out && !o.ledger)
    throw new UsageError('--out <allocation.csv> is required (or --ledger <ledger.csv> for rolling recruitment)');
  if (o.out && o.ledger && o.out === o.ledger) throw new UsageError('--out and --ledger must be different files');
  checkDistinctFiles(
    [
      { option: 'the cases file', path: o.cases },
      { option: '--map', path: o.map },
      { option: '--key-file', path: o.keyFile },
    ],
    [
      { option: '--ledger', path: o.ledger },
      { option: 'the ledger manifest', path: o.ledger && `${o.ledger}.json` },
      { option: '--out', path: o.out },
      { option: 'the allocation manifest', path: o.out && `${o.out}.json` },
    ],
  );
  const delimiter = parseDelimiter(o.delimiter);
  const { map, record: mapRecord } = columnMap(o.map);
  const key: ChainKey = o.keyFile !== undefined ? readKeyFile(o.keyFile) : null;
  if (key && !o.ledger) throw new UsageError("--key-file keys a ledger's hash chain: give --ledger as well");
  const record = designRecord(designOptions, declared);
  const primary = (o.ledger ?? o.out)!;
  const members = [o.ledger, o.ledger && `${o.ledger}.json`, o.out, o.out && `${o.out}.json`].filter((p): p is string =>
    Boolean(p),
  );
  // One lock per set of files written together: on the ledger when there is one (every run that
  // appends to it is serialised), else on the allocation file.
  const locks = await acquireLocks([primary], {
    waitMs: o.lockWaitMs,
    what: o.ledger ? `ledger ${o.ledger}` : `output ${o.out}`,
  });
  try {
    await o.lockedHook?.();
    const { recovered } = finishInterrupted(primary, members);
    return await randomiseLocked(o, { declared, record, delimiter, map, mapRecord, key, primary, recovered });
  } finally {
    for (const l of locks.reverse()) l.release();
  }
}

interface Prepared {
  declared: DeclaredDesign;
  record: ManifestDesign;
  delimiter: string;
  map: ColumnMap;
  mapRecord: { path: string; sha256: string } | null;
  key: ChainKey;
  primary: string;
  recovered: string[];
}

async function randomiseLocked(o: RandomiseOptions, p: Prepared): Promise<RandomiseResult> {
  const { declared, record, key } = p;
  const { design } = declared;
  // Ledger first (cheap checks before reading a large input).
  const ledger: LedgerState | null = o.ledger ? await readLedgerState(o.ledger) : null;
  let seed: number;
  let seedGenerated = false;
  if (ledger?.manifest) {
    const diff = diffDesign(ledger.manifest.design, record);
    if (diff.length)
      throw new UsageError(
        `the ledger ${ledger.path} was started with a different design; rolling recruitment must keep it: ${diff.join('; ')}`,
      );
    if (o.seed !== undefined && o.seed !== ledger.manifest.seed)
      throw new UsageError(
        `--seed ${o.seed} differs from the seed the ledger ${ledger.path} was started with; omit --seed to continue the ledger`,
      );
    seed = ledger.manifest.seed;
    checkKey(ledger, key, 'append');
    checkLedgerChain(ledger, key);
  } else if (o.seed !== undefined) {
    seed = o.seed;
  } else if (o.generateSeed) {
    seed = o.generateSeed();
    seedGenerated = true;
  } else {
    throw new UsageError('--seed <int> is required so the allocation can be reproduced');
  }
  const seedWarn = o.seed !== undefined ? seedWarning(o.seed) : null;

  const { cases, sha256: inputSha } = await loadInput(o.cases, p.delimiter, p.map, declared);
  const units = cases.units;
  const n = units.ids.length;
  if (n === 0)
    throw new DataError({
      file: cases.file,
      line: null,
      column: null,
      value: null,
      reason: 'has no cases to randomise',
    });

  const split = splitAgainstLedger(design, declared, cases, ledger);
  const warnings = split.warnings;
  for (const b of smallBlocks(design, split.fresh)) {
    warnings.push(
      `block ${b.block} has ${b.size} ${design.method === 'block' ? 'case(s)' : 'cluster(s)'}, fewer than the ratio ${design.weights.join(':')} needs for every arm; its arms get floor/ceiling counts by the remainder rule (probabilities stay exact)`,
    );
  }

  const batch = nextBatch(ledger);
  const spin = o.progress?.(`randomising ${split.newIdx.length.toLocaleString('en-GB')} case(s)`);
  let alloc;
  try {
    alloc = allocateBatch(design, seed, split.prior, split.fresh, batch);
  } finally {
    spin?.stop();
  }
  const all = mergeAllocation(split, n, alloc);
  const files: Array<{ path: string; content: string }> = [];

  let ledgerSummary: LedgerSummary | null = null;
  if (ledger) {
    const { rows, manifest } = appendRows({
      ledger,
      record,
      seed,
      design,
      units,
      split,
      alloc,
      batch,
      recordedAt: o.now ?? '',
      version: VERSION,
      key,
      neutralise: neutraliseCell,
    });
    const text = ledger.raw !== null ? ledger.raw + toCsvRows(rows) : ledgerCsv(rows);
    if (rows.length) {
      files.push({ path: ledger.path, content: text });
      files.push({ path: ledger.manifestPath, content: `${JSON.stringify(manifest, null, 2)}\n` });
    }
    ledgerSummary = {
      path: ledger.path,
      rows_before: split.prior.ids.length,
      rows_after: manifest.rows,
      already_allocated: n - split.newIdx.length,
      appended: rows.length,
      batch: rows.length ? batch : null,
      head_hash: manifest.head_hash,
      manifest: ledger.manifestPath,
    };
  }

  let outSha: string | null = null;
  let manifestPath: string | null = null;
  if (o.out) {
    const text = allocationCsv({
      ids: units.ids,
      arms: all.arms,
      armLabels: design.arms,
      subArms: all.subArms,
      subLabels: design.nested?.subArms ?? [],
      strata: units.blocks,
      clusters: units.clusters,
      sequence: all.sequence,
    });
    outSha = sha256Text(text);
    manifestPath = `${o.out}.json`;
    const manifest = allocationManifest({
      version: VERSION,
      design,
      record,
      seed,
      delimiter: p.delimiter,
      map: p.mapRecord,
      input: { path: o.cases, sha256: inputSha },
      output: { path: o.out, sha256: outSha },
      rows: n,
      ledger: ledgerSummary
        ? { path: ledgerSummary.path, rows: ledgerSummary.rows_after, head_hash: ledgerSummary.head_hash }
        : null,
    });
    files.push({ path: o.out, content: text });
    files.push({ path: manifestPath, content: `${JSON.stringify(manifest, null, 2)}\n` });
  }
  if (files.length) writeFileSetJournalled(files, journalFor(p.primary), o.writeHook);

  const summary = summarise(design, units, all.arms, all.subArms);
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
    seed_warning: seedWarn,
    recovered: p.recovered,
  };
}

// ---------------------------------------------------------------------------------------------
// Verify

export interface VerifyOptions {
  file: string;
  /** Overrides the input path recorded in the manifest (e.g. it was read from stdin). */
  input?: string;
  /** The key a keyed ledger was written with. */
  keyFile?: string;
  /** A head hash kept elsewhere (e.g. with a third party): the ledger must still contain it. */
  expectHead?: string;
  /** How long to wait for a run that is writing the set, in milliseconds (default 10 s). */
  lockWaitMs?: number;
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
  /** Present only when a committed write is unfinished: what was verified is the set it commits. */
  pending_write?: string;
}

function resolveBeside(manifestFile: string, path: string): string {
  if (existsSync(path) || isAbsolute(path)) return path;
  const beside = join(dirname(manifestFile), path);
  return existsSync(beside) ? beside : path;
}

/** Reads through any committed but unfinished write (see src/io/atomic.ts). */
class PendingView {
  private readonly map = new Map<string, string>();
  readonly journals: string[] = [];
  add(primary: string): void {
    const j = journalFor(primary);
    const m = pendingFileSet(j);
    if (m.size) this.journals.push(j);
    for (const [k, v] of m) this.map.set(k, v);
  }
  via = (p: string): string => this.map.get(resolve(p)) ?? p;
}

async function verifyLedgerFile(
  file: string,
  key: ChainKey,
  view: PendingView,
  expectHead?: string,
): Promise<VerifyResult> {
  const l = await readLedgerState(file, view.via);
  if (!l.manifest || !l.content) throw new IntegrityError(`ledger ${file} not found`);
  checkKey(l, key, 'verify');
  checkLedgerChain(l, key);
  replayLedger(l);
  if (expectHead !== undefined && !l.content.hashes.includes(expectHead.trim().toLowerCase())) {
    throw new IntegrityError(
      `ledger ${file} does not contain the head hash ${expectHead} kept outside it: rows recorded before that hash was taken have been changed, or the ledger has been rewritten`,
    );
  }
  return {
    verified: true,
    kind: 'ledger',
    file,
    rows: l.content.rows.length,
    method: l.manifest.design.design.method,
    seed: l.manifest.seed,
    sha256: await sha256File(view.via(file)),
    head_hash: l.manifest.head_hash,
  };
}

/** Names the first row where `found` differs from `expected` (both allocation CSV texts). */
async function firstDifference(file: string, read: string, expected: string[][]): Promise<IntegrityError> {
  const t = await readOwnCsv(read, file);
  if (t.columns.join(',') !== ALLOCATION_COLUMNS.join(','))
    return new IntegrityError(
      `${file} line 1: header is ${t.columns.join(',')}, expected ${ALLOCATION_COLUMNS.join(',')}`,
    );
  const cols = ALLOCATION_COLUMNS.map((c) => t.cells.get(c)!);
  for (let i = 0; i < Math.min(t.n, expected.length); i++) {
    for (let c = 0; c < cols.length; c++) {
      const found = cols[c]![i]!;
      const exp = expected[i]![c]!;
      if (found !== exp) {
        const id = c === 0 ? `id ${exp} expected` : `id ${cols[0]![i]}`;
        return new IntegrityError(
          `${file} line ${t.lines[i]} (${id}): expected ${ALLOCATION_COLUMNS[c]} ${JSON.stringify(exp)}, found ${JSON.stringify(found)}`,
        );
      }
    }
  }
  if (t.n < expected.length)
    return new IntegrityError(
      `${file} has ${t.n} row(s), expected ${expected.length}: the first missing row is id ${expected[t.n]![0]} (after line ${t.lines[t.n - 1] ?? 1})`,
    );
  if (t.n > expected.length)
    return new IntegrityError(
      `${file} line ${t.lines[expected.length]} (id ${cols[0]![expected.length]}): unexpected extra row (expected ${expected.length} rows)`,
    );
  return new IntegrityError(
    `${file} differs from the recomputed allocation in its bytes (quoting or line endings), though every row matches`,
  );
}

/**
 * `--verify`: recomputes an allocation from its manifest, or checks a ledger (chain and replay).
 * It holds the set's lock while it reads (when the folder lets it create one), so it never sees a
 * set half-way through another run's write.
 */
export async function runVerify(o: VerifyOptions): Promise<VerifyResult> {
  const key: ChainKey = o.keyFile !== undefined ? readKeyFile(o.keyFile) : null;
  // The set's lock is on the ledger when the file was written with one.
  let primary = o.file;
  try {
    const m = readManifestJson(`${o.file}.json`, 'manifest');
    const ref = m.ledger as { path?: unknown } | null | undefined;
    if (m.kind === 'allocation' && ref && typeof ref.path === 'string')
      primary = resolveBeside(`${o.file}.json`, ref.path);
  } catch {
    // Reported by the verification itself.
  }
  const [lock] = await acquireLocks([primary], {
    waitMs: o.lockWaitMs,
    readOnlyOk: true,
    what: primary === o.file ? o.file : `ledger ${primary}`,
  });
  try {
    return await verifyLocked(o, key);
  } finally {
    lock!.release();
  }
}

async function verifyLocked(o: VerifyOptions, key: ChainKey): Promise<VerifyResult> {
  const view = new PendingView();
  view.add(o.file);
  if (!existsSync(view.via(o.file))) throw new UsageError(`${o.file} not found`);
  const manifestFile = `${o.file}.json`;
  let m = readManifestJson(view.via(manifestFile), 'manifest', manifestFile);
  const pending = (r: VerifyResult): VerifyResult =>
    view.journals.length ? { ...r, pending_write: view.journals.join(', ') } : r;
  if (m.kind === 'ledger') return pending(await verifyLedgerFile(o.file, key, view, o.expectHead));
  if (m.kind !== 'allocation')
    throw new IntegrityError(`${manifestFile} is not a pilot-eval allocation or ledger manifest`);
  let ledgerRef = m.ledger as { path: string; rows: number; head_hash: string } | null;
  if (ledgerRef) {
    // Written with a ledger: an unfinished write of the set is recorded beside the ledger.
    view.add(resolveBeside(manifestFile, ledgerRef.path));
    m = readManifestJson(view.via(manifestFile), 'manifest', manifestFile);
    ledgerRef = m.ledger as typeof ledgerRef;
  }
  const rec = m.design as ManifestDesign;
  const seed = m.seed as number;
  const output = m.output as { sha256: string; rows: number };
  const actualText = readFileSync(view.via(o.file), 'utf8');
  const actualSha = sha256Text(actualText);

  let rowCount: number;
  if (ledgerRef) {
    // Made with a ledger: the ledger must verify and hold every row of the file.
    const ledgerPath = resolveBeside(manifestFile, ledgerRef.path);
    await verifyLedgerFile(ledgerPath, key, view, o.expectHead);
    const l = await readLedgerCsv(view.via(ledgerPath), ledgerPath);
    if (l.rows.length < ledgerRef.rows)
      throw new IntegrityError(
        `ledger ${ledgerPath} has ${l.rows.length} rows, fewer than the ${ledgerRef.rows} it had when ${o.file} was written`,
      );
    if (l.hashes[ledgerRef.rows - 1] !== ledgerRef.head_hash && ledgerRef.rows > 0)
      throw new IntegrityError(
        `ledger ${ledgerPath} row ${ledgerRef.rows} no longer has the hash recorded in ${manifestFile}`,
      );
    const t = await readOwnCsv(view.via(o.file), o.file);
    const expectedRows = rowsFromLedger(l, t.cells.get('id') ?? []);
    rowCount = expectedRows.length;
    const expectedText = toCsv(ALLOCATION_COLUMNS, expectedRows);
    if (expectedText !== actualText) throw await firstDifference(o.file, view.via(o.file), expectedRows);
  } else {
    const declared = declareDesign(rec.options);
    const input = m.input as { path: string; sha256: string };
    const inputPath = o.input ?? resolveBeside(manifestFile, input.path);
    if (inputPath === '-')
      throw new UsageError(
        `the allocation was made from stdin; give the cases file with --input <cases.csv> to verify it`,
      );
    if (!existsSync(inputPath))
      throw new IntegrityError(
        `the input named in the manifest, ${inputPath}, is not there; give it with --input <cases.csv>`,
      );
    const inputSha = await sha256File(inputPath);
    if (inputSha !== input.sha256)
      throw new IntegrityError(
        `input ${inputPath} has changed since the allocation was made (sha256 ${inputSha}, manifest records ${input.sha256})`,
      );
    const mapRec = m.map as { path: string; sha256: string } | null;
    let map: ColumnMap = new Map();
    if (mapRec) {
      const mp = resolveBeside(manifestFile, mapRec.path);
      if (!existsSync(mp)) throw new IntegrityError(`the column map named in the manifest, ${mp}, is not there`);
      if (sha256Text(readFileSync(mp, 'utf8')) !== mapRec.sha256)
        throw new IntegrityError(`column map ${mp} has changed since the allocation was made`);
      map = mapFor(loadColumnMap(mp), 'cases');
    }
    const { cases } = await loadInput(inputPath, (m.delimiter as string) ?? ',', map, declared);
    const d = declared.design;
    const u = cases.units;
    const { alloc, row: expectedRow } = recomputeAllocation(d, seed, u);
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
    if (expectedText !== actualText)
      throw await firstDifference(
        o.file,
        view.via(o.file),
        Array.from({ length: rowCount }, (_, i) => expectedRow(i)),
      );
  }
  if (actualSha !== output.sha256)
    throw new IntegrityError(
      `${o.file} matches the recomputation but not the sha256 in ${manifestFile} (${output.sha256}): the manifest has been edited`,
    );
  return pending({
    verified: true,
    kind: 'allocation',
    file: o.file,
    rows: rowCount,
    method: rec.design.method,
    seed,
    sha256: actualSha,
    head_hash: ledgerRef?.head_hash ?? null,
  });
}

// ---------------------------------------------------------------------------------------------
// Recover

export interface RecoverOptions {
  /** The ledger (or, for a run without a ledger, the allocation file) whose write was interrupted. */
  file: string;
  /** The allocation file written with the ledger, if any (its stray staged copies are removed too). */
  out?: string;
  lockWaitMs?: number;
}

export interface RecoverResult {
  file: string;
  /** Files the interrupted write had committed, now renamed into place. */
  finished: string[];
  /** Staged copies of a write that had not committed, removed (the files before it stand). */
  removed: string[];
}

/**
 * `--recover`: under the lock, finishes a committed write (renaming the staged copies it
 * recorded) or removes the staged copies of one that never committed. Safe to run at any time.
 */
export async function runRecover(o: RecoverOptions): Promise<RecoverResult> {
  const [lock] = await acquireLocks([o.file], { waitMs: o.lockWaitMs });
  try {
    const members = [
      o.file,
      `${o.file}.json`,
      ...(o.out !== undefined && o.out !== o.file ? [o.out, `${o.out}.json`] : []),
    ];
    const { recovered, removed } = finishInterrupted(o.file, members);
    return { file: o.file, finished: recovered, removed };
  } finally {
    lock!.release();
  }
}
