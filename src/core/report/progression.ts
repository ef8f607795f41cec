/**
 * Pilot progression criteria as traffic lights (docs/reference/reports.md#progression-criteria): green = proceed, amber =
 * proceed with changes, red = stop. A value at or above `green` is green, at or above `amber` is
 * amber, else red. Thresholds come from the trial file; these are the documented defaults.
 */
import type { ProgressionThreshold } from './types.js';

export const DEFAULT_PROGRESSION: Readonly<Record<string, ProgressionThreshold>> = {
  recruitment: { green: 0.8, amber: 0.5 },
  retention: { green: 0.8, amber: 0.65 },
  engagement: { green: 0.7, amber: 0.5 },
  fidelity: { green: 0.75, amber: 0.5 },
};

export type LightStatus = 'green' | 'amber' | 'red' | 'not_measured';

export interface ProgressionItem {
  name: string;
  label: string;
  value: number | null;
  green: number;
  amber: number;
  status: LightStatus;
  basis: string;
}

/** The light for one value. */
export function trafficLight(value: number | null, t: ProgressionThreshold): LightStatus {
  if (value === null || !Number.isFinite(value)) return 'not_measured';
  if (value >= t.green - 1e-12) return 'green';
  if (value >= t.amber - 1e-12) return 'amber';
  return 'red';
}

export interface ProgressionDecision {
  status: 'proceed' | 'proceed_with_changes' | 'stop' | 'undetermined';
  text: string;
}

/** Any red -> stop; else any amber -> proceed with changes; all green -> proceed. */
export function progressionDecision(items: ProgressionItem[]): ProgressionDecision {
  const measured = items.filter((i) => i.status !== 'not_measured');
  const n = (s: LightStatus) => items.filter((i) => i.status === s).length;
  const tally = `${n('green')} green, ${n('amber')} amber, ${n('red')} red${n('not_measured') ? `, ${n('not_measured')} not measured` : ''}`;
  if (measured.length === 0)
    return { status: 'undetermined', text: `No progression criterion could be measured (${tally}).` };
  const reds = items.filter((i) => i.status === 'red').map((i) => i.label.toLowerCase());
  const ambers = items.filter((i) => i.status === 'amber').map((i) => i.label.toLowerCase());
  if (reds.length)
    return {
      status: 'stop',
      text: `Stop, or rethink before a larger trial: ${reds.join(', ')} below the amber threshold (${tally}).`,
    };
  if (ambers.length)
    return { status: 'proceed_with_changes', text: `Proceed with changes to ${ambers.join(', ')} (${tally}).` };
  return { status: 'proceed', text: `Proceed to a larger trial: every measured criterion is green (${tally}).` };
}
