/**
 * `trial.yaml`: the trial's own settings for reports (see docs/trial.yaml for a documented
 * example). Every key is optional and has a documented default; unknown keys and wrong types are
 * data errors naming the key and its line.
 */
import { readFileSync } from 'node:fs';
import type { Node } from 'yaml';
import { yaml } from './yaml.js';
import { checkInputPath } from './csv-reader.js';
import { STAGES, type Stage } from '../core/concepts.js';
import { DataError, UsageError, type DataProblem } from '../core/errors.js';
import { DEFAULT_COST_BANDS } from '../core/report/cost-rating.js';
import { DEFAULT_PROGRESSION } from '../core/report/progression.js';
import { defaultAnalysisPlan, PRIMARY_MEASURES, type PrimaryMeasure } from '../core/plan/analysis-plan.js';
import { formatDate, parseDate } from '../core/dates.js';
import { METHODS } from '../core/randomise/allocate.js';
import { THREAT_KINDS, type DesignKind, type ThreatKind, type TrialConfig } from '../core/report/types.js';

export const DESIGN_KINDS: readonly DesignKind[] = [
  'randomised',
  'matched_all_observables',
  'matched_some_observables',
  'no_relevant_confounders',
  'no_comparator',
];
/** The trial file's `randomisation.method`: any allocation method of `randomise`, or how allocation was done without one. */
export const RANDOMISATION_METHODS = [...METHODS, 'purposive', 'none'] as const;

/** The defaults used when there is no trial file, or a key is left out. */
export function defaultTrialConfig(): TrialConfig {
  return {
    title: null,
    concept: null,
    stage: null,
    design: 'randomised',
    arms: { control: 'control', treatment: 'treatment' },
    randomisation: { method: 'not recorded', seed: null, unit: null, allocation_sha256: null },
    outcome_windows: { follow_up_days: 365, waiting_days: 183, as_of: null },
    target_recruitment: null,
    progression: Object.fromEntries(Object.entries(DEFAULT_PROGRESSION).map(([k, v]) => [k, { ...v }])),
    cost_bands: [...DEFAULT_COST_BANDS],
    threats: [],
    analysis: defaultAnalysisPlan(),
    intervention: null,
    theory_of_change: null,
    research_questions: null,
    assumptions: { control_rate: 0.35, icc: null, power: 0.8 },
  };
}

const TOP_KEYS = [
  'title',
  'concept',
  'stage',
  'design',
  'arms',
  'randomisation',
  'outcome_windows',
  'target_recruitment',
  'progression',
  'cost_bands',
  'threats',
  'analysis',
  'assumptions',
  'intervention',
  'theory_of_change',
  'research_questions',
];
const ANALYSIS_KEYS = [
  'primary',
  'covariates',
  'cluster',
  'blocks',
  'secondary',
  'subgroups',
  'alpha',
  'missing_data',
  'imputations',
  'cace',
  'small_sample',
  'arms',
];
/** A column name as the readers match it (trimmed, lower case). */
const columnName = (s: string) => s.trim().toLowerCase();

/** Reads and validates a trial file. */
export function loadTrialFile(path: string): TrialConfig {
  let text: string;
  // A FIFO or device would never end: the same path check as every other input.
  try {
    checkInputPath(path, path);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--trial: ${err.message}`);
    throw err;
  }
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--trial: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseTrialFile(text, path);
}

/** Parses trial-file text; `file` names it in errors. */
export function parseTrialFile(text: string, file: string): TrialConfig {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const problems: DataProblem[] = [];
  const lineOf = (n: Node | null | undefined): number | null => (n?.range ? lc.linePos(n.range[0]).line : null);
  for (const e of doc.errors)
    problems.push({
      file,
      line: e.linePos?.[0]?.line ?? null,
      column: null,
      value: null,
      reason: `not valid YAML: ${e.message.split('\n')[0]}`,
    });
  if (problems.length) throw new DataError(problems);
  const cfg = defaultTrialConfig();
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return cfg;
  if (!isMap(root))
    throw new DataError({
      file,
      line: lineOf(root),
      column: null,
      value: null,
      reason: 'the trial file must be a mapping of keys (e.g. "stage: pilot")',
    });

  const bad = (node: Node | null | undefined, key: string, value: unknown, reason: string) =>
    problems.push({
      file,
      line: lineOf(node),
      column: key,
      value:
        value === undefined || value === null
          ? null
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value),
      reason,
    });

  /** Walks a mapping, checking keys against `allowed`. */
  const entries = (
    node: Node | null | undefined,
    path: string,
    allowed: string[] | null,
  ): Array<[string, Node | null]> => {
    if (!isMap(node)) {
      bad(node, path, node && isScalar(node) ? node.value : null, 'expected a mapping of keys');
      return [];
    }
    const out: Array<[string, Node | null]> = [];
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const full = path ? `${path}.${k}` : k;
      if (allowed && !allowed.includes(k)) {
        bad(pair.key as Node, full, null, `unknown key "${full}"; expected one of: ${allowed.join(', ')}`);
        continue;
      }
      out.push([k, (pair.value as Node | null) ?? null]);
    }
    return out;
  };
  const scalar = (n: Node | null): unknown => (n && isScalar(n) ? n.value : n === null ? null : undefined);
  const str = (n: Node | null, key: string): string | null => {
    const v = scalar(n);
    if (v === null) return null;
    if (typeof v === 'string' || typeof v === 'number') return String(v).trim();
    bad(n, key, v, 'expected text');
    return null;
  };
  const num = (n: Node | null, key: string, min: number, max: number, integer = false): number | null => {
    const v = scalar(n);
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      bad(n, key, v, `expected ${integer ? 'a whole number' : 'a number'} in [${min}, ${max}]`);
      return null;
    }
    return v;
  };
  const fraction = (n: Node | null, key: string): number | null => num(n, key, 0, 1);
  /** A list of text (`[a, b]`, or one line `a, b`); null when absent. */
  const textList = (n: Node | null, key: string): string[] | null => {
    if (isSeq(n)) return n.items.map((x, i) => str(x as Node, `${key}[${i}]`) ?? '').filter((x) => x !== '');
    const t = str(n, key);
    return t === null
      ? null
      : t
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
  };

  for (const [k, v] of entries(root, '', TOP_KEYS)) {
    switch (k) {
      case 'title':
      case 'intervention':
      case 'theory_of_change': {
        const t = str(v, k);
        if (t === '') bad(v, k, t, 'expected non-empty text (leave the key out for the default)');
        else cfg[k] = t;
        break;
      }
      case 'research_questions': {
        const list = textList(v, k);
        if (list !== null && list.length === 0) bad(v, k, null, 'expected at least one research question');
        else if (list !== null) cfg.research_questions = list;
        break;
      }
      case 'concept':
        cfg.concept = str(v, k);
        break;
      case 'stage': {
        const s = str(v, k);
        if (s !== null && !STAGES.includes(s as Stage)) bad(v, k, s, `expected one of ${STAGES.join(', ')}`);
        else if (s !== null) cfg.stage = s as Stage;
        break;
      }
      case 'design': {
        const s = str(v, k);
        if (s !== null && !DESIGN_KINDS.includes(s as DesignKind))
          bad(v, k, s, `expected one of ${DESIGN_KINDS.join(', ')}`);
        else if (s !== null) cfg.design = s as DesignKind;
        break;
      }
      case 'arms':
        for (const [ak, av] of entries(v, 'arms', ['control', 'treatment'])) {
          const s = str(av, `arms.${ak}`);
          if (s === '') bad(av, `arms.${ak}`, s, 'expected a non-empty arm label');
          else if (s !== null) cfg.arms[ak as 'control' | 'treatment'] = s;
        }
        if (cfg.arms.control === cfg.arms.treatment)
          bad(v, 'arms', cfg.arms.control, 'control and treatment must be different arm labels');
        break;
      case 'randomisation':
        for (const [rk, rv] of entries(v, 'randomisation', ['method', 'seed', 'unit', 'allocation_sha256'])) {
          const key = `randomisation.${rk}`;
          if (rk === 'seed') {
            const sv = num(rv, key, -9007199254740991, 9007199254740991, true);
            if (sv !== null) cfg.randomisation.seed = sv;
          } else if (rk === 'method') {
            const m = str(rv, key);
            if (m !== null && !(RANDOMISATION_METHODS as readonly string[]).includes(m))
              bad(rv, key, m, `expected one of ${RANDOMISATION_METHODS.join(', ')}`);
            else if (m !== null) cfg.randomisation.method = m;
          } else if (rk === 'allocation_sha256') {
            const h = str(rv, key);
            if (h !== null && !/^[0-9a-f]{64}$/i.test(h)) bad(rv, key, h, 'expected 64 hexadecimal digits');
            else if (h !== null) cfg.randomisation.allocation_sha256 = h.toLowerCase();
          } else {
            cfg.randomisation.unit = str(rv, key);
          }
        }
        break;
      case 'outcome_windows':
        for (const [ok, ov] of entries(v, 'outcome_windows', ['follow_up_days', 'waiting_days', 'as_of'])) {
          if (ok === 'as_of') {
            // YAML reads an unquoted 2024-06-30 as text (the core schema has no timestamps).
            const t = str(ov, 'outcome_windows.as_of');
            if (t === null) continue;
            const d = parseDate(t);
            if (d.ok) cfg.outcome_windows.as_of = formatDate(d.day);
            else bad(ov, 'outcome_windows.as_of', t, `expected the data extract date as YYYY-MM-DD (${d.reason})`);
            continue;
          }
          const n = num(ov, `outcome_windows.${ok}`, ok === 'follow_up_days' ? 1 : 0, 3650, true);
          if (n !== null) cfg.outcome_windows[ok as 'follow_up_days' | 'waiting_days'] = n;
        }
        break;
      case 'target_recruitment':
        cfg.target_recruitment = num(v, k, 1, 1e9, true);
        break;
      case 'progression':
        for (const [pk, pv] of entries(v, 'progression', null)) {
          const key = `progression.${pk}`;
          // Criterion names are data: own keys only (a criterion may be called "constructor" or "__proto__").
          const t = { ...(Object.hasOwn(cfg.progression, pk) ? cfg.progression[pk]! : { green: NaN, amber: NaN }) };
          for (const [tk, tv] of entries(pv, key, ['green', 'amber'])) {
            const f = fraction(tv, `${key}.${tk}`);
            if (f !== null) t[tk as 'green' | 'amber'] = f;
          }
          if (!Number.isFinite(t.green) || !Number.isFinite(t.amber))
            bad(
              pv,
              key,
              null,
              'a new progression criterion needs both green and amber thresholds (fractions, e.g. 0.8)',
            );
          else if (t.amber > t.green)
            bad(pv, key, `green ${t.green}, amber ${t.amber}`, 'the amber threshold must not be above the green one');
          else
            Object.defineProperty(cfg.progression, pk, {
              value: t,
              enumerable: true,
              writable: true,
              configurable: true,
            });
        }
        break;
      case 'cost_bands': {
        if (!isSeq(v) || v.items.length !== 4) {
          bad(v, k, null, 'expected a list of four increasing upper limits in GBP (default [100, 250, 1000, 2500])');
          break;
        }
        const vals = v.items.map((it, i) => num(it as Node, `cost_bands[${i}]`, 0, 1e9));
        if (vals.every((x): x is number => x !== null)) {
          if (vals.some((x, i) => i > 0 && x <= vals[i - 1]!))
            bad(v, k, vals.join(', '), 'the four limits must increase');
          else cfg.cost_bands = vals;
        }
        break;
      }
      case 'threats':
        if (!isSeq(v)) {
          bad(v, k, null, 'expected a list of {threat, drop, reason}');
          break;
        }
        v.items.forEach((it, i) => {
          const key = `threats[${i}]`;
          let threat: ThreatKind | null = null;
          let drop = 1;
          let reason: string | null = null;
          for (const [tk, tv] of entries(it as Node, key, ['threat', 'drop', 'reason'])) {
            if (tk === 'threat') {
              const s = str(tv, `${key}.threat`);
              if (s !== null && !(THREAT_KINDS as readonly string[]).includes(s))
                bad(tv, `${key}.threat`, s, `expected one of ${THREAT_KINDS.join(', ')}`);
              else threat = s as ThreatKind;
            } else if (tk === 'drop') drop = num(tv, `${key}.drop`, 0, 2, true) ?? 1;
            else reason = str(tv, `${key}.reason`);
          }
          if (threat === null || !reason)
            bad(it as Node, key, null, 'each threat needs "threat" (a kind) and "reason" (why the rating drops)');
          else cfg.threats.push({ threat, drop, reason });
        });
        break;
      case 'analysis': {
        const plan = cfg.analysis;
        for (const [ak, av] of entries(v, 'analysis', ANALYSIS_KEYS)) {
          const key = `analysis.${ak}`;
          switch (ak) {
            case 'alpha': {
              const a = num(av, key, 1e-6, 0.5);
              if (a !== null) plan.alpha = a;
              break;
            }
            case 'covariates':
              plan.covariates = (textList(av, key) ?? []).map(columnName);
              break;
            case 'subgroups':
              plan.subgroups = (textList(av, key) ?? []).map(columnName);
              break;
            case 'secondary':
              plan.secondary = (textList(av, key) ?? []).map(columnName);
              break;
            case 'cluster':
            case 'blocks': {
              // `none` (or null) states an individual / unblocked analysis; a column name overrides the design.
              const sv = scalar(av);
              if (sv === null || (typeof sv === 'string' && sv.trim().toLowerCase() === 'none')) plan[ak] = null;
              else {
                const t = str(av, key);
                if (t === '') bad(av, key, t, 'expected a column name, or none');
                else if (t !== null) plan[ak] = columnName(t);
              }
              break;
            }
            case 'primary':
              if (isScalar(av)) {
                const t = str(av, key);
                if (t) plan.primary = { outcome: columnName(t), measure: null };
                else bad(av, key, t, 'expected an outcome column, or {outcome, measure}');
                break;
              }
              for (const [pk, pv] of entries(av, key, ['outcome', 'measure'])) {
                const t = str(pv, `${key}.${pk}`);
                if (t === null || t === '') {
                  bad(
                    pv,
                    `${key}.${pk}`,
                    t,
                    pk === 'outcome'
                      ? 'expected an outcome column (e.g. reoffended)'
                      : `expected one of ${PRIMARY_MEASURES.join(', ')}`,
                  );
                } else if (pk === 'outcome') plan.primary = { ...plan.primary, outcome: columnName(t) };
                else if (!(PRIMARY_MEASURES as readonly string[]).includes(t))
                  bad(pv, `${key}.${pk}`, t, `expected one of ${PRIMARY_MEASURES.join(', ')}`);
                else plan.primary = { ...plan.primary, measure: t as PrimaryMeasure };
              }
              break;
            case 'cace': {
              // The received-intervention column for the complier average causal effect; none = not estimated.
              const sv = scalar(av);
              if (sv === null || (typeof sv === 'string' && sv.trim().toLowerCase() === 'none')) plan.cace = null;
              else {
                const t = str(av, key);
                if (t === '') bad(av, key, t, 'expected a column name (e.g. received_intervention), or none');
                else if (t !== null) plan.cace = columnName(t);
              }
              break;
            }
            case 'missing_data': {
              const t = str(av, key);
              if (t !== null && t !== 'complete_cases' && t !== 'multiple_imputation')
                bad(
                  av,
                  key,
                  t,
                  'expected complete_cases (the primary analysis uses everyone whose outcome and covariates are known) or multiple_imputation (complete cases stay primary; multiple imputation and a tipping-point table are added as a sensitivity analysis)',
                );
              else if (t === 'multiple_imputation') plan.missing_data = t;
              break;
            }
            case 'imputations': {
              const m = num(av, key, 2, 1000, true);
              if (m !== null) plan.imputations = m;
              break;
            }
            case 'small_sample': {
              const t = str(av, key);
              if (t !== null && t !== 'cr2' && t !== 'none' && t !== 'auto')
                bad(
                  av,
                  key,
                  t,
                  'expected auto (CR2 + Satterthwaite on the cluster-robust rows below 50 clusters; the default), cr2 (always) or none (vcovCL)',
                );
              else if (t !== null) plan.small_sample = t;
              break;
            }
            case 'arms': {
              // Treatment arms, each compared with control (more than two arms); arm labels keep their case.
              const list = textList(av, key);
              if (list && list.some((a) => a.trim() === ''))
                bad(av, key, list.join(', '), 'expected non-empty arm labels');
              else if (list) plan.arms = list.map((a) => a.trim());
              break;
            }
          }
        }
        const m = plan.primary.measure;
        const o = plan.primary.outcome;
        const fits =
          m === null ||
          (m === 'risk_difference'
            ? o !== 'days_to_reoffence'
            : m === 'hazard_ratio'
              ? o === 'days_to_reoffence'
              : o !== 'days_to_reoffence');
        if (!fits)
          bad(
            v,
            'analysis.primary',
            `${o} / ${m}`,
            m === 'hazard_ratio'
              ? 'a hazard ratio needs the time-to-event outcome days_to_reoffence'
              : 'days_to_reoffence is estimated as a hazard_ratio',
          );
        break;
      }
      case 'assumptions':
        for (const [ak, av] of entries(v, 'assumptions', ['control_rate', 'icc', 'power'])) {
          const key = `assumptions.${ak}`;
          if (ak === 'icc') {
            const x = num(av, key, 0, 0.99);
            if (x !== null) cfg.assumptions.icc = x;
          } else {
            const x = num(av, key, 0.001, 0.999);
            if (x !== null) cfg.assumptions[ak as 'control_rate' | 'power'] = x;
          }
        }
        break;
    }
  }
  if (problems.length) throw new DataError(problems);
  return cfg;
}
