import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SnapshotEvent } from '../../protocol/events.js';
import { PhaseAggregator } from './aggregate.js';
import { createHistogram, decodeHistogram, encodeHistogram, recordNanos } from './histogram.js';
import { IntervalRecorder } from './interval-recorder.js';

function snapshotOf(recorder: IntervalRecorder, seq: number): SnapshotEvent {
  const taken = recorder.takeInterval();
  return {
    v: 1,
    type: 'snapshot',
    phase: 'main',
    seq,
    timeMs: seq * 1000,
    intervalSeconds: 1,
    warmup: false,
    state: 'running',
    target: { rate: 100, concurrency: null },
    achievedRate: taken.completed,
    inFlight: 0,
    progress: { done: 0, total: null, elapsedSeconds: seq, durationSeconds: null, fraction: null },
    ops: taken.ops,
    latency: taken.latency,
    lateness: taken.lateness,
  };
}

test('merging the interval snapshots of 4 workers gives exactly the histogram of one recorder', () => {
  const single = createHistogram();
  const workers = [0, 1, 2, 3].map(() => new IntervalRecorder(['read']));
  const aggregator = new PhaseAggregator('main', ['read']);
  let state = 12345;
  const nextNanos = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    // a long-tailed spread from 50 µs to ~2 s
    return 50_000 * Math.exp((state / 2 ** 32) * 10.6);
  };
  for (let interval = 1; interval <= 5; interval++) {
    for (let i = 0; i < 20_000; i++) {
      const nanos = nextNanos();
      recordNanos(single, nanos);
      workers[i % 4]!.recordSuccess(0, nanos, nanos);
    }
    workers.forEach((w, index) => {
      aggregator.add(index, snapshotOf(w, interval));
    });
  }
  const [op] = aggregator.opSummaries({});
  const merged = decodeHistogram(op!.histogram);
  assert.equal(merged.totalCount, 100_000);
  assert.equal(op!.count, 100_000);
  for (const p of [1, 10, 50, 90, 99, 99.9, 99.99, 100]) {
    assert.equal(merged.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);
  }
  assert.equal(merged.mean, single.mean);
  assert.equal(encodeHistogram(merged), encodeHistogram(single));
});

test('the live merged view sums counts and targets of all sources', () => {
  const aggregator = new PhaseAggregator('main', ['read']);
  for (const source of [0, 1]) {
    const recorder = new IntervalRecorder(['read']);
    for (let i = 0; i < 50; i++) recorder.recordSuccess(0, 1_000_000, 900_000);
    recorder.recordError(0, 'timeout', 'took too long');
    aggregator.add(source, snapshotOf(recorder, 1));
  }
  const merged = aggregator.takeMerged(1000)!;
  assert.equal(merged.ops.read!.count, 102);
  assert.equal(merged.ops.read!.errors, 2);
  assert.deepEqual(merged.ops.read!.errorsByClass, { timeout: 2 });
  assert.equal(merged.target.rate, 200);
  assert.equal(merged.achievedRate, 102);
  assert.equal(merged.ops.read!.p50, 1);
  assert.deepEqual(merged.latency, { p50: 1, p99: 1 }, 'all-ops percentiles of the merged interval');
  assert.equal(aggregator.takeMerged(2000), null, 'nothing new since the last take');
});
