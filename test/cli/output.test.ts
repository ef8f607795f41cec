/** When a spinner is drawn: a sized terminal only (never in pipes, CI logs or a 0-column pseudo-terminal). */
import { describe, expect, it } from 'vitest';
import { spinnerWanted } from '../../src/cli/output.js';

describe('spinnerWanted', () => {
  it('draws on a sized terminal only', () => {
    expect(spinnerWanted({ isTTY: true, columns: 80 }, {})).toBe(true);
    expect(spinnerWanted({ isTTY: false, columns: 80 }, {})).toBe(false);
    expect(spinnerWanted({ isTTY: true, columns: 80 }, { CI: 'true' })).toBe(false);
    // A pseudo-terminal nobody sized reports 0 columns: ora redrew there forever (the process hung).
    expect(spinnerWanted({ isTTY: true, columns: 0 }, {})).toBe(false);
    expect(spinnerWanted({ isTTY: true }, {})).toBe(false);
  });
});
