/** Server state as TanStack Query hooks: one per endpoint, keys from the factory. */
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role, Run, RunStart, SeriesPoint, Setup, Target, Workload } from '../../../src/protocol/api';
import type { RunSummary } from '../../../src/protocol/summary';
import { useApi } from './context';
import { queryKeys } from './keys';
import type { LogsData } from './live';
import { isTerminal, normalizeFilter, type RunListFilter } from './reducer';

export interface Me {
  name: string;
  role: Role;
}

/** Response-time curves per op of the benchmark phase, plus one merged over all ops (`merged`). */
export interface Percentiles {
  phase?: string | null;
  ops: { name: string; merged?: boolean; count?: number; points: { percentile: number; ms: number }[] }[];
}

export interface CompareResult {
  runs: { run: Run; summary: RunSummary | null }[];
}

export type RunPatch = { rate?: number; concurrency?: number; paused?: boolean };

export const runPath = (id: string) => `/runs/${encodeURIComponent(id)}`;

export function useTargets() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.targets(), queryFn: () => api.get<Target[]>('/targets') });
}

export function useWorkloads() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.workloads(), queryFn: () => api.get<Workload[]>('/workloads') });
}

export function useSetups() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.setups(), queryFn: () => api.get<Setup[]>('/setups') });
}

export function useRunList(filter: RunListFilter) {
  const api = useApi();
  const normalized = normalizeFilter(filter);
  return useQuery({
    queryKey: queryKeys.runList(normalized),
    queryFn: () => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(normalized)) params.set(name, String(value));
      return api.get<Run[]>(`/runs?${params}`);
    },
  });
}

export function useRun(id: string) {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.run(id), queryFn: () => api.get<Run>(runPath(id)) });
}

/** `enabled` waits for the run itself, so a wrong id costs one 404, not three. */
export function useSeries(id: string, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.runSeries(id),
    queryFn: () => api.get<SeriesPoint[]>(`${runPath(id)}/series`),
    enabled,
  });
}

export function useLogs(id: string, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.runLogs(id),
    queryFn: () => api.get<LogsData>(`${runPath(id)}/logs?tail=200`),
    enabled,
  });
}

/** The summary exists once the run finished (404 before), so it is only asked for then. */
export function useSummary(run: Run | undefined) {
  const api = useApi();
  const id = run?.id ?? '';
  return useQuery({
    queryKey: queryKeys.runSummary(id),
    queryFn: () => api.get<RunSummary>(`${runPath(id)}/summary`),
    enabled: run !== undefined && isTerminal(run.state),
    retry: false,
  });
}

export function usePercentiles(run: Run | undefined) {
  const api = useApi();
  const id = run?.id ?? '';
  return useQuery({
    queryKey: queryKeys.runPercentiles(id),
    queryFn: () => api.get<Percentiles>(`${runPath(id)}/percentiles`),
    enabled: run !== undefined && isTerminal(run.state),
    retry: false,
  });
}

const percentileData = (results: { data: Percentiles | undefined }[]) => results.map((r) => r.data);

/** The percentiles of several runs, in the order of `ids` (undefined while loading or missing). */
export function usePercentilesOf(ids: readonly string[]): (Percentiles | undefined)[] {
  const api = useApi();
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: queryKeys.runPercentiles(id),
      queryFn: () => api.get<Percentiles>(`${runPath(id)}/percentiles`),
      retry: false,
      enabled: ids.length >= 2,
    })),
    combine: percentileData,
  });
}

export function useMe(token: string) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.me(token),
    queryFn: () => api.get<Me>('/me'),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

export function useCompare(ids: readonly string[]) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.compare(ids),
    queryFn: () => api.get<CompareResult>(`/compare?ids=${ids.map(encodeURIComponent).join(',')}`),
    enabled: ids.length >= 2,
  });
}

/** Keeps a run returned by a mutation in the cache right away (the live message follows). */
function useStoreRun() {
  const client = useQueryClient();
  return (run: Run) => {
    client.setQueryData(queryKeys.run(run.id), run);
    void client.invalidateQueries({ queryKey: queryKeys.runLists() });
  };
}

export function useStartRun() {
  const api = useApi();
  const storeRun = useStoreRun();
  return useMutation({
    mutationFn: (body: RunStart) => api.post<Run>('/runs', body),
    onSuccess: storeRun,
  });
}

export function usePatchRun(id: string) {
  const api = useApi();
  const storeRun = useStoreRun();
  return useMutation({
    mutationFn: (patch: RunPatch) => api.patch<Run>(runPath(id), patch),
    onSuccess: storeRun,
  });
}

export function useStopRun(id: string) {
  const api = useApi();
  const storeRun = useStoreRun();
  return useMutation({
    mutationFn: () => api.post<Run>(`${runPath(id)}/stop`),
    onSuccess: storeRun,
  });
}

export function useStartSetup() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { target: string; workload: string }) => api.post<Setup>('/setups', body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.setups() });
      void client.invalidateQueries({ queryKey: queryKeys.targets() });
    },
  });
}

export function useRetrySetup() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<Setup>(`/setups/${encodeURIComponent(id)}/retry`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.setups() });
      void client.invalidateQueries({ queryKey: queryKeys.targets() });
    },
  });
}
