// Writes the report fixtures for src/app/power.test.ts and src/io/report-json.test.ts: the fields
// `power --from` reads, cut from the demo's reports. Run:
//   node bin/pilot-eval demo --out-dir /tmp/demo-reports && node test/data/make-report-fixtures.mjs /tmp/demo-reports
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '/tmp/demo-reports';
for (const name of ['community-navigation-pilot', 'pcp-efficacy']) {
  const d = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  const keep = {
    schema_version: d.schema_version,
    title: d.title,
    stage: d.stage,
    consort: d.consort,
    arms: d.arms,
    effects: d.effects.filter((e) => e.outcome === 'reoffended' && (e.measure === 'icc' || e.measure === 'risk_difference')),
    attrition: d.attrition,
    feasibility: d.feasibility,
  };
  writeFileSync(join('test/data', `report-${name}.json`), `${JSON.stringify(keep, null, 2)}\n`);
}
