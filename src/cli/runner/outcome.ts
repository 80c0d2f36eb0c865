/**
 * How a runner ends, whatever its channel: the exit record, the exit code (as `benchpilot run`),
 * the milestone lines of its log, and the stop signals.
 */
import { EXIT_CODES, isBenchpilotError } from '../../protocol/errors.js';
import type { RunEvent } from '../../protocol/events.js';
import type { RunnerExitRecord } from '../../protocol/runner.js';
import type { RunSummary } from '../../protocol/summary.js';
import type { WorkloadRun } from '../../runner/run-workload.js';

/** Where a runner's event lines go: events.jsonl (local) or the WebSocket link (pods). */
export interface EventOutlet {
  write(line: RunEvent | RunnerExitRecord): void;
}

type Outcome = Pick<RunnerExitRecord, 'code' | 'error'>;

/** Logs why, builds the exit record. */
export function exitRecordOf(summary: RunSummary | null, error: unknown): RunnerExitRecord {
  const outcome = summary ? outcomeOf(summary) : outcomeOfError(error);
  const { error: why } = outcome;
  if (why) console.error(why.message.startsWith(why.code) ? why.message : `${why.code}: ${why.message}`);
  console.log(`runner: exit ${outcome.code}`);
  return { v: 1, type: 'exit', timeMs: Date.now(), code: outcome.code, error: outcome.error };
}

function outcomeOf(summary: RunSummary): Outcome {
  const failure = summary.phases.find((p) => p.failure)?.failure;
  if (failure) {
    const code = failure.code === 'BP_INTERNAL' ? EXIT_CODES.internal : EXIT_CODES.cannotRun;
    return { code, error: { code: failure.code, message: failure.message } };
  }
  if (summary.thresholdsOk) return { code: EXIT_CODES.ok, error: null };
  const failed = summary.phases.flatMap((p) =>
    p.thresholds.filter((t) => !t.ok).map((t) => `${p.name}: ${t.message}`),
  );
  return {
    code: EXIT_CODES.thresholdsFailed,
    error: { code: 'BP_THRESHOLDS_FAILED', message: failed.join('; ') || 'a threshold did not hold' },
  };
}

function outcomeOfError(error: unknown): Outcome {
  if (isBenchpilotError(error)) {
    const message = error.issues.length > 0 ? error.describe() : error.message;
    return { code: error.exitCode, error: { code: error.code, message } };
  }
  const message = String((error as Error)?.stack ?? error);
  return { code: EXIT_CODES.internal, error: { code: 'BP_INTERNAL', message } };
}

/**
 * SIGTERM/SIGINT: stop gracefully (drain); a second one ends the process at once (exit 130, as
 * `run`). `onHardStop` gets the exit record to write before the process ends.
 */
export function onStopSignals(run: WorkloadRun, onHardStop: (exit: RunnerExitRecord) => void): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      console.log(`runner: ${signal}: stopping, in-flight operations drain`);
      run.control({ action: 'stop' });
      return;
    }
    const message = `${signal} again: stopped at once without draining; no summary`;
    console.error(`runner: ${message}`);
    onHardStop({
      v: 1,
      type: 'exit',
      timeMs: Date.now(),
      code: 130,
      error: { code: 'BP_RUN_FAILED', message },
    });
    process.exit(130);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

const LOGGED_EVENTS = new Set<RunEvent['type']>([
  'run-start',
  'phase-start',
  'control',
  'phase-end',
  'run-end',
  'log',
]);

/** A line per milestone in the run's log (snapshots stay in the event stream only). */
export function logEvent(runId: string, event: RunEvent): void {
  if (!LOGGED_EVENTS.has(event.type)) return;
  const at = new Date(event.timeMs).toISOString();
  switch (event.type) {
    case 'run-start':
      console.log(`${at} run ${runId}: workload ${event.workload}, phases ${event.phases.join(', ')}`);
      return;
    case 'phase-start': {
      const target =
        event.model === 'open' ? `rate ${event.target.rate}/s` : `concurrency ${event.target.concurrency}`;
      console.log(`${at} phase ${event.phase} started: ${event.model} model, ${target}`);
      return;
    }
    case 'control':
      console.log(`${at} phase ${event.phase}: control ${JSON.stringify(event.action)}`);
      return;
    case 'phase-end': {
      const s = event.summary;
      const failure = s.failure ? `, failed: ${s.failure.code}` : '';
      console.log(`${at} phase ${event.phase} ended: ${s.cycles.done} ops, ${s.rate.achieved}/s${failure}`);
      return;
    }
    case 'run-end':
      console.log(`${at} run ${runId} ended: thresholds ${event.summary.thresholdsOk ? 'held' : 'failed'}`);
      return;
    case 'log':
      (event.level === 'info' ? console.log : console.error)(`${at} ${event.level}: ${event.message}`);
      return;
  }
}
