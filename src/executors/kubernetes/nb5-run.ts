/**
 * A run on the NoSQLBench engine: one nb5 Job per step of the workload's default scenario, in
 * order, each created only after the previous one completed. nb5 does not speak the runner
 * protocol, so the Job's conditions are the phase's outcome, and its metrics go to the configured
 * metrics endpoint (docs/engines/nosqlbench.md). nb5 cannot change its rate while it runs: a rate
 * change replaces the Job (same run and phase, next attempt, annotated with the Job it replaces).
 */
import type { BatchV1Api, CoreV1Api, V1Job } from '@kubernetes/client-node';
import type { ControlAction, RunEvent } from '../../protocol/events.js';
import type { RunnerExitRecord } from '../../protocol/runner.js';
import type { PhaseSummary, RunSummary } from '../../protocol/summary.js';
import { jobFailure, jobSucceeded } from './kube-status.js';
import { LABEL } from './manifests.js';
import { type Nb5JobOptions, nb5Job, nb5JobName, replacementJob } from './nosqlbench.js';

export interface Nb5RunOutput {
  event(event: RunEvent): void;
  logs(lines: string[]): void;
  exited(exit: RunnerExitRecord | null, reason: string): void;
}

export interface Nb5RunOptions {
  batch: BatchV1Api;
  core: CoreV1Api;
  workload: string;
  /** Steps of the default scenario this run executes, in order. */
  steps: string[];
  /** Job options of the first step (phase and scenario are set per step). */
  base: Omit<Nb5JobOptions, 'phase' | 'scenario'>;
  /** Where to resume after a control-plane restart. */
  stepIndex?: number;
  attempt?: number;
  out: Nb5RunOutput;
}

export class Nb5Run {
  readonly #o: Nb5RunOptions;
  #stepIndex: number;
  #current: Nb5JobOptions;
  #phaseStartedMs = Date.now();
  #summaries: PhaseSummary[] = [];
  #startedAt = new Date().toISOString();
  #stopRequested = false;
  #replacing = false;
  #closed = false;

  constructor(options: Nb5RunOptions) {
    this.#o = options;
    this.#stepIndex = options.stepIndex ?? 0;
    this.#current = this.#optionsFor(this.#stepIndex, options.attempt ?? 1);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  get currentPhase(): string {
    return this.#o.steps[this.#stepIndex]!;
  }

  async start(): Promise<void> {
    this.#o.out.event({
      v: 1,
      type: 'run-start',
      workload: this.#o.workload,
      timeMs: Date.now(),
      phases: this.#o.steps,
    });
    await this.#createJob();
  }

  /** Re-attached after a restart: the current Job exists; follow it. */
  resume(): void {
    this.#o.out.logs([`following nb5 Job ${this.#jobName()} again after a control-plane restart`]);
  }

  async control(action: ControlAction): Promise<void> {
    if (action.action === 'stop') {
      this.#stopRequested = true;
      await this.#deleteJob(this.#jobName());
      this.#endPhase({ stoppedEarly: true, failure: null });
      this.#finish({ v: 1, type: 'exit', timeMs: Date.now(), code: 0, error: null }, 'stopped');
      return;
    }
    if (action.action !== 'setRate') {
      throw new Error(
        `nb5 cannot ${action.action} a running phase (only a new rate, which replaces its Job, and stop)`,
      );
    }
    const previous = this.#jobName();
    const { options } = replacementJob(this.#current, action.rate);
    this.#replacing = true;
    try {
      await this.#deleteJob(previous);
      this.#current = options;
      await this.#createJob();
    } finally {
      this.#replacing = false;
    }
    this.#o.out.event({ v: 1, type: 'control', phase: this.currentPhase, timeMs: Date.now(), action });
    this.#o.out.logs([
      `rate ${action.rate}/s: Job ${previous} replaced by ${this.#jobName()} (nb5 cannot change its rate while it runs)`,
    ]);
  }

  /** A Job of this run changed (from the executor's watch). */
  onJob(job: V1Job): void {
    if (this.#closed || this.#replacing || job.metadata?.name !== this.#jobName()) return;
    if (jobSucceeded(job)) {
      this.#endPhase({ stoppedEarly: false, failure: null });
      const next = this.#stepIndex + 1;
      if (next < this.#o.steps.length && !this.#stopRequested) {
        this.#stepIndex = next;
        this.#current = this.#optionsFor(next, 1);
        this.#createJob().catch((err: unknown) =>
          this.#finish(
            null,
            `the nb5 Job for ${this.currentPhase} could not be created: ${(err as Error).message}`,
          ),
        );
        return;
      }
      this.#finish({ v: 1, type: 'exit', timeMs: Date.now(), code: 0, error: null }, 'exit 0');
      return;
    }
    const failure = jobFailure(job);
    if (failure) {
      const error = { code: 'BP_RUN_FAILED', message: `nb5 ${failure}; see the pod's log` };
      this.#endPhase({ stoppedEarly: false, failure: error });
      this.#finish({ v: 1, type: 'exit', timeMs: Date.now(), code: 2, error }, error.message);
    }
  }

  close(): void {
    this.#closed = true;
  }

  #optionsFor(stepIndex: number, attempt: number): Nb5JobOptions {
    const phase = this.#o.steps[stepIndex]!;
    return { ...this.#o.base, phase, scenario: `default.${phase}`, attempt };
  }

  #jobName(): string {
    return nb5JobName(this.#current.runId, this.#current.phase, this.#current.attempt ?? 1);
  }

  async #createJob(): Promise<void> {
    const job = nb5Job(this.#current);
    await this.#o.batch.createNamespacedJob({ namespace: this.#current.namespace, body: job });
    this.#phaseStartedMs = Date.now();
    const rate = this.#current.params.cyclerate;
    const threads = this.#current.params.threads;
    if ((this.#current.attempt ?? 1) === 1) {
      this.#o.out.event({
        v: 1,
        type: 'phase-start',
        phase: this.currentPhase,
        timeMs: Date.now(),
        model: rate === undefined ? 'closed' : 'open',
        target: {
          rate: rate === undefined ? null : Number(String(rate).split(',')[0]),
          concurrency: typeof threads === 'number' ? threads : null,
        },
        cycles: null,
        durationSeconds: null,
      });
    }
    this.#o.out.logs([
      `nb5 Job ${job.metadata!.name} created: nb5 ${job.spec!.template.spec!.containers[0]!.args!.join(' ')}`,
    ]);
  }

  async #deleteJob(name: string): Promise<void> {
    await this.#o.batch
      .deleteNamespacedJob({ name, namespace: this.#current.namespace, propagationPolicy: 'Background' })
      .catch((err: unknown) => {
        if ((err as { code?: number }).code !== 404) throw err;
      });
  }

  #endPhase(outcome: { stoppedEarly: boolean; failure: PhaseSummary['failure'] }): void {
    const rate = this.#current.params.cyclerate;
    const threads = this.#current.params.threads;
    // nb5 reports its figures to the metrics endpoint, not to us: the summary holds the phase's
    // shape and outcome; its latencies are read from the metrics store (nb5QuantileQuery).
    const summary: PhaseSummary = {
      name: this.currentPhase,
      model: rate === undefined ? 'closed' : 'open',
      durationSeconds: Math.round((Date.now() - this.#phaseStartedMs) / 10) / 100,
      rate: { target: rate === undefined ? null : Number(String(rate).split(',')[0]), achieved: 0 },
      concurrency: typeof threads === 'number' ? threads : null,
      cycles: { done: 0, total: null },
      lateness: null,
      ops: [],
      thresholds: [],
      stoppedEarly: outcome.stoppedEarly,
      failure: outcome.failure,
    };
    this.#summaries.push(summary);
    this.#o.out.event({ v: 1, type: 'phase-end', phase: summary.name, timeMs: Date.now(), summary });
  }

  #finish(exit: RunnerExitRecord | null, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const summary: RunSummary = {
      schemaVersion: 1,
      workload: this.#o.workload,
      startedAt: this.#startedAt,
      endedAt: new Date().toISOString(),
      partition: { index: 0, count: 1, threads: 1 },
      phases: this.#summaries,
      thresholdsOk: this.#summaries.every((p) => p.failure === null),
    };
    this.#o.out.event({ v: 1, type: 'run-end', timeMs: Date.now(), summary });
    this.#o.out.exited(exit, reason);
  }
}

/** The attempt number of a Job (label benchpilot.io/attempt). */
export function attemptOf(job: V1Job): number {
  const n = Number(job.metadata?.labels?.[LABEL.attempt] ?? '1');
  return Number.isInteger(n) && n > 0 ? n : 1;
}
