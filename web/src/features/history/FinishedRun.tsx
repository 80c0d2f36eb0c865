/** The finished part of a run page: summary, percentile plot, parameters and report links. */
import { useMemo } from 'react';
import type { Run } from '../../../../src/protocol/api';
import { ApiRequestError } from '../../api/client';
import { usePercentiles, useSummary } from '../../api/hooks';
import { ErrorBox, Loading } from '../../ui/ErrorBox';
import { PercentilePlot } from '../../ui/PercentilePlot';
import { ParametersTable } from '../report/ParametersTable';
import { ReportLinks } from '../report/ReportLinks';
import { SummaryTables } from '../report/SummaryTable';

export function FinishedRun({ run }: { run: Run }) {
  const summary = useSummary(run);
  const percentiles = usePercentiles(run);
  const lines = useMemo(
    () =>
      (percentiles.data?.ops ?? []).map((op) => ({
        label: op.merged ? 'all operations' : op.name,
        points: op.points,
      })),
    [percentiles.data],
  );
  const noSummary = summary.error instanceof ApiRequestError && summary.error.status === 404;

  return (
    <div className="finished">
      <section className="card" aria-labelledby="results-title">
        <div className="card-head">
          <h2 id="results-title">Results</h2>
          <span className="spacer" />
          <ReportLinks runId={run.id} />
        </div>
        {summary.isPending ? <Loading what="the summary" /> : null}
        {noSummary ? (
          <p className="muted">This run left no summary{run.error ? ` (${run.error})` : ''}.</p>
        ) : null}
        {!noSummary ? <ErrorBox error={summary.error} title="Could not load the summary" /> : null}
        {summary.data ? <SummaryTables summary={summary.data} /> : null}
      </section>
      <div className="two-col">
        <section className="card" aria-labelledby="percentiles-title">
          <h2 id="percentiles-title">Latency by percentile</h2>
          {!percentiles.error && lines.length > 0 ? (
            <PercentilePlot
              title="Response time (ms) by percentile, per operation"
              lines={lines}
              testId="percentile-plot"
            />
          ) : null}
          {percentiles.isSuccess && lines.length === 0 ? <p className="muted">No latency data.</p> : null}
          {percentiles.error && !noSummary ? (
            <ErrorBox error={percentiles.error} title="Could not load percentiles" />
          ) : null}
        </section>
        <section className="card" aria-labelledby="params-title">
          <h2 id="params-title">Parameters</h2>
          <ParametersTable run={run} />
        </section>
      </div>
    </div>
  );
}
