/**
 * Applies ControlActions to a running workload, whatever channel they came through. An action
 * that arrives while no phase runs (loading, between phases) waits for the next phase to start;
 * `stop` applies at once and drops what waits.
 */
import { isBenchpilotError } from '../../protocol/errors.js';
import type { ControlAction } from '../../protocol/events.js';
import type { WorkloadRun } from '../../runner/run-workload.js';

const FLUSH_MS = 200;

export class ControlApplier {
  readonly #run: WorkloadRun;
  readonly #waiting: ControlAction[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(run: WorkloadRun) {
    this.#run = run;
    this.#timer = setInterval(() => this.#flush(), FLUSH_MS);
  }

  offer(action: ControlAction): void {
    const clean = normalize(action);
    if (clean.action === 'stop') this.#waiting.length = 0;
    else if (this.#run.currentPhase === null || this.#waiting.length > 0) {
      this.#waiting.push(clean);
      return;
    }
    this.#apply(clean);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const action of this.#waiting) {
      console.error(`runner: control ${JSON.stringify(action)} ignored: no phase ran after it`);
    }
  }

  #flush(): void {
    if (this.#run.currentPhase === null) return;
    for (const action of this.#waiting.splice(0)) this.#apply(action);
  }

  #apply(action: ControlAction): void {
    try {
      this.#run.control(action);
    } catch (err) {
      const why = isBenchpilotError(err) ? err.describe() : (err as Error).message;
      console.error(`runner: control ${JSON.stringify(action)} ignored: ${why}`);
    }
  }
}

/** Only the action's own fields: extra fields must not travel on into control events. */
function normalize(action: ControlAction): ControlAction {
  if (action.action === 'setRate') return { action: 'setRate', rate: action.rate };
  if (action.action === 'setConcurrency')
    return { action: 'setConcurrency', concurrency: action.concurrency };
  return { action: action.action };
}
