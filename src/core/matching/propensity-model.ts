/**
 * The propensity model of a matched comparison (Justice Data Lab style): logistic regression of
 * treated (1) vs pool (0) on the covariates, as R `glm(treat ~ x1 + x2, family = binomial)`.
 * Factor covariates enter as indicators named as R names them (`sexmale`: column name + level),
 * the first level (sorted) the reference.
 */
import { fitLogistic, modelStdErrors, SingularDesignError } from '../stats/logistic-regression.js';

/** One covariate as given: numbers, or text levels of a factor. */
export type CovariateColumn =
  { name: string; kind: 'numeric'; values: Float64Array } | { name: string; kind: 'factor'; values: string[] };

/** A model column (term) built from a covariate. */
export interface ModelTerm {
  term: string;
  covariate: string;
  /** For a factor indicator, the level it marks. */
  level: string | null;
  values: Float64Array;
}

/** R's default level order for character data (sorted), compared by code point in the C locale. */
export function factorLevels(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Expands covariates into model terms (numeric as is; factors as treatment-coded indicators).
 * @throws Error naming the covariate when a factor has a single level.
 */
export function modelTerms(covariates: CovariateColumn[]): ModelTerm[] {
  const terms: ModelTerm[] = [];
  for (const c of covariates) {
    if (c.kind === 'numeric') {
      terms.push({ term: c.name, covariate: c.name, level: null, values: c.values });
      continue;
    }
    const levels = factorLevels(c.values);
    if (levels.length < 2) throw new ConstantCovariateError(c.name);
    for (const level of levels.slice(1)) {
      const v = new Float64Array(c.values.length);
      c.values.forEach((x, i) => (v[i] = x === level ? 1 : 0));
      terms.push({ term: `${c.name}${level}`, covariate: c.name, level, values: v });
    }
  }
  return terms;
}

/** A covariate that takes a single value (or is collinear with others): it cannot enter the model. */
export class ConstantCovariateError extends Error {
  constructor(readonly covariate: string) {
    super(`covariate ${covariate} is constant or collinear with the others`);
    this.name = 'ConstantCovariateError';
  }
}

export interface PropensityFit {
  terms: Array<{ term: string; estimate: number; std_error: number }>;
  /** Linear predictor (logit of the propensity score) per row. */
  logit: Float64Array;
  propensity: Float64Array;
  converged: boolean;
  /** Fitted probabilities numerically 0/1: (quasi-)separation. */
  separation: boolean;
}

/**
 * Fits the propensity model. `treat` is 1 for treated rows, 0 for pool rows.
 * @throws ConstantCovariateError naming the offending term's covariate for a singular design.
 */
export function fitPropensity(treat: Uint8Array, terms: ModelTerm[]): PropensityFit {
  const n = treat.length;
  const p = terms.length + 1;
  const X = new Float64Array(n * p);
  X.fill(1, 0, n);
  terms.forEach((t, j) => X.set(t.values, (j + 1) * n));
  let fit;
  try {
    fit = fitLogistic(X, n, p, treat);
  } catch (err) {
    if (err instanceof SingularDesignError) {
      const t = terms[Math.max(0, err.column - 1)];
      throw new ConstantCovariateError(t ? t.covariate : '(intercept)');
    }
    throw err;
  }
  const se = modelStdErrors(fit);
  const logit = new Float64Array(n);
  const propensity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let eta = 0;
    for (let j = 0; j < p; j++) eta += X[j * n + i]! * fit.coef[j]!;
    logit[i] = eta;
    propensity[i] = 1 / (1 + Math.exp(-eta));
  }
  return {
    terms: ['(Intercept)', ...terms.map((t) => t.term)].map((term, j) => ({
      term,
      estimate: fit.coef[j]!,
      std_error: se[j]!,
    })),
    logit,
    propensity,
    converged: fit.converged,
    separation: fit.boundary,
  };
}
