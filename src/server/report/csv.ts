/**
 * CSV exports (RFC 4180: comma-separated, CRLF line ends, quoted when needed) of a run's
 * per-second series and of its summary. Numbers are plain (no separators), latencies in ms,
 * rates in ops/s; an empty cell means "no value".
 */
import type { SeriesPoint } from '../../protocol/api.js';
import type { RunSummary } from '../../protocol/summary.js';
import { csvLines, csvNumber, csvText } from './format.js';

export const SERIES_COLUMNS = [
  'time',
  'elapsed_s',
  'target_rate',
  'achieved_rate',
  'p50_ms',
  'p99_ms',
  'errors',
  'warmup',
] as const;

/** Op names in order of first appearance in the series. */
export function seriesOpNames(series: readonly SeriesPoint[]): string[] {
  const names = new Set<string>();
  for (const point of series) for (const name of Object.keys(point.ops)) names.add(name);
  return [...names];
}

function isoTime(epochMs: number): string {
  return Number.isFinite(epochMs) && Math.abs(epochMs) <= 8.64e15 ? new Date(epochMs).toISOString() : '';
}

/**
 * One row per second: `time` (ISO, end of the interval), `elapsed_s`, `target_rate` (empty in
 * the closed model), `achieved_rate`, `p50_ms`, `p99_ms`, `errors`, `warmup` (true/false), then
 * `<op>.count` and `<op>.p99_ms` for every op seen in the series.
 */
export function seriesCsv(series: readonly SeriesPoint[]): string {
  const opNames = seriesOpNames(series);
  const header = [
    ...SERIES_COLUMNS,
    ...opNames.flatMap((name) => [csvText(`${name}.count`), csvText(`${name}.p99_ms`)]),
  ];
  const rows = series.map((point) => [
    isoTime(point.t),
    csvNumber(point.elapsed),
    csvNumber(point.targetRate),
    csvNumber(point.achievedRate),
    csvNumber(point.p50),
    csvNumber(point.p99),
    csvNumber(point.errors),
    point.warmup ? 'true' : 'false',
    ...opNames.flatMap((name) => {
      const op = point.ops[name];
      return op ? [csvNumber(op.count), csvNumber(op.p99)] : ['', ''];
    }),
  ]);
  return csvLines([header, ...rows]);
}

export const SUMMARY_COLUMNS = [
  'phase',
  'op',
  'model',
  'duration_s',
  'count',
  'errors',
  'rate',
  'p50_ms',
  'p90_ms',
  'p99_ms',
  'p99.9_ms',
  'max_ms',
  'mean_ms',
  'min_ms',
] as const;

/**
 * One row per phase × op: counts, `rate` (the op's completed operations per second of the
 * measured window) and its response-time summary in ms.
 */
export function summaryCsv(summary: RunSummary): string {
  const rows: string[][] = [];
  for (const phase of summary.phases) {
    for (const op of phase.ops) {
      const rate = phase.durationSeconds > 0 ? op.count / phase.durationSeconds : null;
      rows.push([
        csvText(phase.name),
        csvText(op.name),
        phase.model,
        csvNumber(phase.durationSeconds),
        csvNumber(op.count),
        csvNumber(op.errors),
        csvNumber(rate),
        csvNumber(op.latency.p50),
        csvNumber(op.latency.p90),
        csvNumber(op.latency.p99),
        csvNumber(op.latency.p999),
        csvNumber(op.latency.max),
        csvNumber(op.latency.mean),
        csvNumber(op.latency.min),
      ]);
    }
  }
  return csvLines([[...SUMMARY_COLUMNS], ...rows]);
}
