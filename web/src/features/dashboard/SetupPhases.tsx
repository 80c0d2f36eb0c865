/** One bar per setup phase: state, done/total, percent, elapsed time and errors. */
import type { Setup } from '../../../../src/protocol/api';
import { formatCount, formatDuration, formatPercent, secondsBetween } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { StateBadge } from '../../ui/StateBadge';

export function SetupPhases({ setup, now }: { setup: Setup; now: number }) {
  return (
    <ol className="phases" data-testid="setup-phases">
      {setup.phases.map((phase) => {
        const fraction = phase.state === 'succeeded' ? 1 : phase.fraction;
        const elapsed = secondsBetween(phase.startedAt, phase.endedAt, now);
        return (
          <li
            key={phase.name}
            className="phase"
            data-testid="setup-phase"
            data-phase={phase.name}
            data-state={phase.state}
          >
            <div className="phase-head">
              <span className="phase-name">{phase.name}</span>
              <StateBadge state={phase.state} />
              <span className="phase-stats">
                {formatCount(phase.done)}
                {phase.total !== null ? ` / ${formatCount(phase.total)}` : ''}
                {fraction !== null ? ` · ${formatPercent(fraction)}` : ''}
                {elapsed !== null ? ` · ${formatDuration(elapsed)}` : ''}
                {phase.errors > 0 ? <span className="bad"> · {formatCount(phase.errors)} errors</span> : null}
              </span>
            </div>
            <ProgressBar
              fraction={phase.state === 'pending' ? 0 : fraction}
              label={`${phase.name} progress`}
              tone={phase.state}
            />
          </li>
        );
      })}
    </ol>
  );
}
