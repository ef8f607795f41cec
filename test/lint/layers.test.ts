/**
 * The layer rules in eslint.config.js reject what they should: each case lints a small module
 * as if it sat at the given path (nothing is written to src/) and lists the rules that fired.
 */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function rulesFired(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const LAYER = 'boundaries/dependencies';

describe('layer rules', () => {
  it.each([
    [
      'core',
      'src/core/probe.ts',
      "import { writeFileAtomic } from '../io/atomic.js';\nexport const f = writeFileAtomic;\n",
    ],
    [
      'core',
      'src/core/stats/probe.ts',
      "import { analyseTrialFiles } from '../../app/analyse.js';\nexport const f = analyseTrialFiles;\n",
    ],
    ['core', 'src/core/probe.ts', "import { main } from '../cli/main.js';\nexport const f = main;\n"],
    [
      'report',
      'src/report/probe.ts',
      "import { writeFileAtomic } from '../io/atomic.js';\nexport const f = writeFileAtomic;\n",
    ],
    [
      'io',
      'src/io/probe.ts',
      "import { analyseTrialFiles } from '../app/analyse.js';\nexport const f = analyseTrialFiles;\n",
    ],
    ['app', 'src/app/probe.ts', "import { main } from '../cli/main.js';\nexport const f = main;\n"],
    [
      'cli',
      'src/cli/probe.ts',
      "import { writeFileAtomic } from '../io/atomic.js';\nexport const f = writeFileAtomic;\n",
    ],
    ['cli', 'src/cli/probe.ts', "import { createRng } from '../core/random.js';\nexport const f = createRng;\n"],
  ])('%s: %s may not import that', async (_layer, path, code) => {
    expect(await rulesFired(path, code)).toEqual([LAYER]);
  });

  it('core may not touch files, processes or the process object; hashing is allowed', async () => {
    expect(
      await rulesFired(
        'src/core/probe.ts',
        "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
      ),
    ).toEqual(['no-restricted-imports']);
    expect(
      await rulesFired('src/core/probe.ts', "import { spawn } from 'child_process';\nexport const f = spawn;\n"),
    ).toEqual(['no-restricted-imports']);
    expect(await rulesFired('src/core/probe.ts', 'export const cwd = () => process.cwd();\n')).toEqual([
      'no-restricted-globals',
    ]);
    expect(
      await rulesFired(
        'src/core/probe.ts',
        "import { createHash } from 'node:crypto';\nexport const f = createHash;\n",
      ),
    ).toEqual([]);
  });

  it('allowed: cli through app, core types and errors; app composes core, io and report', async () => {
    const cli = [
      "import { analyseTrialFiles } from '../app/analyse.js';",
      "import type { Rng } from '../core/random.js';",
      "import { UsageError } from '../core/errors.js';",
      'export const f = (r: Rng) => [analyseTrialFiles, UsageError, r];',
      '',
    ].join('\n');
    expect(await rulesFired('src/cli/probe.ts', cli)).toEqual([]);
    const app = [
      "import { createRng } from '../core/random.js';",
      "import { writeFileAtomic } from '../io/atomic.js';",
      'export const f = [createRng, writeFileAtomic];',
      '',
    ].join('\n');
    expect(await rulesFired('src/app/probe.ts', app)).toEqual([]);
  });
});
