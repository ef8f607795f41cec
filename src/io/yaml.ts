/**
 * The YAML parser, loaded on first use: it takes ~40 ms to load, and most runs read no YAML (only
 * `--map` files and trial files are YAML). The package is CommonJS, so a synchronous require
 * loads the same module an import would.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | null = null;

export function yaml(): typeof Yaml {
  return (loaded ??= require('yaml') as typeof Yaml);
}
