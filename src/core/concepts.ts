/**
 * The five personalisation concepts of the pilot (the pilot's "Testing different concepts of
 * personalisation"; docs/reference/reports.md#the-five-concepts). Data only: the report, simulate and randomise layers read it.
 */

export type Stage = 'pilot' | 'efficacy' | 'effectiveness';
export const STAGES: readonly Stage[] = ['pilot', 'efficacy', 'effectiveness'];

export interface Concept {
  id: number;
  slug: string;
  name: string;
  description: string;
  theory_of_change: string;
  /** Unit of randomisation at efficacy and effectiveness stage. */
  unit: 'individual' | 'cluster';
  /** What the unit is, in words. */
  unit_label: string;
  /** Column holding the cluster in a cluster design. */
  cluster_column: string | null;
  arms: Array<{ arm: string; description: string }>;
  /** Nested sub-randomisation inside one arm (concept 2: told / not told the budget). */
  nested: { arm: string; column: string; sub_arms: [string, string] } | null;
  population: string;
  /** Sex restriction of the population, if any (concept 3: women only). */
  sex_restriction: 'female' | null;
  primary_outcome: string;
  secondary_outcomes: string[];
  process_measures: string[];
  research_questions: string[];
}

const REOFFENDING_SECONDARY = [
  'frequency of proven re-offending (re-offences per offender and per re-offender)',
  'severity-weighted re-offences per offender',
  'time to first proven re-offence',
];

const PRIMARY = 'proven re-offending within 12 months (binary, MoJ definition)';

export const CONCEPTS: readonly Concept[] = [
  {
    id: 1,
    slug: 'pcp',
    name: 'Person Centred Practice',
    description:
      'Trained staff and managers in one team with a mixed caseload co-produce rehabilitation plans with service users, with professional discretion to tailor assessment, planning and supervision to the holistic needs of the person.',
    theory_of_change:
      'Training in person-centred practice -> staff and service users co-produce a tailored plan that recognises assets as well as risks -> hope, agency and a pro-social narrative -> desistance and fewer proven re-offences.',
    unit: 'cluster',
    unit_label: 'probation team',
    cluster_column: 'team',
    arms: [
      { arm: 'control', description: 'usual practice' },
      { arm: 'treatment', description: 'person centred practice' },
    ],
    nested: null,
    population:
      'adults on community orders or licences managed by a Community Rehabilitation Company team with a mixed caseload',
    sex_restriction: null,
    primary_outcome: PRIMARY,
    secondary_outcomes: [
      'co-production of the rehabilitation plan (scale score)',
      'staff experience of person-centred practice',
      ...REOFFENDING_SECONDARY,
    ],
    process_measures: [
      'staff trained',
      'fidelity to person-centred practice (checklist %)',
      'co-production scale score',
      'sessions attended / offered',
      'staff experience survey score',
    ],
    research_questions: [
      'Can person-centred practice be implemented by a probation team with a mixed caseload?',
      'What is its effect on co-production of rehabilitation plans, for service users and for staff?',
      'Does it reduce proven re-offending compared with usual practice?',
    ],
  },
  {
    id: 2,
    slug: 'pcp-fund',
    name: 'Person Centred Practice with an Enabling Fund',
    description:
      'Person centred practice plus an Enabling Fund for rehabilitative goals that programmes, welfare payments or referrals cannot meet; some service users offered the fund are told how much they can access and some are not.',
    theory_of_change:
      'Person-centred practice plus a personal budget -> goals that usual routes cannot meet become reachable (goods or services bought) -> stronger co-production and engagement -> desistance. Telling the amount may change how people link needs to funding.',
    unit: 'individual',
    unit_label: 'service user within PCP teams',
    cluster_column: null,
    arms: [
      { arm: 'control', description: 'person centred practice alone' },
      { arm: 'treatment', description: 'person centred practice plus Enabling Fund (told / not told the amount)' },
    ],
    nested: { arm: 'treatment', column: 'budget_told', sub_arms: ['told', 'not_told'] },
    population: 'adults on community orders or licences in teams practising person-centred practice',
    sex_restriction: null,
    primary_outcome: PRIMARY,
    secondary_outcomes: [
      'co-production of the rehabilitation plan (scale score)',
      'fund spend per person and what it bought',
      'told vs not told comparison',
      ...REOFFENDING_SECONDARY,
    ],
    process_measures: [
      'enabling fund take-up',
      'fund spend per person (GBP)',
      'what the fund bought (category)',
      'co-production scale score',
      'sessions attended / offered',
    ],
    research_questions: [
      'Does access to a personal budget add to person-centred practice?',
      'How do service users respond to linking needs to a level of funding: does being told the amount matter?',
      'Does the fund reduce proven re-offending compared with person-centred practice alone?',
    ],
  },
  {
    id: 3,
    slug: 'women-pcp-fund',
    name: 'Person Centred Practice and an Enabling Fund for women, delivered by a third party',
    description:
      "Person-centred practice adopted by selected staff and managers within a women's centre, with an Enabling Fund, for women service users with distinct and often complex needs.",
    theory_of_change:
      "Women's centres offer long-term, trusted support -> person-centred practice with a personal budget co-produced with women with complex needs -> needs met that usual routes miss -> desistance. Third-party delivery may change how co-production happens.",
    unit: 'individual',
    unit_label: "woman service user (site = women's centre)",
    cluster_column: null,
    arms: [
      { arm: 'control', description: 'usual practice' },
      { arm: 'treatment', description: "women's centre person-centred practice plus Enabling Fund" },
    ],
    nested: null,
    population: "women on community orders or licences referred to a women's centre",
    sex_restriction: 'female',
    primary_outcome: PRIMARY,
    secondary_outcomes: [
      'co-production with complex needs (scale score)',
      'third-party delivery fidelity',
      ...REOFFENDING_SECONDARY,
    ],
    process_measures: [
      "third-party (women's centre) delivery fidelity (checklist %)",
      'enabling fund take-up and spend (GBP)',
      'co-production scale score',
      'sessions attended / offered',
    ],
    research_questions: [
      'What impact does a person-centred approach with a personal budget have on co-production for women with distinct and complex needs?',
      'Does delivery by a third party lead to distinct processes of co-production?',
      'Does it reduce proven re-offending among women compared with usual practice?',
    ],
  },
  {
    id: 4,
    slug: 'user-grants',
    name: 'Service User Grants',
    description:
      "Service users with a shared interest are supported to design and direct services for their own and others' benefit with a shared grant fund (asset-based community development).",
    theory_of_change:
      'A shared grant and support to design services -> groups of service users act on a collective interest -> peer support and wider pro-social networks (social capital) -> desistance.',
    unit: 'cluster',
    unit_label: 'group of service users',
    cluster_column: 'team',
    arms: [
      { arm: 'control', description: 'usual practice' },
      { arm: 'treatment', description: 'grant-funded service user group' },
    ],
    nested: null,
    population: 'adults on community orders or licences who share an interest and join a service user group',
    sex_restriction: null,
    primary_outcome: PRIMARY,
    secondary_outcomes: [
      'peer support (contacts)',
      'social network size',
      'services created by groups',
      'grant spend',
      ...REOFFENDING_SECONDARY,
    ],
    process_measures: [
      'peer-support contacts',
      'social network size',
      'services created',
      'grant spend per group (GBP)',
      'sessions attended / offered',
    ],
    research_questions: [
      'Can personalisation be delivered in group settings through a shared grant?',
      'Does it foster peer support and develop social networks?',
      'Does it reduce proven re-offending compared with usual practice?',
    ],
  },
  {
    id: 5,
    slug: 'community-navigation',
    name: 'Navigation and Access to Community Networks',
    description:
      'Staff trained in person-centred practice work with small groups of service users to map and use local community organisations, volunteer with them, and develop new services where there are gaps.',
    theory_of_change:
      'Trained staff and small groups map community assets -> service users reach organisations beyond the usual public and voluntary services, volunteer and fill gaps -> engagement and social capital -> desistance.',
    unit: 'cluster',
    unit_label: 'small group / team',
    cluster_column: 'team',
    arms: [
      { arm: 'control', description: 'usual practice' },
      { arm: 'treatment', description: 'community navigation groups' },
    ],
    nested: null,
    population: 'adults on community orders or licences in participating teams',
    sex_restriction: null,
    primary_outcome: PRIMARY,
    secondary_outcomes: [
      'community organisations mapped and used',
      'volunteering',
      'engagement',
      ...REOFFENDING_SECONDARY,
    ],
    process_measures: [
      'community organisations mapped',
      'community organisations used',
      'volunteering hours',
      'sessions attended / offered',
    ],
    research_questions: [
      'Can asset-based community development principles increase engagement with, and extend the range of, community services in an area?',
      'Do service users use and volunteer with the organisations they map?',
      'Does it reduce proven re-offending compared with usual practice?',
    ],
  },
];

/** Finds a concept by id (`1`) or slug (`pcp`); null when none matches. */
export function findConcept(key: string | number): Concept | null {
  const k = String(key).trim().toLowerCase();
  return CONCEPTS.find((c) => String(c.id) === k || c.slug === k) ?? null;
}

/** The unit of randomisation at a stage: pilots are purposive, but keep the concept's unit. */
export function unitAtStage(concept: Concept, _stage: Stage): Concept['unit'] {
  return concept.unit;
}

/**
 * A trial that is none of the five concepts (`report --concept custom`): its words come from the
 * trial file (title, intervention, theory of change, research questions), its design from the
 * randomisation record and the analysis plan.
 */
export function customConcept(t: {
  title: string | null;
  intervention: string | null;
  theory_of_change: string | null;
  research_questions: string[] | null;
  arms: { control: string; treatment: string };
  cluster: string | null;
}): Concept {
  return {
    id: 0,
    slug: 'custom',
    name: t.title ?? 'Trial of a rehabilitation intervention',
    description:
      t.intervention ?? 'The intervention is described in the trial file (set "intervention:" in trial.yaml).',
    theory_of_change: t.theory_of_change ?? 'Not stated in the trial file (set "theory_of_change:" in trial.yaml).',
    unit: t.cluster ? 'cluster' : 'individual',
    unit_label: t.cluster ? t.cluster.replace(/_/g, ' ') : 'person',
    cluster_column: t.cluster,
    arms: [
      { arm: t.arms.control, description: 'control (as allocated)' },
      { arm: t.arms.treatment, description: 'the intervention' },
    ],
    nested: null,
    population: 'the people randomised in this trial',
    sex_restriction: null,
    primary_outcome: PRIMARY,
    secondary_outcomes: REOFFENDING_SECONDARY,
    process_measures: [],
    research_questions: t.research_questions ?? [
      'Does the intervention reduce proven re-offending compared with the control arm?',
    ],
  };
}
