/** A run summary: per phase, its rate and thresholds, and per op count, errors and latency percentiles. */
import type { PhaseSummary, RunSummary } from '../../../../src/protocol/summary';
import { type Column, DataTable } from '../../ui/DataTable';
import { formatCount, formatDuration, formatMs, formatRate } from '../../ui/format';

type OpRow = PhaseSummary['ops'][number];

const OP_COLUMNS: Column<OpRow>[] = [
  { key: 'name', header: 'Operation', cell: (op) => op.name },
  { key: 'count', header: 'Count', numeric: true, cell: (op) => formatCount(op.count) },
  {
    key: 'errors',
    header: 'Errors',
    numeric: true,
    cell: (op) => <span className={op.errors > 0 ? 'bad' : undefined}>{formatCount(op.errors)}</span>,
  },
  { key: 'p50', header: 'p50 ms', numeric: true, cell: (op) => formatMs(op.latency.p50) },
  { key: 'p90', header: 'p90 ms', numeric: true, cell: (op) => formatMs(op.latency.p90) },
  { key: 'p99', header: 'p99 ms', numeric: true, cell: (op) => formatMs(op.latency.p99) },
  { key: 'p999', header: 'p99.9 ms', numeric: true, cell: (op) => formatMs(op.latency.p999) },
  { key: 'max', header: 'max ms', numeric: true, cell: (op) => formatMs(op.latency.max) },
  { key: 'mean', header: 'mean ms', numeric: true, cell: (op) => formatMs(op.latency.mean) },
];

export function SummaryTables({ summary }: { summary: RunSummary }) {
  return (
    <div data-testid="summary">
      {summary.phases.map((phase) => (
        <div key={phase.name} className="phase-summary">
          <h3>
            Phase <code>{phase.name}</code>
          </h3>
          <p className="muted">
            {phase.model === 'open' ? 'open model' : `closed model, ${phase.concurrency} loops`} ·{' '}
            {formatDuration(phase.durationSeconds)} · achieved {formatRate(phase.rate.achieved)} ops/s
            {phase.rate.target !== null ? ` (target ${formatRate(phase.rate.target)})` : ''} ·{' '}
            {formatCount(phase.cycles.done)} cycles{phase.stoppedEarly ? ' · stopped early' : ''}
          </p>
          {phase.failure ? (
            <p className="error-box" role="alert">
              {phase.failure.code}: {phase.failure.message}
            </p>
          ) : null}
          <DataTable
            columns={OP_COLUMNS}
            rows={phase.ops}
            rowKey={(op) => op.name}
            testId="summary-table"
            caption="Response time from each operation's intended start"
          />
          {phase.thresholds.length > 0 ? (
            <ul className="thresholds">
              {phase.thresholds.map((t) => (
                <li key={t.expression} className={t.ok ? 'ok' : 'bad'}>
                  {t.ok ? '✓' : '✗'} <code>{t.expression}</code> {t.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
    </div>
  );
}
