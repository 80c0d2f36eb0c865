/**
 * The runner protocol, version 1: how the control plane starts a runner process and talks to it.
 * Documented in docs/runner-protocol.md.
 *
 * A runner gets a RunSpec; it emits RunEvents (src/protocol/events.ts, one JSON object per line)
 * plus an `exit` record, and accepts ControlActions. Locally the channel is two files in the
 * run's directory (events.jsonl appended by the runner, control.jsonl appended by the server), so
 * a runner outlives a server restart and the server re-attaches by reading on from its offset.
 * Runner pods will carry the same messages over a WebSocket to the control plane's Service.
 */

export const RUNNER_PROTOCOL_VERSION = 1;

export interface RunSpec {
  readonly v: 1;
  readonly runId: string;
  /** Absolute path of the workload file the runner loads. */
  readonly workloadFile: string;
  /** `path=value` overrides (target connection, etc.). */
  readonly sets: readonly string[];
  /** The same fields as `benchpilot run --phase/--rate/--concurrency/--duration`, plus untilStopped. */
  readonly overrides: {
    readonly phase?: string;
    readonly rate?: number;
    readonly concurrency?: number;
    readonly duration?: number;
    readonly untilStopped?: boolean;
  };
  /** Phases to run (names); empty = all. */
  readonly only: readonly string[];
  /** Worker threads in this runner. */
  readonly workers: number;
  /** This runner's partition when a run spans several runners (pods). */
  readonly partition: { readonly index: number; readonly count: number };
}

/** The runner's last line in events.jsonl (after `run-end`, or alone when it could not run). */
export interface RunnerExitRecord {
  readonly v: 1;
  readonly type: 'exit';
  readonly timeMs: number;
  /** Process exit code the runner is about to return (0, 2, 3, 1 as for `benchpilot run`). */
  readonly code: number;
  /** Set when the run could not run or failed: the error code and message. */
  readonly error: { readonly code: string; readonly message: string } | null;
}
