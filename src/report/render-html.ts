/**
 * A self-contained html page: inline CSS and inline SVG only, no scripts, fonts, images or links
 * to anything outside the file (it must open offline and print cleanly).
 */
import type { ReportModel } from '../core/report/build-report.js';
import { reportBlocks, type Block } from './blocks.js';
import { esc } from './svg/svg-kit.js';

const CSS = `
:root{--ink:#1b1f23;--muted:#4a535b;--rule:#d8dde2;--accent:#1f6fb2;--bg:#fff;--band:#f4f6f8}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:1000px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:28px;line-height:1.2;margin:8px 0 4px;color:var(--accent)}
h2{font-size:21px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--accent)}
h3{font-size:16px;margin:22px 0 8px}
p{margin:8px 0}
nav{background:var(--band);border-radius:6px;padding:8px 14px;margin:12px 0 4px;font-size:14px}
nav a{color:var(--accent);text-decoration:none;margin-right:14px}
table{border-collapse:collapse;width:100%;margin:10px 0 6px;font-size:14px}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:12.5px;padding-top:4px}
th,td{border-bottom:1px solid var(--rule);padding:6px 8px;vertical-align:top;text-align:left}
th{background:var(--band);font-weight:600}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
table.headline th{background:var(--accent);color:#fff}
table.headline td{font-size:15px;font-weight:600}
.callout{border-left:4px solid #e0a100;background:#fff8e1;padding:8px 12px;margin:12px 0;border-radius:4px}
.callout.info{border-color:var(--accent);background:#eef5fb}
figure{margin:14px 0;overflow-x:auto}
figcaption{color:var(--muted);font-size:12.5px}
pre{background:var(--band);padding:10px;border-radius:4px;white-space:pre-wrap;word-break:break-all;font-size:13px}
ol li,ul li{margin:3px 0}
svg.lock{vertical-align:-2px;margin-right:1px}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--rule);padding-top:8px}
@media print{nav{display:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
`;

/** A small padlock drawn inline (emoji fonts are not always installed, e.g. in headless print). */
const PADLOCK_ICON =
  '<svg class="lock" viewBox="0 0 12 14" width="12" height="14" aria-hidden="true"><path d="M3 6V4a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.6"/><rect x="1" y="6" width="10" height="8" rx="1.5" fill="currentColor"/></svg>';

function cellHtml(text: string): string {
  return esc(text).replace(/🔒/gu, PADLOCK_ICON);
}

function renderBlock(b: Block, first: { headline: boolean }): string {
  switch (b.kind) {
    case 'h1':
      return `<h1>${esc(b.text)}</h1>`;
    case 'h2':
      return `<h2 id="${esc(b.id)}">${esc(b.text)}</h2>`;
    case 'h3':
      return `<h3>${esc(b.text)}</h3>`;
    case 'p':
      return `<p>${esc(b.text)}</p>`;
    case 'callout':
      return `<div class="callout${b.tone === 'info' ? ' info' : ''}">${esc(b.text)}</div>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</${tag}>`;
    }
    case 'table': {
      const cls = first.headline ? ' class="headline"' : '';
      first.headline = false;
      const al = (i: number) => ((b.align?.[i] ?? 'l') === 'r' ? ' class="r"' : '');
      const head = `<thead><tr>${b.header.map((h, i) => `<th${al(i)}>${esc(h)}</th>`).join('')}</tr></thead>`;
      const body = `<tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => `<td${al(i)}>${cellHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody>`;
      return `<table${cls}>${b.caption ? `<caption>${esc(b.caption)}</caption>` : ''}${head}${body}</table>`;
    }
    case 'figure':
      return `<figure>${b.svg}<figcaption>${esc(b.caption)}</figcaption></figure>`;
    case 'code':
      return `<pre><code>${esc(b.text)}</code></pre>`;
  }
}

export function renderHtml(model: ReportModel): string {
  const blocks = reportBlocks(model);
  const first = { headline: true };
  const navItems = blocks
    .filter((b): b is Extract<Block, { kind: 'h2' }> => b.kind === 'h2')
    .map((b) => `<a href="#${esc(b.id)}">${esc(b.text.replace(/^\d+\.\s*/, ''))}</a>`);
  const body: string[] = [];
  for (const b of blocks) {
    body.push(renderBlock(b, first));
    if (b.kind === 'h1') body.push(`<nav>${navItems.join('')}</nav>`);
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="pilot-eval ${esc(model.appendix.software_version)}">`,
    `<title>${esc(model.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    `<footer>Produced by pilot-eval ${esc(model.appendix.software_version)}. Counts of 1 to 4 people are shown as &lt;5 unless suppression was switched off.</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
