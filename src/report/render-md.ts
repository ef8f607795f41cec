/** GitHub-friendly Markdown rendering of the report blocks (pictures become a sentence). */
import type { ReportModel } from '../core/report/build-report.js';
import { reportBlocks, type Block } from './blocks.js';

/** Only "<" that could open an HTML tag needs escaping ("<5" and "<= 0.2" stay readable). */
function noTags(s: string): string {
  return s.replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

/**
 * Breaks link and image syntax that data could carry (`![x](http://...)` makes a viewer fetch a
 * remote image; `[x](url)` a disguised link; `[x]: url` a reference definition): the bracket
 * before `(`, `[` or `:` is escaped, and `![`. Other brackets, as in "95% CI [0.1, 0.2]", stay.
 */
function noLinks(s: string): string {
  return s.replace(/!\[/g, '!\\[').replace(/\](?=[([:])/g, '\\]');
}

function cell(s: string): string {
  return noLinks(
    noTags(
      s
        .replace(/\\/g, '\\\\')
        .replace(/\|/g, '\\|')
        .replace(/\r\n?|\n/g, ' '),
    ),
  );
}

function text(s: string): string {
  // Escape what GitHub would treat as markup in running text; keep it readable. A line break in
  // data would start a new Markdown block (a heading, a list), so it becomes a space.
  return noLinks(noTags(s.replace(/\r\n?|\n/g, ' '))).replace(/(^|\s)([*_])(?=\S)/g, '$1\\$2');
}

/** A code fence longer than any run of backticks in the text, so the text cannot close it. */
function fence(s: string): string {
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

export function renderBlockMd(b: Block): string {
  switch (b.kind) {
    case 'h1':
      return `# ${text(b.text)}`;
    case 'h2':
      return `## ${text(b.text)}`;
    case 'h3':
      return `### ${text(b.text)}`;
    case 'p':
      return text(b.text);
    case 'callout':
      return `> **${b.tone === 'warn' ? 'Note' : 'Info'}:** ${text(b.text)}`;
    case 'list':
      return b.items.map((it, i) => `${b.ordered ? `${i + 1}.` : '-'} ${text(it)}`).join('\n');
    case 'table': {
      const align = b.header.map((_, i) => ((b.align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
      const lines = [
        `| ${b.header.map(cell).join(' | ')} |`,
        `| ${align.join(' | ')} |`,
        ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
      ];
      if (b.caption) lines.push('', `_${text(b.caption)}_`);
      return lines.join('\n');
    }
    case 'figure':
      return `_Figure: ${text(b.caption)}_ ${text(b.text)}`;
    case 'code': {
      const f = fence(b.text);
      return `${f}\n${b.text}\n${f}`;
    }
  }
}

export function renderMarkdown(model: ReportModel): string {
  return `${reportBlocks(model).map(renderBlockMd).join('\n\n')}\n`;
}
