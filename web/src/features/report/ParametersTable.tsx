/** What a run was started with and where it ran. */
import type { Run } from '../../../../src/protocol/api';
import { formatDuration, formatTime, secondsBetween } from '../../ui/format';

export function ParametersTable({ run }: { run: Run }) {
  const rows: [string, string][] = [
    ['Run id', run.id],
    ['Target', run.target],
    ['Workload / phase', `${run.workload} / ${run.phase}`],
    ['Model', run.model === 'open' ? 'open (rate)' : 'closed (concurrency)'],
    ['Rate', run.params.rate !== null ? `${run.params.rate} ops/s` : '–'],
    ['Concurrency', run.params.concurrency !== null ? String(run.params.concurrency) : '–'],
    [
      'Duration',
      run.params.durationSeconds !== null ? formatDuration(run.params.durationSeconds) : 'until stopped',
    ],
    ['Parallelism', String(run.params.parallelism)],
    ['Forced', run.params.force ? 'yes (setup had not succeeded)' : 'no'],
    ['Executor', run.executor],
    ['Created', formatTime(run.createdAt)],
    ['Started', formatTime(run.startedAt)],
    ['Ended', formatTime(run.endedAt)],
    ['Ran for', formatDuration(secondsBetween(run.startedAt, run.endedAt, Date.now()))],
  ];
  return (
    <dl className="params" data-testid="run-params">
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
