/**
 * The repository documents itself: no file under src/, test/, bench/, scripts/ or docs/ may cite the
 * project's old specification files, which a clone does not contain. Cite docs/reference/*.md,
 * docs/methods.md or docs/measures.md instead.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const DIRS = ['src', 'test', 'bench', 'scripts', 'docs'];
const TEXT = /\.(ts|mjs|js|R|md|yaml|yml|sh|txt|json|out)$/;
// Built from parts so that this file does not match itself.
const NAMES = ['CONTRACT', 'METHODS', 'REPORTS', 'STYLE'].map((n) => `${n}.md`);
const SEEDS = ['seeds', '/'].join('');
const OUTSIDE = new RegExp(`\\b(${NAMES.map((n) => n.replace('.', '\\.')).join('|')})|\\b${SEEDS}`);

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '__snapshots__') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (TEXT.test(name)) out.push(p);
  }
  return out;
}

/** `file:line: text` for each line that cites an outside specification file. */
function outsideCitations(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (OUTSIDE.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
}

describe('no citations of files outside the repository', () => {
  it('finds none under src, test, bench, scripts and docs', () => {
    const hits: string[] = [];
    for (const d of DIRS) {
      for (const f of files(join(ROOT, d))) {
        const text = readFileSync(f, 'utf8');
        if (text.length > 5_000_000) continue;
        hits.push(...outsideCitations(relative(ROOT, f), text));
      }
    }
    expect(hits).toEqual([]);
  });
  it('would catch each name, and not a repository doc', () => {
    for (const n of NAMES) expect(outsideCitations('x.ts', ` * as ${n} "analyse" says`)).toHaveLength(1);
    expect(outsideCitations('x.ts', `// see ${SEEDS}003, section 4`)).toHaveLength(1);
    expect(
      outsideCitations('x.ts', '// see docs/methods.md#the-headline-primary-analysis and docs/reference/json.md'),
    ).toEqual([]);
    expect(outsideCitations('x.ts', '// docs/reference/reports.md, measures.md')).toEqual([]);
  });
});
