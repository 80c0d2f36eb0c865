/** Runs side by side: parameters and summary numbers per run, and their percentile curves overlaid. */
import { type ReactNode, useId, useMemo, useState } from 'react';
import type { Run } from '../../../../src/protocol/api';
import type { PhaseSummary, RunSummary } from '../../../../src/protocol/summary';
import { type CompareResult, type Percentiles, runPath, useCompare, usePercentilesOf } from '../../api/hooks';
import { Link, useLocation } from '../../router';
import { ErrorBox, Loading } from '../../ui/ErrorBox';
import { formatCount, formatDuration, formatMs, formatRate, formatTime, shortId } from '../../ui/format';
import { type PercentileLine, PercentilePlot } from '../../ui/PercentilePlot';
import { StateBadge } from '../../ui/StateBadge';
import { loadLabel } from '../runs/RunsTable';

type Entry = CompareResult['runs'][number];

/** The benchmark phase of a summary: the one the run is named for, else the last. */
function mainPhase(run: Run, summary: RunSummary | null): PhaseSummary | undefined {
  return summary?.phases.find((p) => p.name === run.phase) ?? summary?.phases.at(-1);
}

function totals(phase: PhaseSummary | undefined) {
  if (!phase) return undefined;
  const count = phase.ops.reduce((sum, op) => sum + op.count, 0);
  const errors = phase.ops.reduce((sum, op) => sum + op.errors, 0);
  // Percentiles of different ops cannot be averaged; the worst op's value bounds them.
  const worst = (pick: (op: PhaseSummary['ops'][number]) => number) =>
    phase.ops.length ? Math.max(...phase.ops.map(pick)) : null;
  return {
    count,
    errors,
    p50: worst((op) => op.latency.p50),
    p99: worst((op) => op.latency.p99),
    p999: worst((op) => op.latency.p999),
    max: worst((op) => op.latency.max),
  };
}

const ROWS: { label: string; cell: (e: Entry) => ReactNode }[] = [
  { label: 'State', cell: (e) => <StateBadge state={e.run.state} /> },
  { label: 'Target', cell: (e) => e.run.target },
  { label: 'Workload / phase', cell: (e) => `${e.run.workload} / ${e.run.phase}` },
  { label: 'Load', cell: (e) => loadLabel(e.run) },
  { label: 'Parallelism', cell: (e) => String(e.run.params.parallelism) },
  { label: 'Started', cell: (e) => formatTime(e.run.startedAt) },
  { label: 'Duration', cell: (e) => formatDuration(mainPhase(e.run, e.summary)?.durationSeconds) },
  { label: 'Achieved ops/s', cell: (e) => formatRate(mainPhase(e.run, e.summary)?.rate.achieved) },
  { label: 'Operations', cell: (e) => formatCount(totals(mainPhase(e.run, e.summary))?.count) },
  { label: 'Errors', cell: (e) => formatCount(totals(mainPhase(e.run, e.summary))?.errors) },
  { label: 'p50 ms (worst op)', cell: (e) => formatMs(totals(mainPhase(e.run, e.summary))?.p50) },
  { label: 'p99 ms (worst op)', cell: (e) => formatMs(totals(mainPhase(e.run, e.summary))?.p99) },
  { label: 'p99.9 ms (worst op)', cell: (e) => formatMs(totals(mainPhase(e.run, e.summary))?.p999) },
  { label: 'max ms', cell: (e) => formatMs(totals(mainPhase(e.run, e.summary))?.max) },
  { label: 'Thresholds', cell: (e) => (e.summary ? (e.summary.thresholdsOk ? 'held' : 'failed') : '–') },
];

export function CompareScreen() {
  const id = useId();
  const { search } = useLocation();
  const ids = useMemo(() => (search.get('ids') ?? '').split(',').filter(Boolean), [search]);
  const compare = useCompare(ids);
  const percentileData = usePercentilesOf(ids);
  const opNames = useMemo(() => unionOps(percentileData), [percentileData]);
  const [op, setOp] = useState('');
  const merged = percentileData.find((d) => d)?.ops.find((o) => o.merged)?.name;
  const selectedOp = op || merged || opNames[0] || '';
  const lines = useMemo(
    () => overlay(compare.data?.runs ?? [], ids, percentileData, selectedOp),
    [compare.data, ids, percentileData, selectedOp],
  );

  if (ids.length < 2) {
    return (
      <section data-testid="compare-screen">
        <h1>Compare</h1>
        <p className="muted">
          Pick two or more runs in <Link to="/history">History</Link> to compare them.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="compare-title" data-testid="compare-screen">
      <div className="page-head">
        <p className="crumbs">
          <Link to="/history">History</Link> /
        </p>
        <h1 id="compare-title">Compare {ids.length} runs</h1>
      </div>
      <ErrorBox error={compare.error} title="Could not load the runs" />
      {compare.isPending ? <Loading what="runs" /> : null}
      {compare.data ? (
        <div className="table-wrap">
          <table className="table compare-table" data-testid="compare-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                {compare.data.runs.map((e) => (
                  <th key={e.run.id} scope="col">
                    <Link to={runPath(e.run.id)}>{shortId(e.run.id)}</Link>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {ROWS.map((row) => (
                <tr key={row.label}>
                  <th scope="row" className="row-head">
                    {row.label}
                  </th>
                  {compare.data.runs.map((e) => (
                    <td key={e.run.id}>{row.cell(e)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <section className="card" aria-labelledby={`${id}-plot`}>
        <div className="card-head">
          <h2 id={`${id}-plot`}>Latency by percentile</h2>
          <span className="spacer" />
          <label htmlFor={`${id}-op`}>Operation</label>
          <select
            id={`${id}-op`}
            value={selectedOp}
            onChange={(e) => setOp(e.target.value)}
            data-testid="compare-op"
          >
            {opNames.map((name) => (
              <option key={name} value={name}>
                {name === merged ? 'all operations (merged)' : name}
              </option>
            ))}
          </select>
        </div>
        {lines.length > 0 ? (
          <PercentilePlot
            title={`Response time (ms) of ${selectedOp === merged ? 'all operations' : selectedOp} by percentile, per run`}
            lines={lines}
            testId="compare-plot"
          />
        ) : (
          <p className="muted">No percentile data for these runs.</p>
        )}
      </section>
    </section>
  );
}

function unionOps(data: readonly (Percentiles | undefined)[]): string[] {
  const names = new Set<string>();
  for (const d of data) for (const op of d?.ops ?? []) names.add(op.name);
  return [...names].sort();
}

function overlay(
  entries: readonly Entry[],
  ids: readonly string[],
  data: readonly (Percentiles | undefined)[],
  op: string,
): PercentileLine[] {
  const runs = new Map(entries.map((e) => [e.run.id, e.run]));
  const lines: PercentileLine[] = [];
  ids.forEach((runId, i) => {
    const points = data[i]?.ops.find((o) => o.name === op)?.points;
    const run = runs.get(runId);
    if (points?.length)
      lines.push({ label: `${shortId(runId)}${run ? ` · ${loadLabel(run)}` : ''}`, points });
  });
  return lines;
}
