/**
 * Extracts and checks the `@example` blocks of the source's JSDoc (used by jsdoc-examples.test.ts).
 *
 * The one example format (see CONTRIBUTING.md, "JSDoc examples"):
 *
 *   @example pt(2, 10) // => 0.96330598
 *   @example
 *   const km = kaplanMeier([2, 4, 6], [1, 1, 0]);
 *   restrictedMean(km, 5).estimate // => 3.6666667 // 2 + 2 x 2/3 + 1 x 1/3
 *
 * Lines before the last are statements; the last line is `<expression> // => <value>`, optionally
 * followed by ` // <note>`. The expression is plain JavaScript evaluated with the file's own exports
 * (and a small prelude: createRng, kaplanMeier, fitGlm) in scope. The value is a JavaScript literal: numbers,
 * strings, booleans, null, arrays and objects. A number is checked to the digits shown: an integer
 * exactly; `0.9633060` to within half a unit in its last decimal; `0.96330...` (trailing `...`)
 * truncated, so the true value starts with those digits; `7.62e-24` to half a unit in the last digit of
 * its mantissa. Typed arrays and Sets compare as arrays, Maps as objects; object keys must match
 * exactly.
 */

export interface JsdocExample {
  file: string;
  line: number;
  statements: string;
  expression: string;
  expected: string;
}

/** Every @example block of one source text, with its 1-based line; throws on a block not in the format. */
export function extractExamples(file: string, source: string): JsdocExample[] {
  const lines = source.split('\n');
  const out: JsdocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*\*\s?@example\b ?(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const start = i + 1;
    const body: string[] = [];
    if (m[1]!.trim() !== '') body.push(m[1]!);
    for (let j = i + 1; j < lines.length; j++) {
      const t = lines[j]!;
      if (/^\s*\*\//.test(t) || /^\s*\*\s?@\w/.test(t) || !/^\s*\*/.test(t)) break;
      body.push(t.replace(/^\s*\*\s?/, ''));
      i = j;
    }
    while (body.length > 0 && body[body.length - 1]!.trim() === '') body.pop();
    const last = body[body.length - 1] ?? '';
    const arrow = last.indexOf('// =>');
    if (arrow < 0)
      throw new Error(
        `${file}:${start}: @example must end with "<expression> // => <value>", got ${JSON.stringify(body.join('\n'))}`,
      );
    let expected = last.slice(arrow + 5).trim();
    const note = expected.indexOf(' // ');
    if (note >= 0) expected = expected.slice(0, note).trim();
    out.push({
      file,
      line: start,
      statements: body.slice(0, -1).join('\n'),
      expression: last.slice(0, arrow).trim(),
      expected,
    });
  }
  return out;
}

interface NumberToken {
  readonly __shown: string;
}

function isToken(v: unknown): v is NumberToken {
  return typeof v === 'object' && v !== null && '__shown' in v;
}

/** Evaluates an expected-value literal with every number kept as the text shown. */
export function parseExpected(text: string): unknown {
  let js = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      js += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const prev = js.length > 0 ? js[js.length - 1]! : '';
    const num = /^-?(?:Infinity|\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?:\.\.\.)?/.exec(text.slice(i));
    if (num && !/[\w$.]/.test(prev)) {
      js += `__N(${JSON.stringify(num[0])})`;
      i += num[0].length;
      continue;
    }
    js += c;
    i++;
  }
  return new Function('__N', `return (${js});`)((shown: string) => ({ __shown: shown }));
}

/** Whether a number agrees with the digits shown (rules in the header); returns a reason when not. */
export function checkNumber(actual: unknown, shown: string): string | null {
  if (typeof actual !== 'number') return `expected a number ${shown}, got ${String(actual)}`;
  const truncated = shown.endsWith('...');
  const text = truncated ? shown.slice(0, -3) : shown;
  const value = Number(text);
  if (!Number.isFinite(value)) return Object.is(actual, value) ? null : `expected ${shown}, got ${actual}`;
  const [mantissa, exp] = text.toLowerCase().split('e') as [string, string | undefined];
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1]!.length : 0;
  if (!truncated && decimals === 0 && exp === undefined)
    return actual === value ? null : `expected exactly ${shown}, got ${actual}`;
  const ulp = 10 ** (Number(exp ?? 0) - decimals);
  const slack = 4 * Number.EPSILON * Math.max(Math.abs(value), Math.abs(actual));
  if (truncated) {
    // The true value lies between the shown digits and the next value in the last digit shown.
    const lo = value >= 0 ? value : value - ulp;
    const hi = value >= 0 ? value + ulp : value;
    return actual >= lo - slack && actual < hi + slack ? null : `expected ${shown} (truncated), got ${actual}`;
  }
  return Math.abs(actual - value) <= ulp / 2 + slack
    ? null
    : `expected ${shown} (to ${decimals} decimals), got ${actual}`;
}

function normalise(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (v instanceof Set) return Array.from(v);
  if (v instanceof Map) return Object.fromEntries(v);
  return v;
}

/** Compares an actual value with a parsed expected value; returns the first difference, or null. */
export function compareValue(actual: unknown, expected: unknown, path = '$'): string | null {
  const a = normalise(actual);
  if (isToken(expected)) {
    const why = checkNumber(a, expected.__shown);
    return why === null ? null : `${path}: ${why}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(a)) return `${path}: expected an array, got ${JSON.stringify(a)}`;
    if (a.length !== expected.length) return `${path}: expected ${expected.length} elements, got ${a.length}`;
    for (let k = 0; k < expected.length; k++) {
      const why = compareValue(a[k], expected[k], `${path}[${k}]`);
      if (why !== null) return why;
    }
    return null;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof a !== 'object' || a === null) return `${path}: expected an object, got ${String(a)}`;
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(a).sort();
    if (JSON.stringify(ek) !== JSON.stringify(ak)) return `${path}: expected keys ${ek.join(',')}, got ${ak.join(',')}`;
    for (const k of ek) {
      const why = compareValue(
        (a as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (why !== null) return why;
    }
    return null;
  }
  return Object.is(a, expected) ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(a)}`;
}

/** Runs one example with the given names in scope and returns its value. */
export function runExample(example: JsdocExample, scope: Record<string, unknown>): unknown {
  const names = Object.keys(scope);
  const fn = new Function(...names, `${example.statements}\nreturn (${example.expression});`) as (
    ...args: unknown[]
  ) => unknown;
  return fn(...names.map((n) => scope[n]));
}
