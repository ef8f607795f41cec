/** The `analyse` call the report makes: the same code and options as `pilot-eval analyse`. */
import { analyseTrial, type AnalyseOptions } from '../core/analysis/analyse-trial.js';
import type { AnalyseResult } from '../core/report/types.js';
import type { TextTable } from '../io/table.js';

export function analyseTable(table: TextTable, options: AnalyseOptions): AnalyseResult {
  return analyseTrial(table, { ...options, outcomes: ['reoffended', 'reoffences', 'days_to_reoffence'] });
}
