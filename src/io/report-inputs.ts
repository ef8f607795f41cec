/**
 * Reads the report's inputs besides the outcomes (process, costs, themes) and turns the cases table into the
 * report's per-person view. Problems are DataErrors naming file, line, column and value.
 */
import { DataError, ProblemList } from '../core/errors.js';
import type { CostCategory, CostRow, ProcessRow, ReportCase, ThemeRow } from '../core/report/types.js';
import { textColumn, type TextTableLike } from '../core/analysis/trial-data.js';
import { parseEnumCell, parseNumberCell, parseYesNoCell } from './fields.js';
import { readTable } from './table.js';
import type { ReadOptions } from './read-options.js';

/** The cases table as the report needs it (yes/no and numbers parsed; ids kept only for joins). */
export function reportCasesFromTable(t: TextTableLike): ReportCase[] {
  const pr = new ProblemList();
  const columns = new Map<string, string[] | null>();
  const get = (name: string) => {
    if (!columns.has(name)) columns.set(name, textColumn(t, name) ?? null);
    return columns.get(name)!;
  };
  const id = get('id');
  const arm = get('arm');
  if (!id || !arm) {
    throw new DataError({
      file: t.file,
      line: 1,
      column: !id ? 'id' : 'arm',
      value: null,
      reason: `required column "${!id ? 'id' : 'arm'}" is missing: a report needs each person's allocated arm`,
    });
  }
  const yn = (name: string, i: number): boolean | null => {
    const c = get(name);
    const v = c?.[i] ?? '';
    if (v === '') return null;
    const p = parseYesNoCell(v);
    if (!p.ok) {
      pr.add({ file: t.file, line: t.lines[i]!, column: name, value: v, reason: p.reason });
      return null;
    }
    return p.value;
  };
  const num = (name: string, i: number, min = 0): number | null => {
    const c = get(name);
    const v = c?.[i] ?? '';
    if (v === '') return null;
    const p = parseNumberCell(v, min);
    if (!p.ok) {
      pr.add({ file: t.file, line: t.lines[i]!, column: name, value: v, reason: p.reason });
      return null;
    }
    return p.value;
  };
  const text = (name: string, i: number): string | null => {
    const v = get(name)?.[i] ?? '';
    return v === '' ? null : v;
  };
  const measurable = get('measurable');
  const out: ReportCase[] = [];
  for (let i = 0; i < t.n; i++) {
    const a = arm[i]!;
    if (a === '')
      pr.add({
        file: t.file,
        line: t.lines[i]!,
        column: 'arm',
        value: '',
        reason: 'arm is empty: every randomised person needs an allocated arm',
      });
    const offered = num('sessions_offered', i);
    const attended = num('sessions_attended', i);
    if (offered !== null && attended !== null && attended > offered) {
      pr.add({
        file: t.file,
        line: t.lines[i]!,
        column: 'sessions_attended',
        value: String(attended),
        reason: `more sessions attended than offered (${offered})`,
      });
    }
    out.push({
      id: id[i]!,
      arm: a,
      sub_arm: text('sub_arm', i),
      site: text('site', i),
      team: text('team', i),
      sex: text('sex', i)?.toLowerCase() ?? null,
      consented: yn('consented', i),
      received_intervention: yn('received_intervention', i),
      withdrawn: yn('withdrawn', i),
      sessions_offered: offered,
      sessions_attended: attended,
      budget_told: yn('budget_told', i),
      enabling_fund_gbp: num('enabling_fund_gbp', i),
      pending: measurable !== null && /^(0|no)$/i.test(measurable[i] ?? ''),
    });
  }
  pr.throwIfAny();
  return out;
}

export async function loadProcess(path: string, read?: Partial<ReadOptions>): Promise<ProcessRow[]> {
  const t = await readTable(path, {
    delimiter: read?.delimiter,
    read,
    required: ['level', 'unit', 'arm', 'measure', 'value'],
  });
  const pr = new ProblemList();
  const out: ProcessRow[] = [];
  const c = (n: string) => t.cells.get(n)!;
  for (let i = 0; i < t.n; i++) {
    const level = parseEnumCell(c('level')[i]!, ['person', 'team'] as const);
    if (!level.ok) {
      pr.add({ file: t.file, line: t.lines[i]!, column: 'level', value: c('level')[i]!, reason: level.reason });
      continue;
    }
    const measure = c('measure')[i]!;
    if (measure === '')
      pr.add({ file: t.file, line: t.lines[i]!, column: 'measure', value: '', reason: 'measure is empty' });
    // A value is a number or a text label; "NaN" and "Infinity" are neither and would vanish from the summaries.
    if (/^[+-]?(nan|inf|infinity)$/i.test(c('value')[i]!)) {
      pr.add({
        file: t.file,
        line: t.lines[i]!,
        column: 'value',
        value: c('value')[i]!,
        reason: 'expected a finite number (or a text label such as a fund category)',
      });
    }
    out.push({ level: level.value, unit: c('unit')[i]!, arm: c('arm')[i]!, measure, value: c('value')[i]! });
  }
  pr.throwIfAny();
  return out;
}

const COST_CATEGORIES: readonly CostCategory[] = [
  'staff_training',
  'staff_time',
  'enabling_fund',
  'grant_fund',
  'third_party',
  'other',
];

export async function loadCosts(path: string, read?: Partial<ReadOptions>): Promise<CostRow[]> {
  const t = await readTable(path, { delimiter: read?.delimiter, read, required: ['item', 'category', 'amount_gbp'] });
  const pr = new ProblemList();
  const out: CostRow[] = [];
  const c = (n: string) => t.cells.get(n) ?? null;
  for (let i = 0; i < t.n; i++) {
    const line = t.lines[i]!;
    const cat = parseEnumCell(c('category')![i]!, COST_CATEGORIES);
    const amt = parseNumberCell(c('amount_gbp')![i]!, 0);
    const recText = c('recurring')?.[i] ?? '';
    const rec = recText === '' ? ({ ok: true, value: false } as const) : parseYesNoCell(recText);
    if (!cat.ok) pr.add({ file: t.file, line, column: 'category', value: c('category')![i]!, reason: cat.reason });
    if (!amt.ok) pr.add({ file: t.file, line, column: 'amount_gbp', value: c('amount_gbp')![i]!, reason: amt.reason });
    if (!rec.ok) pr.add({ file: t.file, line, column: 'recurring', value: recText, reason: rec.reason });
    if (cat.ok && amt.ok && rec.ok)
      out.push({
        item: c('item')![i]!,
        category: cat.value,
        amount_gbp: amt.value,
        arm: c('arm')?.[i] ?? '',
        recurring: rec.value,
      });
  }
  pr.throwIfAny();
  return out;
}

export async function loadThemes(path: string, read?: Partial<ReadOptions>): Promise<ThemeRow[]> {
  const t = await readTable(path, { delimiter: read?.delimiter, read, required: ['source', 'participant', 'theme'] });
  const pr = new ProblemList();
  const out: ThemeRow[] = [];
  const c = (n: string, i: number) => t.cells.get(n)?.[i] ?? '';
  for (let i = 0; i < t.n; i++) {
    if (c('theme', i) === '')
      pr.add({ file: t.file, line: t.lines[i]!, column: 'theme', value: '', reason: 'theme is empty' });
    if (c('participant', i) === '')
      pr.add({
        file: t.file,
        line: t.lines[i]!,
        column: 'participant',
        value: '',
        reason: 'participant is empty: the framework matrix counts distinct participants',
      });
    out.push({
      source: c('source', i).toLowerCase(),
      participant: c('participant', i),
      theme: c('theme', i),
      subtheme: c('subtheme', i),
      excerpt: c('excerpt', i),
      arm: c('arm', i),
    });
  }
  pr.throwIfAny();
  return out;
}
