import type { PhaseControl } from '../engine/phase-execution.js';
import type { ControlAction } from '../protocol/events.js';

/** Applies one control action to a running phase (the same actions the CLI, workers and API send). */
export function applyControl(target: PhaseControl, action: ControlAction): void {
  switch (action.action) {
    case 'setRate':
      target.setRate(action.rate);
      return;
    case 'setConcurrency':
      target.setConcurrency(action.concurrency);
      return;
    case 'pause':
      target.pause();
      return;
    case 'resume':
      target.resume();
      return;
    case 'stop':
      target.stop();
      return;
  }
}
