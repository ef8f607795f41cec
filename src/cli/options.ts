/**
 * One parser per kind of option value, shared by every command: whole numbers and numbers with a
 * range, proportions, dates, comma-separated lists and choices. Each throws a UsageError (exit 2)
 * naming the option and the value. The `*Arg` forms plug the same parsers into commander's
 * `argParser`, so a bad value is refused while the command line is read; the `parse*Option` forms
 * take the text of an option for callers that build options programmatically.
 *
 * Rules that involve several options (`--seed` only with `--simulate`) belong to the use case in
 * src/app, not here.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { formatDate, parseDate } from '../core/dates.js';

/** The bounds of a number option; `open` says which ends are excluded ("strictly between"). */
export interface Range {
  min?: number;
  max?: number;
  open?: 'none' | 'both' | 'low' | 'high';
}

function rangeText(min: number, max: number, open: NonNullable<Range['open']>): string {
  if (open === 'none') return `between ${min} and ${max}`;
  if (open === 'both') return `strictly between ${min} and ${max}`;
  return `in ${open === 'low' ? '(' : '['}${min}, ${max}${open === 'high' ? ')' : ']'}`;
}

function checkRange(name: string, v: number, r: Range): number {
  const min = r.min ?? -Infinity;
  const max = r.max ?? Infinity;
  const open = r.open ?? 'none';
  const lowOk = open === 'both' || open === 'low' ? v > min : v >= min;
  const highOk = open === 'both' || open === 'high' ? v < max : v <= max;
  if (!lowOk || !highOk) throw new UsageError(`${name} must be ${rangeText(min, max, open)}, got ${v}`);
  return v;
}

export function parseIntOption(
  name: string,
  text: string | undefined,
  min = -Infinity,
  max = Infinity,
): number | undefined {
  if (text === undefined) return undefined;
  const t = String(text).trim();
  if (!/^[+-]?\d+$/.test(t)) throw new UsageError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  const v = Number(t);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${name} is too large: ${text}`);
  return checkRange(name, v, { min, max });
}

/** A number within `min`..`max`; `exclusive` excludes both ends (or give a Range for one open end). */
export function parseNumberOption(
  name: string,
  text: string | undefined,
  min = -Infinity,
  max = Infinity,
  exclusive: boolean | Range['open'] = false,
): number | undefined {
  if (text === undefined) return undefined;
  const t = String(text).trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t))
    throw new UsageError(`${name} must be a number, got ${JSON.stringify(text)}`);
  const open = exclusive === true ? 'both' : exclusive === false ? 'none' : exclusive;
  return checkRange(name, Number(t), { min, max, open });
}

/** A proportion: a number between 0 and 1 (`open` excludes an end: 'both' for a probability that must be neither 0 nor 1). */
export function parseProportionOption(
  name: string,
  text: string | undefined,
  open: Range['open'] = 'none',
): number | undefined {
  const v = parseNumberOption(name, text);
  if (v === undefined) return undefined;
  try {
    return checkRange(name, v, { min: 0, max: 1, open });
  } catch {
    throw new UsageError(
      `${name} must be a proportion ${rangeText(0, 1, open ?? 'none')} (e.g. 0.35 for 35%), got ${String(text).trim()}`,
    );
  }
}

/** A calendar date as written on the command line (YYYY-MM-DD or DD/MM/YYYY), returned as YYYY-MM-DD. */
export function parseDateOption(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const d = parseDate(String(text).trim());
  if (!d.ok) throw new UsageError(`${name} ${JSON.stringify(text)}: ${d.reason}`);
  return formatDate(d.day);
}

export function parseListOption(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = String(text)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items;
}

export function requireOption<T>(name: string, value: T | undefined): T {
  if (value === undefined || value === null || value === '') throw new UsageError(`${name} is required`);
  return value;
}

/** Parses `--seed`: required where randomness is used, so results can be reproduced. */
export function parseSeed(text: string | undefined, required = true): number | undefined {
  const v = parseIntOption('--seed', text, -9007199254740991, 9007199254740991);
  if (v === undefined && required) throw new UsageError('--seed <int> is required so the result can be reproduced');
  return v;
}

/**
 * Parses an option that must be one of `choices` (UsageError listing them). `synonyms` maps other
 * accepted spellings onto a choice (e.g. continuous -> standardised).
 */
export function parseChoiceOption<T extends string>(
  name: string,
  text: string | undefined,
  choices: readonly T[],
  synonyms: Readonly<Record<string, T>> = {},
): T | undefined {
  if (text === undefined) return undefined;
  if (Object.hasOwn(synonyms, text)) return synonyms[text];
  if (!(choices as readonly string[]).includes(text))
    throw new UsageError(`${name} must be one of ${choices.join(', ')}; got ${JSON.stringify(text)}`);
  return text as T;
}

/** Parses `--seed` where `random` (like no seed) asks for one drawn from crypto: undefined. */
export function parseSeedOrRandom(text: string | undefined): number | undefined {
  if (text !== undefined && String(text).trim().toLowerCase() === 'random') return undefined;
  return parseSeed(text, false);
}

// ---- the same parsers for commander's argParser ------------------------------------------------

/** A whole number within `min`..`max`, for `.argParser()`. */
export const intArg =
  (name: string, min = -Infinity, max = Infinity) =>
  (text: string): number =>
    parseIntOption(name, text, min, max)!;

/** A number within a range, for `.argParser()`. */
export const numberArg =
  (name: string, min = -Infinity, max = Infinity, open: Range['open'] = 'none') =>
  (text: string): number =>
    parseNumberOption(name, text, min, max, open)!;

/** A proportion, for `.argParser()`. */
export const proportionArg =
  (name: string, open: Range['open'] = 'none') =>
  (text: string): number =>
    parseProportionOption(name, text, open)!;

/** A date (returned as YYYY-MM-DD), for `.argParser()`. */
export const dateArg =
  (name: string) =>
  (text: string): string =>
    parseDateOption(name, text)!;

/** A comma-separated list, for `.argParser()`. */
export const listArg =
  () =>
  (text: string): string[] =>
    parseListOption(text)!;

/**
 * An option whose value is one of `choices`: commander lists them in `--help` (as `.choices()`
 * does), and a bad value is a UsageError naming the option, the value and the choices.
 */
export function choiceOption<T extends string>(
  flags: string,
  description: string,
  choices: readonly T[],
  synonyms: Readonly<Record<string, T>> = {},
): Option {
  const opt = new Option(flags, description);
  const name = opt.long ?? opt.short ?? flags;
  opt.argChoices = [...choices];
  return opt.argParser((text: string) => parseChoiceOption(name, text, choices, synonyms)!);
}

/**
 * Declares `aliasFlags` (an older name people have in scripts) as another name for the option
 * `canonical` already declared on `cmd`: it takes the same values, cannot be given together with
 * it (commander's `conflicts`), is shown in `--help` as the older name, and before the action runs
 * its value is moved to the canonical option, with a one-line note on stderr (none under --json).
 */
export function addAlias(cmd: Command, aliasFlags: string, canonical: string): Command {
  const target = cmd.options.find((o) => o.long === canonical);
  if (!target) throw new Error(`addAlias: ${cmd.name()} has no option ${canonical}`);
  const alias = new Option(aliasFlags, `older name of ${canonical}, kept for scripts`).conflicts(
    target.attributeName(),
  );
  if (target.argChoices) alias.argChoices = [...target.argChoices];
  const aliasName = alias.long!;
  if (target.parseArg) {
    const parse = target.parseArg;
    // The alias's own value is named by the alias in any message.
    alias.argParser((text: string, previous: unknown) => {
      try {
        return parse(text, previous);
      } catch (err) {
        if (err instanceof UsageError) throw new UsageError(err.message.replaceAll(canonical, aliasName));
        throw err;
      }
    });
  }
  cmd.addOption(alias);
  cmd.hook('preAction', (thisCommand) => {
    const value = thisCommand.getOptionValue(alias.attributeName());
    if (value === undefined) return;
    thisCommand.setOptionValueWithSource(target.attributeName(), value, 'cli');
    thisCommand.setOptionValue(alias.attributeName(), undefined);
    if (thisCommand.getOptionValue('json') !== true)
      process.stderr.write(`pilot-eval: note: ${aliasName} is the older name of ${canonical}; it still works\n`);
  });
  return cmd;
}

/**
 * Moves an alias's value to its canonical key in a plain options object (for use cases called
 * with commander-shaped options outside commander, e.g. in tests). A UsageError if both are given
 * with different values.
 */
export function resolveAlias<O extends object>(
  o: O,
  alias: keyof O & string,
  canonical: keyof O & string,
  aliasFlag: string,
  canonicalFlag: string,
): O {
  if (o[alias] === undefined) return o;
  if (o[canonical] !== undefined && o[canonical] !== o[alias])
    throw new UsageError(`${aliasFlag} is the older name of ${canonicalFlag}: give one of them`);
  const out = { ...o, [canonical]: o[alias] };
  delete out[alias];
  return out;
}
