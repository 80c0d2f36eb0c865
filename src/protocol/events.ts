/**
 * What a run streams while it goes (`benchpilot run --events file|-`, one JSON object per line,
 * and later the runner protocol). Versioned: consumers check `v`. Documented in docs/events.md.
 */
import type { PhaseSummary, RunSummary } from './summary.js';

export interface OpInterval {
  count: number;
  errors: number;
  errorsByClass: Record<string, number>;
  /** Interval HDR histogram of response time in µs (compressed base64; merge, never average). */
  rt: string;
  /** Interval HDR histogram of service time in µs. */
  st: string;
  /** Convenience percentiles of this interval's response time, ms (from `rt`). */
  p50: number;
  p99: number;
}

export interface PhaseProgress {
  /** Operations completed so far in this phase (all workers), warmup included. */
  done: number;
  /** Total operations when the phase is cycle-bounded, else null. */
  total: number | null;
  elapsedSeconds: number;
  /** Planned duration (warmup + duration) when time-bounded, else null. */
  durationSeconds: number | null;
  /** 0..1 when bounded (the nearer of cycles and duration), else null. */
  fraction: number | null;
}

export interface SnapshotEvent {
  v: 1;
  type: 'snapshot';
  phase: string;
  /** Sequence number within the phase, from 1. */
  seq: number;
  /** Wall-clock end of the interval, epoch ms. */
  timeMs: number;
  intervalSeconds: number;
  /** True while warmup runs: these operations are not in the results. */
  warmup: boolean;
  state: PhaseState;
  target: { rate: number | null; concurrency: number | null };
  /** Completions per second in this interval. */
  achievedRate: number;
  inFlight: number;
  progress: PhaseProgress;
  ops: Record<string, OpInterval>;
  /** Response-time percentiles of this interval over all ops (merged histograms), ms. */
  latency: { p50: number; p99: number };
  /** Open model: interval histogram (µs) of how late ops were sent after their intended start. */
  lateness: string | null;
}

export type PhaseState = 'running' | 'paused' | 'stopping' | 'finished';

export interface RunStartEvent {
  v: 1;
  type: 'run-start';
  workload: string;
  timeMs: number;
  phases: string[];
}

export interface PhaseStartEvent {
  v: 1;
  type: 'phase-start';
  phase: string;
  timeMs: number;
  model: 'open' | 'closed';
  target: { rate: number | null; concurrency: number | null };
  cycles: number | null;
  durationSeconds: number | null;
}

export interface PhaseEndEvent {
  v: 1;
  type: 'phase-end';
  phase: string;
  timeMs: number;
  summary: PhaseSummary;
}

export interface ControlEvent {
  v: 1;
  type: 'control';
  phase: string;
  timeMs: number;
  action: ControlAction;
}

export interface RunEndEvent {
  v: 1;
  type: 'run-end';
  timeMs: number;
  summary: RunSummary;
}

export interface LogEvent {
  v: 1;
  type: 'log';
  timeMs: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type RunEvent =
  | RunStartEvent
  | PhaseStartEvent
  | SnapshotEvent
  | ControlEvent
  | PhaseEndEvent
  | RunEndEvent
  | LogEvent;

/** Live control of a running phase. */
export type ControlAction =
  | { action: 'setRate'; rate: number }
  | { action: 'setConcurrency'; concurrency: number }
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'stop' };
