/**
 * A PhaseHost runs phases of one loaded workload somewhere: in this thread (InThreadHost) or in
 * a worker thread (ThreadHost, see thread-host.ts). The run orchestrator talks only to this.
 */

import { compileBindings } from '../engine/bindings/index.js';
import type { BindingSet } from '../engine/bindings/types.js';
import type { Clock } from '../engine/clock.js';
import type { Driver } from '../engine/driver.js';
import type { Partition, PhaseExecution, PhaseOutcome } from '../engine/phase-execution.js';
import { startPhase } from '../engine/phase-execution.js';
import type { SnapshotEvent } from '../protocol/events.js';
import type { LoadedWorkload } from '../workload/load.js';

export const DEFAULT_MAX_IN_FLIGHT = 1000;

export interface PhaseRequest {
  readonly phaseIndex: number;
  readonly partition: Partition;
  /** This host's share of the rate (open model) or of the loops (closed model). */
  readonly rate: number | null;
  readonly concurrency: number | null;
}

export interface PhaseHost {
  open(): Promise<void>;
  start(request: PhaseRequest, onSnapshot: (snapshot: SnapshotEvent) => void): Promise<PhaseExecution>;
  close(): Promise<void>;
}

/** Most operations any phase of the workload may have in flight on one host (driver pool sizing). */
export function maxInFlightOf(loaded: LoadedWorkload, hosts: number): number {
  let most = 1;
  for (const phase of loaded.spec.phases) {
    const capacity = phase.concurrency ?? phase.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    most = Math.max(most, Math.ceil(capacity / hosts));
  }
  return most;
}

export class InThreadHost implements PhaseHost {
  readonly #loaded: LoadedWorkload;
  readonly #clock: Clock;
  readonly #hosts: number;
  #bindings: BindingSet | null = null;
  #driver: Driver | null = null;

  constructor(loaded: LoadedWorkload, clock: Clock, hosts = 1) {
    this.#loaded = loaded;
    this.#clock = clock;
    this.#hosts = hosts;
  }

  async open(): Promise<void> {
    const { spec, plugin } = this.#loaded;
    this.#bindings = compileBindings(spec.bindings, { seed: spec.seed });
    this.#driver = plugin.create(spec.target, {
      maxInFlight: maxInFlightOf(this.#loaded, this.#hosts),
      workloadName: spec.name,
    });
    await this.#driver.connect();
  }

  async start(request: PhaseRequest, onSnapshot: (snapshot: SnapshotEvent) => void): Promise<PhaseExecution> {
    const driver = this.#driver;
    const bindings = this.#bindings;
    if (!driver || !bindings) throw new Error('InThreadHost.start before open');
    const phase = this.#loaded.spec.phases[request.phaseIndex]!;
    const ops = [];
    for (const [name, op] of Object.entries(phase.ops)) {
      if (op.ratio === 0) continue;
      const { ratio, ...driverFields } = op;
      ops.push({ name, ratio, prepared: await driver.prepare(driverFields, { opName: name, bindings }) });
    }
    const maxInFlight = Math.max(1, Math.ceil((phase.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT) / this.#hosts));
    return startPhase(
      {
        name: phase.name,
        ops,
        rate: request.rate,
        arrival: phase.arrival,
        concurrency: request.concurrency,
        maxInFlight,
        cycles: phase.cycles ?? null,
        durationSeconds: phase.duration ?? null,
        warmupSeconds: phase.warmup ?? 0,
        stopTimeoutSeconds: phase.stopTimeout,
        partition: request.partition,
        seed: this.#loaded.spec.seed,
      },
      { clock: this.#clock, onSnapshot },
    );
  }

  async close(): Promise<void> {
    const driver = this.#driver;
    this.#driver = null;
    if (driver) await driver.close();
  }
}

export type { PhaseOutcome };
