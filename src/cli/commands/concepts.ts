import type { Command } from 'commander';
import { CONCEPTS, type Concept } from '../../app/simulate.js';
import { withCommon } from '../command-kit.js';
import { painter, printJson, printText } from '../output.js';

export interface ConceptsResult {
  concepts: Array<{
    id: number;
    slug: string;
    name: string;
    description: string;
    unit: string;
    unit_label: string;
    arms: string[];
    nested: Concept['nested'];
    population: string;
    primary_outcome: string;
    secondary_outcomes: string[];
    process_measures: string[];
    theory_of_change: string;
    research_questions: string[];
  }>;
}

/** Handler: the catalogue as contract-shaped data. */
export async function runConcepts(): Promise<ConceptsResult> {
  return {
    concepts: CONCEPTS.map((c) => ({
      id: c.id,
      slug: c.slug,
      name: c.name,
      description: c.description,
      unit: c.unit,
      unit_label: c.unit_label,
      arms: c.arms.map((a) => a.arm),
      nested: c.nested,
      population: c.population,
      primary_outcome: c.primary_outcome,
      secondary_outcomes: c.secondary_outcomes,
      process_measures: c.process_measures,
      theory_of_change: c.theory_of_change,
      research_questions: c.research_questions,
    })),
  };
}

export function register(program: Command): void {
  withCommon(program.command('concepts'))
    .description('List the five personalisation concepts: units, arms, outcomes and process measures')
    .addHelpText(
      'after',
      "\nExamples:\n  $ pilot-eval concepts\n  $ pilot-eval concepts --json | jq '.concepts[] | {slug, unit}'",
    )
    .action(async (opts: { json?: boolean }) => {
      const result = await runConcepts();
      if (opts.json) return printJson(result);
      const p = painter({ json: false });
      const lines: string[] = [];
      for (const c of result.concepts) {
        lines.push(p.bold(`${c.id}. ${c.name}`) + p.dim(`  (${c.slug})`));
        lines.push(`   ${c.description}`);
        lines.push(
          `   unit: ${c.unit} (${c.unit_label}); arms: ${c.arms.join(' vs ')}${c.nested ? `; nested in ${c.nested.arm}: ${c.nested.sub_arms.join(' / ')}` : ''}`,
        );
        lines.push(`   population: ${c.population}`);
        lines.push(`   primary outcome: ${c.primary_outcome}`);
        lines.push(`   process measures: ${c.process_measures.join('; ')}`);
        lines.push('');
      }
      printText(lines.join('\n'));
    });
}
