/**
 * One run: live (state, stop, pause, throughput control, charts, logs) while it runs; summary,
 * percentiles, parameters and report links once it finished. Topics `runs` and `run:<id>`.
 */
import { useState } from 'react';
import type { Run, SeriesPoint } from '../../../../src/protocol/api';
import { useLiveTopics } from '../../api/context';
import { type RunPatch, useLogs, usePatchRun, useRun, useSeries, useStopRun } from '../../api/hooks';
import { isTerminal } from '../../api/reducer';
import { Link } from '../../router';
import { ErrorBox, Loading } from '../../ui/ErrorBox';
import { formatDuration, formatMs, formatRate, shortId } from '../../ui/format';
import { StateBadge } from '../../ui/StateBadge';
import { FinishedRun } from '../history/FinishedRun';
import { LogsPane } from './LogsPane';
import { SeriesCharts } from './SeriesCharts';
import { ThroughputControl } from './ThroughputControl';

const EMPTY_POINTS: SeriesPoint[] = [];

export function RunPage({ id, canOperate }: { id: string; canOperate: boolean }) {
  useLiveTopics('runs', `run:${id}`);
  const run = useRun(id);
  const series = useSeries(id, run.isSuccess);
  const logs = useLogs(id, run.isSuccess);

  if (run.isPending) return <Loading what="the run" />;
  if (run.error || !run.data) {
    return (
      <section>
        <ErrorBox error={run.error ?? new Error('run not found')} title={`Run ${id}`} />
        <p>
          <Link to="/history">Back to the history of runs</Link>
        </p>
      </section>
    );
  }

  const points = series.data ?? EMPTY_POINTS;
  const finished = isTerminal(run.data.state);
  return (
    <section
      aria-labelledby="run-title"
      data-testid="run-page"
      data-run-id={id}
      data-finished={String(finished)}
    >
      <RunHeader run={run.data} canOperate={canOperate} points={points} />
      <ErrorBox error={series.error} title="Could not load the series" />
      <SeriesCharts points={points} />
      {finished ? <FinishedRun run={run.data} /> : null}
      <ErrorBox error={logs.error} title="Could not load logs" />
      <LogsPane lines={logs.data?.lines ?? []} />
    </section>
  );
}

function RunHeader({
  run,
  canOperate,
  points,
}: {
  run: Run;
  canOperate: boolean;
  points: readonly SeriesPoint[];
}) {
  const patch = usePatchRun(run.id);
  const stop = useStopRun(run.id);
  // The server reports pause in run.live.paused; the local value bridges until the next update.
  const [pausedLocal, setPaused] = useState<boolean | null>(null);
  const paused = pausedLocal ?? run.live?.paused ?? false;
  const [lastSet, setLastSet] = useState<number | null>(null);
  const finished = isTerminal(run.state);
  const steerable = canOperate && (run.state === 'running' || run.state === 'starting');
  const last = points.at(-1);
  const open = run.model === 'open';
  const current = lastSet ?? (open ? run.params.rate : run.params.concurrency) ?? run.live?.targetRate ?? 1;

  const send = (body: RunPatch) => {
    patch.mutate(body, {
      onSuccess: () => {
        if (body.paused !== undefined) setPaused(body.paused);
        const value = body.rate ?? body.concurrency;
        if (value !== undefined) setLastSet(value);
      },
    });
  };

  return (
    <>
      <div className="page-head run-head">
        <p className="crumbs">
          <Link to={finished ? '/history' : '/runs'}>{finished ? 'History' : 'Runs'}</Link> /
        </p>
        <h1 id="run-title">
          Run <code>{shortId(run.id)}</code>
        </h1>
        <StateBadge state={run.state} testId="run-state" />
        {paused && !finished ? <StateBadge state="paused" testId="run-paused" /> : null}
        <span className="muted">
          {run.target} · {run.workload} / {run.phase} · {open ? 'open model' : 'closed model'}
          {run.params.force ? ' · forced' : ''}
        </span>
        <span className="spacer" />
        {!finished ? (
          <div className="actions">
            <button
              type="button"
              disabled={!steerable || patch.isPending}
              onClick={() => send({ paused: !paused })}
              data-testid="run-pause"
            >
              {paused ? 'Resume' : 'Pause'}
            </button>
            <button
              type="button"
              className="danger"
              disabled={!canOperate || stop.isPending || run.state === 'stopping'}
              onClick={() => stop.mutate()}
              data-testid="run-stop"
            >
              {run.state === 'stopping' || stop.isPending ? 'Stopping…' : 'Stop'}
            </button>
          </div>
        ) : null}
      </div>
      {run.error ? (
        <p className="error-box" role="alert">
          {run.error}
        </p>
      ) : null}
      <ErrorBox error={patch.error ?? stop.error} title="Control request failed" />
      {finished ? null : (
        <>
          <dl className="stats" aria-live="off">
            <Stat
              label="Target rate"
              value={formatRate(last?.targetRate ?? run.live?.targetRate)}
              raw={last?.targetRate ?? run.live?.targetRate}
              unit="ops/s"
              testId="live-target-rate"
            />
            <Stat
              label="Achieved rate"
              value={formatRate(last?.achievedRate ?? run.live?.achievedRate)}
              raw={last?.achievedRate ?? run.live?.achievedRate}
              unit="ops/s"
              testId="live-achieved-rate"
            />
            <Stat label="p50" value={formatMs(last?.p50 ?? run.live?.p50)} unit="ms" testId="live-p50" />
            <Stat label="p99" value={formatMs(last?.p99 ?? run.live?.p99)} unit="ms" testId="live-p99" />
            <Stat
              label="Errors"
              value={String(last?.errors ?? run.live?.errors ?? 0)}
              unit="/s"
              testId="live-errors"
            />
            <Stat
              label="Elapsed"
              value={formatDuration(last?.elapsed ?? run.live?.elapsedSeconds)}
              testId="live-elapsed"
            />
          </dl>
          <ThroughputControl run={run} value={current} disabled={!steerable} onPatch={send} />
        </>
      )}
    </>
  );
}

function Stat({
  label,
  value,
  raw,
  unit,
  testId,
}: {
  label: string;
  value: string;
  /** The number behind the text, for tests and tooling. */
  raw?: number | null | undefined;
  unit?: string;
  testId: string;
}) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testId} data-value={raw ?? undefined}>
        {value}
        {unit ? <span className="unit"> {unit}</span> : null}
      </dd>
    </div>
  );
}
