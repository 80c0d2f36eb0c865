/** Every message between the run orchestrator and its worker threads (`--workers N`), in one place. */
import type { PhaseOutcome } from '../engine/phase-execution.js';
import type { ControlAction, SnapshotEvent } from '../protocol/events.js';
import type { RunOverrides } from '../workload/overrides.js';
import type { PhaseRequest } from './host.js';

export interface WorkerInit {
  readonly file: string;
  readonly sets: readonly string[];
  readonly overrides: RunOverrides;
  readonly env: Record<string, string | undefined>;
  /** How many threads share the load, for pool sizing. */
  readonly hosts: number;
}

export type ToWorker =
  | { type: 'open' }
  | { type: 'start'; request: PhaseRequest }
  | { type: 'control'; action: ControlAction }
  | { type: 'close' };

export type FromWorker =
  | { type: 'opened' }
  | { type: 'started' }
  | { type: 'snapshot'; snapshot: SnapshotEvent }
  | { type: 'done'; outcome: PhaseOutcome }
  | { type: 'closed' }
  | { type: 'error'; code: string; message: string };
