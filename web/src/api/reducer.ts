/**
 * Folds WebSocket ServerMessages into the cached server state — a pure function over plain data,
 * so it is unit-tested without a browser (test/web-reducer.test.ts). `live.ts` reads the
 * TanStack Query cache into a LiveCache, applies a message and writes back what changed.
 *
 * This module imports no DOM or React and uses `.js` import suffixes because the root
 * tsconfig (NodeNext) compiles it for the test as well as Vite for the bundle.
 */
import type { Run, RunState, SeriesPoint, ServerMessage, Setup, Target } from '../../../src/protocol/api.js';

/** The filter of a cached run list (GET /runs query). Undefined fields match everything. */
export interface RunListFilter {
  readonly target?: string;
  readonly workload?: string;
  readonly state?: RunState;
  readonly kind?: 'benchmark' | 'setup';
  readonly limit?: number;
}

export interface RunList {
  readonly filter: RunListFilter;
  /** Newest first, as the server returns them. */
  readonly runs: readonly Run[];
}

/** The slices of the query cache that live messages update. Absent = not loaded (left alone). */
export interface LiveCache {
  readonly targets?: readonly Target[];
  readonly setups?: readonly Setup[];
  /** Cached run lists by `filterId(filter)`. */
  readonly runLists: Readonly<Record<string, RunList>>;
  /** Cached run details by id. */
  readonly runs: Readonly<Record<string, Run>>;
  /** Cached per-second series by run id. */
  readonly series: Readonly<Record<string, readonly SeriesPoint[]>>;
  /** Cached log tails by run id. */
  readonly logs: Readonly<Record<string, readonly string[]>>;
}

export const EMPTY_CACHE: LiveCache = { runLists: {}, runs: {}, series: {}, logs: {} };

/** Bounds on what the live cache keeps per run (a day at 1/s; the logs pane's tail). */
export const MAX_SERIES_POINTS = 86_400;
export const MAX_LOG_LINES = 2_000;
const DEFAULT_LIST_LIMIT = 100;

export const TERMINAL_STATES: readonly RunState[] = ['succeeded', 'failed', 'stopped'];

export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** The filter without empty fields, in a fixed key order: the same filter always gives the same id. */
export function normalizeFilter(filter: RunListFilter): RunListFilter {
  const out: { -readonly [K in keyof RunListFilter]: RunListFilter[K] } = {};
  if (filter.target) out.target = filter.target;
  if (filter.workload) out.workload = filter.workload;
  if (filter.state) out.state = filter.state;
  if (filter.kind) out.kind = filter.kind;
  if (filter.limit !== undefined) out.limit = filter.limit;
  return out;
}

export function filterId(filter: RunListFilter): string {
  return JSON.stringify(normalizeFilter(filter));
}

export function runMatchesFilter(run: Run, filter: RunListFilter): boolean {
  return (
    (!filter.target || run.target === filter.target) &&
    (!filter.workload || run.workload === filter.workload) &&
    (!filter.state || run.state === filter.state) &&
    (!filter.kind || run.kind === filter.kind)
  );
}

export function applyServerMessage(cache: LiveCache, message: ServerMessage): LiveCache {
  switch (message.type) {
    case 'run':
      return applyRun(cache, message.run);
    case 'run-deleted':
      return applyRunDeleted(cache, message.id);
    case 'setup':
      return applySetup(cache, message.setup);
    case 'target':
      return cache.targets ? { ...cache, targets: upsertBy(cache.targets, message.target, 'name') } : cache;
    case 'snapshot':
      return applySnapshot(cache, message.runId, message.point);
    case 'log':
      return applyLog(cache, message.runId, message.lines);
    case 'hello':
    case 'error':
      return cache;
  }
}

function applyRun(cache: LiveCache, run: Run): LiveCache {
  const runs = run.id in cache.runs ? { ...cache.runs, [run.id]: run } : cache.runs;
  return { ...cache, runs, runLists: mapLists(cache.runLists, (list) => placeInList(list, run)) };
}

/** Replaces, inserts (newest first, within the limit) or removes the run so the list matches its filter. */
function placeInList(list: RunList, run: Run): RunList {
  const index = list.runs.findIndex((r) => r.id === run.id);
  const matches = runMatchesFilter(run, list.filter);
  if (index >= 0) {
    const runs = matches ? list.runs.with(index, run) : list.runs.filter((r) => r.id !== run.id);
    return { ...list, runs };
  }
  if (!matches) return list;
  const at = list.runs.findIndex((r) => r.createdAt < run.createdAt);
  const runs = at < 0 ? [...list.runs, run] : list.runs.toSpliced(at, 0, run);
  const limit = list.filter.limit ?? DEFAULT_LIST_LIMIT;
  return { ...list, runs: runs.length > limit ? runs.slice(0, limit) : runs };
}

function applyRunDeleted(cache: LiveCache, id: string): LiveCache {
  return {
    ...cache,
    runs: omit(cache.runs, id),
    series: omit(cache.series, id),
    logs: omit(cache.logs, id),
    runLists: mapLists(cache.runLists, (list) =>
      list.runs.some((r) => r.id === id) ? { ...list, runs: list.runs.filter((r) => r.id !== id) } : list,
    ),
  };
}

function applySetup(cache: LiveCache, setup: Setup): LiveCache {
  const setups = cache.setups ? upsertBy(cache.setups, setup, 'id') : undefined;
  // The newest setup of a target+workload decides its readiness; a `target` message may follow.
  const targets = cache.targets?.map((target) => {
    if (target.name !== setup.target) return target;
    const index = target.readiness.findIndex((r) => r.workload === setup.workload);
    const entry = {
      workload: setup.workload,
      setupId: setup.id,
      state: setup.state,
      ready: setup.state === 'succeeded',
    };
    const readiness = index >= 0 ? target.readiness.with(index, entry) : [...target.readiness, entry];
    return { ...target, readiness };
  });
  return { ...cache, setups, targets };
}

function applySnapshot(cache: LiveCache, runId: string, point: SeriesPoint): LiveCache {
  const current = cache.series[runId];
  const series = current ? { ...cache.series, [runId]: appendPoint(current, point) } : cache.series;
  const detail = cache.runs[runId];
  const runs = detail ? { ...cache.runs, [runId]: withLive(detail, point) } : cache.runs;
  const runLists = mapLists(cache.runLists, (list) => {
    const index = list.runs.findIndex((r) => r.id === runId);
    return index < 0 ? list : { ...list, runs: list.runs.with(index, withLive(list.runs[index]!, point)) };
  });
  return { ...cache, series, runs, runLists };
}

/** Appends in time order; a point for a second already held replaces it (a re-sent snapshot). */
function appendPoint(points: readonly SeriesPoint[], point: SeriesPoint): readonly SeriesPoint[] {
  const last = points.at(-1);
  if (last && point.t < last.t) {
    const index = points.findIndex((p) => p.t >= point.t);
    return points[index]!.t === point.t ? points.with(index, point) : points.toSpliced(index, 0, point);
  }
  if (last && point.t === last.t) return points.with(-1, point);
  const next = [...points, point];
  return next.length > MAX_SERIES_POINTS ? next.slice(next.length - MAX_SERIES_POINTS) : next;
}

/** The run's live values from a snapshot; counters the point does not carry are kept. */
function withLive(run: Run, point: SeriesPoint): Run {
  const previous = run.live;
  return {
    ...run,
    live: {
      targetRate: point.targetRate,
      concurrency: previous?.concurrency ?? run.params.concurrency,
      achievedRate: point.achievedRate,
      p50: point.p50,
      p99: point.p99,
      errors: previous?.errors ?? 0,
      done: previous?.done ?? 0,
      fraction: previous?.fraction ?? null,
      elapsedSeconds: point.elapsed,
      paused: previous?.paused ?? false,
    },
  };
}

function applyLog(cache: LiveCache, runId: string, lines: readonly string[]): LiveCache {
  const current = cache.logs[runId];
  if (!current || lines.length === 0) return cache;
  const next = [...current, ...lines];
  const kept = next.length > MAX_LOG_LINES ? next.slice(next.length - MAX_LOG_LINES) : next;
  return { ...cache, logs: { ...cache.logs, [runId]: kept } };
}

function upsertBy<T, K extends keyof T>(items: readonly T[], item: T, key: K): readonly T[] {
  const index = items.findIndex((i) => i[key] === item[key]);
  return index >= 0 ? items.with(index, item) : [...items, item];
}

function mapLists(
  lists: Readonly<Record<string, RunList>>,
  fn: (list: RunList) => RunList,
): Readonly<Record<string, RunList>> {
  let changed = false;
  const out: Record<string, RunList> = {};
  for (const [id, list] of Object.entries(lists)) {
    const next = fn(list);
    if (next !== list) changed = true;
    out[id] = next;
  }
  return changed ? out : lists;
}

function omit<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!(key in record)) return record;
  const { [key]: _removed, ...rest } = record;
  return rest;
}
