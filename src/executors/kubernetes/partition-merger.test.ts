import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentileMs,
  summarizeLatency,
} from '../../engine/metrics/histogram.js';
import { mergePhaseSummaries } from '../../engine/metrics/merge-summary.js';
import { evaluateThresholds } from '../../engine/thresholds.js';
import type {
  ControlEvent,
  LogEvent,
  PhaseEndEvent,
  PhaseStartEvent,
  RunEndEvent,
  RunEvent,
  RunStartEvent,
  SnapshotEvent,
} from '../../protocol/events.js';
import type { RunnerExitRecord } from '../../protocol/runner.js';
import type { PhaseSummary } from '../../protocol/summary.js';
import { parseThreshold } from '../../protocol/thresholds.js';
import { type MergedOutput, PartitionMerger } from './partition-merger.js';

class Collector implements MergedOutput {
  readonly events: RunEvent[] = [];
  readonly exits: { exit: RunnerExitRecord | null; reason: string }[] = [];
  event(event: RunEvent): void {
    this.events.push(event);
  }
  exited(exit: RunnerExitRecord | null, reason: string): void {
    this.exits.push({ exit, reason });
  }
  of<T extends RunEvent['type']>(type: T): Extract<RunEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  }
}

/** Deterministic latencies in µs, 100 µs .. ~20 ms. */
function micros(seed: number, n: number): number[] {
  let state = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out.push(100 + Math.floor((state / 2 ** 32) * 20_000));
  }
  return out;
}

function histogramOf(values: readonly number[]): Histogram {
  const h = createHistogram();
  for (const v of values) h.recordValue(v);
  return h;
}

const runStart = (timeMs = 1000): RunStartEvent => ({
  v: 1,
  type: 'run-start',
  workload: 'kv',
  timeMs,
  phases: ['main'],
});

const phaseStart = (
  target: PhaseStartEvent['target'] = { rate: 100, concurrency: null },
  phase = 'main',
): PhaseStartEvent => ({
  v: 1,
  type: 'phase-start',
  phase,
  timeMs: 2000,
  model: target.rate === null ? 'closed' : 'open',
  target,
  cycles: null,
  durationSeconds: 60,
});

function snapshot(
  seq: number,
  read: readonly number[],
  opts: { errors?: number; errorsByClass?: Record<string, number>; inFlight?: number; phase?: string } = {},
): SnapshotEvent {
  const rt = histogramOf(read);
  const st = histogramOf(read.map((v) => Math.max(1, Math.floor(v / 2))));
  return {
    v: 1,
    type: 'snapshot',
    phase: opts.phase ?? 'main',
    seq,
    timeMs: 3000 + seq * 1000,
    intervalSeconds: 1,
    warmup: false,
    state: 'running',
    target: { rate: 100, concurrency: null },
    achievedRate: read.length,
    inFlight: opts.inFlight ?? 2,
    progress: {
      done: read.length * seq,
      total: null,
      elapsedSeconds: seq,
      durationSeconds: 60,
      fraction: null,
    },
    ops: {
      read: {
        count: read.length,
        errors: opts.errors ?? 0,
        errorsByClass: opts.errorsByClass ?? {},
        rt: read.length > 0 ? encodeHistogram(rt) : '',
        st: read.length > 0 ? encodeHistogram(st) : '',
        p50: percentileMs(rt, 50),
        p99: percentileMs(rt, 99),
      },
    },
    latency: { p50: percentileMs(rt, 50), p99: percentileMs(rt, 99) },
    lateness: null,
  };
}

function phaseSummary(
  read: readonly number[],
  opts: { errors?: number; thresholds?: string[]; phase?: string } = {},
): PhaseSummary {
  const rt = histogramOf(read);
  const summary: PhaseSummary = {
    name: opts.phase ?? 'main',
    model: 'open',
    durationSeconds: 10,
    rate: { target: 100, achieved: read.length / 10 },
    concurrency: null,
    cycles: { done: read.length, total: null },
    lateness: null,
    ops: [
      {
        name: 'read',
        count: read.length,
        errors: opts.errors ?? 0,
        errorsByClass: opts.errors ? { timeout: opts.errors } : {},
        errorSamples: opts.errors ? { timeout: ['read timed out after 2000 ms'] } : {},
        latency: summarizeLatency(rt),
        serviceTime: summarizeLatency(rt),
        histogram: encodeHistogram(rt),
        serviceHistogram: encodeHistogram(rt),
      },
    ],
    thresholds: [],
    stoppedEarly: false,
    failure: null,
  };
  const parsed = (opts.thresholds ?? []).map((text) => {
    const p = parseThreshold(text);
    if ('error' in p) throw new Error(p.error);
    return p;
  });
  summary.thresholds = evaluateThresholds(parsed, summary);
  return summary;
}

const phaseEnd = (summary: PhaseSummary, timeMs = 20_000): PhaseEndEvent => ({
  v: 1,
  type: 'phase-end',
  phase: summary.name,
  timeMs,
  summary,
});

function runEnd(index: number, phases: PhaseSummary[]): RunEndEvent {
  return {
    v: 1,
    type: 'run-end',
    timeMs: 30_000,
    summary: {
      schemaVersion: 1,
      workload: 'kv',
      startedAt: `2025-03-01T10:00:0${index}.000Z`,
      endedAt: `2025-03-01T10:01:0${index}.000Z`,
      partition: { index, count: 3, threads: 2 },
      phases,
      thresholdsOk: phases.every((p) => p.failure === null && p.thresholds.every((t) => t.ok)),
    },
  };
}

const exitRecord = (code: number, error: RunnerExitRecord['error'] = null): RunnerExitRecord => ({
  v: 1,
  type: 'exit',
  timeMs: 31_000,
  code,
  error,
});

const control = (action: ControlEvent['action']): ControlEvent => ({
  v: 1,
  type: 'control',
  phase: 'main',
  timeMs: 5000,
  action,
});

const log = (message: string): LogEvent => ({ v: 1, type: 'log', timeMs: 4000, level: 'info', message });

test('run-start is emitted once; phase-start once with the targets of all partitions', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    const first = runStart(1000);
    merger.onEvent(1, first);
    merger.onEvent(0, runStart(1001));
    merger.onEvent(2, runStart(1002));
    assert.deepEqual(out.events, [first]);

    for (const i of [2, 0, 1]) merger.onEvent(i, phaseStart({ rate: 100, concurrency: null }));
    merger.onEvent(0, phaseStart({ rate: null, concurrency: 4 }, 'closed-phase'));
    merger.onEvent(1, phaseStart({ rate: null, concurrency: 4 }, 'closed-phase'));
    assert.equal(out.of('phase-start').length, 1, 'a phase starts once every live partition has started it');
    merger.onEvent(2, phaseStart({ rate: null, concurrency: 4 }, 'closed-phase'));
    assert.deepEqual(out.of('phase-start'), [
      { ...phaseStart(), target: { rate: 300, concurrency: null } },
      {
        ...phaseStart({ rate: null, concurrency: 4 }, 'closed-phase'),
        target: { rate: null, concurrency: 12 },
      },
    ]);
    assert.equal(out.events.length, 3);
  } finally {
    merger.close();
  }
});

test('phase-start of a closed phase whose concurrency does not divide by the pods reports the total', () => {
  // The runner splits concurrency 10 over 3 pods as 4, 3, 3 (splitInteger) and each pod announces its share.
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    merger.onEvent(0, phaseStart({ rate: null, concurrency: 4 }));
    merger.onEvent(1, phaseStart({ rate: null, concurrency: 3 }));
    merger.onEvent(2, phaseStart({ rate: null, concurrency: 3 }));
    assert.equal(out.of('phase-start')[0]!.target.concurrency, 10);
  } finally {
    merger.close();
  }
});

test('with one partition snapshots, logs and controls pass through unchanged', () => {
  const out = new Collector();
  const merger = new PartitionMerger(1, out);
  try {
    const snap = snapshot(1, micros(1, 50));
    const line = log('connected to cassandra-0');
    const ctl = control({ action: 'setRate', rate: 250 });
    merger.onEvent(0, phaseStart({ rate: 250, concurrency: null }));
    merger.onEvent(0, snap);
    merger.onEvent(0, line);
    merger.onEvent(0, ctl);
    assert.equal(out.events[1], snap);
    assert.equal(out.events[2], line);
    assert.deepEqual(out.events[3], ctl);
    assert.deepEqual(out.events[0], { ...phaseStart(), target: { rate: 250, concurrency: null } });
    assert.equal(out.events.length, 4);
  } finally {
    merger.close();
  }
});

test('with 3 partitions snapshots are merged once a second: counts add, histograms are the union', async () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    const values = [micros(1, 120), micros(2, 80), micros(3, 200)];
    merger.onEvent(0, snapshot(1, values[0]!, { errors: 2, errorsByClass: { timeout: 2 }, inFlight: 1 }));
    merger.onEvent(1, snapshot(1, values[1]!, { errors: 1, errorsByClass: { refused: 1 }, inFlight: 3 }));
    merger.onEvent(2, snapshot(1, values[2]!, { errors: 3, errorsByClass: { timeout: 3 }, inFlight: 5 }));
    assert.equal(out.events.length, 0, 'nothing before the merge timer fires');

    await delay(1200);
    const snaps = out.of('snapshot');
    assert.equal(snaps.length, 1);
    const merged = snaps[0]!;
    const union = histogramOf(values.flat());
    assert.equal(merged.phase, 'main');
    assert.equal(merged.seq, 1);
    assert.equal(merged.ops.read!.count, 400);
    assert.equal(merged.ops.read!.errors, 6);
    assert.deepEqual(merged.ops.read!.errorsByClass, { timeout: 5, refused: 1 });
    const rt = decodeHistogram(merged.ops.read!.rt);
    assert.equal(rt.totalCount, 400);
    assert.equal(merged.ops.read!.rt, encodeHistogram(union));
    assert.equal(rt.getValueAtPercentile(99), union.getValueAtPercentile(99));
    assert.equal(merged.ops.read!.p99, percentileMs(union, 99));
    assert.deepEqual(merged.latency, { p50: percentileMs(union, 50), p99: percentileMs(union, 99) });
    assert.deepEqual(merged.target, { rate: 300, concurrency: null });
    assert.equal(merged.achievedRate, 400);
    assert.equal(merged.inFlight, 9);
    assert.equal(merged.progress.done, 400);

    // Nothing new: the next tick emits nothing.
    await delay(1100);
    assert.equal(out.of('snapshot').length, 1);
  } finally {
    merger.close();
  }
});

test('phase-end waits for every live partition, flushes pending snapshots, and carries the merged summary', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    for (const i of [0, 1, 2]) merger.onEvent(i, phaseStart());
    const parts = [
      phaseSummary(micros(11, 300)),
      phaseSummary(micros(12, 250)),
      phaseSummary(micros(13, 450)),
    ];
    merger.onEvent(0, snapshot(1, micros(1, 10)));
    merger.onEvent(2, snapshot(1, micros(3, 20)));
    merger.onEvent(0, phaseEnd(parts[0]!));
    merger.onEvent(2, phaseEnd(parts[2]!));
    assert.deepEqual(
      out.events.map((e) => e.type),
      ['phase-start'],
    );

    merger.onEvent(1, phaseEnd(parts[1]!, 21_000));
    assert.deepEqual(
      out.events.map((e) => e.type),
      ['phase-start', 'snapshot', 'phase-end'],
    );
    assert.equal(out.of('snapshot')[0]!.ops.read!.count, 30);
    const end = out.of('phase-end')[0]!;
    assert.equal(end.phase, 'main');
    assert.equal(end.timeMs, 21_000);
    assert.equal(end.summary.ops[0]!.count, 1000);
    assert.equal(end.summary.cycles.done, 1000);
    assert.deepEqual(end.summary, mergePhaseSummaries(parts));

    // A repeated phase-end (a reconnecting pod resends) changes nothing.
    merger.onEvent(1, phaseEnd(parts[1]!));
    assert.equal(out.of('phase-end').length, 1);
  } finally {
    merger.close();
  }
});

test('control is reported once, from the first live partition, with the totals given to requested()', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    merger.requested({ action: 'setRate', rate: 900 });
    merger.onEvent(1, control({ action: 'setRate', rate: 300 }));
    merger.onEvent(0, control({ action: 'setRate', rate: 300 }));
    merger.onEvent(2, control({ action: 'setRate', rate: 300 }));
    assert.deepEqual(out.events, [{ ...control({ action: 'setRate', rate: 900 }) }]);

    // No matching request: the share times the pod count.
    merger.onEvent(0, control({ action: 'setConcurrency', concurrency: 4 }));
    assert.deepEqual((out.events[1] as ControlEvent).action, { action: 'setConcurrency', concurrency: 12 });
    merger.requested({ action: 'pause' });
    merger.onEvent(0, control({ action: 'pause' }));
    assert.deepEqual((out.events[2] as ControlEvent).action, { action: 'pause' });

    // Partition 0 is gone: partition 1 reports from now on.
    merger.onExit(0, exitRecord(0), 'exit 0');
    merger.requested({ action: 'setRate', rate: 1200 });
    merger.onEvent(0, control({ action: 'setRate', rate: 400 }));
    merger.onEvent(2, control({ action: 'setRate', rate: 400 }));
    assert.equal(out.events.length, 3);
    merger.onEvent(1, control({ action: 'setRate', rate: 400 }));
    assert.deepEqual(out.events.slice(3), [control({ action: 'setRate', rate: 1200 })]);
  } finally {
    merger.close();
  }
});

test('log lines are prefixed with their pod', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    merger.onEvent(2, log('connected to cassandra-0'));
    merger.onEvent(0, { ...log('slow responses'), level: 'warn' });
    assert.deepEqual(out.events, [
      log('[pod 2] connected to cassandra-0'),
      { ...log('[pod 0] slow responses'), level: 'warn' },
    ]);
    // Out-of-range partitions are ignored.
    merger.onEvent(3, log('stray'));
    assert.equal(out.events.length, 2);
  } finally {
    merger.close();
  }
});

test('a partition that exits without its phase-end no longer holds the phase-end and run-end back', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    merger.onEvent(0, phaseStart());
    const parts = [phaseSummary(micros(11, 300)), phaseSummary(micros(12, 250))];
    merger.onEvent(0, phaseEnd(parts[0]!));
    merger.onEvent(1, phaseEnd(parts[1]!));
    merger.onEvent(0, runEnd(0, [parts[0]!]));
    merger.onEvent(1, runEnd(1, [parts[1]!]));
    assert.equal(out.of('phase-end').length, 0);
    assert.equal(out.of('run-end').length, 0);

    merger.onExit(2, null, 'pod bp-run-main-2 was OOMKilled');
    assert.equal(merger.isEnded(2), true);
    assert.equal(merger.isEnded(0), false);
    const [end] = out.of('phase-end');
    assert.equal(end!.summary.ops[0]!.count, 550);
    assert.deepEqual(end!.summary, mergePhaseSummaries(parts));
    const [run] = out.of('run-end');
    // The run had 3 pods; the lost one sent no summary.
    assert.deepEqual(run!.summary.partition, { index: 0, count: 3, threads: 4 });
    assert.equal(run!.summary.startedAt, '2025-03-01T10:00:00.000Z');
    assert.equal(run!.summary.endedAt, '2025-03-01T10:01:01.000Z');
    assert.equal(out.exits.length, 0);
    assert.equal(merger.finished, false);

    merger.onExit(0, exitRecord(0), 'exit 0');
    merger.onExit(1, exitRecord(0), 'exit 0');
    assert.equal(merger.finished, true);
    assert.deepEqual(out.exits, [{ exit: null, reason: 'pod 2: pod bp-run-main-2 was OOMKilled' }]);
  } finally {
    merger.close();
  }
});

test('exit: every partition exits 0 → exit 0', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    for (const i of [0, 1, 2]) {
      merger.onEvent(i, runEnd(i, [phaseSummary(micros(i, 100), { thresholds: ['p99 < 1s'] })]));
    }
    assert.equal(out.of('run-end')[0]!.summary.thresholdsOk, true);
    merger.onExit(1, exitRecord(0), 'exit 0');
    merger.onExit(0, exitRecord(0), 'exit 0');
    assert.equal(out.exits.length, 0);
    merger.onExit(2, exitRecord(0), 'exit 0');
    assert.equal(out.exits.length, 1);
    const { exit, reason } = out.exits[0]!;
    assert.equal(reason, 'exit 0');
    assert.equal(exit!.code, 0);
    assert.equal(exit!.error, null);
    assert.equal(exit!.type, 'exit');
    assert.equal(typeof exit!.timeMs, 'number');
    assert.equal(merger.finished, true);

    // After the end nothing more goes out.
    merger.onEvent(0, log('late'));
    merger.onExit(2, exitRecord(2), 'again');
    assert.equal(out.events.length, 1);
    assert.equal(out.exits.length, 1);
  } finally {
    merger.close();
  }
});

test('exit: every partition exits 0 without run-end → exit 0', () => {
  const out = new Collector();
  const merger = new PartitionMerger(2, out);
  try {
    merger.onExit(0, exitRecord(0), 'exit 0');
    merger.onExit(1, exitRecord(0), 'exit 0');
    assert.equal(out.exits[0]!.exit!.code, 0);
    assert.equal(out.exits[0]!.reason, 'exit 0');
  } finally {
    merger.close();
  }
});

test('exit: thresholds that held in each pod but fail merged → code 3 BP_THRESHOLDS_FAILED', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    for (const i of [0, 1, 2]) {
      const phase = phaseSummary(micros(i, 100), { errors: 4, thresholds: ['errors < 10'] });
      assert.equal(phase.thresholds[0]!.ok, true);
      merger.onEvent(i, phaseEnd(phase));
      merger.onEvent(i, runEnd(i, [phase]));
      merger.onExit(i, exitRecord(0), 'exit 0');
    }
    assert.equal(out.of('run-end')[0]!.summary.thresholdsOk, false);
    const message = 'main: errors was 12, expected < 10';
    assert.deepEqual(out.exits, [
      {
        exit: {
          v: 1,
          type: 'exit',
          timeMs: out.exits[0]!.exit!.timeMs,
          code: 3,
          error: { code: 'BP_THRESHOLDS_FAILED', message },
        },
        reason: message,
      },
    ]);
  } finally {
    merger.close();
  }
});

test('exit: a pod whose own thresholds failed (exit 3) while the merged ones hold → exit 0', () => {
  const out = new Collector();
  const merger = new PartitionMerger(2, out);
  try {
    const phases = [
      phaseSummary(micros(1, 100), { thresholds: ['count >= 150'] }),
      phaseSummary(micros(2, 100), { thresholds: ['count >= 150'] }),
    ];
    phases.forEach((phase, i) => {
      merger.onEvent(i, runEnd(i, [phase]));
    });
    merger.onExit(0, exitRecord(3, { code: 'BP_THRESHOLDS_FAILED', message: 'count was 100' }), 'x');
    merger.onExit(1, exitRecord(3, { code: 'BP_THRESHOLDS_FAILED', message: 'count was 100' }), 'x');
    assert.equal(out.exits.length, 1);
    assert.equal(out.exits[0]!.exit!.code, 0);
    assert.equal(out.exits[0]!.reason, 'exit 0');
  } finally {
    merger.close();
  }
});

test('exit: a pod exits 3 and no run-end arrived → code 3 with a generic message', () => {
  const out = new Collector();
  const merger = new PartitionMerger(2, out);
  try {
    merger.onExit(0, exitRecord(0), 'exit 0');
    merger.onExit(1, exitRecord(3, { code: 'BP_THRESHOLDS_FAILED', message: 'p99 was 80ms' }), 'exit 3');
    assert.equal(out.exits[0]!.exit!.code, 3);
    assert.deepEqual(out.exits[0]!.exit!.error, {
      code: 'BP_THRESHOLDS_FAILED',
      message: 'a threshold did not hold',
    });
    assert.equal(out.exits[0]!.reason, 'a threshold did not hold');
  } finally {
    merger.close();
  }
});

test('exit: a partition that could not run (code 2) decides, with its exit record', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    const cannotRun = exitRecord(2, {
      code: 'BP_TARGET_UNREACHABLE',
      message: 'cassandra:9042 refused the connection',
    });
    merger.onEvent(0, runEnd(0, [phaseSummary(micros(1, 10))]));
    merger.onExit(0, exitRecord(0), 'exit 0');
    merger.onExit(1, cannotRun, 'exit 2');
    merger.onExit(2, exitRecord(3, { code: 'BP_THRESHOLDS_FAILED', message: 'p99' }), 'exit 3');
    assert.deepEqual(out.exits, [{ exit: cannotRun, reason: 'cassandra:9042 refused the connection' }]);

    const out2 = new Collector();
    const merger2 = new PartitionMerger(2, out2);
    merger2.onExit(0, exitRecord(1), 'exit 1');
    merger2.onExit(1, exitRecord(0), 'exit 0');
    merger2.close();
    assert.deepEqual(out2.exits, [{ exit: exitRecord(1), reason: 'exit 1' }]);
  } finally {
    merger.close();
  }
});

test('exit: a pod lost without an exit record → exited(null, "pod i: reason")', () => {
  const out = new Collector();
  const merger = new PartitionMerger(3, out);
  try {
    merger.onExit(0, exitRecord(0), 'exit 0');
    merger.onExit(1, null, 'the pod was deleted');
    merger.onExit(1, exitRecord(0), 'late duplicate is ignored');
    merger.onExit(2, exitRecord(0), 'exit 0');
    assert.deepEqual(out.exits, [{ exit: null, reason: 'pod 1: the pod was deleted' }]);

    // One partition: the reason as given.
    const single = new Collector();
    const one = new PartitionMerger(1, single);
    one.onExit(0, null, 'pod bp-run-main-0 was evicted');
    one.close();
    assert.deepEqual(single.exits, [{ exit: null, reason: 'pod bp-run-main-0 was evicted' }]);
  } finally {
    merger.close();
  }
});
