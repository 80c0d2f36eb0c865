import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import type { DriverPlugin, OpCompletion, PreparedOp } from '../engine/driver.js';
import { compileTemplate } from '../engine/template.js';
import type { RunEvent } from '../protocol/events.js';
import { loadWorkloadText } from '../workload/load.js';
import { runWorkload, splitInteger, startWorkloadRun } from './run-workload.js';

/** An in-memory driver (a faked boundary): each op renders its template and stores it. */
function memoryDriver(store: Map<string, string[]>, latencyMs = 0): DriverPlugin {
  return {
    name: 'memory',
    description: 'test driver',
    targetSchema: z.strictObject({ driver: z.literal('memory'), failEvery: z.number().int().default(0) }),
    opSchema: z.strictObject({ put: z.string() }),
    secretFields: [],
    errorClasses: [],
    create(target: { failEvery: number }) {
      return {
        async connect() {},
        async close() {},
        async prepare(op: { put: string }, ctx) {
          const template = compileTemplate(op.put, ctx.bindings);
          const rows: string[] = [];
          store.set(ctx.opName, rows);
          const prepared: PreparedOp = {
            execute(cycle: number, slot: OpCompletion) {
              rows.push(template.render(cycle));
              const fail = target.failEvery > 0 && cycle % target.failEvery === 0;
              const finish = () => slot.done(fail ? 'server' : null, fail ? 'injected failure' : undefined);
              if (latencyMs > 0) setTimeout(finish, latencyMs);
              else setImmediate(finish);
            },
          };
          return prepared;
        },
      };
    },
  };
}

const WORKLOAD = `
name: memo
target:
  driver: memory
bindings:
  id: { type: sequence }
phases:
  - name: load
    cycles: 100
    concurrency: 4
    ops:
      insert: { put: "row-{id}" }
  - name: main
    cycles: 300
    rate: 3000
    ops:
      read: { put: "read-{id}", ratio: 2 }
      write: { put: "write-{id}" }
    thresholds: ["errors < 1%", "count(read) == 200", "p99 < 1s"]
`;

function load(text: string, store: Map<string, string[]>, sets: string[] = [], overrides = {}) {
  return loadWorkloadText(text, 'memo.yaml', {
    drivers: new Map([['memory', memoryDriver(store)]]),
    env: {},
    sets,
    overrides,
  });
}

describe('runWorkload', () => {
  test('runs every phase in order, once per cycle, and summarizes exactly', async () => {
    const store = new Map<string, string[]>();
    const events: RunEvent[] = [];
    const summary = await runWorkload({
      file: 'memo.yaml',
      loaded: load(WORKLOAD, store),
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual(
      summary.phases.map((p) => [p.name, p.cycles.done]),
      [
        ['load', 100],
        ['main', 300],
      ],
    );
    assert.deepEqual(
      store.get('insert')!.slice().sort(),
      Array.from({ length: 100 }, (_, i) => `row-${i}`).sort(),
    );
    assert.equal(store.get('read')!.length, 200);
    assert.equal(store.get('write')!.length, 100);
    const main = summary.phases[1]!;
    assert.equal(main.model, 'open');
    assert.equal(main.rate.target, 3000);
    assert.deepEqual(
      main.ops.map((o) => [o.name, o.count, o.errors]),
      [
        ['read', 200, 0],
        ['write', 100, 0],
      ],
    );
    assert.ok(main.lateness !== null, 'open model reports send lateness');
    assert.deepEqual(
      main.thresholds.map((t) => t.ok),
      [true, true, true],
    );
    assert.equal(summary.thresholdsOk, true);
    assert.deepEqual(
      events.filter((e) => e.type !== 'snapshot').map((e) => e.type),
      ['run-start', 'phase-start', 'phase-end', 'phase-start', 'phase-end', 'run-end'],
    );
    assert.ok(events.some((e) => e.type === 'snapshot' && e.phase === 'main'));
  });

  test('a failed threshold is reported, with the measured value', async () => {
    const store = new Map<string, string[]>();
    const summary = await runWorkload({
      file: 'memo.yaml',
      loaded: load(WORKLOAD, store, ['target.failEvery=10']),
      only: ['main'],
    });
    assert.equal(summary.phases.length, 1);
    const [errors] = summary.phases[0]!.thresholds;
    assert.equal(errors!.ok, false);
    assert.equal(errors!.actual, 10, '30 of 300 ops failed: 10%');
    assert.equal(summary.thresholdsOk, false);
    assert.deepEqual(summary.phases[0]!.ops[0]!.errorSamples, { server: ['injected failure'] });
  });

  test('--worker i/N runs only its partition of cycles and its share of the rate', async () => {
    const seen: string[] = [];
    for (const index of [0, 1, 2]) {
      const store = new Map<string, string[]>();
      const summary = await runWorkload({
        file: 'memo.yaml',
        loaded: load(WORKLOAD, store),
        only: ['main'],
        partition: { index, count: 3 },
      });
      assert.equal(summary.phases[0]!.cycles.done, 100);
      assert.equal(summary.phases[0]!.rate.target, 1000);
      seen.push(...store.get('read')!, ...store.get('write')!);
    }
    assert.equal(new Set(seen).size, 300, 'the three partitions together ran every cycle exactly once');
  });

  test('stop ends the running phase early and skips the rest', async () => {
    const store = new Map<string, string[]>();
    const run = startWorkloadRun({
      file: 'memo.yaml',
      loaded: loadWorkloadText(
        WORKLOAD.replace('cycles: 100\n    concurrency: 4', 'concurrency: 4'),
        'memo.yaml',
        {
          drivers: new Map([['memory', memoryDriver(store, 5)]]),
          env: {},
          overrides: { phase: 'load', duration: 30 },
        },
      ),
      onEvent: (e) => {
        if (e.type === 'snapshot') run.control({ action: 'stop' });
      },
    });
    const summary = await run.done;
    assert.equal(summary.phases.length, 1, 'main never started');
    assert.equal(summary.phases[0]!.stoppedEarly, true);
    assert.ok(summary.phases[0]!.durationSeconds < 5);
  });
});

test('splitInteger shares a total as evenly as integers allow', () => {
  assert.deepEqual(splitInteger(10, 3), [4, 3, 3]);
  assert.deepEqual(splitInteger(2, 4), [1, 1, 0, 0]);
});
