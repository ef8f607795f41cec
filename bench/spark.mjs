#!/usr/bin/env node
// The Spark dialect of `reoffending --emit-sql` run on a local Spark, against the JS engine.
// Needs `java` and Spark's `spark-sql` (on PATH, or under $SPARK_HOME/bin). Spark is started by
// `spark-sql --master local[2]` for the run and stops with it. Where it cannot run, this prints
// "skipped: ..." and exits 0: nothing is faked.
// Usage: npm run build && node bench/spark.mjs [--cases fixtures/pcp/cases.csv] [--offences fixtures/pcp/offences.csv] [--by arm]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const cases = resolve(args.cases ?? 'fixtures/pcp/cases.csv');
const offences = resolve(args.offences ?? 'fixtures/pcp/offences.csv');
const by = args.by ?? 'arm';

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const sparkSql =
  process.env.SPARK_HOME && existsSync(join(process.env.SPARK_HOME, 'bin', 'spark-sql'))
    ? join(process.env.SPARK_HOME, 'bin', 'spark-sql')
    : onPath('spark-sql')
      ? 'spark-sql'
      : null;
if (!onPath('java') || sparkSql === null) {
  console.log(
    `skipped: no Spark (needs ${onPath('java') ? '' : 'java and '}spark-sql on PATH or under $SPARK_HOME/bin, Spark 3.4 or later; pyspark cannot be installed on this machine: no PyPI). ` +
      'The Spark script is checked for shape by test/core/reoffending-sql.test.ts only.',
  );
  process.exit(0);
}

const cli = (argv) => {
  const r = spawnSync(process.execPath, ['bin/pilot-eval', ...argv], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`pilot-eval ${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout.toString();
};
const script = cli(['reoffending', '--emit-sql', 'spark', '--cases', cases, '--offences', offences, '--by', by]);
const js = JSON.parse(cli(['reoffending', '--cases', cases, '--offences', offences, '--by', by, '--json']));
const lit = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const load = (name, path) =>
  `CREATE OR REPLACE TEMPORARY VIEW ${name} USING csv OPTIONS (path ${lit(path)}, header 'true', inferSchema 'false');`;
const dir = mkdtempSync(join(tmpdir(), 'pilot-eval-spark-'));
const file = join(dir, 'reoffending.sql');
writeFileSync(file, `${load('cases', cases)}\n${load('offences', offences)}\n${script}`);
const t0 = Date.now();
const r = spawnSync(sparkSql, ['--master', 'local[2]', '--conf', 'spark.sql.ansi.enabled=false', '-S', '-f', file], {
  maxBuffer: 1 << 30,
});
if (r.status !== 0) {
  console.error(r.stderr.toString());
  process.exit(1);
}
const rows = r.stdout
  .toString()
  .trim()
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => l.split('\t'));
const fields = ['n_cohort', 'n_measurable', 'n_pending', 'n_withdrawn', 'reoffenders', 'reoffences'];
const byCols = by.split(',');
let ok = rows.length === js.groups.length;
js.groups.forEach((g, i) => {
  const row = rows[i] ?? [];
  const got = fields.map((_, k) => Number(row[byCols.length + [0, 1, 2, 3, 4, 6][k]]));
  const want = fields.map((f) => g[f]);
  if (JSON.stringify(got) !== JSON.stringify(want) || byCols.some((c, j) => row[j] !== g.group[c])) ok = false;
  console.log(`${byCols.map((c) => g.group[c]).join(',')}: spark ${got.join(' ')} | js ${want.join(' ')}`);
});
console.log(
  `${ok ? 'agree' : 'DIFFER'}: Spark SQL (local[2]) against the JS engine, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
process.exit(ok ? 0 : 1);
