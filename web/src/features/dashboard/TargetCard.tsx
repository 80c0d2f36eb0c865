/** A target: its headline, and per workload the readiness, setup progress and setup actions. */
import type { Setup, Target } from '../../../../src/protocol/api';
import { Link } from '../../router';
import { StateBadge } from '../../ui/StateBadge';
import { SetupPhases } from './SetupPhases';
import { targetHeadline } from './setup-text';

export interface SetupActions {
  readonly canOperate: boolean;
  readonly busy: boolean;
  onSetUp(target: string, workload: string): void;
  onRetry(setupId: string): void;
}

export function TargetCard({
  target,
  setupsById,
  now,
  actions,
}: {
  target: Target;
  setupsById: ReadonlyMap<string, Setup>;
  now: number;
  actions: SetupActions;
}) {
  const allReady = target.readiness.length > 0 && target.readiness.every((r) => r.ready);
  return (
    <article
      className="card target-card"
      data-testid="target-card"
      data-target={target.name}
      aria-labelledby={`target-${target.name}`}
    >
      <header className="card-head">
        <h2 id={`target-${target.name}`}>{target.name}</h2>
        <span className="muted">{target.driver}</span>
        {target.source === 'embedded' ? <span className="tag">embedded demo</span> : null}
        {!target.enabled ? <span className="tag">disabled</span> : null}
        {allReady ? <StateBadge state="ready" testId="target-ready" /> : null}
      </header>
      <p className="headline" data-testid="target-headline">
        {targetHeadline(target, setupsById)}
      </p>
      <ul className="readiness">
        {target.readiness.map((entry) => {
          const setup = entry.setupId ? setupsById.get(entry.setupId) : undefined;
          return (
            <li
              key={entry.workload}
              data-testid="readiness"
              data-workload={entry.workload}
              data-ready={String(entry.ready)}
            >
              <div className="readiness-head">
                <h3>{entry.workload}</h3>
                {entry.ready ? (
                  <StateBadge state="ready" testId="ready-badge" />
                ) : (
                  <StateBadge state={entry.state} testId="setup-state" />
                )}
                <span className="spacer" />
                {entry.ready ? (
                  <Link
                    className="button"
                    to={`/runs?target=${encodeURIComponent(target.name)}&workload=${encodeURIComponent(entry.workload)}`}
                    data-testid="start-benchmark-link"
                  >
                    Start a benchmark
                  </Link>
                ) : null}
                {entry.state === 'none' ? (
                  <button
                    type="button"
                    disabled={!actions.canOperate || actions.busy}
                    onClick={() => actions.onSetUp(target.name, entry.workload)}
                    data-testid="setup-start"
                  >
                    Set up
                  </button>
                ) : null}
                {entry.state === 'failed' && entry.setupId ? (
                  <button
                    type="button"
                    disabled={!actions.canOperate || actions.busy}
                    onClick={() => actions.onRetry(entry.setupId!)}
                    data-testid="setup-retry"
                  >
                    Retry
                  </button>
                ) : null}
              </div>
              {setup?.error ? (
                <p className="error-box" role="alert">
                  {setup.error}
                </p>
              ) : null}
              {setup ? <SetupPhases setup={setup} now={now} /> : null}
            </li>
          );
        })}
      </ul>
    </article>
  );
}
