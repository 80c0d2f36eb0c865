// The web UI's live-update reducer: ServerMessages folded into cached server state, purely.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Run, SeriesPoint, Setup, Target } from '../src/protocol/api.js';
import {
  applyServerMessage,
  EMPTY_CACHE,
  filterId,
  type LiveCache,
  MAX_LOG_LINES,
  normalizeFilter,
  type RunListFilter,
  runMatchesFilter,
} from '../web/src/api/reducer.js';

function run(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    kind: 'benchmark',
    target: 'demo-postgres',
    workload: 'sql-ecommerce',
    phase: 'main',
    state: 'running',
    model: 'open',
    params: { rate: 100, concurrency: null, durationSeconds: null, parallelism: 1, force: false },
    live: null,
    executor: 'local',
    error: null,
    createdAt: `2026-01-01T00:00:0${id.slice(-1)}.000Z`,
    startedAt: null,
    endedAt: null,
    ...overrides,
  };
}

function point(t: number, overrides: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    t,
    elapsed: t / 1000,
    targetRate: 100,
    achievedRate: 99,
    p50: 1.5,
    p99: 4.2,
    errors: 0,
    warmup: false,
    ops: { get: { count: 99, errors: 0, p50: 1.5, p99: 4.2 } },
    ...overrides,
  };
}

function setup(overrides: Partial<Setup> = {}): Setup {
  return {
    id: 's1',
    target: 'demo-postgres',
    workload: 'sql-ecommerce',
    state: 'running',
    phases: [
      {
        name: 'drop',
        state: 'succeeded',
        done: 1,
        total: 1,
        fraction: 1,
        errors: 0,
        startedAt: null,
        endedAt: null,
      },
      {
        name: 'rampup',
        state: 'running',
        done: 50,
        total: 100,
        fraction: 0.5,
        errors: 0,
        startedAt: null,
        endedAt: null,
      },
    ],
    runId: 'r0',
    error: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function target(overrides: Partial<Target> = {}): Target {
  return {
    name: 'demo-postgres',
    driver: 'postgres',
    connection: {},
    secretEnv: {},
    enabled: true,
    workloads: ['sql-ecommerce'],
    source: 'embedded',
    available: true,
    readiness: [{ workload: 'sql-ecommerce', setupId: null, state: 'none', ready: false }],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function withList(cache: LiveCache, filter: RunListFilter, runs: Run[]): LiveCache {
  return { ...cache, runLists: { ...cache.runLists, [filterId(filter)]: { filter, runs } } };
}

const listRuns = (cache: LiveCache, filter: RunListFilter) =>
  cache.runLists[filterId(filter)]?.runs.map((r) => r.id);

describe('web reducer: runs', () => {
  test('a new matching run is inserted newest first; a non-matching one is not', () => {
    const all: RunListFilter = { kind: 'benchmark' };
    const other: RunListFilter = { target: 'elsewhere' };
    let cache = withList(withList(EMPTY_CACHE, all, [run('r2'), run('r1')]), other, []);
    cache = applyServerMessage(cache, { type: 'run', run: run('r3') });
    assert.deepEqual(listRuns(cache, all), ['r3', 'r2', 'r1']);
    assert.deepEqual(listRuns(cache, other), []);
  });

  test('an updated run replaces its row in place and in the detail cache', () => {
    const filter: RunListFilter = {};
    let cache: LiveCache = {
      ...withList(EMPTY_CACHE, filter, [run('r2'), run('r1')]),
      runs: { r1: run('r1') },
    };
    cache = applyServerMessage(cache, { type: 'run', run: run('r1', { state: 'stopping' }) });
    assert.equal(cache.runLists[filterId(filter)]?.runs[1]?.state, 'stopping');
    assert.equal(cache.runs['r1']?.state, 'stopping');
  });

  test('a run that leaves a state filter leaves that list', () => {
    const running: RunListFilter = { state: 'running' };
    let cache = withList(EMPTY_CACHE, running, [run('r1')]);
    cache = applyServerMessage(cache, { type: 'run', run: run('r1', { state: 'stopped' }) });
    assert.deepEqual(listRuns(cache, running), []);
  });

  test('setup runs stay out of benchmark lists', () => {
    const filter: RunListFilter = { kind: 'benchmark' };
    const cache = applyServerMessage(withList(EMPTY_CACHE, filter, []), {
      type: 'run',
      run: run('r1', { kind: 'setup' }),
    });
    assert.deepEqual(listRuns(cache, filter), []);
  });

  test('a list keeps at most its limit', () => {
    const filter: RunListFilter = { limit: 2 };
    const cache = applyServerMessage(withList(EMPTY_CACHE, filter, [run('r2'), run('r1')]), {
      type: 'run',
      run: run('r3'),
    });
    assert.deepEqual(listRuns(cache, filter), ['r3', 'r2']);
  });

  test('a run not in the detail cache is not added to it', () => {
    const cache = applyServerMessage(EMPTY_CACHE, { type: 'run', run: run('r1') });
    assert.deepEqual(cache.runs, {});
  });

  test('run-deleted removes the run everywhere', () => {
    const filter: RunListFilter = {};
    let cache: LiveCache = {
      ...withList(EMPTY_CACHE, filter, [run('r2'), run('r1')]),
      runs: { r1: run('r1') },
      series: { r1: [point(1000)] },
      logs: { r1: ['a'] },
    };
    cache = applyServerMessage(cache, { type: 'run-deleted', id: 'r1' });
    assert.deepEqual(listRuns(cache, filter), ['r2']);
    assert.equal('r1' in cache.runs, false);
    assert.equal('r1' in cache.series, false);
    assert.equal('r1' in cache.logs, false);
  });
});

describe('web reducer: snapshots and logs', () => {
  test('snapshots append in time order; a repeated second replaces; uncached series stay uncached', () => {
    let cache: LiveCache = { ...EMPTY_CACHE, series: { r1: [point(1000)] } };
    cache = applyServerMessage(cache, { type: 'snapshot', runId: 'r1', point: point(2000) });
    cache = applyServerMessage(cache, {
      type: 'snapshot',
      runId: 'r1',
      point: point(2000, { achievedRate: 300 }),
    });
    cache = applyServerMessage(cache, { type: 'snapshot', runId: 'r1', point: point(1500) });
    cache = applyServerMessage(cache, { type: 'snapshot', runId: 'r2', point: point(1000) });
    assert.deepEqual(
      cache.series['r1']?.map((p) => p.t),
      [1000, 1500, 2000],
    );
    assert.equal(cache.series['r1']?.[2]?.achievedRate, 300);
    assert.equal('r2' in cache.series, false);
  });

  test('a snapshot updates the live values of the run in details and lists', () => {
    const filter: RunListFilter = {};
    let cache: LiveCache = { ...withList(EMPTY_CACHE, filter, [run('r1')]), runs: { r1: run('r1') } };
    cache = applyServerMessage(cache, {
      type: 'snapshot',
      runId: 'r1',
      point: point(5000, { targetRate: 300, achievedRate: 297 }),
    });
    assert.equal(cache.runs['r1']?.live?.achievedRate, 297);
    assert.equal(cache.runs['r1']?.live?.targetRate, 300);
    assert.equal(cache.runs['r1']?.live?.elapsedSeconds, 5);
    assert.equal(cache.runLists[filterId(filter)]?.runs[0]?.live?.achievedRate, 297);
  });

  test('log lines append to a cached tail, bounded', () => {
    let cache: LiveCache = { ...EMPTY_CACHE, logs: { r1: ['first'] } };
    cache = applyServerMessage(cache, { type: 'log', runId: 'r1', lines: ['second', 'third'] });
    assert.deepEqual(cache.logs['r1'], ['first', 'second', 'third']);
    const many = Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => `line ${i}`);
    cache = applyServerMessage(cache, { type: 'log', runId: 'r1', lines: many });
    assert.equal(cache.logs['r1']?.length, MAX_LOG_LINES);
    assert.equal(cache.logs['r1']?.at(-1), `line ${MAX_LOG_LINES + 4}`);
    assert.equal(applyServerMessage(EMPTY_CACHE, { type: 'log', runId: 'r9', lines: ['x'] }), EMPTY_CACHE);
  });
});

describe('web reducer: setups and targets', () => {
  test('a setup is upserted and sets the readiness of its target+workload', () => {
    let cache: LiveCache = { ...EMPTY_CACHE, setups: [], targets: [target()] };
    cache = applyServerMessage(cache, { type: 'setup', setup: setup() });
    assert.equal(cache.setups?.length, 1);
    assert.deepEqual(cache.targets?.[0]?.readiness[0], {
      workload: 'sql-ecommerce',
      setupId: 's1',
      state: 'running',
      ready: false,
    });
    cache = applyServerMessage(cache, { type: 'setup', setup: setup({ state: 'succeeded' }) });
    assert.equal(cache.setups?.length, 1);
    assert.equal(cache.setups?.[0]?.state, 'succeeded');
    assert.equal(cache.targets?.[0]?.readiness[0]?.ready, true);
  });

  test('a target message replaces the target by name or adds it', () => {
    let cache: LiveCache = { ...EMPTY_CACHE, targets: [target()] };
    cache = applyServerMessage(cache, { type: 'target', target: target({ enabled: false }) });
    cache = applyServerMessage(cache, { type: 'target', target: target({ name: 'second' }) });
    assert.deepEqual(
      cache.targets?.map((t) => [t.name, t.enabled]),
      [
        ['demo-postgres', false],
        ['second', true],
      ],
    );
  });

  test('slices that were never loaded stay unloaded', () => {
    const cache = applyServerMessage(EMPTY_CACHE, { type: 'setup', setup: setup() });
    assert.equal(cache.setups, undefined);
    assert.equal(cache.targets, undefined);
  });
});

describe('web reducer: purity and filters', () => {
  test('the input cache is never modified', () => {
    const filter: RunListFilter = {};
    const cache: LiveCache = {
      ...withList(EMPTY_CACHE, filter, [run('r1')]),
      runs: { r1: run('r1') },
      series: { r1: [point(1000)] },
    };
    const frozen = JSON.stringify(cache);
    applyServerMessage(cache, { type: 'snapshot', runId: 'r1', point: point(2000) });
    applyServerMessage(cache, { type: 'run', run: run('r2') });
    applyServerMessage(cache, { type: 'run-deleted', id: 'r1' });
    assert.equal(JSON.stringify(cache), frozen);
  });

  test('hello and error messages change nothing', () => {
    assert.equal(
      applyServerMessage(EMPTY_CACHE, { type: 'hello', role: 'viewer', serverTime: 0 }),
      EMPTY_CACHE,
    );
    assert.equal(applyServerMessage(EMPTY_CACHE, { type: 'error', message: 'x' }), EMPTY_CACHE);
  });

  test('filters normalize to one id and match by field', () => {
    assert.equal(
      filterId({ workload: 'w', target: undefined, state: undefined }),
      filterId({ workload: 'w' }),
    );
    assert.deepEqual(normalizeFilter({ target: '', kind: 'benchmark' }), { kind: 'benchmark' });
    assert.equal(runMatchesFilter(run('r1'), { target: 'demo-postgres', state: 'running' }), true);
    assert.equal(runMatchesFilter(run('r1'), { workload: 'other' }), false);
  });
});
