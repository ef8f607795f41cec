/** GitHub-friendly Markdown rendering of the report blocks (pictures become a sentence). */
import type { ReportModel } from '../core/report/build-report.js';
import { reportBlocks, type Block } from './blocks.js';

/** Only "<" that could open an HTML tag needs escaping ("<5" and "<= 0.2" stay readable). */
function noTags(s: string): string {
  return s.replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

function cell(s: string): string {
  return noTags(s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));
}

function text(s: string): string {
  // Escape what GitHub would treat as markup in running text; keep it readable.
  return noTags(s).replace(/(^|\s)([*_])(?=\S)/g, '$1\\$2');
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
      const lines = [`| ${b.header.map(cell).join(' | ')} |`, `| ${align.join(' | ')} |`, ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
      if (b.caption) lines.push('', `_${text(b.caption)}_`);
      return lines.join('\n');
    }
    case 'figure':
      return `_Figure: ${text(b.caption)}_ ${text(b.text)}`;
    case 'code':
      return `\`\`\`\n${b.text}\n\`\`\``;
  }
}

export function renderMarkdown(model: ReportModel): string {
  return `${reportBlocks(model).map(renderBlockMd).join('\n\n')}\n`;
}
