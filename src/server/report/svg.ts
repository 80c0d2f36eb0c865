/**
 * A small inline-SVG chart renderer: line, dashed-line and bar series over linear axes with
 * caller-given x ticks, a legend and axis labels. No scripts or external resources, so the
 * report stays one self-contained, printable file. Series differ by colour AND dash pattern,
 * so charts stay readable when printed in black and white.
 */
import { escapeHtml, fmtNumber } from './format.js';

/** Okabe–Ito colour-blind-safe palette (yellow left out: unreadable on white). */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#999933',
];
const DASHES = ['', '7 4', '2 3', '10 3 2 3', '4 2', '1 2', '12 4', '6 2 2 2'];

export interface Tick {
  value: number;
  label: string;
}

export interface ChartSeries {
  name: string;
  kind: 'line' | 'bars';
  /** [x, y] points in x order; null breaks the line (a gap in the data). */
  points: readonly (readonly [number, number] | null)[];
  /** Index into the palette/dash patterns; defaults to the series' position. */
  styleIndex?: number;
  /** Dots on the points (for curves with few points). */
  markers?: boolean;
}

export interface ChartSpec {
  /** Accessible name of the chart. */
  title: string;
  xLabel: string;
  yLabel: string;
  xMin: number;
  xMax: number;
  xTicks: readonly Tick[];
  series: readonly ChartSeries[];
  /** Shaded x ranges, e.g. warmup. */
  bands?: readonly { from: number; to: number; label: string }[];
  width?: number;
  height?: number;
}

const r1 = (n: number): string => String(Math.round(n * 10) / 10);

/** 1, 2, 2.5 or 5 × 10^k, the smallest such step giving at most `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

/** Ticks from 0 to the first step at or above `max`. */
export function niceLinearTicks(max: number, count = 5): Tick[] {
  const top = max > 0 ? max : 1;
  const step = niceStep(top, count);
  const intervals = Math.max(1, Math.ceil(top / step - 1e-9));
  // As many decimals as the step needs: 0, 250, 500 … or 0, 0.25, 0.5 …
  let decimals = 0;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6)
    decimals++;
  const ticks: Tick[] = [];
  for (let i = 0; i <= intervals; i++) {
    const value = Math.round(i * step * 1e9) / 1e9;
    ticks.push({ value, label: fmtNumber(value, decimals) });
  }
  return ticks;
}

function legend(
  series: readonly ChartSeries[],
  left: number,
  width: number,
): { svg: string; height: number } {
  const rowHeight = 18;
  let x = left;
  let row = 0;
  const parts: string[] = [];
  series.forEach((s, i) => {
    const style = s.styleIndex ?? i;
    const itemWidth = 34 + Math.min(s.name.length, 60) * 6.6 + 16;
    if (x + itemWidth > left + width && x > left) {
      row++;
      x = left;
    }
    const y = 12 + row * rowHeight;
    const color = PALETTE[style % PALETTE.length] ?? '#000000';
    const swatch =
      s.kind === 'bars'
        ? `<rect x="${r1(x)}" y="${y - 5}" width="24" height="10" fill="${color}" fill-opacity="0.75"/>`
        : `<line x1="${r1(x)}" y1="${y}" x2="${r1(x + 24)}" y2="${y}" stroke="${color}" stroke-width="2.5" stroke-dasharray="${DASHES[style % DASHES.length]}"/>`;
    const name = s.name.length > 60 ? `${s.name.slice(0, 59)}…` : s.name;
    parts.push(`${swatch}<text x="${r1(x + 30)}" y="${y + 4}">${escapeHtml(name)}</text>`);
    x += itemWidth;
  });
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: (row + 1) * rowHeight + 8 };
}

/** Renders the chart as an `<svg>` element sized by its viewBox (scales to the page width). */
export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 960;
  const height = spec.height ?? 300;
  const left = 72;
  const right = 20;
  const bottom = 48;
  const plotWidth = width - left - right;
  const leg = legend(spec.series, left, plotWidth);
  const top = leg.height + 6;
  const plotHeight = height - top - bottom;

  let yMaxData = 0;
  for (const s of spec.series)
    for (const p of s.points) if (p && Number.isFinite(p[1]) && p[1] > yMaxData) yMaxData = p[1];
  // Y runs from 0 to a round number a little above the data, so peaks do not touch the frame.
  const yTicks = niceLinearTicks(yMaxData * 1.04, 5);
  const yMax = yTicks.at(-1)?.value ?? 1;
  const xSpan = spec.xMax > spec.xMin ? spec.xMax - spec.xMin : 1;
  const px = (x: number): number => left + ((x - spec.xMin) / xSpan) * plotWidth;
  const py = (y: number): number => top + plotHeight - (Math.max(0, Math.min(y, yMax)) / yMax) * plotHeight;

  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  out.push(`<title>${escapeHtml(spec.title)}</title>`);
  for (const band of spec.bands ?? []) {
    const x0 = px(Math.max(band.from, spec.xMin));
    const x1 = px(Math.min(band.to, spec.xMax));
    if (x1 <= x0) continue;
    out.push(
      `<rect class="band" x="${r1(x0)}" y="${top}" width="${r1(x1 - x0)}" height="${plotHeight}"><title>${escapeHtml(band.label)}</title></rect>`,
      `<text class="band-label" x="${r1(x0 + 4)}" y="${top + 12}">${escapeHtml(band.label)}</text>`,
    );
  }
  for (const t of yTicks) {
    const y = r1(py(t.value));
    out.push(
      `<line class="grid" x1="${left}" y1="${y}" x2="${left + plotWidth}" y2="${y}"/>`,
      `<text class="tick" x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const t of spec.xTicks) {
    if (t.value < spec.xMin || t.value > spec.xMax) continue;
    const x = r1(px(t.value));
    out.push(
      `<line class="grid" x1="${x}" y1="${top}" x2="${x}" y2="${top + plotHeight}"/>`,
      `<text class="tick" x="${x}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`,
    );
  }
  out.push(
    `<rect class="frame" x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}"/>`,
    `<text class="axis-label" x="${left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(16 ${r1(top + plotHeight / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
  );

  spec.series.forEach((s, i) => {
    const style = s.styleIndex ?? i;
    const color = PALETTE[style % PALETTE.length] ?? '#000000';
    if (s.kind === 'bars') out.push(bars(s, color, px, py, plotWidth, xSpan));
    else out.push(line(s, color, DASHES[style % DASHES.length] ?? '', px, py));
  });
  out.push(leg.svg, '</svg>');
  return out.join('');
}

type Scale = (v: number) => number;

function line(s: ChartSeries, color: string, dash: string, px: Scale, py: Scale): string {
  const paths: string[] = [];
  let current: string[] = [];
  const dots: string[] = [];
  const flush = (): void => {
    if (current.length > 0) paths.push(`M${current.join('L')}`);
    current = [];
  };
  for (const p of s.points) {
    if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      flush();
      continue;
    }
    const x = r1(px(p[0]));
    const y = r1(py(p[1]));
    current.push(`${x} ${y}`);
    if (s.markers) dots.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${color}"/>`);
  }
  flush();
  // A lone point still shows: round caps draw a dot for a zero-length path.
  const d = paths.map((p) => (p.includes('L') ? p : `${p}h0.01`)).join('');
  const dasharray = dash ? ` stroke-dasharray="${dash}"` : '';
  return (
    `<g class="series"><title>${escapeHtml(s.name)}</title>` +
    (d
      ? `<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"${dasharray}/>`
      : '') +
    `${dots.join('')}</g>`
  );
}

function bars(s: ChartSeries, color: string, px: Scale, py: Scale, plotWidth: number, xSpan: number): string {
  const valid = s.points.filter((p): p is readonly [number, number] => p !== null && Number.isFinite(p[1]));
  let minGap = xSpan;
  for (let i = 1; i < valid.length; i++) {
    const gap = valid[i]![0] - valid[i - 1]![0];
    if (gap > 0 && gap < minGap) minGap = gap;
  }
  const barWidth = Math.max(1, Math.min(40, (minGap / xSpan) * plotWidth * 0.8));
  const rects = valid
    .filter((p) => p[1] > 0)
    .map((p) => {
      const y = py(p[1]);
      return `<rect x="${r1(px(p[0]) - barWidth / 2)}" y="${r1(y)}" width="${r1(barWidth)}" height="${r1(py(0) - y)}" fill="${color}" fill-opacity="0.75"/>`;
    });
  return `<g class="series"><title>${escapeHtml(s.name)}</title>${rects.join('')}</g>`;
}
