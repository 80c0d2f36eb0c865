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

import { z } from 'zod';

export const RUNNER_PROTOCOL_VERSION = 1;

/**
 * The RunSpec a runner is started with (run.json). Unknown fields are ignored (protocol rule);
 * fields other than v, runId and workloadFile have defaults.
 */
export const runSpecSchema = z.object({
  v: z.literal(1),
  runId: z.string().min(1),
  /** The target's name (labels and logs only; the connection comes in `sets`). */
  target: z.string().optional(),
  /** `setup` runs a target's setup phases, `benchmark` its last phase (executors label Jobs with it). */
  kind: z.enum(['setup', 'benchmark']).optional(),
  /** The workload's name (labels and logs). */
  workload: z.string().optional(),
  /** `nosqlbench`: the phases run as nb5 Jobs (Kubernetes executor only); default: benchpilot's engine. */
  engine: z.enum(['benchpilot', 'nosqlbench']).optional(),
  /** Target fields held in environment variables (field → variable name), e.g. { password: 'CASSANDRA_PASSWORD' }. */
  secretEnv: z.record(z.string(), z.string()).optional(),
  /** Absolute path of the workload file the runner loads (a relative one is taken from the run directory). */
  workloadFile: z.string().min(1),
  /** `path=value` overrides (target connection, etc.). */
  sets: z.array(z.string()).default([]),
  /** The same fields as `benchpilot run --phase/--rate/--concurrency/--duration`, plus untilStopped. */
  overrides: z
    .object({
      phase: z.string().optional(),
      rate: z.number().positive().optional(),
      concurrency: z.number().int().positive().optional(),
      duration: z.number().positive().optional(),
      untilStopped: z.boolean().optional(),
    })
    .default({}),
  /** Phases to run (names); empty = all. */
  only: z.array(z.string()).default([]),
  /** Worker threads in this runner. */
  workers: z.number().int().min(1).max(256).default(1),
  /** This runner's partition when a run spans several runners (pods). */
  partition: z
    .object({ index: z.number().int().min(0), count: z.number().int().min(1) })
    .refine((p) => p.index < p.count, { message: 'index must be below count' })
    .default({ index: 0, count: 1 }),
});
export type RunSpec = z.output<typeof runSpecSchema>;

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
