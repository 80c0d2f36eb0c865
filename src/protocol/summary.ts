/**
 * The run summary: what `benchpilot run --json out.json` writes and what the server stores.
 * Documented in docs/summary.md. Latencies are milliseconds of response time, measured from
 * each operation's intended start (no coordinated omission).
 */

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  min: number;
}

export interface OpSummary {
  name: string;
  count: number;
  /** Operations that failed (all classes). */
  errors: number;
  errorsByClass: Record<string, number>;
  /** First messages seen per error class (a few, for diagnosis). */
  errorSamples: Record<string, string[]>;
  /** Response time: from intended start to completion, ms. */
  latency: LatencySummary;
  /** Service time: from actual send to completion, ms. */
  serviceTime: LatencySummary;
  /** Mergeable HDR histogram of response time (µs), compressed base64. */
  histogram: string;
  /** Mergeable HDR histogram of service time (µs), compressed base64. */
  serviceHistogram: string;
}

export interface ThresholdResult {
  expression: string;
  ok: boolean;
  /** The measured value in the expression's unit (ms for latency, % or count for errors, ops/s for rate). */
  actual: number | null;
  message: string;
}

export interface PhaseSummary {
  name: string;
  model: 'open' | 'closed';
  /** Wall time the phase ran (after warmup), seconds. */
  durationSeconds: number;
  rate: { target: number | null; achieved: number };
  concurrency: number | null;
  cycles: { done: number; total: number | null };
  /** Scheduling lateness of intended starts in the open model (p99, ms): how far behind the load generator ran. */
  lateness: { p50: number; p99: number; max: number } | null;
  ops: OpSummary[];
  thresholds: ThresholdResult[];
  stoppedEarly: boolean;
  /** Set when the phase could not finish: what failed. */
  failure: { code: string; message: string } | null;
}

export interface RunSummary {
  schemaVersion: 1;
  workload: string;
  startedAt: string;
  endedAt: string;
  /** Which partition of cycles this process ran (`--worker i/N`) and how many threads shared it. */
  partition: { index: number; count: number; threads: number };
  phases: PhaseSummary[];
  thresholdsOk: boolean;
}
