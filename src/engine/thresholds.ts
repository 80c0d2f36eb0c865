/**
 * Evaluates parsed thresholds against a finished phase. Latency over all ops of a phase comes
 * from the merged HDR histograms (exact), never from averaging per-op percentiles.
 */
import * as hdr from 'hdr-histogram-js';
import type { OpSummary, PhaseSummary, ThresholdResult } from '../protocol/summary.js';
import {
  compare,
  formatThresholdValue,
  isLatencyMetric,
  type LatencyMetric,
  type ParsedThreshold,
} from '../protocol/thresholds.js';

const PERCENTILES: Partial<Record<LatencyMetric, number>> = {
  p50: 50,
  p90: 90,
  p95: 95,
  p99: 99,
  p999: 99.9,
};

type Measured = { actual: number } | { unmeasured: string };

export function evaluateThresholds(
  parsed: readonly ParsedThreshold[],
  phase: PhaseSummary,
): ThresholdResult[] {
  return parsed.map((threshold) => evaluateOne(threshold, phase));
}

function evaluateOne(threshold: ParsedThreshold, phase: PhaseSummary): ThresholdResult {
  const measured = measure(threshold, phase);
  const limit = `${threshold.comparator} ${formatThresholdValue(threshold.value, threshold.unit)}`;
  const subject = threshold.op === null ? threshold.metric : `${threshold.metric}(${threshold.op})`;
  if ('unmeasured' in measured) {
    return {
      expression: threshold.expression,
      ok: false,
      actual: null,
      message: `${subject} could not be measured: ${measured.unmeasured}`,
    };
  }
  const ok = compare(measured.actual, threshold.comparator, threshold.value);
  const shown = formatThresholdValue(measured.actual, threshold.unit);
  return {
    expression: threshold.expression,
    ok,
    actual: measured.actual,
    message: ok ? `${subject} was ${shown} (${limit})` : `${subject} was ${shown}, expected ${limit}`,
  };
}

function measure(threshold: ParsedThreshold, phase: PhaseSummary): Measured {
  let ops: readonly OpSummary[] = phase.ops;
  if (threshold.op !== null) {
    const op = phase.ops.find((candidate) => candidate.name === threshold.op);
    if (!op) {
      const names = phase.ops.map((candidate) => candidate.name).join(', ') || 'none';
      return { unmeasured: `phase ${phase.name} has no op named ${threshold.op} (ops: ${names})` };
    }
    ops = [op];
  }
  const count = sum(ops, (op) => op.count);
  const errors = sum(ops, (op) => op.errors);
  switch (threshold.metric) {
    case 'count':
      return { actual: count };
    case 'errors':
      if (threshold.unit === 'count') return { actual: errors };
      return { actual: count === 0 ? 0 : (errors / count) * 100 };
    case 'rate':
      if (threshold.op === null) return { actual: phase.rate.achieved };
      if (phase.durationSeconds <= 0) return { unmeasured: 'the phase ran for 0 seconds' };
      return { actual: count / phase.durationSeconds };
    default:
      if (!isLatencyMetric(threshold.metric)) return { unmeasured: `unknown metric ${threshold.metric}` };
      return measureLatency(threshold.metric, ops, count - errors);
  }
}

function measureLatency(metric: LatencyMetric, ops: readonly OpSummary[], successes: number): Measured {
  if (successes <= 0) return { unmeasured: 'no operation succeeded, so there is no latency' };
  const single = ops.length === 1 ? ops[0] : undefined;
  if (single && metric !== 'p95') return { actual: single.latency[metric] };
  const encoded = ops.map((op) => op.histogram).filter((text) => text !== '');
  if (encoded.length === 0) return { unmeasured: 'the summary has no latency histogram' };
  const merged = mergeHistograms(encoded);
  if (merged.totalCount === 0) return { unmeasured: 'the latency histograms are empty' };
  const micros = latencyMicros(metric, merged);
  return { actual: Math.round(micros) / 1000 };
}

function latencyMicros(metric: LatencyMetric, histogram: hdr.Histogram): number {
  const percentile = PERCENTILES[metric];
  if (percentile !== undefined) return histogram.getValueAtPercentile(percentile);
  if (metric === 'max') return histogram.maxValue;
  if (metric === 'mean') return histogram.mean;
  return histogram.minNonZeroValue > histogram.maxValue ? 0 : histogram.minNonZeroValue;
}

/** Exact merge of compressed-base64 HDR histograms (µs), as written in OpSummary.histogram. */
export function mergeHistograms(encoded: readonly string[]): hdr.Histogram {
  const merged = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: true,
    useWebAssembly: false,
  });
  for (const text of encoded) merged.add(hdr.decodeFromCompressedBase64(text, 32, false));
  return merged;
}

function sum(ops: readonly OpSummary[], pick: (op: OpSummary) => number): number {
  let total = 0;
  for (const op of ops) total += pick(op);
  return total;
}
