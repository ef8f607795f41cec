/**
 * Framework matrix of coded qualitative data (docs/reference/data.md#themes): themes by source with the
 * number of distinct participants mentioning each, and at most two short excerpts per theme.
 * Participant pseudonyms are counted, never returned.
 */
import type { ThemeRow } from './types.js';

export const MAX_EXCERPTS_PER_THEME = 2;
export const MAX_EXCERPT_CHARS = 160;

export interface ThemesMatrix {
  sources: string[];
  rows: Array<{
    theme: string;
    subthemes: string[];
    /** Distinct participants mentioning the theme, per source (same order as `sources`). */
    participants: number[];
    total_participants: number;
    excerpts: Array<{ source: string; text: string }>;
  }>;
  coded_excerpts: number;
  participants: number;
}

const SOURCE_ORDER = ['service_user', 'staff', 'partner'];

function shorten(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= MAX_EXCERPT_CHARS) return t;
  const cut = t.slice(0, MAX_EXCERPT_CHARS - 1);
  const sp = cut.lastIndexOf(' ');
  return `${(sp > 80 ? cut.slice(0, sp) : cut).trimEnd()}…`;
}

/** Themes ordered by how many participants raised them (then by name); sources in a fixed order. */
export function themesMatrix(rows: ThemeRow[]): ThemesMatrix {
  const sourcesSeen = [...new Set(rows.map((r) => r.source))];
  const sources = [
    ...SOURCE_ORDER.filter((s) => sourcesSeen.includes(s)),
    ...sourcesSeen.filter((s) => !SOURCE_ORDER.includes(s)).sort(),
  ];
  const byTheme = new Map<string, ThemeRow[]>();
  for (const r of rows) {
    const list = byTheme.get(r.theme) ?? [];
    list.push(r);
    byTheme.set(r.theme, list);
  }
  const out: ThemesMatrix['rows'] = [];
  for (const [theme, list] of byTheme) {
    // A participant is counted within their source: the same pseudonym in two sources is two people.
    const participants = sources.map((s) => new Set(list.filter((r) => r.source === s).map((r) => r.participant)).size);
    const total = new Set(list.map((r) => `${r.source}\u0000${r.participant}`)).size;
    const excerpts: Array<{ source: string; text: string }> = [];
    // Pick excerpts from different sources first, shortest-first within a source for readability.
    const withText = list.filter((r) => r.excerpt.trim() !== '');
    for (const s of sources) {
      if (excerpts.length >= MAX_EXCERPTS_PER_THEME) break;
      const cand = withText
        .filter((r) => r.source === s)
        .sort((a, b) => a.excerpt.length - b.excerpt.length || (a.excerpt < b.excerpt ? -1 : 1))[0];
      if (cand) excerpts.push({ source: s, text: shorten(cand.excerpt) });
    }
    if (excerpts.length < MAX_EXCERPTS_PER_THEME) {
      const rest = withText
        .map((r) => shorten(r.excerpt))
        .filter((t) => !excerpts.some((e) => e.text === t))
        .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
      for (const t of rest.slice(0, MAX_EXCERPTS_PER_THEME - excerpts.length))
        excerpts.push({ source: withText.find((r) => shorten(r.excerpt) === t)!.source, text: t });
    }
    const subthemes = [...new Set(list.map((r) => r.subtheme).filter((s) => s !== ''))].sort();
    out.push({ theme, subthemes, participants, total_participants: total, excerpts });
  }
  out.sort(
    (a, b) => b.total_participants - a.total_participants || (a.theme < b.theme ? -1 : a.theme > b.theme ? 1 : 0),
  );
  return {
    sources,
    rows: out,
    coded_excerpts: rows.length,
    participants: new Set(rows.map((r) => `${r.source}\u0000${r.participant}`)).size,
  };
}
