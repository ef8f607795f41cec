/**
 * Reads what the next stage's plan needs from a finished report's JSON (`power --from`): the
 * control rate, the ICC of the binary outcome, attrition, compliance, cluster sizes and the
 * progression criteria. Only reads and checks shapes; the planning itself is in src/app/power.ts.
 */
import { readFileSync } from 'node:fs';
import { DataError, UsageError } from '../core/errors.js';

export interface ReportProgression {
  name: string;
  label: string;
  value: number | null;
  green: number | null;
  amber: number | null;
  status: string | null;
}

export interface ReportPlanningInputs {
  file: string;
  title: string | null;
  stage: string | null;
  /** Control-arm re-offending rate (`arms[control].binary_rate`); null when suppressed or absent. */
  control_rate: number | null;
  /** The ICC row of `reoffended` in `effects[]`: estimate and upper limit (null when not given). */
  icc_estimate: number | null;
  icc_conf_high: number | null;
  /** `attrition.overall`. */
  attrition: number | null;
  /** `feasibility.measures.compliance`, else received / allocated in the treatment arm. */
  compliance: number | null;
  compliance_source: string | null;
  /** People allocated per cluster, over all arms (allocated / clusters_allocated); null without clusters. */
  mean_cluster_size: number | null;
  clusters_randomised: number | null;
  randomised: number | null;
  progression: ReportProgression[];
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** Reads a report JSON file written by `pilot-eval report`. */
export function readReportJson(path: string): ReportPlanningInputs {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--from: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DataError({
      file: path,
      line: null,
      column: null,
      value: null,
      reason: `not valid JSON: ${(err as Error).message}`,
    });
  }
  return planningInputs(doc, path);
}

/** The planning inputs of a parsed report document (`file` names it in errors). */
export function planningInputs(doc: unknown, file: string): ReportPlanningInputs {
  const bad = (column: string, reason: string): DataError =>
    new DataError({ file, line: null, column, value: null, reason });
  if (!isObject(doc)) throw bad('(root)', 'expected a pilot-eval report JSON object');
  const consort = doc.consort;
  if (!isObject(consort) || !Array.isArray(consort.arms))
    throw bad('consort.arms', 'missing: is this a pilot-eval report JSON file?');
  const consortArms = consort.arms.filter(isObject);
  const arms = Array.isArray(doc.arms) ? doc.arms.filter(isObject) : [];
  const effects = Array.isArray(doc.effects) ? doc.effects.filter(isObject) : [];

  const control = arms.find((a) => a.arm === 'control');
  const control_rate = control ? num(control.binary_rate) : null;
  if (control_rate !== null && !(control_rate >= 0 && control_rate <= 1))
    throw bad('arms[control].binary_rate', `must be a proportion, got ${control_rate}`);

  const iccRow = effects.find((e) => e.outcome === 'reoffended' && e.measure === 'icc');
  const icc_estimate = iccRow ? num(iccRow.estimate) : null;
  const icc_conf_high = iccRow ? num(iccRow.conf_high) : null;

  const attrition = isObject(doc.attrition) ? num(doc.attrition.overall) : null;

  let compliance: number | null = null;
  let compliance_source: string | null = null;
  const feasibility = isObject(doc.feasibility) ? doc.feasibility : null;
  const measures = feasibility && isObject(feasibility.measures) ? feasibility.measures : null;
  if (measures && num(measures.compliance) !== null) {
    compliance = num(measures.compliance);
    compliance_source = 'feasibility.measures.compliance';
  } else {
    const treated = consortArms.find((a) => a.arm === 'treatment');
    const allocated = treated ? num(treated.allocated) : null;
    const received = treated ? num(treated.received) : null;
    if (allocated !== null && received !== null && allocated > 0) {
      compliance = received / allocated;
      compliance_source = 'consort.arms[treatment].received / allocated';
    }
  }

  let people = 0;
  let clusters = 0;
  for (const a of consortArms) {
    const allocated = num(a.allocated);
    const k = num(a.clusters_allocated);
    if (allocated !== null && k !== null && k > 0) {
      people += allocated;
      clusters += k;
    }
  }
  const progression: ReportProgression[] = [];
  if (feasibility && Array.isArray(feasibility.progression)) {
    for (const p of feasibility.progression.filter(isObject)) {
      progression.push({
        name: String(p.name ?? ''),
        label: String(p.label ?? p.name ?? ''),
        value: num(p.value),
        green: num(p.green),
        amber: num(p.amber),
        status: typeof p.status === 'string' ? p.status : null,
      });
    }
  }
  return {
    file,
    title: typeof doc.title === 'string' ? doc.title : null,
    stage: typeof doc.stage === 'string' ? doc.stage : null,
    control_rate,
    icc_estimate,
    icc_conf_high,
    attrition,
    compliance,
    compliance_source,
    mean_cluster_size: clusters > 0 ? people / clusters : null,
    clusters_randomised: num(consort.clusters_randomised),
    randomised: num(consort.randomised),
    progression,
  };
}
