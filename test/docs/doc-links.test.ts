/**
 * The documentation's links resolve: every relative Markdown link in README.md, ARCHITECTURE.md,
 * CONTRIBUTING.md and docs/, and every `docs/...md#anchor` cited in a comment under src/, test/,
 * bench/ or scripts/, names a file that exists and, with an anchor, a heading in it (GitHub's
 * heading ids: lower case, punctuation dropped, spaces as hyphens, repeats numbered).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function walk(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || (name === 'data' && dir.endsWith('bench'))) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, keep));
    else if (keep(name)) out.push(p);
  }
  return out;
}

/** GitHub's id for a heading text. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** Why a target (path relative to `from`, optional #anchor) does not resolve, or null. */
function brokenTarget(from: string, target: string): string | null {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const file = path === '' ? from : resolve(from, path);
  if (!existsSync(file)) return `no such file ${relative(ROOT, file)}`;
  if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor))
    return `no heading #${anchor} in ${relative(ROOT, file)}`;
  return null;
}

const markdown = [
  ...['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md'].map((f) => join(ROOT, f)),
  ...walk(join(ROOT, 'docs'), (n) => n.endsWith('.md')),
];
const sources = ['src', 'test', 'bench', 'scripts'].flatMap((d) =>
  walk(join(ROOT, d), (n) => /\.(ts|mjs|js|R|sh)$/.test(n)),
);

describe('documentation links', () => {
  it('computes GitHub heading ids', () => {
    expect(slug('The headline (primary analysis)')).toBe('the-headline-primary-analysis');
    expect(slug('Proven re-offending')).toBe('proven-re-offending');
    expect(slug('Lint, tests, bench, fuzz')).toBe('lint-tests-bench-fuzz');
  });
  it('every relative link in the Markdown resolves', () => {
    const broken: string[] = [];
    for (const f of markdown) {
      const text = readFileSync(f, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        const why = brokenTarget(dirname(f), target);
        if (why) broken.push(`${relative(ROOT, f)}: (${target}) ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });
  it('every docs/...md citation in the code resolves', () => {
    const broken: string[] = [];
    let cited = 0;
    for (const f of sources) {
      for (const m of readFileSync(f, 'utf8').matchAll(
        /(?<![\w/.])((?:docs\/\w[\w./-]*\.md|ARCHITECTURE\.md|CONTRIBUTING\.md)(?:#[\w-]+)?)/g,
      )) {
        cited++;
        const why = brokenTarget(ROOT, m[1]!);
        if (why) broken.push(`${relative(ROOT, f)}: ${m[1]} ${why}`);
      }
    }
    expect(cited).toBeGreaterThan(30);
    expect(broken).toEqual([]);
  });
});
