/**
 * The report's charts, as inline SVG: throughput, latency and errors over time from the
 * per-second series, and latency-percentile curves over a log-scale "nines" axis.
 */
import type { SeriesPoint } from '../../protocol/api.js';
import { fmtNumber, fmtPercentile } from './format.js';
import type { CurvePoint } from './percentiles.js';
import { type ChartSeries, niceStep, renderChart, type Tick } from './svg.js';

/** A series laid out on a time axis: x in seconds, gaps where points are missing. */
export interface Timeline {
  points: readonly SeriesPoint[];
  /** Seconds for each point (the first point's `elapsed`, then by wall time). */
  xs: readonly number[];
  /** Typical seconds between points. */
  interval: number;
  /** True before point i when the data has a hole (e.g. a runner restarted). */
  gapBefore: readonly boolean[];
}

export function timeline(series: readonly SeriesPoint[]): Timeline {
  const points = [...series].sort((a, b) => a.t - b.t);
  const first = points[0];
  const xs = points.map((p) => (first ? first.elapsed + (p.t - first.t) / 1000 : 0));
  const diffs = xs
    .slice(1)
    .map((x, i) => x - (xs[i] ?? 0))
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  const interval = diffs[Math.floor(diffs.length / 2)] ?? 1;
  const gapBefore = xs.map((x, i) => i > 0 && x - (xs[i - 1] ?? x) > interval * 2.5);
  return { points, xs, interval, gapBefore };
}

/** Ticks for seconds at steps people read on a clock (1 s … 1 h). */
export function timeTicks(min: number, max: number): Tick[] {
  const span = max - min;
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];
  const step = steps.find((s) => span / s <= 10) ?? niceStep(span, 10);
  const ticks: Tick[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step)
    ticks.push({ value: v, label: fmtClock(v) });
  return ticks;
}

/** 45 → `45s`, 90 → `1:30`, 3725 → `1:02:05`. */
export function fmtClock(seconds: number): string {
  const total = Math.round(seconds);
  if (Math.abs(total) < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function lineOf(tl: Timeline, value: (p: SeriesPoint) => number | null): ChartSeries['points'] {
  const out: ([number, number] | null)[] = [];
  tl.points.forEach((p, i) => {
    if (tl.gapBefore[i]) out.push(null);
    const v = value(p);
    out.push(v === null || !Number.isFinite(v) ? null : [tl.xs[i] ?? 0, v]);
  });
  return out;
}

function warmupBands(tl: Timeline): { from: number; to: number; label: string }[] {
  const bands: { from: number; to: number; label: string }[] = [];
  tl.points.forEach((p, i) => {
    if (!p.warmup) return;
    const x = tl.xs[i] ?? 0;
    const last = bands.at(-1);
    if (last && !tl.gapBefore[i] && Math.abs(last.to - (x - tl.interval)) < 1e-6) last.to = x;
    else bands.push({ from: x - tl.interval, to: x, label: 'warmup' });
  });
  return bands;
}

function timeChart(tl: Timeline, title: string, yLabel: string, series: ChartSeries[]): string {
  const xMin = Math.max(0, (tl.xs[0] ?? 0) - tl.interval);
  const xMax = Math.max(xMin + 1, tl.xs.at(-1) ?? 1);
  return renderChart({
    title,
    xLabel: 'elapsed time (s; m:ss past a minute)',
    yLabel,
    xMin,
    xMax,
    xTicks: timeTicks(xMin, xMax),
    series,
    bands: warmupBands(tl),
  });
}

/** Target vs achieved operations per second. */
export function throughputChart(tl: Timeline): string {
  const series: ChartSeries[] = [
    { name: 'achieved ops/s', kind: 'line', points: lineOf(tl, (p) => p.achievedRate) },
  ];
  if (tl.points.some((p) => p.targetRate !== null))
    series.push({
      name: 'target ops/s',
      kind: 'line',
      points: lineOf(tl, (p) => p.targetRate),
      styleIndex: 1,
    });
  return timeChart(tl, 'Throughput over time: target vs achieved', 'operations per second (ops/s)', series);
}

/** p50 and p99 response time per interval. */
export function latencyChart(tl: Timeline): string {
  return timeChart(tl, 'Response time over time: p50 and p99', 'response time (ms)', [
    { name: 'p50 (ms)', kind: 'line', points: lineOf(tl, (p) => p.p50), styleIndex: 2 },
    { name: 'p99 (ms)', kind: 'line', points: lineOf(tl, (p) => p.p99), styleIndex: 1 },
  ]);
}

/** Errors per interval (one second when snapshots come once a second). */
export function errorsChart(tl: Timeline): string {
  const per = tl.interval === 1 ? 'second' : `${fmtNumber(tl.interval, 1)} s interval`;
  return timeChart(tl, `Errors per ${per}`, `errors per ${per}`, [
    { name: `errors per ${per}`, kind: 'bars', points: lineOf(tl, (p) => p.errors), styleIndex: 1 },
  ]);
}

/** Position on the nines axis: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3 (100 has none; see below). */
export function nines(percentile: number): number {
  return percentile <= 0 ? 0 : -Math.log10(1 - percentile / 100);
}

export interface NamedCurve {
  name: string;
  points: readonly CurvePoint[];
  styleIndex?: number;
}

/**
 * Response time by percentile with a log-scale x axis of nines: 0%, 90%, 99%, 99.9%, …; the
 * maximum (p100) sits one decade past the highest percentile the data supports, labelled max.
 */
export function percentileChart(curves: readonly NamedCurve[], title: string): string {
  let maxFinite = 0;
  for (const c of curves)
    for (const p of c.points) if (p.percentile < 100) maxFinite = Math.max(maxFinite, nines(p.percentile));
  const maxAt = Math.floor(maxFinite + 1e-9) + 1;
  const xTicks: Tick[] = [];
  for (let k = 0; k < maxAt; k++) xTicks.push({ value: k, label: `${fmtPercentile(100 - 100 / 10 ** k)}%` });
  xTicks.push({ value: maxAt, label: 'max' });
  const series: ChartSeries[] = curves.map((c, i) => ({
    name: c.name,
    kind: 'line',
    markers: true,
    styleIndex: c.styleIndex ?? i,
    points: c.points.map((p) => [p.percentile >= 100 ? maxAt : nines(p.percentile), p.ms] as const),
  }));
  return renderChart({
    title,
    xLabel: 'percentile (log scale of 1 / (1 − p): each step is one more nine)',
    yLabel: 'response time (ms)',
    xMin: 0,
    xMax: maxAt,
    xTicks,
    series,
  });
}
