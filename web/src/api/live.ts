/**
 * Glue between the pure reducer and TanStack Query: reads the slices a message can touch out of
 * the query cache, applies the message, and writes back only the slices that changed.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { Run, SeriesPoint, ServerMessage, Setup, Target } from '../../../src/protocol/api';
import { queryKeys } from './keys';
import {
  applyServerMessage,
  filterId,
  isTerminal,
  type LiveCache,
  type RunList,
  type RunListFilter,
} from './reducer';

export interface LogsData {
  lines: string[];
}

export function readLiveCache(client: QueryClient): LiveCache {
  const runLists: Record<string, RunList> = {};
  for (const [key, runs] of client.getQueriesData<Run[]>({ queryKey: queryKeys.runLists() })) {
    const filter = key[3] as RunListFilter | undefined;
    if (runs && filter) runLists[filterId(filter)] = { filter, runs };
  }
  return {
    targets: client.getQueryData<Target[]>(queryKeys.targets()),
    setups: client.getQueryData<Setup[]>(queryKeys.setups()),
    runLists,
    runs: byId<Run>(client, queryKeys.runDetails()),
    series: byId<SeriesPoint[]>(client, queryKeys.runSeriesAll()),
    logs: Object.fromEntries(
      Object.entries(byId<LogsData>(client, queryKeys.runLogsAll())).map(([id, data]) => [id, data.lines]),
    ),
  };
}

export function writeLiveCache(client: QueryClient, before: LiveCache, after: LiveCache): void {
  if (after.targets && after.targets !== before.targets)
    client.setQueryData(queryKeys.targets(), after.targets);
  if (after.setups && after.setups !== before.setups) client.setQueryData(queryKeys.setups(), after.setups);
  if (after.runLists !== before.runLists) {
    for (const [id, list] of Object.entries(after.runLists)) {
      if (list !== before.runLists[id]) client.setQueryData(queryKeys.runList(list.filter), list.runs);
    }
  }
  writeById(client, before.runs, after.runs, queryKeys.run, (run) => run);
  writeById(client, before.series, after.series, queryKeys.runSeries, (points) => points);
  writeById(client, before.logs, after.logs, queryKeys.runLogs, (lines) => ({ lines }));
}

export function applyToQueryClient(client: QueryClient, message: ServerMessage): void {
  if (message.type === 'hello' || message.type === 'error') return;
  const before = readLiveCache(client);
  const after = applyServerMessage(before, message);
  if (after !== before) writeLiveCache(client, before, after);
  // A finished run gets its summary and percentiles: fetch them (side effects stay out of the reducer).
  if (message.type === 'run' && isTerminal(message.run.state)) {
    void client.invalidateQueries({ queryKey: queryKeys.runSummary(message.run.id) });
    void client.invalidateQueries({ queryKey: queryKeys.runPercentiles(message.run.id) });
  }
}

function byId<T>(client: QueryClient, prefix: readonly unknown[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, data] of client.getQueriesData<T>({ queryKey: prefix })) {
    const id = key[prefix.length];
    if (typeof id === 'string' && data !== undefined) out[id] = data;
  }
  return out;
}

function writeById<T, D>(
  client: QueryClient,
  before: Readonly<Record<string, T>>,
  after: Readonly<Record<string, T>>,
  key: (id: string) => readonly unknown[],
  toData: (value: T) => D,
): void {
  if (before === after) return;
  for (const [id, value] of Object.entries(after)) {
    if (value !== before[id]) client.setQueryData(key(id), toData(value));
  }
  for (const id of Object.keys(before)) {
    if (!(id in after)) client.removeQueries({ queryKey: key(id), exact: true });
  }
}
