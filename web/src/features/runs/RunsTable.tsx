/** Runs as a table (receives the runs); optionally with a checkbox per row for comparing. */
import type { Run } from '../../../../src/protocol/api';
import { runPath } from '../../api/hooks';
import { Link } from '../../router';
import { type Column, DataTable } from '../../ui/DataTable';
import { formatDuration, formatMs, formatRate, formatTime, secondsBetween, shortId } from '../../ui/format';
import { StateBadge } from '../../ui/StateBadge';

export function loadLabel(run: Run): string {
  if (run.model === 'open') return run.params.rate !== null ? `${formatRate(run.params.rate)} ops/s` : 'open';
  return run.params.concurrency !== null ? `${run.params.concurrency} loops` : 'closed';
}

export function RunsTable({
  runs,
  now,
  selected,
  onToggle,
  testId,
  empty,
}: {
  runs: readonly Run[];
  now: number;
  selected?: ReadonlySet<string>;
  onToggle?: (id: string) => void;
  testId?: string;
  empty?: string;
}) {
  const columns: Column<Run>[] = [];
  if (selected && onToggle) {
    columns.push({
      key: 'select',
      header: <span className="visually-hidden">Select for comparison</span>,
      cell: (run) => (
        <input
          type="checkbox"
          checked={selected.has(run.id)}
          onChange={() => onToggle(run.id)}
          aria-label={`Select run ${shortId(run.id)} for comparison`}
          data-testid="run-select"
        />
      ),
    });
  }
  columns.push(
    {
      key: 'id',
      header: 'Run',
      cell: (run) => (
        <Link to={runPath(run.id)} data-testid="run-link">
          {shortId(run.id)}
        </Link>
      ),
    },
    { key: 'target', header: 'Target', cell: (run) => run.target },
    { key: 'workload', header: 'Workload', cell: (run) => `${run.workload} / ${run.phase}` },
    { key: 'state', header: 'State', cell: (run) => <StateBadge state={run.state} /> },
    { key: 'load', header: 'Load', cell: loadLabel },
    { key: 'started', header: 'Started', cell: (run) => formatTime(run.startedAt ?? run.createdAt) },
    {
      key: 'duration',
      header: 'Duration',
      numeric: true,
      cell: (run) => formatDuration(secondsBetween(run.startedAt, run.endedAt, now)),
    },
    // The last second's values: live while running, the final second once finished.
    {
      key: 'achieved',
      header: 'Last ops/s',
      numeric: true,
      cell: (run) => formatRate(run.live?.achievedRate),
    },
    { key: 'p99', header: 'Last p99 ms', numeric: true, cell: (run) => formatMs(run.live?.p99) },
  );
  return (
    <DataTable
      columns={columns}
      rows={runs}
      rowKey={(run) => run.id}
      testId={testId}
      rowTestId="run-row"
      empty={empty}
    />
  );
}
