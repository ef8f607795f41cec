/**
 * Coded qualitative excerpts for synthetic trials, drawn from each concept's theory of change
 * (docs/reference/reports.md#the-five-concepts: co-production, hope, agency, stigma, practical barriers, peer support, community).
 * Every excerpt is invented for testing; none is a real person's words.
 */

export type Source = 'service_user' | 'staff' | 'partner';

export interface ThemeTemplate {
  theme: string;
  subtheme: string;
  /** Who may be coded under this theme. */
  sources: Source[];
  /** Excerpts; the i-th is attributed to `sources[i % sources.length]`, so each quote has one speaker. */
  excerpts: string[];
}

/** The speaker of a template's i-th excerpt. */
export function excerptSource(t: ThemeTemplate, i: number): Source {
  return t.sources[i % t.sources.length]!;
}

const COMMON: ThemeTemplate[] = [
  {
    theme: 'co-production',
    subtheme: 'shared plan',
    sources: ['service_user', 'staff'],
    excerpts: [
      'For once the plan was something we wrote together, not something done to me.',
      'We sat down and I asked what mattered to them first, then we worked back to the order.',
      'I chose the goals and my officer helped me break them down.',
    ],
  },
  {
    theme: 'hope and identity',
    subtheme: 'a different future',
    sources: ['service_user'],
    excerpts: [
      'It is the first time someone talked about what I could do, not what I had done.',
      'I started to think of myself as a dad again, not just an offender.',
    ],
  },
  {
    theme: 'practical barriers',
    subtheme: 'housing, money and travel',
    sources: ['service_user', 'staff', 'partner'],
    excerpts: [
      'Getting to appointments costs more than I have until payday.',
      'Without an address nothing else in the plan can move.',
      'Bus fares and phone credit are the things that stop people turning up.',
    ],
  },
  {
    theme: 'stigma',
    subtheme: 'being judged',
    sources: ['service_user', 'partner'],
    excerpts: [
      'As soon as they hear probation the door closes.',
      'Some groups were nervous about taking people on licence at first.',
    ],
  },
  {
    theme: 'staff discretion and culture',
    subtheme: 'time and caseloads',
    sources: ['staff'],
    excerpts: [
      'The training changed how I open a supervision, but the caseload has not changed.',
      'Having permission to tailor things made the job feel like social work again.',
      'Risk paperwork still takes most of the hour.',
    ],
  },
];

const FUND: ThemeTemplate[] = [
  {
    theme: 'choice and control',
    subtheme: 'what the fund bought',
    sources: ['service_user', 'staff'],
    excerpts: [
      'The fund paid for my forklift licence, which no programme would.',
      'Work boots and a bus pass were small things that unlocked a job.',
      'Knowing there was money for it made the goal feel real.',
    ],
  },
  {
    theme: 'knowing the budget',
    subtheme: 'told versus not told',
    sources: ['service_user', 'staff'],
    excerpts: [
      'Once I knew the amount I planned around it like a budget.',
      'Not being told meant we talked about needs first and cost second.',
    ],
  },
];

const WOMEN: ThemeTemplate[] = [
  {
    theme: 'trust in the centre',
    subtheme: 'third-party delivery',
    sources: ['service_user', 'partner'],
    excerpts: [
      'The centre felt safe in a way the probation office never did.',
      'Women come back to us long after the order ends.',
    ],
  },
  {
    theme: 'complex needs',
    subtheme: 'children, trauma and safety',
    sources: ['service_user', 'staff', 'partner'],
    excerpts: [
      'Getting my children back was the goal everything else hung on.',
      'Domestic abuse support had to come before anything on the plan.',
    ],
  },
];

const GROUPS: ThemeTemplate[] = [
  {
    theme: 'peer support',
    subtheme: 'people who have been there',
    sources: ['service_user', 'staff'],
    excerpts: ['The group gets it because they have lived it.', 'We ring each other when someone has a bad week.'],
  },
  {
    theme: 'designing services',
    subtheme: 'spending the grant together',
    sources: ['service_user', 'partner'],
    excerpts: [
      'We voted to spend the grant on a football session for lads just out.',
      'Deciding together how to spend it was hard work but it was ours.',
    ],
  },
];

const COMMUNITY: ThemeTemplate[] = [
  {
    theme: 'community connection',
    subtheme: 'mapping local organisations',
    sources: ['service_user', 'staff', 'partner'],
    excerpts: [
      'We found a boxing club and a food bank none of us knew were there.',
      'Mapping the area turned into a list of places people actually go.',
    ],
  },
  {
    theme: 'volunteering',
    subtheme: 'giving something back',
    sources: ['service_user', 'partner'],
    excerpts: [
      'Volunteering at the allotment gave me somewhere to be on a Saturday.',
      'Two of the group now help run the Tuesday drop-in.',
    ],
  },
];

/** The theme templates for a concept id (1-5). */
export function themeTemplates(conceptId: number): ThemeTemplate[] {
  switch (conceptId) {
    case 2:
      return [...COMMON, ...FUND];
    case 3:
      return [...COMMON, ...FUND, ...WOMEN];
    case 4:
      return [...COMMON, ...GROUPS];
    case 5:
      return [...COMMON, ...COMMUNITY];
    default:
      return COMMON;
  }
}
