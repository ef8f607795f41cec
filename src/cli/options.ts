/** Option parsers shared by the command adapters: each throws a UsageError naming the option. */
import { UsageError } from '../core/errors.js';

export function parseIntOption(name: string, text: string | undefined, min = -Infinity, max = Infinity): number | undefined {
  if (text === undefined) return undefined;
  const t = String(text).trim();
  if (!/^[+-]?\d+$/.test(t)) throw new UsageError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  const v = Number(t);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${name} is too large: ${text}`);
  if (v < min || v > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

export function parseNumberOption(name: string, text: string | undefined, min = -Infinity, max = Infinity, exclusive = false): number | undefined {
  if (text === undefined) return undefined;
  const t = String(text).trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new UsageError(`${name} must be a number, got ${JSON.stringify(text)}`);
  const v = Number(t);
  const bad = exclusive ? v <= min || v >= max : v < min || v > max;
  if (bad) throw new UsageError(`${name} must be ${exclusive ? 'strictly ' : ''}between ${min} and ${max}, got ${v}`);
  return v;
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

/** Parses an option that must be one of `choices` (UsageError listing them). */
export function parseChoiceOption<T extends string>(name: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${name} must be one of ${choices.join(', ')}; got ${JSON.stringify(text)}`);
  return text as T;
}

/** Parses `--seed` where `random` (like no seed) asks for one drawn from crypto: undefined. */
export function parseSeedOrRandom(text: string | undefined): number | undefined {
  if (text !== undefined && String(text).trim().toLowerCase() === 'random') return undefined;
  return parseSeed(text, false);
}
