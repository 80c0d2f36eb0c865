/** Every target as a card with live setup progress (topics `targets` and `setups`). */
import { useMemo } from 'react';
import type { Setup } from '../../../../src/protocol/api';
import { useLiveTopics } from '../../api/context';
import { useRetrySetup, useSetups, useStartSetup, useTargets } from '../../api/hooks';
import { ErrorBox, Loading } from '../../ui/ErrorBox';
import { useNow } from '../../ui/useNow';
import { TargetCard } from './TargetCard';

export function Dashboard({ canOperate }: { canOperate: boolean }) {
  useLiveTopics('targets', 'setups');
  const targets = useTargets();
  const setups = useSetups();
  const startSetup = useStartSetup();
  const retrySetup = useRetrySetup();

  const setupsById = useMemo(
    () => new Map<string, Setup>((setups.data ?? []).map((setup) => [setup.id, setup])),
    [setups.data],
  );
  const anyRunning = (setups.data ?? []).some((s) => s.state === 'running');
  const now = useNow(anyRunning);

  const actions = {
    canOperate,
    busy: startSetup.isPending || retrySetup.isPending,
    onSetUp: (target: string, workload: string) => startSetup.mutate({ target, workload }),
    onRetry: (id: string) => retrySetup.mutate(id),
  };

  return (
    <section aria-labelledby="dashboard-title" data-testid="dashboard">
      <div className="page-head">
        <h1 id="dashboard-title">Targets</h1>
        <p className="muted">
          Each target is set up per workload (drop, schema, rampup) before it is ready for benchmarks.
        </p>
      </div>
      <ErrorBox error={targets.error ?? setups.error} title="Could not load targets" />
      <ErrorBox error={startSetup.error ?? retrySetup.error} title="Setup request failed" />
      {targets.isPending ? <Loading what="targets" /> : null}
      {targets.data && targets.data.length === 0 ? (
        <p className="muted">No targets yet. Add one with the API or the CLI.</p>
      ) : null}
      <div className="card-grid">
        {targets.data?.map((target) => (
          <TargetCard key={target.name} target={target} setupsById={setupsById} now={now} actions={actions} />
        ))}
      </div>
    </section>
  );
}
