/**
 * The query-key factory: every TanStack Query key of the app comes from here, so invalidation
 * by prefix (`queryKeys.runs()` covers every run list and detail) and the live-update glue
 * (live.ts) agree with the hooks that read them.
 */
import { normalizeFilter, type RunListFilter } from './reducer';

export const queryKeys = {
  all: () => ['bp'] as const,
  me: (token: string) => ['bp', 'me', token] as const,
  targets: () => ['bp', 'targets'] as const,
  workloads: () => ['bp', 'workloads'] as const,
  setups: () => ['bp', 'setups'] as const,
  runs: () => ['bp', 'runs'] as const,
  runLists: () => ['bp', 'runs', 'list'] as const,
  runList: (filter: RunListFilter) => ['bp', 'runs', 'list', normalizeFilter(filter)] as const,
  runDetails: () => ['bp', 'runs', 'detail'] as const,
  run: (id: string) => ['bp', 'runs', 'detail', id] as const,
  runSeriesAll: () => ['bp', 'runs', 'series'] as const,
  runSeries: (id: string) => ['bp', 'runs', 'series', id] as const,
  runLogsAll: () => ['bp', 'runs', 'logs'] as const,
  runLogs: (id: string) => ['bp', 'runs', 'logs', id] as const,
  runSummary: (id: string) => ['bp', 'runs', 'summary', id] as const,
  runPercentiles: (id: string) => ['bp', 'runs', 'percentiles', id] as const,
  compare: (ids: readonly string[]) => ['bp', 'compare', ids.join(',')] as const,
};
