/** The run control screen: the start form and the runs in progress. */
import type { RunStart } from '../../../../src/protocol/api';
import { useLiveTopics } from '../../api/context';
import { runPath, useRunList, useStartRun, useTargets, useWorkloads } from '../../api/hooks';
import { isTerminal } from '../../api/reducer';
import { navigate, useLocation } from '../../router';
import { ErrorBox, Loading } from '../../ui/ErrorBox';
import { useNow } from '../../ui/useNow';
import { RunsTable } from './RunsTable';
import { StartRunForm } from './StartRunForm';

export function RunsScreen({ canOperate }: { canOperate: boolean }) {
  useLiveTopics('runs', 'targets');
  const targets = useTargets();
  const workloads = useWorkloads();
  const runs = useRunList({ kind: 'benchmark', limit: 50 });
  const startRun = useStartRun();
  const { search } = useLocation();
  const active = (runs.data ?? []).filter((run) => !isTerminal(run.state));
  const now = useNow(active.length > 0);

  const start = (body: RunStart) => startRun.mutate(body, { onSuccess: (run) => navigate(runPath(run.id)) });

  return (
    <section aria-labelledby="runs-title" data-testid="runs-screen">
      <div className="page-head">
        <h1 id="runs-title">Runs</h1>
        {!canOperate ? (
          <p className="notice">
            You are signed in as a viewer: starting and steering runs needs an operator token.
          </p>
        ) : null}
      </div>
      <ErrorBox error={targets.error ?? workloads.error} title="Could not load targets and workloads" />
      {targets.isPending || workloads.isPending ? (
        <Loading what="targets" />
      ) : (
        <StartRunForm
          targets={targets.data ?? []}
          workloads={workloads.data ?? []}
          disabled={!canOperate}
          pending={startRun.isPending}
          error={startRun.error}
          onStart={start}
          initialTarget={search.get('target') ?? ''}
          initialWorkload={search.get('workload') ?? ''}
        />
      )}
      <h2>In progress</h2>
      <ErrorBox error={runs.error} title="Could not load runs" />
      <RunsTable runs={active} now={now} testId="active-runs" empty="No benchmark is running." />
    </section>
  );
}
