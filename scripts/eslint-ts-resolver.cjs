/**
 * A tiny import resolver for eslint-plugin-boundaries (eslint-module-utils resolver interface v2).
 * The sources are TypeScript compiled as NodeNext, so they import `./x.js` meaning `./x.ts`; the
 * stock node resolver cannot see that, and an unresolved import would escape the layer rules.
 * Relative specifiers resolve to the .ts file beside them; bare specifiers (packages, node:*) are
 * handed to Node's own resolution so boundaries can tell built-ins from packages.
 */
'use strict';
const { statSync } = require('node:fs');
const { builtinModules, createRequire } = require('node:module');
const { dirname, resolve } = require('node:path');

exports.interfaceVersion = 2;

exports.resolve = function resolveImport(source, file) {
  if (source.startsWith('node:') || builtinModules.includes(source)) return { found: true, path: null };
  if (source.startsWith('.') || source.startsWith('/')) {
    const base = resolve(dirname(file), source);
    const candidates = [
      base,
      base.replace(/\.js$/, '.ts'),
      base.replace(/\.mjs$/, '.mts'),
      `${base}.ts`,
      resolve(base, 'index.ts'),
    ];
    for (const c of candidates) if (statSync(c, { throwIfNoEntry: false })?.isFile()) return { found: true, path: c };
    return { found: false };
  }
  try {
    return { found: true, path: createRequire(file).resolve(source) };
  } catch {
    // ESM-only packages (exports without a "require" condition): still a package, found by name.
    return { found: true, path: null };
  }
};
