/**
 * Runs every `@example` in the JSDoc under src/ and checks its value to the digits shown (the format
 * is described in test/docs/jsdoc-examples.ts and CONTRIBUTING.md). The statistical examples' values
 * come from R: test/data/jsdoc-examples.R prints each one with the R call beside it.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkNumber,
  compareValue,
  extractExamples,
  parseExpected,
  runExample,
  type JsdocExample,
} from './jsdoc-examples.js';

const ROOT = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const examples: JsdocExample[] = [];
for (const file of sourceFiles(join(ROOT, 'src'))) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('@example')) examples.push(...extractExamples(relative(ROOT, file), text));
}

/** Names every example may use besides its own file's exports. */
const PRELUDE = ['src/core/random.ts', 'src/core/stats/kaplan-meier.ts', 'src/core/stats/irls.ts'];

async function scopeFor(file: string): Promise<Record<string, unknown>> {
  const scope: Record<string, unknown> = {};
  for (const p of [...PRELUDE, file]) Object.assign(scope, await import(pathToFileURL(join(ROOT, p)).href));
  return scope;
}

describe('JSDoc @example blocks', () => {
  it('finds the examples (every file with an @example is in the one format)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(60);
    expect(new Set(examples.map((e) => e.file)).size).toBeGreaterThanOrEqual(40);
  });
  for (const ex of examples) {
    it(`${ex.file}:${ex.line} ${ex.expression.slice(0, 70)}`, async () => {
      const actual = runExample(ex, await scopeFor(ex.file));
      expect(compareValue(actual, parseExpected(ex.expected))).toBeNull();
    });
  }
});

describe('the example checker', () => {
  it('checks numbers to the digits shown: rounded, truncated, exact, exponent', () => {
    expect(checkNumber(0.96330598261463, '0.9633060')).toBeNull();
    expect(checkNumber(0.96330598261463, '0.9633062923913...')).toMatch(/truncated/);
    expect(checkNumber(0.96330598261463, '0.96330598...')).toBeNull();
    expect(checkNumber(0.96330598261463, '0.96330599...')).not.toBeNull();
    expect(checkNumber(0.807611562530311, '0.8032040...')).not.toBeNull();
    expect(checkNumber(-0.1234567, '-0.12345...')).toBeNull();
    expect(checkNumber(12, '12')).toBeNull();
    expect(checkNumber(12.0000001, '12')).not.toBeNull();
    expect(checkNumber(7.6198530241605269e-24, '7.62e-24')).toBeNull();
    expect(checkNumber(0, '7.62e-24')).not.toBeNull();
    expect(checkNumber(0.976, '0.97')).not.toBeNull();
  });
  it('compares arrays, typed arrays, objects, sets and strings', () => {
    expect(compareValue(Int32Array.of(1, 2), parseExpected('[1, 2]'))).toBeNull();
    expect(compareValue([1, 2, 3], parseExpected('[1, 2]'))).toMatch(/2 elements/);
    expect(compareValue({ a: 0.25, b: 'x' }, parseExpected("{ a: 0.25, b: 'x' }"))).toBeNull();
    expect(compareValue({ a: 0.25, b: 'x', c: 1 }, parseExpected("{ a: 0.25, b: 'x' }"))).toMatch(/keys/);
    expect(compareValue(new Set(['a', 'b']), parseExpected("['a', 'b']"))).toBeNull();
    expect(compareValue('▁█', parseExpected("'▁█'"))).toBeNull();
    expect(compareValue("a'2", parseExpected('"a\'2"'))).toBeNull();
  });
  it('rejects an example without "// =>" and reads multi-line examples', () => {
    expect(() => extractExamples('x.ts', '/**\n * @example f(1) // 2\n */')).toThrow(/must end with/);
    const [ex] = extractExamples(
      'x.ts',
      '/**\n * @example\n * const a = 2;\n * a * 3 // => 6 // a note\n * @throws never\n */',
    );
    expect(ex).toMatchObject({ line: 2, statements: 'const a = 2;', expression: 'a * 3', expected: '6' });
    expect(compareValue(runExample(ex!, {}), parseExpected(ex!.expected))).toBeNull();
  });
});
