/**
 * Runs what the report needs from the other modules: proven re-offending outcomes from the
 * offences file (src/io/outcomes-input), the `analyse` result (treatment vs control, plus the
 * pre-specified told vs not told sub-group in concept 2), per-person survival data for the
 * Kaplan-Meier picture, and the MDES at randomisation from the power module (logit d).
 */
import type { Concept } from '../core/concepts.js';
import { binaryDetectable, designEffect } from '../core/power/binary-power.js';
import type { AnalyseResult, MdesInfo, PersonOutcome, TrialConfig } from '../core/report/types.js';
import { loadOutcomesFromFiles } from '../io/outcomes-input.js';
import type { TextTable } from '../io/table.js';
import { selectRows, withDerivedOutcomes } from '../core/analysis/trial-data.js';
import { analyseTable } from './analyse-table.js';
import { DataError } from '../core/errors.js';

export interface AnalyseForReportArgs {
  concept: Concept;
  trial: TrialConfig;
  casesPath: string;
  offencesPath: string | null;
  delimiter?: string;
}

export interface AnalyseForReport {
  casesTable: TextTable | null;
  analysis: AnalyseResult | null;
  subgroups: Array<{ name: string; description: string; analysis: AnalyseResult }>;
  survival: PersonOutcome[];
  mdes: MdesInfo | null;
  /** sha256 of the cases and offences files, computed while they were read (null when not read here). */
  sha256: { cases: string | null; offences: string | null };
}


export async function analyseForReport(args: AnalyseForReportArgs): Promise<AnalyseForReport> {
  const { concept, trial } = args;
  if (!args.offencesPath) {
    return { casesTable: null, analysis: null, subgroups: [], survival: [], mdes: null, sha256: { cases: null, offences: null } };
  }
  const loaded = await loadOutcomesFromFiles(args.casesPath, args.offencesPath, {
    delimiter: args.delimiter,
    followUpDays: trial.outcome_windows.follow_up_days,
    waitingDays: trial.outcome_windows.waiting_days,
    hash: true,
  });
  // analyseTrial treats `withdrawn = yes` as lost to follow-up, as `analyse` does.
  const table = withDerivedOutcomes(loaded.cases.table, loaded.outcomes);
  const arms = table.cells.get('arm');
  const cluster = concept.cluster_column && table.cells.has(concept.cluster_column) ? concept.cluster_column : undefined;
  if (arms) {
    // The arms come from the trial file, not from options: say so, naming the cases file.
    const present = new Set(arms);
    const absent = [trial.arms.treatment, trial.arms.control].filter((a) => !present.has(a));
    if (absent.length) {
      const seen = [...present].filter((a) => a !== '').slice(0, 10).map((a) => JSON.stringify(a)).join(', ') || 'none';
      throw new DataError({
        file: table.file,
        line: null,
        column: 'arm',
        value: null,
        reason: `no one is allocated to ${absent.map((a) => `"${a}"`).join(' or ')} (arms in the file: ${seen}); a report compares the trial's treatment and control arms (set them under arms: in the trial file)`,
      });
    }
  }
  const analysis = analyseTable(table, { treatment: trial.arms.treatment, control: trial.arms.control, cluster, covariates: trial.analysis.covariates, alpha: trial.analysis.alpha });

  const subgroups: AnalyseForReport['subgroups'] = [];
  if (concept.nested && table.cells.has('sub_arm')) {
    // Nested randomisation inside the fund arm: told vs not told, analysed as its own trial.
    const sub = table.cells.get('sub_arm')!;
    const keep = Array.from({ length: table.n }, (_, i) => i).filter((i) => arms?.[i] === concept.nested!.arm && sub[i] !== '');
    if (keep.length > 0) {
      const subTable = selectRows(table, keep);
      subTable.cells.set('arm', keep.map((i) => sub[i]!));
      const [told, notTold] = concept.nested.sub_arms;
      const present = new Set(subTable.cells.get('arm'));
      if (present.has(told) && present.has(notTold)) {
        subgroups.push({
          name: 'Told vs not told the fund amount',
          description: `Within the ${concept.nested.arm} arm, people were randomised to be told (${told.replace(/_/g, ' ')}) or not told (${notTold.replace(/_/g, ' ')}) how much they could spend. Effects are told minus not told; pre-specified.`,
          analysis: analyseTable(subTable, { treatment: told, control: notTold, alpha: trial.analysis.alpha, covariates: [] }),
        });
      }
    }
  }

  // Per-person survival for the KM picture: measurable people who were not lost.
  const survival: PersonOutcome[] = [];
  const rf = table.numbers!.get('reoffended')!;
  for (let i = 0; i < table.n; i++) {
    if (!loaded.outcomes.measurable[i] || Number.isNaN(rf[i]!)) continue;
    survival.push({ arm: arms?.[i] ?? '', event: loaded.outcomes.reoffended[i] ? 1 : 0, time: loaded.outcomes.followUpDays[i]! });
  }

  return {
    casesTable: loaded.cases.table,
    analysis,
    subgroups,
    survival,
    mdes: mdesAtRandomisation(concept, trial, table, analysis),
    sha256: { cases: loaded.cases.table.sha256 ?? null, offences: loaded.sha256 },
  };
}

/**
 * MDES at randomisation (METHODS.md "Security rating"): the smallest reduction in the binary
 * re-offending rate detectable with the trial's randomised sizes (80% power, two-sided 5%),
 * as logit d. Control rate and ICC from the trial file's assumptions; a cluster design without an
 * assumed ICC uses the ICC estimated by `analyse` (floored at 0).
 */
export function mdesAtRandomisation(concept: Concept, trial: TrialConfig, table: TextTable, analysis: AnalyseResult | null): MdesInfo | null {
  const arms = table.cells.get('arm');
  if (!arms) return null;
  const nC = arms.filter((a) => a === trial.arms.control).length;
  const nT = arms.filter((a) => a === trial.arms.treatment).length;
  if (nC === 0 || nT === 0) return null;
  let de = 1;
  let icc: number | null = null;
  if (concept.unit === 'cluster' && concept.cluster_column && table.cells.has(concept.cluster_column)) {
    const teams = table.cells.get(concept.cluster_column)!.filter((t, i) => t !== '' && (arms[i] === trial.arms.control || arms[i] === trial.arms.treatment));
    const k = new Set(teams).size;
    const estimated = analysis?.effects.find((e) => e.outcome === 'reoffended' && e.measure === 'icc')?.estimate ?? null;
    icc = trial.assumptions.icc ?? (estimated === null ? null : Math.max(0, estimated));
    if (k > 0 && icc !== null) de = designEffect((nC + nT) / k, icc);
  }
  const p1 = trial.assumptions.control_rate;
  const d = binaryDetectable({ p1, n1: nC, ratio: nT / nC, power: trial.assumptions.power, designEffect: de, alpha: 0.05 });
  if (d.logit_d === null || d.detectable_p2 === null) return null;
  return {
    logit_d: d.logit_d,
    control_rate: p1,
    detectable_rate: d.detectable_p2,
    n_control: nC,
    n_treatment: nT,
    design_effect: de,
    icc,
    method: `normal approximation (power.prop.test)${de > 1 ? `, design effect 1 + (m - 1) x ICC ${icc!.toFixed(3)}` : ''}`,
  };
}
