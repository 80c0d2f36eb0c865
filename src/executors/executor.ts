/**
 * The executor interface: where runner processes run. `local` (child processes on this
 * machine) now, `kubernetes` (Jobs) next. The server only ever talks to this interface.
 */
import type { ControlAction, RunEvent } from '../protocol/events.js';
import type { RunnerExitRecord, RunSpec } from '../protocol/runner.js';

/** What an executor needs to find a run again after a server restart (stored with the run). */
export type ExecutorRecord = Record<string, string | number | boolean | null>;

export interface RunSink {
  /** Each event in order; `cursor` is an opaque position to resume from after a restart. */
  event(event: RunEvent, cursor: number): void;
  /** Log lines from the runner (stderr, driver messages), as they come. */
  logs(lines: string[]): void;
  /** The runner is gone: its exit record, or null when it died without one (killed, crashed). */
  exited(exit: RunnerExitRecord | null, reason: string): void;
}

export interface RunAttachment {
  readonly record: ExecutorRecord;
  /** Stop following the runner without stopping it (server shutdown). */
  detach(): void;
}

export interface Executor {
  readonly name: string;
  /** Starts a runner for `spec`; events flow to `sink` until it exits. */
  start(spec: RunSpec, sink: RunSink, env: Record<string, string>): Promise<RunAttachment>;
  /**
   * Finds a runner started before a restart and follows it again from `cursor`
   * (events already seen are not repeated). Returns null when the runner is gone; the events it
   * wrote before it went are still delivered to `sink` first.
   */
  reattach(
    runId: string,
    record: ExecutorRecord,
    cursor: number,
    sink: RunSink,
  ): Promise<RunAttachment | null>;
  control(runId: string, record: ExecutorRecord, action: ControlAction): Promise<void>;
  /** The last `lines` log lines of a run (live or finished). */
  tailLogs(runId: string, record: ExecutorRecord, lines: number): Promise<string[]>;
  /** Forcefully ends a runner that did not stop in time. */
  kill(runId: string, record: ExecutorRecord): Promise<void>;
  /** Removes what the executor kept for a deleted run. */
  remove(runId: string, record: ExecutorRecord): Promise<void>;
}
