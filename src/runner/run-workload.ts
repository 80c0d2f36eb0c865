/**
 * Runs a workload's phases in order on this machine: in this thread, or spread over worker
 * threads (`workers`), merging their snapshots exactly. Streams RunEvents and returns the
 * RunSummary. The CLI (and later the runner process the server starts) sit on top of this.
 */
import { availableParallelism } from 'node:os';
import { type Clock, systemClock } from '../engine/clock.js';
import { PhaseAggregator } from '../engine/metrics/aggregate.js';
import type { PhaseControl, PhaseExecution, PhaseOutcome } from '../engine/phase-execution.js';
import { evaluateThresholds } from '../engine/thresholds.js';
import { BenchpilotError, isBenchpilotError } from '../protocol/errors.js';
import type { ControlAction, PhaseState, RunEvent, SnapshotEvent } from '../protocol/events.js';
import type { PhaseSummary, RunSummary } from '../protocol/summary.js';
import { type LoadedWorkload, loadWorkload } from '../workload/load.js';
import type { RunOverrides } from '../workload/overrides.js';
import { applyControl } from './control.js';
import { InThreadHost, type PhaseHost } from './host.js';
import { DRIVERS } from './registry.js';
import { ThreadHost } from './thread-host.js';

export interface RunWorkloadOptions {
  readonly file: string;
  readonly sets?: readonly string[];
  readonly overrides?: RunOverrides;
  /** Run only these phases (names), in the workload's order. */
  readonly only?: readonly string[];
  /** Worker threads sharing each phase (each takes a cycle partition and rate/N). Default 1. */
  readonly workers?: number;
  /** This process's share when a run is spread over processes or pods (`--worker i/N`). */
  readonly partition?: { index: number; count: number };
  readonly env?: Record<string, string | undefined>;
  readonly onEvent?: (event: RunEvent) => void;
  readonly clock?: Clock;
  /** Already-loaded workload (skips loading `file` again). */
  readonly loaded?: LoadedWorkload;
}

export interface RunControl {
  /** Applies to the phase running now; rate and concurrency are totals for this process. */
  control(action: ControlAction): void;
  readonly currentPhase: string | null;
  readonly state: PhaseState | 'idle';
}

export interface WorkloadRun extends RunControl {
  readonly done: Promise<RunSummary>;
}

export function startWorkloadRun(options: RunWorkloadOptions): WorkloadRun {
  return new WorkloadRunner(options);
}

export function runWorkload(options: RunWorkloadOptions): Promise<RunSummary> {
  return startWorkloadRun(options).done;
}

interface RunningPhase {
  readonly name: string;
  readonly executions: PhaseExecution[];
  readonly shares: (total: number) => number[];
  readonly model: 'open' | 'closed';
}

class WorkloadRunner implements WorkloadRun {
  readonly done: Promise<RunSummary>;
  readonly #options: RunWorkloadOptions;
  readonly #clock: Clock;
  readonly #emit: (event: RunEvent) => void;
  #running: RunningPhase | null = null;
  #stopRequested = false;

  constructor(options: RunWorkloadOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#emit = options.onEvent ?? (() => {});
    this.done = this.#run();
  }

  get currentPhase(): string | null {
    return this.#running?.name ?? null;
  }

  get state(): PhaseState | 'idle' {
    return this.#running?.executions[0]?.state ?? 'idle';
  }

  control(action: ControlAction): void {
    if (action.action === 'stop') this.#stopRequested = true;
    const running = this.#running;
    if (!running) return;
    if (action.action === 'setRate' || action.action === 'setConcurrency') {
      const isRate = action.action === 'setRate';
      if (isRate !== (running.model === 'open')) {
        throw new BenchpilotError(
          'BP_USAGE',
          isRate
            ? `phase ${running.name} runs at a concurrency (closed model): change its concurrency, not its rate`
            : `phase ${running.name} runs at a rate (open model): change its rate, not its concurrency`,
        );
      }
      const total = isRate ? action.rate : action.concurrency;
      const shares = running.shares(total);
      running.executions.forEach((execution, i) => {
        const share = shares[i]!;
        applyControl(
          execution,
          isRate ? { action: 'setRate', rate: share } : { action: 'setConcurrency', concurrency: share },
        );
      });
    } else {
      for (const execution of running.executions) applyControl(execution, action);
    }
    this.#emit({ v: 1, type: 'control', phase: running.name, timeMs: this.#clock.wallMs(), action });
  }

  async #run(): Promise<RunSummary> {
    const options = this.#options;
    const env = options.env ?? process.env;
    const loaded =
      options.loaded ??
      (await loadWorkload(options.file, {
        drivers: DRIVERS,
        env,
        sets: options.sets ?? [],
        overrides: options.overrides ?? {},
      }));
    const phases = selectPhases(loaded, options.only);
    const threads = Math.max(1, Math.min(options.workers ?? 1, 256));
    if (threads > availableParallelism() * 4) {
      throw new BenchpilotError(
        'BP_USAGE',
        `--workers ${threads} is far above this machine's ${availableParallelism()} cores`,
      );
    }
    const partition = options.partition ?? { index: 0, count: 1 };
    const startedAt = new Date(this.#clock.wallMs()).toISOString();
    const hosts: PhaseHost[] =
      threads === 1
        ? [new InThreadHost(loaded, this.#clock)]
        : Array.from(
            { length: threads },
            () =>
              new ThreadHost({
                file: loaded.file,
                sets: options.sets ?? [],
                overrides: options.overrides ?? {},
                env: { ...env },
                hosts: threads,
              }),
          );
    this.#emit({
      v: 1,
      type: 'run-start',
      workload: loaded.spec.name,
      timeMs: this.#clock.wallMs(),
      phases: phases.map((i) => loaded.spec.phases[i]!.name),
    });
    const summaries: PhaseSummary[] = [];
    try {
      await Promise.all(hosts.map((h) => h.open()));
      for (const phaseIndex of phases) {
        if (this.#stopRequested) break;
        summaries.push(await this.#runPhase(loaded, phaseIndex, hosts, partition));
        if (summaries.at(-1)!.failure) break;
      }
    } finally {
      await Promise.allSettled(hosts.map((h) => h.close()));
    }
    const summary: RunSummary = {
      schemaVersion: 1,
      workload: loaded.spec.name,
      startedAt,
      endedAt: new Date(this.#clock.wallMs()).toISOString(),
      partition: { index: partition.index, count: partition.count, threads },
      phases: summaries,
      thresholdsOk: summaries.every((p) => p.failure === null && p.thresholds.every((t) => t.ok)),
    };
    this.#emit({ v: 1, type: 'run-end', timeMs: this.#clock.wallMs(), summary });
    return summary;
  }

  async #runPhase(
    loaded: LoadedWorkload,
    phaseIndex: number,
    hosts: PhaseHost[],
    partition: { index: number; count: number },
  ): Promise<PhaseSummary> {
    const phase = loaded.spec.phases[phaseIndex]!;
    const opNames = Object.entries(phase.ops)
      .filter(([, op]) => op.ratio > 0)
      .map(([name]) => name);
    const model = phase.rate !== undefined ? 'open' : 'closed';
    // The process's share (of N processes), then split over its threads.
    const processRate = phase.rate === undefined ? null : phase.rate / partition.count;
    const processConcurrency =
      model === 'closed' ? splitInteger(phase.concurrency ?? 1, partition.count)[partition.index]! : null;
    const active =
      model === 'closed' ? hosts.slice(0, Math.max(1, Math.min(hosts.length, processConcurrency!))) : hosts;
    const shares = (total: number): number[] =>
      model === 'open' ? active.map(() => total / active.length) : splitInteger(total, active.length);
    const initial = shares(model === 'open' ? processRate! : processConcurrency!);
    const aggregator = new PhaseAggregator(phase.name, opNames);
    const durationSeconds = phase.duration === undefined ? null : (phase.warmup ?? 0) + phase.duration;
    this.#emit({
      v: 1,
      type: 'phase-start',
      phase: phase.name,
      timeMs: this.#clock.wallMs(),
      model,
      target: { rate: processRate, concurrency: processConcurrency },
      cycles: phase.cycles ?? null,
      durationSeconds,
    });
    const flush = (): void => {
      const merged = aggregator.takeMerged(this.#clock.wallMs());
      if (merged) this.#emit(merged);
    };
    const onSnapshot = (source: number) => (snapshot: SnapshotEvent) => {
      aggregator.add(source, snapshot);
      if (active.length === 1) flush();
    };
    let failure: PhaseSummary['failure'] = null;
    let outcomes: PhaseOutcome[] = [];
    const started: PhaseExecution[] = [];
    let flushTimer: ReturnType<Clock['setTimer']> | null = null;
    const armFlush = (): void => {
      flushTimer = this.#clock.setTimer(() => {
        flush();
        armFlush();
      }, 1000);
    };
    try {
      for (let i = 0; i < active.length; i++) {
        const request = {
          phaseIndex,
          // Thread i of this process takes every (N*M)th cycle starting at index + i*N.
          partition: { index: partition.index + i * partition.count, count: partition.count * active.length },
          rate: model === 'open' ? initial[i]! : null,
          concurrency: model === 'closed' ? initial[i]! : null,
        };
        started.push(await active[i]!.start(request, onSnapshot(i)));
      }
      this.#running = { name: phase.name, executions: started, shares, model };
      if (this.#stopRequested) for (const e of started) e.stop();
      if (active.length > 1) armFlush();
      outcomes = await Promise.all(started.map((e) => e.done));
    } catch (err) {
      for (const e of started) e.stop();
      await Promise.allSettled(started.map((e) => e.done));
      failure = isBenchpilotError(err)
        ? { code: err.code, message: err.describe() }
        : { code: 'BP_INTERNAL', message: String((err as Error)?.stack ?? err) };
    } finally {
      if (flushTimer !== null) this.#clock.clearTimer(flushTimer);
      this.#running = null;
    }
    flush();
    const summary = this.#summarize(loaded, phaseIndex, aggregator, outcomes, {
      model,
      processRate,
      processConcurrency,
    });
    summary.failure = failure;
    this.#emit({ v: 1, type: 'phase-end', phase: phase.name, timeMs: this.#clock.wallMs(), summary });
    return summary;
  }

  #summarize(
    loaded: LoadedWorkload,
    phaseIndex: number,
    aggregator: PhaseAggregator,
    outcomes: PhaseOutcome[],
    shape: { model: 'open' | 'closed'; processRate: number | null; processConcurrency: number | null },
  ): PhaseSummary {
    const phase = loaded.spec.phases[phaseIndex]!;
    const errorSamples: Record<string, string[]> = {};
    for (const outcome of outcomes) {
      for (const [cls, messages] of Object.entries(outcome.errorSamples)) {
        errorSamples[cls] = [...new Set([...(errorSamples[cls] ?? []), ...messages])].slice(0, 5);
      }
    }
    const measuredSeconds = Math.max(0, ...outcomes.map((o) => o.measuredSeconds));
    const ops = aggregator.opSummaries(errorSamples);
    const count = aggregator.measuredCount;
    const issued = outcomes.reduce((n, o) => n + o.issued, 0);
    const summary: PhaseSummary = {
      name: phase.name,
      model: shape.model,
      durationSeconds: round(measuredSeconds, 3),
      rate: {
        target: shape.processRate,
        achieved: measuredSeconds > 0 ? round(count / measuredSeconds, 2) : 0,
      },
      concurrency: shape.processConcurrency,
      cycles: { done: issued, total: phase.cycles ?? null },
      lateness: aggregator.latenessSummary(),
      ops,
      thresholds: [],
      stoppedEarly: outcomes.some((o) => o.stoppedEarly),
      failure: null,
    };
    summary.thresholds = evaluateThresholds(loaded.thresholds.get(phase.name) ?? [], summary);
    return summary;
  }
}

function selectPhases(loaded: LoadedWorkload, only: readonly string[] | undefined): number[] {
  const names = loaded.spec.phases.map((p) => p.name);
  if (!only || only.length === 0) return names.map((_, i) => i);
  for (const name of only) {
    if (!names.includes(name)) {
      throw new BenchpilotError(
        'BP_SPEC_UNKNOWN_PHASE',
        `phase ${name} is not in ${loaded.file} (phases: ${names.join(', ')})`,
      );
    }
  }
  return names.flatMap((name, i) => (only.includes(name) ? [i] : []));
}

/** Splits an integer total into n near-equal integer shares (the first ones get the remainder). */
export function splitInteger(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  const extra = total - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export type { PhaseControl };
