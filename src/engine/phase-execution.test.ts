import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SnapshotEvent } from '../protocol/events.js';
import { FakeClock } from './clock.js';
import type { OpCompletion, PreparedOp } from './driver.js';
import { createHistogram, decodeHistogram, type Histogram } from './metrics/histogram.js';
import { type PhasePlan, startPhase } from './phase-execution.js';

/** A fake target on the fake clock: completes each op after `serviceMs(cycle, nowMs)`. */
class FakeOp implements PreparedOp {
  readonly sends: { cycle: number; atMs: number }[] = [];
  constructor(
    readonly clock: FakeClock,
    readonly serviceMs: (cycle: number, nowMs: number) => number | null,
    readonly fail: (cycle: number) => string | null = () => null,
  ) {}
  execute(cycle: number, slot: OpCompletion): void {
    const nowMs = this.clock.nowNs() / 1e6;
    this.sends.push({ cycle, atMs: nowMs });
    const delay = this.serviceMs(cycle, nowMs);
    if (delay === null) return; // never completes
    this.clock.setTimer(() => slot.done(this.fail(cycle)), delay);
  }
}

function plan(overrides: Partial<PhasePlan> & Pick<PhasePlan, 'ops'>): PhasePlan {
  return {
    name: 'main',
    rate: null,
    arrival: 'constant',
    concurrency: null,
    maxInFlight: 1000,
    cycles: null,
    durationSeconds: null,
    warmupSeconds: 0,
    stopTimeoutSeconds: 5,
    partition: { index: 0, count: 1 },
    seed: 1,
    ...overrides,
  };
}

function mergedResponseTimes(snapshots: SnapshotEvent[], op: string, includeWarmup = false): Histogram {
  const merged = createHistogram();
  for (const s of snapshots) {
    if (s.warmup && !includeWarmup) continue;
    const encoded = s.ops[op]?.rt;
    if (encoded) merged.add(decodeHistogram(encoded));
  }
  return merged;
}

describe('open model', () => {
  test('sends each op at its intended start from the rate', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, () => 2);
    const snapshots: SnapshotEvent[] = [];
    const phase = startPhase(
      plan({ ops: [{ name: 'read', ratio: 1, prepared: op }], rate: 100, durationSeconds: 1 }),
      {
        clock,
        onSnapshot: (s) => snapshots.push(s),
      },
    );
    clock.advance(1100);
    const outcome = await phase.done;
    assert.equal(op.sends.length, 100);
    op.sends.forEach((send, i) => {
      assert.equal(send.cycle, i);
      assert.ok(Math.abs(send.atMs - i * 10) < 1e-6, `op ${i} sent at ${send.atMs}`);
    });
    const rt = mergedResponseTimes(snapshots, 'read');
    assert.equal(rt.totalCount, 100);
    assert.equal(rt.maxValue, 2000, 'response time is exactly the 2 ms service time (µs)');
    assert.equal(outcome.stoppedEarly, false);
    assert.ok(Math.abs(outcome.measuredSeconds - 1) < 1e-9);
  });

  test('a rate change applies from the moment it is made', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, () => 1);
    const phase = startPhase(
      plan({ ops: [{ name: 'read', ratio: 1, prepared: op }], rate: 100, durationSeconds: 2 }),
      {
        clock,
        onSnapshot: () => {},
      },
    );
    clock.advance(999.5);
    assert.equal(op.sends.length, 100);
    phase.setRate(400);
    clock.advance(1000.5);
    await phase.done;
    const secondHalf = op.sends.filter((s) => s.atMs >= 999.5);
    assert.equal(secondHalf.length, 400);
    assert.ok(
      Math.abs(secondHalf[1]!.atMs - secondHalf[0]!.atMs - 2.5) < 1e-6,
      'gap is 1/400 s after the change',
    );
  });

  test('a stalled target shows as response time measured from intended start (no coordinated omission)', async () => {
    const clock = new FakeClock();
    // Normally 1 ms; the op sent at t=1000 ms hangs until t=2000 ms. One op in flight at most.
    const op = new FakeOp(clock, (_cycle, nowMs) => (nowMs >= 1000 && nowMs < 1001 ? 1000 : 1));
    const snapshots: SnapshotEvent[] = [];
    const phase = startPhase(
      plan({
        ops: [{ name: 'read', ratio: 1, prepared: op }],
        rate: 100,
        durationSeconds: 3,
        maxInFlight: 1,
      }),
      { clock, onSnapshot: (s) => snapshots.push(s) },
    );
    clock.advance(3100);
    await phase.done;
    const rt = mergedResponseTimes(snapshots, 'read');
    const st = createHistogram();
    for (const s of snapshots) if (s.ops.read?.st) st.add(decodeHistogram(s.ops.read.st));
    assert.equal(rt.totalCount, 300, 'every intended op still ran (they queued, none were skipped)');
    // ~99 ops waited behind the stall: their response times spread up to ~1 s.
    assert.ok(rt.getValueAtPercentile(99) > 900_000, `p99 response ${rt.getValueAtPercentile(99)} µs`);
    assert.ok(rt.getValueAtPercentile(80) > 100_000, 'a sixth of the ops were delayed by the stall');
    // Service time only sees the one slow op.
    assert.ok(st.getValueAtPercentile(99) <= 1001, `p99 service ${st.getValueAtPercentile(99)} µs`);
    assert.equal(st.maxValue >= 999_000, true);
  });

  test('pause sends nothing, resume continues without a catch-up burst', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, () => 1);
    const phase = startPhase(plan({ ops: [{ name: 'read', ratio: 1, prepared: op }], rate: 100 }), {
      clock,
      onSnapshot: () => {},
    });
    clock.advance(500);
    phase.pause();
    const atPause = op.sends.length;
    clock.advance(1000);
    assert.equal(op.sends.length, atPause, 'nothing sent while paused');
    assert.equal(phase.state, 'paused');
    phase.resume();
    clock.advance(100);
    assert.ok(op.sends.length - atPause <= 11, `sent ${op.sends.length - atPause} in 100 ms after resume`);
    phase.stop();
    clock.advance(10);
    const outcome = await phase.done;
    assert.equal(outcome.stoppedEarly, true);
  });

  test('stop drains in-flight ops, then cancels those still running after stopTimeout', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, (cycle) => (cycle % 2 === 0 ? null : 1)); // even cycles never complete
    const phase = startPhase(
      plan({ ops: [{ name: 'read', ratio: 1, prepared: op }], rate: 10, stopTimeoutSeconds: 2 }),
      { clock, onSnapshot: () => {} },
    );
    clock.advance(950); // sent cycles 0..9, the five even ones hang
    phase.stop();
    assert.equal(phase.state, 'stopping');
    clock.advance(1900);
    assert.equal(phase.state, 'stopping', 'still draining within the bound');
    clock.advance(200);
    const outcome = await phase.done;
    assert.equal(outcome.cancelled, 5);
    assert.equal(phase.state, 'finished');
  });

  test('poisson arrivals keep the mean rate', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, () => 1);
    const phase = startPhase(
      plan({
        ops: [{ name: 'read', ratio: 1, prepared: op }],
        rate: 1000,
        arrival: 'poisson',
        durationSeconds: 10,
      }),
      { clock, onSnapshot: () => {} },
    );
    clock.advance(10_100);
    await phase.done;
    assert.ok(Math.abs(op.sends.length - 10_000) < 300, `sent ${op.sends.length}`);
    const gaps = op.sends.slice(1).map((s, i) => s.atMs - op.sends[i]!.atMs);
    assert.ok(gaps.filter((g) => g < 0.5).length > 3000, 'exponential gaps: many shorter than half the mean');
  });
});

describe('closed model', () => {
  test('runs N loops and a concurrency change applies live', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, () => 10);
    const phase = startPhase(
      plan({ ops: [{ name: 'q', ratio: 1, prepared: op }], concurrency: 4, durationSeconds: 2 }),
      {
        clock,
        onSnapshot: () => {},
      },
    );
    clock.advance(995);
    assert.equal(op.sends.length, 400, '4 loops x 100 ops of 10 ms');
    phase.setConcurrency(8);
    clock.advance(1005);
    assert.equal(phase.state, 'stopping', 'duration over: the last ops drain');
    clock.advance(20);
    await phase.done;
    assert.equal(
      op.sends.filter((s) => s.atMs >= 1000).length,
      800,
      '8 loops x 100 ops in the second second',
    );
  });
});

describe('cycles, partitions, mixes, warmup', () => {
  test('a partition runs only its stride of cycles and stops when they are done', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, () => 1);
    const phase = startPhase(
      plan({
        ops: [{ name: 'w', ratio: 1, prepared: op }],
        concurrency: 2,
        cycles: 10,
        partition: { index: 1, count: 4 },
      }),
      { clock, onSnapshot: () => {} },
    );
    clock.advance(100);
    const outcome = await phase.done;
    assert.deepEqual(
      op.sends.map((s) => s.cycle),
      [1, 5, 9],
    );
    assert.equal(outcome.issued, 3);
  });

  test('ratios pick ops by cycle, the same on every worker', async () => {
    const clock = new FakeClock();
    const a = new FakeOp(clock, () => 1);
    const b = new FakeOp(clock, () => 1);
    const phase = startPhase(
      plan({
        ops: [
          { name: 'a', ratio: 3, prepared: a },
          { name: 'b', ratio: 1, prepared: b },
        ],
        concurrency: 1,
        cycles: 400,
      }),
      { clock, onSnapshot: () => {} },
    );
    clock.advance(1000);
    await phase.done;
    assert.equal(a.sends.length, 300);
    assert.equal(b.sends.length, 100);
    assert.ok(b.sends.every((s) => s.cycle % 4 === b.sends[0]!.cycle % 4));
  });

  test('warmup ops are reported as warmup and kept out of the results', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(
      clock,
      () => 1,
      (cycle) => (cycle < 50 ? 'server' : null),
    );
    const snapshots: SnapshotEvent[] = [];
    const phase = startPhase(
      plan({
        ops: [{ name: 'read', ratio: 1, prepared: op }],
        rate: 100,
        warmupSeconds: 0.5,
        durationSeconds: 1,
      }),
      { clock, onSnapshot: (s) => snapshots.push(s) },
    );
    clock.advance(1600);
    await phase.done;
    const measured = snapshots.filter((s) => !s.warmup);
    const count = measured.reduce((n, s) => n + (s.ops.read?.count ?? 0), 0);
    const errors = measured.reduce((n, s) => n + (s.ops.read?.errors ?? 0), 0);
    assert.equal(count, 100);
    assert.equal(errors, 0, 'the failing warmup ops are not in the results');
    assert.equal(
      snapshots.filter((s) => s.warmup).reduce((n, s) => n + (s.ops.read?.errors ?? 0), 0),
      50,
    );
  });

  test('snapshots come every second with progress toward the bound', async () => {
    const clock = new FakeClock();
    const op = new FakeOp(clock, () => 1);
    const snapshots: SnapshotEvent[] = [];
    const phase = startPhase(
      plan({ ops: [{ name: 'read', ratio: 1, prepared: op }], rate: 50, cycles: 200 }),
      {
        clock,
        onSnapshot: (s) => snapshots.push(s),
      },
    );
    clock.advance(5000);
    await phase.done;
    assert.deepEqual(
      snapshots.map((s) => s.progress.done),
      [50, 100, 150, 200],
    );
    assert.equal(snapshots[1]!.progress.fraction, 0.5);
    assert.equal(snapshots[0]!.achievedRate, 50);
    assert.equal(snapshots.at(-1)!.state, 'finished');
  });
});
