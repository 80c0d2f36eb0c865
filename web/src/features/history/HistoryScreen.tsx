/** Every benchmark run, filterable by target, workload and state; pick 2+ to compare. */
import { useId, useState } from 'react';
import type { RunState } from '../../../../src/protocol/api';
import { useLiveTopics } from '../../api/context';
import { useRunList, useTargets, useWorkloads } from '../../api/hooks';
import { isTerminal, type RunListFilter } from '../../api/reducer';
import { navigate, useLocation } from '../../router';
import { ErrorBox, Loading } from '../../ui/ErrorBox';
import { useNow } from '../../ui/useNow';
import { RunsTable } from '../runs/RunsTable';

const STATES: RunState[] = ['queued', 'starting', 'running', 'stopping', 'succeeded', 'failed', 'stopped'];

export function HistoryScreen() {
  useLiveTopics('runs');
  const id = useId();
  const { search } = useLocation();
  const filter: RunListFilter = {
    kind: 'benchmark',
    limit: 200,
    target: search.get('target') ?? undefined,
    workload: search.get('workload') ?? undefined,
    state: (search.get('state') as RunState | null) ?? undefined,
  };
  const runs = useRunList(filter);
  const targets = useTargets();
  const workloads = useWorkloads();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const now = useNow((runs.data ?? []).some((run) => !isTerminal(run.state)));

  const setFilter = (name: 'target' | 'workload' | 'state', value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    const query = next.toString();
    navigate(`/history${query ? `?${query}` : ''}`, { replace: true });
  };
  const toggle = (runId: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(runId)) next.add(runId);
      return next;
    });
  const chosen = (runs.data ?? []).filter((run) => selected.has(run.id)).map((run) => run.id);

  return (
    <section aria-labelledby="history-title" data-testid="history-screen">
      <div className="page-head">
        <h1 id="history-title">History</h1>
        <p className="muted">Every benchmark run with its results. Select two or more to compare them.</p>
      </div>
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`${id}-target`}>Target</label>
          <select
            id={`${id}-target`}
            value={filter.target ?? ''}
            onChange={(e) => setFilter('target', e.target.value)}
            data-testid="filter-target"
          >
            <option value="">all targets</option>
            {targets.data?.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-workload`}>Workload</label>
          <select
            id={`${id}-workload`}
            value={filter.workload ?? ''}
            onChange={(e) => setFilter('workload', e.target.value)}
            data-testid="filter-workload"
          >
            <option value="">all workloads</option>
            {workloads.data?.map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-state`}>State</label>
          <select
            id={`${id}-state`}
            value={filter.state ?? ''}
            onChange={(e) => setFilter('state', e.target.value)}
            data-testid="filter-state"
          >
            <option value="">all states</option>
            {STATES.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={chosen.length < 2}
            onClick={() => navigate(`/compare?ids=${chosen.map(encodeURIComponent).join(',')}`)}
            data-testid="compare-button"
          >
            Compare {chosen.length >= 2 ? `${chosen.length} runs` : 'selected'}
          </button>
        </div>
      </form>
      <ErrorBox error={runs.error} title="Could not load runs" />
      {runs.isPending ? (
        <Loading what="runs" />
      ) : (
        <RunsTable
          runs={runs.data ?? []}
          now={now}
          selected={selected}
          onToggle={toggle}
          testId="history-table"
          empty="No runs match."
        />
      )}
    </section>
  );
}
