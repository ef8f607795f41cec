/** The report as JSON: the model in the contract's field names, schema_version first. */
import type { ReportModel } from '../core/report/build-report.js';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

export function renderJson(model: ReportModel): string {
  return `${JSON.stringify({ schema_version: 1, ...model }, replacer, 2)}\n`;
}
