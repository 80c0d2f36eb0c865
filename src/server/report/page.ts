/**
 * The HTML shell shared by the run report and the comparison: inline CSS (screen at 1280 px
 * and print), a system font stack, and small building blocks (tables, badges). Nothing is
 * loaded from outside the file.
 */
import { escapeHtml } from './format.js';

const CSS = `
:root { color-scheme: light; --fg: #1d2228; --muted: #5b6570; --line: #d7dce1; --bg-soft: #f5f7f9;
  --ok: #1a7f37; --bad: #c62828; --warn: #9a6700; --info: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; overflow-wrap: anywhere; }
p { margin: 6px 0; }
.sub, .note, figcaption, footer { color: var(--muted); }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 600; background: var(--bg-soft); }
table.kv th { background: var(--bg-soft); font-weight: 600; width: 220px; }
table.kv { min-width: 60%; }
td.name { overflow-wrap: anywhere; min-width: 160px; max-width: 420px; }
table.wide { width: 100%; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); } .info { color: var(--info); }
.alert { border: 1px solid var(--bad); border-left-width: 5px; padding: 8px 12px; margin: 12px 0; overflow-wrap: anywhere; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 4px 0 8px; }
.meta span b { font-weight: 600; }
figure { margin: 12px 0 24px; }
figcaption { font-size: 13px; margin-top: 2px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #333; }
svg.chart .axis-label { font-weight: 600; }
svg.chart .grid { stroke: #e6e9ec; stroke-width: 1; }
svg.chart .frame { fill: none; stroke: #8a949e; stroke-width: 1; }
svg.chart .band { fill: #eef1f4; }
svg.chart .band-label { fill: #6b7580; font-size: 11px; }
details { margin: 4px 0 10px; }
pre.sample { white-space: pre-wrap; overflow-wrap: anywhere; margin: 2px 0; padding: 4px 6px; background: var(--bg-soft);
  font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media print {
  main { max-width: none; padding: 0; }
  body { font-size: 11pt; }
  h2 { break-after: avoid; }
  figure, table, .alert { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4 landscape; margin: 14mm; }
`;

export function page(title: string, body: string): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n<main>\n${body}\n</main>\n</body>\n</html>\n`
  );
}

export type Tone = 'ok' | 'bad' | 'warn' | 'info';

/** A coloured label that also says its meaning in words (readable in black and white). */
export function badge(text: string, tone: Tone): string {
  return `<span class="badge ${tone}">${escapeHtml(text)}</span>`;
}

export function stateTone(state: string): Tone {
  if (state === 'succeeded') return 'ok';
  if (state === 'failed') return 'bad';
  if (state === 'stopped') return 'warn';
  return 'info';
}

export interface Column {
  /** Header text (escaped). */
  label: string;
  numeric?: boolean;
}

/** A table; cells are HTML the caller has already escaped. */
export function table(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  rowClasses?: readonly string[],
): string {
  const head = columns
    .map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`)
    .join('');
  const body = rows
    .map((cells, r) => {
      const cls = rowClasses?.[r] ? ` class="${rowClasses[r]}"` : '';
      const tds = cells
        .map(
          (cell, i) =>
            `<td${columns[i]?.numeric ? ' class="num"' : i === 0 ? ' class="name"' : ''}>${cell}</td>`,
        )
        .join('');
      return `<tr${cls}>${tds}</tr>`;
    })
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A two-column key/value table; values are HTML the caller has already escaped. */
export function keyValues(rows: readonly (readonly [string, string])[]): string {
  const trs = rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n');
  return `<table class="kv">\n<tbody>\n${trs}\n</tbody>\n</table>`;
}

export function figure(svg: string, caption: string): string {
  return `<figure>\n${svg}\n<figcaption>${caption}</figcaption>\n</figure>`;
}
