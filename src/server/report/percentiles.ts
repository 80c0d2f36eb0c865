/**
 * Latency-percentile curves from the HDR histograms in a run summary. The `all` curve comes
 * from the op histograms ADDED together (exact); percentiles are never averaged across ops.
 */
import {
  createHistogram,
  decodeHistogram,
  type Histogram,
  summarizeLatency,
} from '../../engine/metrics/histogram.js';
import type { LatencySummary, PhaseSummary, RunSummary } from '../../protocol/summary.js';

/** The percentiles a curve is drawn through. */
export const CURVE_PERCENTILES: readonly number[] = [
  0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100,
];

/** Name of the merged entry of `percentileCurves`. */
export const ALL_OPS = 'all';

export interface CurvePoint {
  percentile: number;
  /** Response time at that percentile, milliseconds. */
  ms: number;
}

export interface PercentileCurve {
  /** Op name, or `all` for the merged entry. */
  name: string;
  /** True for the entry merged over every op (tells it apart from an op named `all`). */
  merged: boolean;
  /** Values in the histogram (successful operations). */
  count: number;
  points: CurvePoint[];
}

export interface PercentileCurves {
  /** Phase the curves are of (the benchmark phase), null when the summary has no phase. */
  phase: string | null;
  /** Per op in summary order, then `all`. */
  ops: PercentileCurve[];
}

/** The benchmark phase of a summary: its last phase (the earlier ones are setup). */
export function benchmarkPhase(summary: RunSummary | null): PhaseSummary | null {
  return summary?.phases.at(-1) ?? null;
}

/** An op's response-time histogram, or null when it is missing or does not decode. */
export function opHistogram(encoded: string): Histogram | null {
  if (!encoded) return null;
  try {
    return decodeHistogram(encoded);
  } catch {
    return null;
  }
}

/**
 * A percentile is drawn only when the histogram holds at least one value beyond it
 * (p99.99 needs 10,000 values); 0 (min) and 100 (max) always are.
 */
export function supportsPercentile(count: number, percentile: number): boolean {
  if (count <= 0) return false;
  if (percentile <= 0 || percentile >= 100) return true;
  return (count * (100 - percentile)) / 100 >= 1 - 1e-9;
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * The exact maximum when the summary knows it and it lies in the histogram's top bucket
 * (buckets are under 0.1% wide at 3 significant digits); otherwise the bucket's highest value.
 */
function maxMs(histogram: Histogram, exactMaxMs: number | undefined): number {
  const bucketHigh = histogram.getValueAtPercentile(100);
  const exactMicros = (exactMaxMs ?? -1) * 1000;
  if (exactMicros <= bucketHigh + 1 && exactMicros >= bucketHigh * 0.999 - 1) return exactMaxMs!;
  return round3(bucketHigh / 1000);
}

/** Points of one histogram (µs) in ms at the supported CURVE_PERCENTILES; p100 is the exact max when given. */
export function curvePoints(
  histogram: Histogram,
  exactMaxMs?: number,
  percentiles: readonly number[] = CURVE_PERCENTILES,
): CurvePoint[] {
  const count = histogram.totalCount;
  const points: CurvePoint[] = [];
  for (const percentile of percentiles) {
    if (!supportsPercentile(count, percentile)) continue;
    const ms =
      percentile >= 100
        ? maxMs(histogram, exactMaxMs)
        : round3(histogram.getValueAtPercentile(percentile) / 1000);
    points.push({ percentile, ms });
  }
  return points;
}

/**
 * Latency over every op of the phase: percentiles and mean of the merged histogram; min and
 * max exact (the min/max of the ops' own). Null when no histogram decodes and there is more
 * than one op (their percentiles cannot be combined).
 */
export function mergedLatency(phase: PhaseSummary): LatencySummary | null {
  const merged = createHistogram();
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const op of phase.ops) {
    const h = opHistogram(op.histogram);
    if (!h || h.totalCount === 0) continue;
    merged.add(h);
    max = Math.max(max, op.latency.max);
    if (op.latency.min > 0) min = Math.min(min, op.latency.min);
  }
  if (merged.totalCount === 0) return phase.ops.length === 1 ? (phase.ops[0]?.latency ?? null) : null;
  const latency = summarizeLatency(merged);
  return { ...latency, max: maxMs(merged, max), min: Number.isFinite(min) ? min : latency.min };
}

/** Percentile curves of the benchmark phase: one per op and one merged over all ops. */
export function percentileCurves(summary: RunSummary | null): PercentileCurves {
  const phase = benchmarkPhase(summary);
  if (!phase) return { phase: null, ops: [] };
  const merged = createHistogram();
  let mergedMax = 0;
  const ops: PercentileCurve[] = [];
  for (const op of phase.ops) {
    const h = opHistogram(op.histogram);
    if (h && h.totalCount > 0) {
      merged.add(h);
      mergedMax = Math.max(mergedMax, op.latency.max);
    }
    const points = h ? curvePoints(h, op.latency.max) : [];
    ops.push({ name: op.name, merged: false, count: h?.totalCount ?? 0, points });
  }
  if (phase.ops.length > 0) {
    ops.push({
      name: ALL_OPS,
      merged: true,
      count: merged.totalCount,
      points: curvePoints(merged, mergedMax),
    });
  }
  return { phase: phase.name, ops };
}
