import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpSummary, PhaseSummary, RunSummary } from '../../protocol/summary.js';
import { parseThreshold } from '../../protocol/thresholds.js';
import { evaluateThresholds } from '../thresholds.js';
import {
  addEncoded,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  recordNanos,
  summarizeLatency,
} from './histogram.js';
import { mergePhaseSummaries, mergeRunSummaries } from './merge-summary.js';

/** Deterministic long-tailed latencies in nanoseconds (50 µs to ~2 s). */
function latencies(seed: number, n: number): number[] {
  let state = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out.push(50_000 * Math.exp((state / 2 ** 32) * 10.6));
  }
  return out;
}

const ms = (values: readonly number[]): number[] => values.map((v) => v * 1_000_000);

interface OpInput {
  /** Response times in nanoseconds (one per operation, errors included). */
  nanos: readonly number[];
  errors?: number;
  errorsByClass?: Record<string, number>;
  errorSamples?: Record<string, string[]>;
}

/**
 * A histogram of `values` as a runner holds it: recorded by a worker, then added from its encoded
 * interval snapshots (PhaseAggregator), so max is the highest value of its bucket (HDR precision).
 */
function record(values: readonly number[], scale = 1): Histogram {
  const worker = createHistogram();
  for (const v of values) recordNanos(worker, v * scale);
  const h = createHistogram();
  if (worker.totalCount > 0) addEncoded(h, encodeHistogram(worker));
  return h;
}

function opSummary(name: string, input: OpInput): OpSummary {
  const rt = record(input.nanos);
  const st = record(input.nanos, 0.5);
  return {
    name,
    count: input.nanos.length,
    errors: input.errors ?? 0,
    errorsByClass: input.errorsByClass ?? {},
    errorSamples: input.errorSamples ?? {},
    latency: summarizeLatency(rt),
    serviceTime: summarizeLatency(st),
    histogram: rt.totalCount > 0 ? encodeHistogram(rt) : '',
    serviceHistogram: st.totalCount > 0 ? encodeHistogram(st) : '',
  };
}

interface PhaseInput {
  name?: string;
  model?: 'open' | 'closed';
  durationSeconds?: number;
  target?: number | null;
  concurrency?: number | null;
  cycles?: { done: number; total: number | null };
  lateness?: PhaseSummary['lateness'];
  thresholds?: string[];
  stoppedEarly?: boolean;
  failure?: PhaseSummary['failure'];
}

/** A phase summary as one runner writes it: thresholds evaluated on its own figures. */
function phaseSummary(ops: Record<string, OpInput>, input: PhaseInput = {}): PhaseSummary {
  const opSummaries = Object.entries(ops).map(([name, op]) => opSummary(name, op));
  const durationSeconds = input.durationSeconds ?? 10;
  const count = opSummaries.reduce((n, o) => n + o.count, 0);
  const model = input.model ?? 'open';
  const summary: PhaseSummary = {
    name: input.name ?? 'main',
    model,
    durationSeconds,
    rate: {
      target: input.target === undefined ? (model === 'open' ? 100 : null) : input.target,
      achieved: Number((count / durationSeconds).toFixed(2)),
    },
    concurrency: input.concurrency === undefined ? (model === 'closed' ? 4 : null) : input.concurrency,
    cycles: input.cycles ?? { done: count, total: null },
    lateness: input.lateness === undefined ? null : input.lateness,
    ops: opSummaries,
    thresholds: [],
    stoppedEarly: input.stoppedEarly ?? false,
    failure: input.failure ?? null,
  };
  const parsed = (input.thresholds ?? []).map((text) => {
    const p = parseThreshold(text);
    if ('error' in p) throw new Error(p.error);
    return p;
  });
  summary.thresholds = evaluateThresholds(parsed, summary);
  return summary;
}

function runSummary(
  phases: PhaseSummary[],
  startedAt: string,
  endedAt: string,
  index: number,
  threads: number,
): RunSummary {
  return {
    schemaVersion: 1,
    workload: 'kv',
    startedAt,
    endedAt,
    partition: { index, count: 3, threads },
    phases,
    thresholdsOk: phases.every((p) => p.failure === null && p.thresholds.every((t) => t.ok)),
  };
}

const near = (actual: number, expected: number, relative = 0.001): void => {
  assert.ok(
    Math.abs(actual - expected) <= expected * relative,
    `${actual} is not within ${relative * 100}% of ${expected}`,
  );
};

test('merging 3 partitions gives exactly the latency summary of one histogram that recorded every value', () => {
  const read = [latencies(1, 3000), latencies(2, 5000), latencies(3, 1234)];
  const write = [latencies(4, 700), latencies(5, 10), latencies(6, 2500)];
  const parts = [0, 1, 2].map((i) =>
    phaseSummary({ read: { nanos: read[i]! }, write: { nanos: write[i]! } }),
  );
  const merged = mergePhaseSummaries(parts);

  assert.deepEqual(
    merged.ops.map((o) => o.name),
    ['read', 'write'],
  );
  const singleRead = record(read.flat());
  const singleWrite = record(write.flat());
  const [mergedRead, mergedWrite] = merged.ops;
  assert.equal(mergedRead!.count, 9234);
  assert.equal(mergedWrite!.count, 3210);
  assert.deepEqual(mergedRead!.latency, summarizeLatency(singleRead));
  assert.deepEqual(mergedWrite!.latency, summarizeLatency(singleWrite));
  assert.deepEqual(mergedRead!.serviceTime, summarizeLatency(record(read.flat(), 0.5)));
  // The merged histogram is the single recorder's, bucket for bucket.
  assert.equal(mergedRead!.histogram, encodeHistogram(singleRead));
  assert.equal(mergedRead!.serviceHistogram, encodeHistogram(record(read.flat(), 0.5)));
  assert.equal(decodeHistogram(mergedWrite!.histogram).totalCount, 3210);
  // Not the mean of the partitions' percentiles.
  const averagedP99 = parts.reduce((n, p) => n + p.ops[0]!.latency.p99, 0) / 3;
  assert.notEqual(mergedRead!.latency.p99, averagedP99);
});

test('merged percentiles of 1..300 ms spread over 3 partitions are those of 1..300 ms', () => {
  const values = (from: number) => ms(Array.from({ length: 100 }, (_, i) => from + i));
  const parts = [1, 101, 201].map((from) => phaseSummary({ read: { nanos: values(from) } }));
  const { latency, count } = mergePhaseSummaries(parts).ops[0]!;
  assert.equal(count, 300);
  assert.equal(latency.min, 1);
  near(latency.p50, 150);
  near(latency.p90, 270);
  near(latency.p99, 297);
  near(latency.max, 300);
  near(latency.mean, 150.5);
  // Each partition alone is far from it.
  assert.ok(parts[0]!.ops[0]!.latency.p50 < 51);
  assert.ok(parts[2]!.ops[0]!.latency.p50 > 250);
});

test('errors add, errorsByClass add per class, errorSamples are a union of at most 5 per class', () => {
  const nanos = ms([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const parts = [
    phaseSummary({
      read: {
        nanos,
        errors: 3,
        errorsByClass: { timeout: 2, refused: 1 },
        errorSamples: { timeout: ['t1', 't2'], refused: ['r1'] },
      },
    }),
    phaseSummary({
      read: {
        nanos,
        errors: 4,
        errorsByClass: { timeout: 4 },
        errorSamples: { timeout: ['t2', 't3', 't4'] },
      },
    }),
    phaseSummary({
      read: {
        nanos,
        errors: 2,
        errorsByClass: { timeout: 1, auth: 1 },
        errorSamples: { timeout: ['t5', 't6', 't7'], auth: ['a1'] },
      },
    }),
  ];
  const [op] = mergePhaseSummaries(parts).ops;
  assert.equal(op!.count, 30);
  assert.equal(op!.errors, 9);
  assert.deepEqual(op!.errorsByClass, { timeout: 7, refused: 1, auth: 1 });
  assert.deepEqual(op!.errorSamples, {
    timeout: ['t1', 't2', 't3', 't4', 't5'],
    refused: ['r1'],
    auth: ['a1'],
  });
});

test('rate.achieved is the total count over the longest duration; targets and concurrency add', () => {
  const parts = [
    phaseSummary({ read: { nanos: latencies(1, 300) } }, { durationSeconds: 9.5, target: 100 }),
    phaseSummary({ read: { nanos: latencies(2, 300) } }, { durationSeconds: 10, target: 100 }),
    phaseSummary({ read: { nanos: latencies(3, 400) } }, { durationSeconds: 8, target: 100 }),
  ];
  const merged = mergePhaseSummaries(parts);
  assert.equal(merged.durationSeconds, 10);
  assert.deepEqual(merged.rate, { target: 300, achieved: 100 });
  assert.equal(merged.concurrency, null);
  assert.equal(merged.model, 'open');
  assert.equal(merged.name, 'main');

  const closed = mergePhaseSummaries([
    phaseSummary(
      { read: { nanos: latencies(1, 10) } },
      { model: 'closed', concurrency: 4, durationSeconds: 3 },
    ),
    phaseSummary(
      { read: { nanos: latencies(2, 10) } },
      { model: 'closed', concurrency: 3, durationSeconds: 3 },
    ),
    phaseSummary(
      { read: { nanos: latencies(3, 10) } },
      { model: 'closed', concurrency: 3, durationSeconds: 3 },
    ),
  ]);
  assert.equal(closed.concurrency, 10);
  assert.deepEqual(closed.rate, { target: null, achieved: 10 });

  // One partition without a target makes the total unknown.
  const mixed = mergePhaseSummaries([
    phaseSummary({ read: { nanos: latencies(1, 10) } }, { target: 50, concurrency: 2 }),
    phaseSummary({ read: { nanos: latencies(2, 10) } }, { target: null, concurrency: null }),
  ]);
  assert.equal(mixed.rate.target, null);
  assert.equal(mixed.concurrency, null);
});

test('rate.achieved is 0 when every partition ran for 0 seconds', () => {
  const merged = mergePhaseSummaries([
    phaseSummary({ read: { nanos: [] } }, { durationSeconds: 0.001 }),
    phaseSummary({ read: { nanos: [] } }, { durationSeconds: 0.001 }),
  ]);
  assert.equal(merged.rate.achieved, 0);
  const zero = mergePhaseSummaries([
    { ...phaseSummary({ read: { nanos: [] } }), durationSeconds: 0 },
    { ...phaseSummary({ read: { nanos: [] } }), durationSeconds: 0 },
  ]);
  assert.equal(zero.durationSeconds, 0);
  assert.equal(zero.rate.achieved, 0);
  assert.equal(zero.ops[0]!.histogram, '');
  assert.deepEqual(zero.ops[0]!.latency, { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, min: 0 });
});

test('cycles.done adds up, cycles.total is the phase total; lateness is the worst partition', () => {
  const merged = mergePhaseSummaries([
    phaseSummary(
      { read: { nanos: latencies(1, 5) } },
      { cycles: { done: 334, total: 1000 }, lateness: { p50: 0.1, p99: 4, max: 9 } },
    ),
    phaseSummary(
      { read: { nanos: latencies(2, 5) } },
      { cycles: { done: 333, total: 1000 }, lateness: { p50: 0.3, p99: 2, max: 12 } },
    ),
    phaseSummary(
      { read: { nanos: latencies(3, 5) } },
      { cycles: { done: 333, total: 1000 }, lateness: null },
    ),
  ]);
  assert.deepEqual(merged.cycles, { done: 1000, total: 1000 });
  assert.deepEqual(merged.lateness, { p50: 0.3, p99: 4, max: 12 });

  const noLateness = mergePhaseSummaries([
    phaseSummary({ read: { nanos: latencies(1, 5) } }, { model: 'closed' }),
    phaseSummary({ read: { nanos: latencies(2, 5) } }, { model: 'closed' }),
  ]);
  assert.equal(noLateness.lateness, null);
});

test('thresholds that held in every partition can fail on the merged figures', () => {
  const thresholds = ['errors < 10', 'count < 2500', 'rate < 250'];
  const parts = [1, 2, 3].map((seed) =>
    phaseSummary(
      { read: { nanos: latencies(seed, 1000), errors: 5, errorsByClass: { timeout: 5 } } },
      { thresholds, durationSeconds: 10 },
    ),
  );
  for (const p of parts)
    assert.deepEqual(
      p.thresholds.map((t) => t.ok),
      [true, true, true],
    );
  const merged = mergePhaseSummaries(parts);
  assert.deepEqual(merged.thresholds, [
    { expression: 'errors < 10', ok: false, actual: 15, message: 'errors was 15, expected < 10' },
    { expression: 'count < 2500', ok: false, actual: 3000, message: 'count was 3000, expected < 2500' },
    { expression: 'rate < 250', ok: false, actual: 300, message: 'rate was 300 ops/s, expected < 250 ops/s' },
  ]);
});

test('thresholds that failed in every partition can hold on the merged figures', () => {
  const parts = [1, 2, 3].map((seed) =>
    phaseSummary(
      { read: { nanos: latencies(seed, 1000) } },
      { thresholds: ['count >= 2500', 'rate > 250/s'] },
    ),
  );
  for (const p of parts)
    assert.deepEqual(
      p.thresholds.map((t) => t.ok),
      [false, false],
    );
  const merged = mergePhaseSummaries(parts);
  assert.deepEqual(merged.thresholds, [
    { expression: 'count >= 2500', ok: true, actual: 3000, message: 'count was 3000 (>= 2500)' },
    { expression: 'rate > 250/s', ok: true, actual: 300, message: 'rate was 300 ops/s (> 250 ops/s)' },
  ]);
});

test('p99 < 50ms is evaluated on the merged histogram, not as the AND of the partitions', () => {
  // Partition 0: 2% of its operations at 80 ms (its p99 fails); the others are all fast.
  const fast = (seed: number, n: number) => latencies(seed, n).map((v) => 1_000_000 + (v % 9_000_000));
  const slowPartition = [...fast(1, 980), ...ms(Array(20).fill(80))];
  const thresholds = ['p99 < 50ms', 'p99(read) < 50ms', 'max < 50ms'];
  const parts = [
    phaseSummary({ read: { nanos: slowPartition } }, { thresholds }),
    phaseSummary({ read: { nanos: fast(2, 1000) } }, { thresholds }),
    phaseSummary({ read: { nanos: fast(3, 1000) } }, { thresholds }),
  ];
  assert.deepEqual(
    parts.map((p) => p.thresholds[0]!.ok),
    [false, true, true],
  );
  near(parts[0]!.thresholds[0]!.actual!, 80);

  const merged = mergePhaseSummaries(parts);
  const single = summarizeLatency(record([...slowPartition, ...fast(2, 1000), ...fast(3, 1000)]));
  assert.ok(single.p99 < 10, `merged p99 ${single.p99}`);
  const [p99, p99read, max] = merged.thresholds;
  assert.equal(p99!.ok, true);
  assert.equal(p99!.actual, single.p99);
  assert.equal(p99read!.ok, true);
  assert.equal(p99read!.actual, single.p99);
  assert.equal(p99read!.message, `p99(read) was ${single.p99}ms (< 50ms)`);
  assert.equal(max!.ok, false);
  near(max!.actual!, 80);
  assert.equal(merged.ops[0]!.latency.p99, single.p99);
});

test('thresholds are re-evaluated from the first partition expressions, errors as a ratio', () => {
  const parts = [
    phaseSummary(
      { read: { nanos: latencies(1, 1000), errors: 0 } },
      { thresholds: ['errors < 1%', 'p95 < 10s'] },
    ),
    phaseSummary(
      { read: { nanos: latencies(2, 1000), errors: 40, errorsByClass: { timeout: 40 } } },
      { thresholds: ['errors < 1%', 'p95 < 10s'] },
    ),
  ];
  assert.deepEqual(
    parts.map((p) => p.thresholds[0]!.ok),
    [true, false],
  );
  const merged = mergePhaseSummaries(parts);
  assert.equal(merged.thresholds.length, 2);
  assert.deepEqual(merged.thresholds[0], {
    expression: 'errors < 1%',
    ok: false,
    actual: 2,
    message: 'errors was 2%, expected < 1%',
  });
  assert.equal(merged.thresholds[1]!.ok, true);
});

test('a failure and stoppedEarly of any partition propagate to the merged phase', () => {
  const failure = { code: 'BP_TARGET_UNREACHABLE', message: 'cassandra:9042 refused the connection' };
  const merged = mergePhaseSummaries([
    phaseSummary({ read: { nanos: latencies(1, 10) } }),
    phaseSummary({ read: { nanos: latencies(2, 3) } }, { failure, stoppedEarly: true }),
    phaseSummary({ read: { nanos: latencies(3, 10) } }),
  ]);
  assert.deepEqual(merged.failure, failure);
  assert.equal(merged.stoppedEarly, true);
  assert.equal(merged.ops[0]!.count, 23);

  const fine = mergePhaseSummaries([
    phaseSummary({ read: { nanos: latencies(1, 10) } }),
    phaseSummary({ read: { nanos: latencies(2, 10) } }),
  ]);
  assert.equal(fine.failure, null);
  assert.equal(fine.stoppedEarly, false);
});

test('an op only some partitions ran is merged from those', () => {
  const merged = mergePhaseSummaries([
    phaseSummary({ read: { nanos: latencies(1, 10) } }),
    phaseSummary({ read: { nanos: latencies(2, 10) }, scan: { nanos: latencies(3, 7) } }),
  ]);
  assert.deepEqual(
    merged.ops.map((o) => [o.name, o.count]),
    [
      ['read', 20],
      ['scan', 7],
    ],
  );
  assert.deepEqual(merged.ops[1]!.latency, summarizeLatency(record(latencies(3, 7))));
});

test('one summary is returned unchanged; none is an error', () => {
  const only = phaseSummary({ read: { nanos: latencies(1, 10) } }, { thresholds: ['p99 < 1ms'] });
  assert.equal(mergePhaseSummaries([only]), only);
  assert.throws(() => mergePhaseSummaries([]), /at least one summary/);
  const run = runSummary([only], '2025-01-01T00:00:00.000Z', '2025-01-01T00:01:00.000Z', 2, 4);
  assert.equal(mergeRunSummaries([run]), run);
  assert.throws(() => mergeRunSummaries([]), /at least one summary/);
});

test('mergeRunSummaries: phases merged by name in order, partition totals, earliest start, latest end', () => {
  const thresholds = ['errors < 10'];
  const runs = [0, 1, 2].map((i) =>
    runSummary(
      [
        phaseSummary({ load: { nanos: latencies(10 + i, 200) } }, { name: 'rampup' }),
        phaseSummary(
          { read: { nanos: latencies(20 + i, 1000), errors: 4, errorsByClass: { timeout: 4 } } },
          { name: 'main', thresholds },
        ),
      ],
      ['2025-03-01T10:00:01.500Z', '2025-03-01T10:00:00.250Z', '2025-03-01T10:00:02.000Z'][i]!,
      ['2025-03-01T10:05:00.000Z', '2025-03-01T10:05:03.750Z', '2025-03-01T10:04:59.000Z'][i]!,
      i,
      [4, 4, 2][i]!,
    ),
  );
  for (const r of runs) assert.equal(r.thresholdsOk, true);
  const merged = mergeRunSummaries(runs);
  assert.equal(merged.schemaVersion, 1);
  assert.equal(merged.workload, 'kv');
  assert.deepEqual(merged.partition, { index: 0, count: 3, threads: 10 });
  assert.equal(merged.startedAt, '2025-03-01T10:00:00.250Z');
  assert.equal(merged.endedAt, '2025-03-01T10:05:03.750Z');
  assert.deepEqual(
    merged.phases.map((p) => [p.name, p.ops[0]!.count]),
    [
      ['rampup', 600],
      ['main', 3000],
    ],
  );
  assert.deepEqual(merged.phases[1]!.thresholds[0], {
    expression: 'errors < 10',
    ok: false,
    actual: 12,
    message: 'errors was 12, expected < 10',
  });
  assert.equal(merged.thresholdsOk, false);
});

test('mergeRunSummaries: thresholdsOk when merged thresholds hold, not when a phase failed', () => {
  const make = (failure: PhaseSummary['failure']) =>
    [0, 1].map((i) =>
      runSummary(
        [
          phaseSummary(
            { read: { nanos: latencies(i + 1, 100) } },
            { thresholds: ['count >= 150'], failure: i === 1 ? failure : null },
          ),
        ],
        '2025-03-01T10:00:00.000Z',
        '2025-03-01T10:01:00.000Z',
        i,
        1,
      ),
    );
  const ok = make(null);
  assert.deepEqual(
    ok.map((r) => r.thresholdsOk),
    [false, false],
  );
  const merged = mergeRunSummaries(ok);
  assert.equal(merged.thresholdsOk, true);
  assert.deepEqual(merged.partition, { index: 0, count: 2, threads: 2 });

  const failed = mergeRunSummaries(make({ code: 'BP_INTERNAL', message: 'boom' }));
  assert.equal(failed.phases[0]!.thresholds[0]!.ok, true);
  assert.equal(failed.thresholdsOk, false);
});
