import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import {
  addAlias,
  choiceOption,
  parseChoiceOption,
  parseDateOption,
  parseIntOption,
  parseNumberOption,
  parseProportionOption,
  resolveAlias,
} from './options.js';
import { parseAllocationRatio } from './commands/power.js';

describe('one parser per kind of value', () => {
  it('numbers: closed, open and half-open ranges name the option and the value', () => {
    expect(parseNumberOption('--x', ' 0.5 ', 0, 1)).toBe(0.5);
    expect(() => parseNumberOption('--x', '1', 0, 1, true)).toThrow(
      new UsageError('--x must be strictly between 0 and 1, got 1'),
    );
    expect(() => parseNumberOption('--x', '1', 0, 1, 'high')).toThrow(new UsageError('--x must be in [0, 1), got 1'));
    expect(parseNumberOption('--x', '0', 0, 1, 'high')).toBe(0);
    expect(() => parseNumberOption('--x', '0', 0, 1, 'low')).toThrow(new UsageError('--x must be in (0, 1], got 0'));
    expect(() => parseNumberOption('--x', '1e', 0, 1)).toThrow(new UsageError('--x must be a number, got "1e"'));
    expect(parseNumberOption('--x', undefined, 0, 1)).toBeUndefined();
  });
  it('whole numbers', () => {
    expect(parseIntOption('--n', '20', 1, 20)).toBe(20);
    expect(() => parseIntOption('--n', '2.5', 1, 20)).toThrow(new UsageError('--n must be a whole number, got "2.5"'));
    expect(() => parseIntOption('--n', '21', 1, 20)).toThrow(new UsageError('--n must be between 1 and 20, got 21'));
  });
  it('proportions say what a proportion is', () => {
    expect(parseProportionOption('--rate', '0.35', 'both')).toBe(0.35);
    expect(() => parseProportionOption('--rate', '35', 'both')).toThrow(
      new UsageError('--rate must be a proportion strictly between 0 and 1 (e.g. 0.35 for 35%), got 35'),
    );
    expect(() => parseProportionOption('--rate', '1.2')).toThrow(
      new UsageError('--rate must be a proportion between 0 and 1 (e.g. 0.35 for 35%), got 1.2'),
    );
  });
  it('dates come back as YYYY-MM-DD', () => {
    expect(parseDateOption('--start', '2026-01-31')).toBe('2026-01-31');
    expect(parseDateOption('--start', '31/01/2026')).toBe('2026-01-31');
    expect(() => parseDateOption('--start', '2026-13-01')).toThrow(/^--start "2026-13-01": month 13 does not exist/);
  });
  it('choices, with synonyms', () => {
    expect(parseChoiceOption('--k', 'b', ['a', 'b'] as const)).toBe('b');
    expect(parseChoiceOption('--k', 'beta', ['a', 'b'] as const, { beta: 'b' })).toBe('b');
    expect(() => parseChoiceOption('--k', 'c', ['a', 'b'] as const)).toThrow(
      new UsageError('--k must be one of a, b; got "c"'),
    );
  });
  it('allocation ratios: a number, or control:treatment parts', () => {
    expect(parseAllocationRatio('--allocation-ratio', '2')).toBe(2);
    expect(parseAllocationRatio('--allocation-ratio', '1:2')).toBe(2);
    expect(parseAllocationRatio('--allocation-ratio', '3:1')).toBeCloseTo(1 / 3, 15);
    expect(() => parseAllocationRatio('--allocation-ratio', '1:2000')).toThrow(
      new UsageError('--allocation-ratio must give a treated/control ratio strictly between 0 and 1000, got "1:2000"'),
    );
    expect(() => parseAllocationRatio('--allocation-ratio', '0')).toThrow(
      new UsageError('--allocation-ratio must be strictly between 0 and 1000, got 0'),
    );
  });
});

describe('older option names', () => {
  it('resolveAlias moves the value, and refuses two different values', () => {
    expect(
      resolveAlias(
        { stratum: 'site' } as { stratum?: string; block?: string },
        'stratum',
        'block',
        '--stratum',
        '--block',
      ),
    ).toEqual({ block: 'site' });
    expect(
      resolveAlias(
        { stratum: 'site', block: 'site' } as { stratum?: string; block?: string },
        'stratum',
        'block',
        '--stratum',
        '--block',
      ),
    ).toEqual({ block: 'site' });
    expect(() =>
      resolveAlias(
        { stratum: 'a', block: 'b' } as { stratum?: string; block?: string },
        'stratum',
        'block',
        '--stratum',
        '--block',
      ),
    ).toThrow(new UsageError('--stratum is the older name of --block: give one of them'));
  });
  it('addAlias: the alias parses like the option, names itself in errors, and reaches the action as the option', async () => {
    const seen: unknown[] = [];
    const cmd = new Command('t').exitOverride();
    cmd.addOption(choiceOption('--kind <k>', 'the kind', ['a', 'b'] as const)).option('--json');
    addAlias(cmd, '--type <k>', '--kind');
    cmd.action((opts) => void seen.push(opts));
    await cmd.parseAsync(['--type', 'b', '--json'], { from: 'user' });
    expect(seen).toEqual([{ kind: 'b', json: true }]);
    await expect(cmd.parseAsync(['--type', 'c'], { from: 'user' })).rejects.toThrow(
      new UsageError('--type must be one of a, b; got "c"'),
    );
    expect(() => addAlias(cmd, '--other <k>', '--missing')).toThrow('t has no option --missing');
  });
});
