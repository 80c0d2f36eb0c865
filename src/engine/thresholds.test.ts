import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import type { OpSummary, PhaseSummary } from '../protocol/summary.js';
import { type ParsedThreshold, parseThreshold } from '../protocol/thresholds.js';
import { evaluateThresholds, mergeHistograms } from './thresholds.js';

/** An op whose successful response times (ms) are `latenciesMs`, plus `errors` failures. */
function op(name: string, latenciesMs: number[], errors = 0): OpSummary {
  const histogram = hdr.build({
    bitBucketSize: 32,
    useWebAssembly: false,
    highestTrackableValue: 3_600_000_000,
  });
  for (const ms of latenciesMs) histogram.recordValue(Math.round(ms * 1000));
  const at = (p: number) => histogram.getValueAtPercentile(p) / 1000;
  const latency = {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: histogram.maxValue / 1000,
    mean: histogram.mean / 1000,
    min: histogram.minNonZeroValue / 1000,
  };
  return {
    name,
    count: latenciesMs.length + errors,
    errors,
    errorsByClass: errors > 0 ? { server: errors } : {},
    errorSamples: {},
    latency,
    serviceTime: latency,
    histogram: hdr.encodeIntoCompressedBase64(histogram),
    serviceHistogram: '',
  };
}

function phase(ops: OpSummary[], achieved = 100, durationSeconds = 10): PhaseSummary {
  return {
    name: 'main',
    model: 'open',
    durationSeconds,
    rate: { target: 100, achieved },
    concurrency: null,
    cycles: { done: 0, total: null },
    lateness: null,
    ops,
    thresholds: [],
    stoppedEarly: false,
    failure: null,
  };
}

function parsed(...texts: string[]): ParsedThreshold[] {
  return texts.map((text) => {
    const result = parseThreshold(text);
    if ('error' in result) throw new Error(result.error);
    return result;
  });
}

/** HDR keeps 3 significant digits: values match within 0.1%. */
function near(actual: number | null | undefined, expected: number): void {
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= expected * 0.001,
    `${actual} ≈ ${expected}`,
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('evaluates one op from its summary and p95 from its histogram', () => {
  const summary = phase([op('read', range(1, 100)), op('write', [50])]);
  const [p99, p95, mean] = evaluateThresholds(
    parsed('p99(read) < 20ms', 'p95(read) <= 96ms', 'mean(read) < 60ms'),
    summary,
  );
  assert.equal(p99?.ok, false);
  near(p99?.actual, 99);
  assert.equal(p99?.message, `p99(read) was ${p99?.actual}ms, expected < 20ms`);
  assert.equal(p95?.ok, true);
  near(p95?.actual, 95);
  assert.equal(p95?.message, `p95(read) was ${p95?.actual}ms (<= 96ms)`);
  assert.equal(mean?.ok, true);
  near(mean?.actual, 50.5);
});

test('latency over all ops comes from the merged histograms, not averaged percentiles', () => {
  // read: 99 fast ops at 1ms; write: 1 op at 1000ms. Averaging per-op p99 would give ~500ms.
  const summary = phase([op('read', Array(99).fill(1)), op('write', [1000])]);
  const [p99, p50, max, min] = evaluateThresholds(
    parsed('p99 < 5ms', 'p50 < 5ms', 'max < 2s', 'min >= 1ms'),
    summary,
  );
  assert.equal(p99?.actual, 1);
  assert.equal(p99?.ok, true);
  assert.equal(p50?.actual, 1);
  near(max?.actual, 1000);
  assert.equal(max?.ok, true);
  assert.equal(min?.actual, 1);
  const merged = mergeHistograms(summary.ops.map((o) => o.histogram));
  assert.equal(merged.totalCount, 100);
});

test('evaluates errors as a ratio or a count, count and rate', () => {
  const summary = phase([op('read', range(1, 98), 2), op('write', range(1, 100))], 950, 2);
  const results = evaluateThresholds(
    parsed(
      'errors <= 1%',
      'errors(read) < 10',
      'errors(read) < 1%',
      'count >= 200',
      'rate > 900',
      'rate(write) >= 50',
    ),
    summary,
  );
  assert.deepEqual(
    results.map((r) => [r.ok, r.actual]),
    [
      [true, 1],
      [true, 2],
      [false, 2],
      [true, 200],
      [true, 950],
      [true, 50],
    ],
  );
  assert.equal(results[2]?.message, 'errors(read) was 2%, expected < 1%');
  assert.equal(results[4]?.message, 'rate was 950 ops/s (> 900 ops/s)');
});

test('fails a threshold that cannot be measured, and says why', () => {
  const summary = phase([op('read', [], 5)]);
  const [latency, unknown] = evaluateThresholds(parsed('p99(read) < 5ms', 'p99(scan) < 5ms'), summary);
  assert.deepEqual(latency, {
    expression: 'p99(read) < 5ms',
    ok: false,
    actual: null,
    message: 'p99(read) could not be measured: no operation succeeded, so there is no latency',
  });
  assert.equal(unknown?.ok, false);
  assert.equal(
    unknown?.message,
    'p99(scan) could not be measured: phase main has no op named scan (ops: read)',
  );
});
