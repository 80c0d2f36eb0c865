/**
 * The runner protocol over a WebSocket (runner pods → control plane). Same messages as the file
 * channel of the local executor, framed with sequence numbers so nothing is lost or repeated
 * across reconnects. Documented in docs/runner-protocol.md ("Over a WebSocket").
 */
import { z } from 'zod';
import type { ControlAction, RunEvent } from './events.js';
import type { RunnerExitRecord, RunSpec } from './runner.js';

export const RUNNER_LINK_PATH = '/api/v1/runner';

/** Close codes the control plane uses (4000–4999 are the application's own). */
export const LINK_CLOSE = {
  /** The token or run id did not match: do not retry. */
  unauthorized: 4401,
  /** The run is over or unknown: do not retry. */
  gone: 4410,
  /** A second connection for the same partition replaced this one. */
  replaced: 4409,
  /** The first frame was not a valid hello. */
  badHello: 4400,
} as const;

export const helloSchema = z.object({
  v: z.literal(1),
  type: z.literal('hello'),
  runId: z.string().min(1).max(128),
  partition: z.object({ index: z.number().int().min(0), count: z.number().int().min(1).max(1000) }),
  token: z.string().min(16).max(512),
  /** The phase this runner runs (setup chains run one Job per phase); absent = the run's only step. */
  phase: z.string().min(1).max(200).optional(),
  /** The next seq the control plane has not acknowledged (0 on the first dial). */
  resumeFrom: z.number().int().min(0),
});
export type HelloFrame = z.infer<typeof helloSchema>;

export interface WelcomeFrame {
  v: 1;
  type: 'welcome';
  /** This partition's RunSpec; `workloadFile` is a file name, the text comes in `workload`. */
  spec: RunSpec;
  workload: { fileName: string; text: string };
  /** Highest seq of this partition the control plane holds, -1 for none. */
  ack: number;
}

/** runner → control plane */
export type RunnerFrame =
  | HelloFrame
  | { type: 'event'; seq: number; event: RunEvent }
  | { type: 'exit'; seq: number; exit: RunnerExitRecord }
  | { type: 'control-ack'; id: number };

/** control plane → runner */
export type ControlPlaneFrame =
  | WelcomeFrame
  | { type: 'ack'; seq: number }
  | { type: 'control'; id: number; action: ControlAction }
  /** The exit record is stored: the runner may end. */
  | { type: 'done' };
