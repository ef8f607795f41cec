/**
 * `power --outcome-type binary`: individually randomised (normal, continuity or arcsine), cluster
 * randomised with cpa.binary's t correction (default) or the design effect on the normal
 * approximation (`--cluster-test z`), a fixed number of clusters (`--J`: solve the cluster size or
 * report the ceiling), and Hayes & Bennett's k (`--cv-between`).
 */
import { UsageError } from '../core/errors.js';
import {
  binaryDetectable,
  binaryPower,
  binarySampleSize,
  checkRate,
  cohensH,
  designEffect,
  logitD,
} from '../core/power/binary-power.js';
import {
  clusterBinaryClusters,
  clusterBinaryClusterSize,
  clusterBinaryDetectable,
  clusterBinaryPower,
  hayesBennettClusters,
  type ClusterBinaryDesign,
} from '../core/power/cluster-binary.js';
import { curveSizes, type CurvePoint } from '../core/power/power-curve.js';
import { writeFileAtomic } from '../io/atomic.js';
import { powerCurveSvg } from '../report/svg/power-curve-svg.js';
import { inferSolve, type BinaryPowerResult, type CalendarHooks, type PowerOptions, type Settings } from './power.js';

type Planned = { result: BinaryPowerResult; hooks: CalendarHooks };

export function runBinary(o: PowerOptions, s: Settings): Planned {
  if (o.p1 === undefined) throw new UsageError('--p1 (control rate) is required with --outcome-type binary');
  checkRate('--p1', o.p1);
  if (o.p2 !== undefined) checkRate('--p2', o.p2);
  if (o.p2 !== undefined && o.p2 === o.p1)
    throw new UsageError(`--p1 and --p2 must differ (both are ${o.p1}): there is no effect to detect`);
  const method = o.method ?? 'normal';
  if (o.cvBetween !== undefined) return runHayesBennett(o, s);
  const clustered = o.icc !== undefined || o.clusterSize !== undefined || o.J !== undefined;
  const clusterTest = clustered ? (o.clusterTest ?? (method === 'normal' ? 't' : 'z')) : null;
  if (o.clusterTest !== undefined && !clustered)
    throw new UsageError('--cluster-test needs a cluster design (--icc with --cluster-size or --J)');
  if (clusterTest === 't') {
    if (method !== 'normal')
      throw new UsageError(
        `--cluster-test t uses the normal-approximation method; --method ${method} needs --cluster-test z`,
      );
    return runClusterT(o, s);
  }
  if (o.J !== undefined)
    throw new UsageError('--J (clusters per arm) needs --cluster-test t (the default with --method normal)');
  return runNormal(o, s, method);
}

/** p2 diluted by compliance: the intention-to-treat rate when only a share receive the intervention. */
function itt(p1: number, p2: number | undefined, compliance: number): number | undefined {
  return p2 === undefined ? undefined : p1 + compliance * (p2 - p1);
}

function curveAndPlot(
  o: PowerOptions,
  s: Settings,
  p2: number | null,
  n1: number,
  powerAt: (n1: number) => number,
  lowest: number,
  label: string,
): { power_curve: CurvePoint[]; plot: string | null } {
  const power_curve: CurvePoint[] =
    p2 === null
      ? []
      : curveSizes(Math.max(lowest, Math.floor(n1 / 8)), Math.max(10, 2 * n1), 24).map((x) => ({
          size: x,
          power: powerAt(x),
        }));
  let plot: string | null = null;
  if (o.plot) {
    if (power_curve.length === 0)
      throw new UsageError('--plot: nothing to draw, no treated rate is detectable at this size');
    writeFileAtomic(
      o.plot,
      powerCurveSvg(power_curve, {
        title: `Power, p1 = ${o.p1}, p2 = ${p2!.toFixed(3)} (${label})`,
        xLabel: 'control-arm size n1 (people)',
        target: s.target,
        mark: n1,
      }),
    );
    plot = o.plot;
  }
  return { power_curve, plot };
}

function base(
  o: PowerOptions,
  s: Settings,
): Omit<
  BinaryPowerResult,
  | 'solve'
  | 'method'
  | 'cluster_test'
  | 'n_per_arm'
  | 'n_per_arm_exact'
  | 'n_total'
  | 'clusters_per_arm'
  | 'clusters_per_arm_exact'
  | 'design_effect'
  | 'df'
  | 'power'
  | 'feasible'
  | 'max_power'
  | 'cohens_h'
  | 'detectable_p2'
  | 'logit_d'
  | 'cluster_size'
  | 'cluster_size_exact'
  | 'power_curve'
  | 'plot'
> {
  return {
    outcome: 'binary',
    p1: o.p1!,
    p2: itt(o.p1!, o.p2, s.compliance) ?? null,
    ratio: o.ratio ?? 1,
    target_power: s.target,
    alpha: s.alpha,
    two_tailed: s.twoTailed,
    icc: o.icc ?? null,
    cluster_cv: o.clusterCv ?? null,
    cv_between: o.cvBetween ?? null,
    attrition: s.attrition,
    compliance: s.compliance,
    curve_size: 'n',
  };
}

/** Individually randomised, or clusters through the design effect (`--cluster-test z`). */
function runNormal(o: PowerOptions, s: Settings, method: BinaryPowerResult['method']): Planned {
  const p1 = o.p1!;
  const p2 = itt(p1, o.p2, s.compliance);
  const solve = inferSolve(o, o.p2 !== undefined, o.n !== undefined);
  const ratio = o.ratio ?? 1;
  const test = { method, ratio, alpha: s.alpha, twoTailed: s.twoTailed };
  checkSolve(o, solve);
  const clustered = o.icc !== undefined || o.clusterSize !== undefined;
  if (clustered && (o.icc === undefined || o.clusterSize === undefined))
    throw new UsageError('--icc and --cluster-size go together: give both for a cluster design');
  if (o.clusterCv !== undefined && !clustered) throw new UsageError('--cluster-cv needs --icc and --cluster-size');
  const de = clustered ? designEffect(o.clusterSize!, o.icc!, o.clusterCv ?? 0) : 1;
  // People randomised per control arm -> effective (analysed, independent) size.
  const effective = (n1: number): number => (n1 * (1 - s.attrition)) / de;
  const direction = o.direction ?? (p2 !== undefined && p2 > p1 ? 'higher' : 'lower');
  let n1: number;
  let n1Exact: number;
  if (solve === 'n') {
    n1Exact = (binarySampleSize(p1, p2!, s.target, test) * de) / (1 - s.attrition);
    n1 = Math.ceil(n1Exact - 1e-9);
  } else {
    n1 = o.n!;
    n1Exact = o.n!;
  }
  if (!(n1 > 0)) throw new UsageError(`--n must be positive, got ${n1}`);
  const n2Exact = ratio * n1Exact;
  const n2 = solve === 'n' ? Math.ceil(n2Exact - 1e-9) : Math.ceil(ratio * n1 - 1e-9);
  const power = p2 !== undefined ? binaryPower(p1, p2, effective(n1), test) : s.target;
  const det = binaryDetectable({
    ...test,
    p1,
    n1: n1 * (1 - s.attrition),
    power: s.target,
    designEffect: de,
    direction,
  });
  const curveP2 = p2 ?? det.detectable_p2;
  const { power_curve, plot } = curveAndPlot(
    o,
    s,
    curveP2,
    n1,
    (x) => binaryPower(p1, curveP2!, effective(x), test),
    2,
    method,
  );
  const m = o.clusterSize;
  const hooks: CalendarHooks = {
    people: n1 + n2,
    at: (people) => {
      const c1 = people / (1 + ratio);
      const d = binaryDetectable({
        ...test,
        p1,
        n1: c1 * (1 - s.attrition),
        power: s.target,
        designEffect: de,
        direction,
      });
      return { power: p2 !== undefined ? binaryPower(p1, p2, effective(c1), test) : null, mdes: d.logit_d };
    },
  };
  const result: BinaryPowerResult = {
    ...base(o, s),
    solve,
    method,
    cluster_test: clustered ? 'z' : null,
    n_per_arm: [n1, n2],
    n_per_arm_exact: [n1Exact, n2Exact],
    n_total: n1 + n2,
    clusters_per_arm: clustered ? [Math.ceil(n1 / m! - 1e-9), Math.ceil(n2 / m! - 1e-9)] : null,
    clusters_per_arm_exact: clustered ? n1Exact / m! : null,
    design_effect: de,
    df: null,
    power,
    feasible: true,
    max_power: null,
    cohens_h: p2 !== undefined ? cohensH(p1, p2) : det.cohens_h,
    detectable_p2: det.detectable_p2,
    logit_d: solve === 'mdes' ? det.logit_d : p2 !== undefined ? logitD(p1, p2) : det.logit_d,
    cluster_size: o.clusterSize ?? null,
    cluster_size_exact: null,
    power_curve,
    plot,
  };
  return { result, hooks };
}

function checkSolve(o: PowerOptions, solve: string): void {
  if (solve === 'n' && o.n !== undefined)
    throw new UsageError('--n conflicts with --solve n: the size is the answer; leave --n out');
  if (solve !== 'n' && o.n === undefined && o.J === undefined)
    throw new UsageError(`--n (control-arm size) is required for --solve ${solve}`);
  if (solve !== 'mdes' && o.p2 === undefined)
    throw new UsageError(`--p2 (treated rate) is required for --solve ${solve}`);
  if (solve === 'mdes' && o.p2 !== undefined)
    throw new UsageError(
      '--p2 conflicts with --solve mdes: the detectable treated rate is the answer; use --solve power for --p2',
    );
}

/** Cluster randomised with the t correction on J (1 + r) - 2 df (clusterPower::cpa.binary). */
function runClusterT(o: PowerOptions, s: Settings): Planned {
  const p1 = o.p1!;
  const p2 = itt(p1, o.p2, s.compliance);
  if (o.icc === undefined)
    throw new UsageError(
      '--icc and --cluster-size go together: give both for a cluster design (a fixed --J needs --icc too)',
    );
  const ratio = o.ratio ?? 1;
  const keep = 1 - s.attrition;
  const design = (m: number, q2: number): ClusterBinaryDesign => ({
    p1,
    p2: q2,
    m: m * keep,
    icc: o.icc!,
    cv: o.clusterCv,
    ratio,
    alpha: s.alpha,
    twoTailed: s.twoTailed,
  });
  const direction = o.direction ?? (p2 !== undefined && p2 > p1 ? 'higher' : 'lower');
  const fixedJ = o.J !== undefined && o.clusterSize === undefined;
  if (!fixedJ && o.clusterSize === undefined)
    throw new UsageError(
      '--icc and --cluster-size go together: give both for a cluster design (or --icc with --J, clusters per arm, to solve the cluster size)',
    );
  if (o.J !== undefined && o.n !== undefined)
    throw new UsageError('--J and --n both fix the size: give --J with --cluster-size, or --n');
  const sizeGiven = o.n !== undefined || (o.J !== undefined && o.clusterSize !== undefined);
  const solve = inferSolve(o, o.p2 !== undefined, sizeGiven);
  checkSolve(o, solve);
  if (fixedJ && solve !== 'n')
    throw new UsageError(
      `--J without --cluster-size solves the cluster size: give --p2 (and leave --solve ${solve} out), or add --cluster-size`,
    );

  let J: number;
  let m: number;
  let Jexact: number | null = null;
  let mExact: number | null = null;
  let feasible = true;
  let maxPower: number | null = null;
  if (fixedJ) {
    J = o.J!;
    const r = clusterBinaryClusterSize(
      { p1, p2: p2!, icc: o.icc, cv: o.clusterCv, ratio, alpha: s.alpha, twoTailed: s.twoTailed },
      J,
      s.target,
    );
    maxPower = r.max_power;
    feasible = r.feasible;
    // Cluster sizes are people randomised; the solution is for people analysed.
    mExact = r.cluster_size_exact !== null ? r.cluster_size_exact / keep : null;
    m = mExact !== null ? Math.max(1, Math.ceil(mExact - 1e-9)) : NaN;
    while (feasible && clusterBinaryPower(design(m, p2!), J) < s.target) m += 1;
  } else if (solve === 'n') {
    m = o.clusterSize!;
    const r = clusterBinaryClusters(design(m, p2!), s.target);
    J = r.clusters;
    Jexact = r.exact;
  } else {
    m = o.clusterSize!;
    J = o.J ?? o.n! / m;
  }
  const df = J * (1 + ratio) - 2;
  const det = feasible ? clusterBinaryDetectable(design(m, p1), J, s.target, direction) : null;
  const power = !feasible ? null : p2 !== undefined ? clusterBinaryPower(design(m, p2), J) : s.target;
  const n1 = feasible ? J * m : null;
  const curveP2 = p2 ?? det;
  const { power_curve, plot } = feasible
    ? curveAndPlot(
        o,
        s,
        curveP2,
        n1!,
        (x) =>
          fixedJ ? clusterBinaryPower(design(x / J, curveP2!), J) : clusterBinaryPower(design(m, curveP2!), x / m),
        fixedJ ? J : Math.ceil((2 * m) / (1 + ratio)) + 1,
        'cluster t',
      )
    : { power_curve: [], plot: null };
  if (!feasible && o.plot)
    throw new UsageError(
      `--plot: no cluster size reaches power ${s.target} with ${J} clusters per arm (max_power ${maxPower!.toFixed(3)})`,
    );
  const hooks: CalendarHooks = {
    people: n1 === null ? null : n1 * (1 + ratio),
    at: (people) => {
      const c1 = people / (1 + ratio);
      const [JJ, mm] = fixedJ ? [J, c1 / J] : [c1 / m, m];
      const d = clusterBinaryDetectable(design(mm, p1), JJ, s.target, direction);
      return {
        power: p2 !== undefined ? clusterBinaryPower(design(mm, p2), JJ) : null,
        mdes: d === null ? null : logitD(p1, d),
      };
    },
  };
  const integerJ = Number.isInteger(J) ? J : Math.ceil(J - 1e-9);
  const result: BinaryPowerResult = {
    ...base(o, s),
    solve,
    method: 'normal',
    cluster_test: 't',
    n_per_arm: n1 === null ? null : [n1, Math.ceil(ratio * n1 - 1e-9)],
    n_per_arm_exact:
      n1 === null
        ? null
        : [
            Jexact !== null ? Jexact * m : mExact !== null ? J * mExact : n1,
            ratio * (Jexact !== null ? Jexact * m : mExact !== null ? J * mExact : n1),
          ],
    n_total: n1 === null ? null : n1 + Math.ceil(ratio * n1 - 1e-9),
    clusters_per_arm: [integerJ, Math.ceil(ratio * J - 1e-9)],
    clusters_per_arm_exact: Jexact,
    design_effect: feasible ? designEffect(m * keep, o.icc, o.clusterCv ?? 0) : NaN,
    df,
    power,
    feasible,
    max_power: maxPower,
    cohens_h: p2 !== undefined ? cohensH(p1, p2) : det !== null ? cohensH(p1, det) : null,
    detectable_p2: det,
    logit_d: p2 !== undefined ? logitD(p1, p2) : det !== null ? logitD(p1, det) : null,
    cluster_size: feasible ? m : null,
    cluster_size_exact: mExact,
    power_curve,
    plot,
  };
  // No cluster size: no design effect (NaN prints as null in JSON).
  return { result, hooks };
}

/** Hayes & Bennett (1999): clusters per arm from the between-cluster coefficient of variation k. */
function runHayesBennett(o: PowerOptions, s: Settings): Planned {
  const p1 = o.p1!;
  const p2 = itt(p1, o.p2, s.compliance);
  if (o.icc !== undefined) throw new UsageError('--cv-between and --icc are two ways to describe clustering: give one');
  if (o.clusterSize === undefined) throw new UsageError('--cv-between needs --cluster-size (people per cluster)');
  if (p2 === undefined) throw new UsageError('--cv-between needs --p2: it gives the clusters per arm for an effect');
  if (o.solve !== undefined && o.solve !== 'n')
    throw new UsageError(`--cv-between solves for the number of clusters; --solve ${o.solve} is not available with it`);
  if (o.n !== undefined || o.J !== undefined)
    throw new UsageError('--cv-between solves for the clusters per arm: leave --n and --J out');
  if (o.ratio !== undefined && o.ratio !== 1)
    throw new UsageError('--cv-between assumes equal arms (Hayes & Bennett): leave --allocation-ratio out');
  const m = o.clusterSize;
  const exact = hayesBennettClusters(p1, p2, m * (1 - s.attrition), o.cvBetween!, {
    power: s.target,
    alpha: s.alpha,
    twoTailed: s.twoTailed,
  });
  const c = Math.ceil(exact - 1e-9);
  const n1 = c * m;
  const result: BinaryPowerResult = {
    ...base(o, s),
    solve: 'n',
    method: 'normal',
    cluster_test: 'hayes-bennett',
    n_per_arm: [n1, n1],
    n_per_arm_exact: [exact * m, exact * m],
    n_total: 2 * n1,
    clusters_per_arm: [c, c],
    clusters_per_arm_exact: exact,
    // Hayes & Bennett's k replaces the ICC: there is no design effect in their formula.
    design_effect: NaN,
    df: null,
    power: s.target,
    feasible: true,
    max_power: null,
    cohens_h: cohensH(p1, p2),
    detectable_p2: null,
    logit_d: logitD(p1, p2),
    cluster_size: m,
    cluster_size_exact: null,
    power_curve: [],
    plot: null,
  };
  if (o.plot)
    throw new UsageError('--plot is not available with --cv-between (the formula gives a size, not a power curve)');
  return { result, hooks: { people: 2 * n1, at: () => ({ power: null, mdes: null }) } };
}
