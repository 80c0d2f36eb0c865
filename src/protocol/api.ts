/**
 * The control plane's REST and WebSocket contract (`/api/v1`). One zod schema per body,
 * response and message: the server validates with them and publishes them as OpenAPI; the web
 * UI imports the inferred types. Documented in docs/api.md.
 */
import { z } from 'zod';

export const API_PREFIX = '/api/v1';

export const roleSchema = z.enum(['viewer', 'operator']);
export type Role = z.infer<typeof roleSchema>;

export const nameParam = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'expected a DNS-style name: lower-case letters, digits and -',
  );

// ---------- targets ----------
export const connectionValue = z.union([z.string(), z.number(), z.boolean()]);

export const targetInputSchema = z.strictObject({
  name: nameParam,
  driver: z.string().min(1).meta({ description: 'Driver name, e.g. postgres, http' }),
  /** Non-secret connection settings, set as `target.<key>` on the workload (e.g. url, host, port). */
  connection: z.record(z.string(), connectionValue).default({}),
  /** Secret fields by environment variable name (e.g. { password: "PGPASSWORD" }); values never stored or returned. */
  secretEnv: z.record(z.string(), z.string().regex(/^[A-Z_][A-Z0-9_]*$/)).default({}),
  enabled: z.boolean().default(true),
  /** Workloads to set up on this target (names of workloads). */
  workloads: z.array(z.string()).default([]),
});
export type TargetInput = z.input<typeof targetInputSchema>;

export const readinessSchema = z.object({
  workload: z.string(),
  setupId: z.string().nullable(),
  state: z.enum(['none', 'pending', 'running', 'succeeded', 'failed']),
  ready: z.boolean(),
});

export const targetSchema = targetInputSchema.extend({
  /** Where it came from: the config file, the API, or the embedded demo. */
  source: z.enum(['config', 'api', 'embedded']),
  /** False when this build has no driver of that name. */
  available: z.boolean(),
  readiness: z.array(readinessSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Target = z.infer<typeof targetSchema>;

// ---------- workloads ----------
export const workloadSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  driver: z.string(),
  /** `nosqlbench`: an nb5 workload (its own YAML form) run as nb5 Jobs by the Kubernetes executor. */
  engine: z.enum(['benchpilot', 'nosqlbench']).default('benchpilot'),
  source: z.enum(['shipped', 'uploaded', 'config']),
  /** Phases in order; all but the last are setup phases, the last is the benchmark. */
  phases: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['setup', 'benchmark']),
      rate: z.number().nullable(),
      concurrency: z.number().nullable(),
      cycles: z.number().nullable(),
      durationSeconds: z.number().nullable(),
    }),
  ),
  yaml: z.string(),
  updatedAt: z.string(),
});
export type Workload = z.infer<typeof workloadSchema>;

export const workloadUploadSchema = z.strictObject({
  yaml: z.string().min(1).max(1_000_000),
});

export const specIssueSchema = z.object({
  code: z.string(),
  file: z.string(),
  line: z.number(),
  col: z.number(),
  path: z.string(),
  message: z.string(),
});

export const validationResultSchema = z.object({ ok: z.boolean(), issues: z.array(specIssueSchema) });

// ---------- setups ----------
export const phaseStateSchema = z.enum(['pending', 'running', 'succeeded', 'failed']);

export const setupPhaseSchema = z.object({
  name: z.string(),
  state: phaseStateSchema,
  done: z.number(),
  total: z.number().nullable(),
  fraction: z.number().nullable(),
  errors: z.number(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});

export const setupSchema = z.object({
  id: z.string(),
  target: z.string(),
  workload: z.string(),
  state: phaseStateSchema,
  phases: z.array(setupPhaseSchema),
  /** The run that executes (or executed) the setup phases. */
  runId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Setup = z.infer<typeof setupSchema>;

export const setupStartSchema = z.strictObject({ target: nameParam, workload: z.string().min(1) });

// ---------- runs ----------
export const RUN_STATES = [
  'queued',
  'starting',
  'running',
  'stopping',
  'succeeded',
  'failed',
  'stopped',
] as const;
export const runStateSchema = z.enum(RUN_STATES);
export type RunState = z.infer<typeof runStateSchema>;
export const TERMINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'stopped'];

export const runStartSchema = z
  .strictObject({
    target: nameParam,
    workload: z.string().min(1),
    /** Open model: ops/s. */
    rate: z.number().positive().optional(),
    /** Closed model: loops. */
    concurrency: z.number().int().positive().optional(),
    /** Seconds; omit to run until stopped. */
    durationSeconds: z.number().positive().optional(),
    /** Worker threads (local) or pods (kubernetes) sharing the run. */
    parallelism: z.number().int().min(1).max(64).default(1),
    /** Start even when the target's setup has not succeeded (recorded on the run). */
    force: z.boolean().default(false),
  })
  .refine((b) => !(b.rate !== undefined && b.concurrency !== undefined), {
    message: 'give rate (open model) or concurrency (closed model), not both',
    path: ['rate'],
  });
export type RunStart = z.input<typeof runStartSchema>;

export const runPatchSchema = z
  .strictObject({
    rate: z.number().positive().optional(),
    concurrency: z.number().int().positive().optional(),
    paused: z.boolean().optional(),
  })
  .refine((b) => b.rate !== undefined || b.concurrency !== undefined || b.paused !== undefined, {
    message: 'give rate, concurrency or paused',
  });

export const runSchema = z.object({
  id: z.string(),
  kind: z.enum(['benchmark', 'setup']),
  target: z.string(),
  workload: z.string(),
  phase: z.string(),
  state: runStateSchema,
  model: z.enum(['open', 'closed']),
  params: z.object({
    rate: z.number().nullable(),
    concurrency: z.number().nullable(),
    durationSeconds: z.number().nullable(),
    parallelism: z.number(),
    force: z.boolean(),
  }),
  /** Live values (last snapshot): target and achieved rate, latency, progress. */
  live: z
    .object({
      targetRate: z.number().nullable(),
      concurrency: z.number().nullable(),
      achievedRate: z.number(),
      p50: z.number(),
      p99: z.number(),
      errors: z.number(),
      done: z.number(),
      fraction: z.number().nullable(),
      elapsedSeconds: z.number(),
      /** The runner reports the phase paused (PATCH {paused: true}). */
      paused: z.boolean().default(false),
    })
    .nullable(),
  executor: z.string(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type Run = z.infer<typeof runSchema>;

export const runListQuerySchema = z.object({
  target: z.string().optional(),
  workload: z.string().optional(),
  state: runStateSchema.optional(),
  kind: z.enum(['benchmark', 'setup']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** One point of a run's per-second series (merged over all workers). */
export const seriesPointSchema = z.object({
  t: z.number().meta({ description: 'Epoch ms at the end of the interval' }),
  elapsed: z.number(),
  targetRate: z.number().nullable(),
  achievedRate: z.number(),
  p50: z.number(),
  p99: z.number(),
  errors: z.number(),
  warmup: z.boolean(),
  ops: z.record(
    z.string(),
    z.object({ count: z.number(), errors: z.number(), p50: z.number(), p99: z.number() }),
  ),
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

export const tokenCreateSchema = z.strictObject({ name: z.string().min(1).max(100), role: roleSchema });

// ---------- WebSocket /api/v1/events ----------
/** Client → server. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), topics: z.array(z.string()).min(1) }),
  z.object({ type: z.literal('unsubscribe'), topics: z.array(z.string()).min(1) }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/**
 * Server → client. Topics: `runs` (every run's state changes), `setups` (setup progress),
 * `run:<id>` (that run's snapshots and logs), `targets`.
 */
export type ServerMessage =
  | { type: 'hello'; role: Role; serverTime: number }
  | { type: 'run'; run: Run }
  | { type: 'run-deleted'; id: string }
  | { type: 'setup'; setup: Setup }
  | { type: 'target'; target: Target }
  | { type: 'snapshot'; runId: string; point: SeriesPoint }
  | { type: 'log'; runId: string; lines: string[] }
  | { type: 'error'; message: string };

// ---------- errors ----------
export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
