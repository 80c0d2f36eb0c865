/**
 * HDR histograms of latencies in microseconds: 1 µs resolution at the low end, 3 significant
 * digits, up to one hour. Encoded as compressed base64 to cross threads and processes; merged
 * with `add` (exact), percentiles computed only after merging.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../../protocol/summary.js';

export type Histogram = hdr.Histogram;

export const HISTOGRAM_MAX_MICROS = 3_600_000_000;

export function createHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HISTOGRAM_MAX_MICROS,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Record a duration given in nanoseconds (clamped to the histogram's range). */
export function recordNanos(histogram: Histogram, nanos: number): void {
  let micros = Math.round(nanos / 1000);
  if (micros < 0) micros = 0;
  else if (micros > HISTOGRAM_MAX_MICROS) micros = HISTOGRAM_MAX_MICROS;
  histogram.recordValue(micros);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** Adds an encoded histogram into `into` (exact merge). */
export function addEncoded(into: Histogram, encoded: string): void {
  if (!encoded) return;
  const decoded = decodeHistogram(encoded);
  into.add(decoded);
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Percentiles in milliseconds. */
export function summarizeLatency(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, min: 0 };
  return {
    p50: round3(histogram.getValueAtPercentile(50) / 1000),
    p90: round3(histogram.getValueAtPercentile(90) / 1000),
    p99: round3(histogram.getValueAtPercentile(99) / 1000),
    p999: round3(histogram.getValueAtPercentile(99.9) / 1000),
    max: round3(histogram.maxValue / 1000),
    mean: round3(histogram.mean / 1000),
    min: histogram.minNonZeroValue > histogram.maxValue ? 0 : round3(histogram.minNonZeroValue / 1000),
  };
}

export function percentileMs(histogram: Histogram, percentile: number): number {
  return histogram.totalCount === 0 ? 0 : round3(histogram.getValueAtPercentile(percentile) / 1000);
}
