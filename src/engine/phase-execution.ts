/**
 * Runs one phase of a workload in this thread: the scheduler (open model at a target rate,
 * closed model at a concurrency), live control, progress, and one snapshot per second.
 *
 * Latency is measured from each operation's intended start (open model), so a stalled target
 * shows up as latency instead of silently lowering the request rate (no coordinated omission);
 * service time is measured from the actual send. Hot path: preallocated slots, no closures or
 * objects per operation, one clock read per send and per completion.
 */
import type { PhaseState, SnapshotEvent } from '../protocol/events.js';
import type { Clock, TimerHandle } from './clock.js';
import type { OpCompletion, PreparedOp } from './driver.js';
import { IntervalRecorder } from './metrics/interval-recorder.js';
import { buildOpSequence } from './op-sequence.js';
import { Splitmix32 } from './random.js';

export interface PhaseOp {
  readonly name: string;
  readonly ratio: number;
  readonly prepared: PreparedOp;
}

export interface Partition {
  /** This worker's index, 0-based: it runs cycles index, index+count, index+2*count, ... */
  readonly index: number;
  readonly count: number;
}

export interface PhasePlan {
  readonly name: string;
  readonly ops: readonly PhaseOp[];
  /** Open model: this partition's target rate in ops/s. Null in the closed model. */
  readonly rate: number | null;
  readonly arrival: 'constant' | 'poisson';
  /** Closed model: number of loops in this partition. Null in the open model. */
  readonly concurrency: number | null;
  /** Open model: most operations executing at once; later ones wait, their wait counted in latency. */
  readonly maxInFlight: number;
  /** Total operations across all partitions, or null when bounded by duration or stop only. */
  readonly cycles: number | null;
  readonly durationSeconds: number | null;
  readonly warmupSeconds: number;
  readonly stopTimeoutSeconds: number;
  readonly partition: Partition;
  readonly seed: number;
}

export interface PhaseOutcome {
  readonly stoppedEarly: boolean;
  /** Operations cancelled because they did not finish within stopTimeout after stop. */
  readonly cancelled: number;
  readonly errorSamples: Record<string, string[]>;
  readonly startedAtMs: number;
  /** Seconds from the end of warmup to the last completion. */
  readonly measuredSeconds: number;
  readonly issued: number;
}

export interface PhaseControl {
  setRate(rate: number): void;
  setConcurrency(concurrency: number): void;
  pause(): void;
  resume(): void;
  stop(): void;
  readonly state: PhaseState;
}

export interface PhaseExecution extends PhaseControl {
  readonly done: Promise<PhaseOutcome>;
}

export interface PhaseOptions {
  readonly clock: Clock;
  readonly onSnapshot: (snapshot: SnapshotEvent) => void;
  readonly snapshotIntervalMs?: number;
}

class Slot implements OpCompletion {
  opIndex = 0;
  intendedNs = 0;
  sentNs = 0;
  busy = false;
  readonly done: (errorClass: string | null, message?: string) => void;

  constructor(complete: (slot: Slot, errorClass: string | null, message: string | undefined) => void) {
    this.done = (errorClass, message) => complete(this, errorClass, message);
  }
}

export class PhaseRunner implements PhaseExecution {
  readonly done: Promise<PhaseOutcome>;
  readonly #plan: PhasePlan;
  readonly #clock: Clock;
  readonly #onSnapshot: (snapshot: SnapshotEvent) => void;
  readonly #snapshotIntervalMs: number;
  readonly #ops: readonly PreparedOp[];
  readonly #sequence: Uint16Array;
  readonly #recorder: IntervalRecorder;
  readonly #warmupRecorder: IntervalRecorder;
  readonly #random: Splitmix32;
  readonly #localTotal: number;
  readonly #completeSlot = (slot: Slot, errorClass: string | null, message: string | undefined): void =>
    this.#complete(slot, errorClass, message);

  #resolve!: (outcome: PhaseOutcome) => void;
  #state: PhaseState = 'running';
  #rate: number | null;
  #concurrency: number | null;
  #gapNs = 0;
  #slots: Slot[] = [];
  #free: Slot[] = [];
  #inFlight = 0;
  #issued = 0;
  #completed = 0;
  #cancelled = 0;
  #stopRequested = false;
  #startNs = 0;
  #startWallMs = 0;
  #warmupEndNs = 0;
  #endNs = Number.POSITIVE_INFINITY;
  #nextIntendedNs = 0;
  #lastCompletionNs = 0;
  #drainStartNs: number | null = null;
  #pumping = false;
  #pumpAgain = false;
  #wakeTimer: TimerHandle | null = null;
  #wakeAtNs = Number.POSITIVE_INFINITY;
  #snapshotTimer: TimerHandle | null = null;
  #endTimer: TimerHandle | null = null;
  #warmupTimer: TimerHandle | null = null;
  #drainTimer: TimerHandle | null = null;
  #lastSnapshotNs = 0;
  #seq = 0;

  constructor(plan: PhasePlan, options: PhaseOptions) {
    if ((plan.rate === null) === (plan.concurrency === null)) {
      throw new Error(`phase ${plan.name}: exactly one of rate and concurrency must be set`);
    }
    this.#plan = plan;
    this.#clock = options.clock;
    this.#onSnapshot = options.onSnapshot;
    this.#snapshotIntervalMs = options.snapshotIntervalMs ?? 1000;
    this.#ops = plan.ops.map((op) => op.prepared);
    this.#sequence = buildOpSequence(plan.ops.map((op) => op.ratio));
    const names = plan.ops.map((op) => op.name);
    this.#recorder = new IntervalRecorder(names);
    this.#warmupRecorder = new IntervalRecorder(names);
    this.#random = new Splitmix32(plan.seed ^ Math.imul(plan.partition.index + 1, 0x9e3779b1));
    const { index, count } = plan.partition;
    this.#localTotal =
      plan.cycles === null ? Number.POSITIVE_INFINITY : Math.max(0, Math.ceil((plan.cycles - index) / count));
    this.#rate = plan.rate;
    this.#concurrency = plan.concurrency;
    if (plan.rate !== null) this.#gapNs = 1e9 / plan.rate;
    this.#ensureSlots(plan.concurrency ?? plan.maxInFlight);
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#start();
  }

  get state(): PhaseState {
    return this.#state;
  }

  setRate(rate: number): void {
    if (this.#rate === null)
      throw new Error('setRate applies to the open model (rate); this phase runs at a concurrency');
    if (!(rate > 0)) throw new Error('rate must be a positive number');
    this.#rate = rate;
    this.#gapNs = 1e9 / rate;
    // A slower old schedule may have put the next start far away; the new rate applies from now.
    const now = this.#clock.nowNs();
    if (this.#nextIntendedNs > now + this.#gapNs) this.#nextIntendedNs = now + this.#gapNs;
    this.#wakeAtNs = Number.POSITIVE_INFINITY;
    this.#pump();
  }

  setConcurrency(concurrency: number): void {
    if (this.#concurrency === null) {
      throw new Error('setConcurrency applies to the closed model (concurrency); this phase runs at a rate');
    }
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error('concurrency must be an integer >= 1');
    this.#concurrency = concurrency;
    this.#ensureSlots(concurrency);
    this.#pump();
  }

  pause(): void {
    if (this.#state !== 'running') return;
    this.#state = 'paused';
    this.#clearWake();
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    // Re-anchor: the paused time is not owed as a burst of catch-up operations.
    const now = this.#clock.nowNs();
    if (this.#nextIntendedNs < now) this.#nextIntendedNs = now;
    this.#pump();
  }

  stop(): void {
    if (this.#stopRequested || this.#state === 'finished') return;
    this.#stopRequested = true;
    this.#beginDrain();
  }

  #start(): void {
    const clock = this.#clock;
    this.#startNs = clock.nowNs();
    this.#startWallMs = clock.wallMs();
    this.#lastSnapshotNs = this.#startNs;
    this.#nextIntendedNs = this.#startNs;
    this.#warmupEndNs = this.#startNs + this.#plan.warmupSeconds * 1e9;
    if (this.#plan.durationSeconds !== null) {
      const totalMs = (this.#plan.warmupSeconds + this.#plan.durationSeconds) * 1000;
      this.#endNs = this.#startNs + totalMs * 1e6;
      this.#endTimer = clock.setTimer(() => this.#onDurationEnd(), totalMs);
    }
    if (this.#plan.warmupSeconds > 0) {
      this.#warmupTimer = clock.setTimer(() => this.#onWarmupEnd(), this.#plan.warmupSeconds * 1000);
    }
    this.#snapshotTimer = clock.setTimer(() => this.#onSnapshotTimer(), this.#snapshotIntervalMs);
    this.#pump();
  }

  #ensureSlots(count: number): void {
    while (this.#slots.length < count) {
      const slot = new Slot(this.#completeSlot);
      this.#slots.push(slot);
      this.#free.push(slot);
    }
  }

  #capacity(): number {
    return this.#concurrency ?? this.#plan.maxInFlight;
  }

  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    do {
      this.#pumpAgain = false;
      if (this.#state === 'running' && !this.#stopRequested) this.#issueDue();
    } while (this.#pumpAgain);
    this.#pumping = false;
    this.#armWake();
    this.#maybeFinish();
  }

  #issueDue(): void {
    const capacity = this.#capacity();
    const open = this.#rate !== null;
    let now = this.#clock.nowNs();
    while (this.#inFlight < capacity && this.#issued < this.#localTotal && this.#free.length > 0) {
      let intendedNs: number;
      if (open) {
        intendedNs = this.#nextIntendedNs;
        if (intendedNs > now || intendedNs >= this.#endNs) return;
        this.#nextIntendedNs = intendedNs + this.#nextGapNs();
      } else {
        if (now >= this.#endNs) return;
        intendedNs = now;
      }
      const slot = this.#free.pop()!;
      const cycle = this.#plan.partition.index + this.#issued * this.#plan.partition.count;
      this.#issued++;
      this.#inFlight++;
      slot.busy = true;
      slot.opIndex = this.#sequence[cycle % this.#sequence.length]!;
      slot.intendedNs = intendedNs;
      slot.sentNs = now;
      if (open) {
        if (intendedNs >= this.#warmupEndNs) this.#recorder.recordLateness(now - intendedNs);
      }
      this.#ops[slot.opIndex]!.execute(cycle, slot);
      now = this.#clock.nowNs();
    }
  }

  #nextGapNs(): number {
    if (this.#plan.arrival === 'constant') return this.#gapNs;
    // Poisson arrivals: exponential gaps with the target mean, from a seeded stream (repeatable).
    return -Math.log(1 - this.#random.nextFloat()) * this.#gapNs;
  }

  #complete(slot: Slot, errorClass: string | null, message: string | undefined): void {
    if (!slot.busy) return; // cancelled at stop, or a driver calling done twice
    const now = this.#clock.nowNs();
    slot.busy = false;
    this.#inFlight--;
    this.#completed++;
    this.#lastCompletionNs = now;
    const recorder = slot.intendedNs >= this.#warmupEndNs ? this.#recorder : this.#warmupRecorder;
    if (errorClass === null) recorder.recordSuccess(slot.opIndex, now - slot.intendedNs, now - slot.sentNs);
    else recorder.recordError(slot.opIndex, errorClass, message);
    // Slots beyond a lowered concurrency retire by staying out of the free list until needed.
    this.#free.push(slot);
    this.#pump();
  }

  #armWake(): void {
    if (this.#state !== 'running' || this.#stopRequested || this.#rate === null) return;
    if (this.#issued >= this.#localTotal || this.#inFlight >= this.#capacity() || this.#free.length === 0)
      return;
    const dueNs = this.#nextIntendedNs;
    if (dueNs >= this.#endNs) return;
    if (this.#wakeTimer !== null && this.#wakeAtNs <= dueNs) return;
    this.#clearWake();
    this.#wakeAtNs = dueNs;
    const delayMs = Math.max(0, (dueNs - this.#clock.nowNs()) / 1e6);
    this.#wakeTimer = this.#clock.setTimer(() => {
      this.#wakeTimer = null;
      this.#wakeAtNs = Number.POSITIVE_INFINITY;
      this.#pump();
    }, delayMs);
  }

  #clearWake(): void {
    if (this.#wakeTimer !== null) this.#clock.clearTimer(this.#wakeTimer);
    this.#wakeTimer = null;
    this.#wakeAtNs = Number.POSITIVE_INFINITY;
  }

  #onWarmupEnd(): void {
    this.#warmupTimer = null;
    // Close the warmup interval exactly at its end so measured intervals hold only measured ops.
    this.#emitSnapshot(true);
    if (this.#snapshotTimer !== null) this.#clock.clearTimer(this.#snapshotTimer);
    this.#snapshotTimer = this.#clock.setTimer(() => this.#onSnapshotTimer(), this.#snapshotIntervalMs);
  }

  #onDurationEnd(): void {
    this.#endTimer = null;
    this.#beginDrain();
  }

  #beginDrain(): void {
    if (this.#state === 'finished' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    this.#drainStartNs = this.#clock.nowNs();
    this.#clearWake();
    if (this.#inFlight > 0) {
      this.#drainTimer = this.#clock.setTimer(
        () => this.#cancelInFlight(),
        this.#plan.stopTimeoutSeconds * 1000,
      );
    }
    this.#maybeFinish();
  }

  #cancelInFlight(): void {
    this.#drainTimer = null;
    for (const slot of this.#slots) {
      if (!slot.busy) continue;
      slot.busy = false;
      this.#inFlight--;
      this.#cancelled++;
      const recorder = slot.intendedNs >= this.#warmupEndNs ? this.#recorder : this.#warmupRecorder;
      recorder.recordError(slot.opIndex, 'cancelled', 'still running when the phase stopped (stopTimeout)');
    }
    this.#maybeFinish();
  }

  #onSnapshotTimer(): void {
    this.#snapshotTimer = null;
    if (this.#state === 'finished') return;
    this.#emitSnapshot(this.#clock.nowNs() < this.#warmupEndNs);
    this.#snapshotTimer = this.#clock.setTimer(() => this.#onSnapshotTimer(), this.#snapshotIntervalMs);
  }

  #maybeFinish(): void {
    if (this.#state === 'finished' || this.#inFlight > 0) return;
    const exhausted = this.#issued >= this.#localTotal;
    if (!exhausted && this.#state !== 'stopping') return;
    this.#finish();
  }

  #finish(): void {
    const stoppedEarly = this.#stopRequested;
    const clock = this.#clock;
    for (const timer of [this.#snapshotTimer, this.#endTimer, this.#warmupTimer, this.#drainTimer]) {
      if (timer !== null) clock.clearTimer(timer);
    }
    this.#clearWake();
    this.#state = 'finished';
    const inWarmup = clock.nowNs() < this.#warmupEndNs;
    this.#emitSnapshot(inWarmup);
    // Measured window: end of warmup to the stop/duration end, or to the last completion when cycles ran out.
    // (Timers fire a little late; the planned end bounds the window so rate x duration ops give exactly `rate`.)
    const measuredEndNs = Math.min(this.#drainStartNs ?? this.#lastCompletionNs, this.#endNs);
    const measuredSeconds = Math.max(0, (measuredEndNs - this.#warmupEndNs) / 1e9);
    const samples: Record<string, string[]> = {};
    for (const recorder of [this.#warmupRecorder, this.#recorder]) {
      for (const [cls, messages] of recorder.errorSamples)
        samples[cls] = [...(samples[cls] ?? []), ...messages];
    }
    this.#resolve({
      stoppedEarly,
      cancelled: this.#cancelled,
      errorSamples: samples,
      startedAtMs: this.#startWallMs,
      measuredSeconds,
      issued: this.#issued,
    });
  }

  #emitSnapshot(warmup: boolean): void {
    const now = this.#clock.nowNs();
    const intervalSeconds = Math.max(1e-9, (now - this.#lastSnapshotNs) / 1e9);
    this.#lastSnapshotNs = now;
    const taken = (warmup ? this.#warmupRecorder : this.#recorder).takeInterval();
    if (!warmup) this.#warmupRecorder.takeInterval(); // late warmup completions are not results
    const elapsedSeconds = (now - this.#startNs) / 1e9;
    const plannedSeconds =
      this.#plan.durationSeconds === null ? null : this.#plan.warmupSeconds + this.#plan.durationSeconds;
    const total = Number.isFinite(this.#localTotal) ? this.#localTotal : null;
    let fraction: number | null = null;
    if (total !== null) fraction = total === 0 ? 1 : this.#completed / total;
    if (plannedSeconds !== null)
      fraction = Math.max(fraction ?? 0, plannedSeconds === 0 ? 1 : elapsedSeconds / plannedSeconds);
    this.#onSnapshot({
      v: 1,
      type: 'snapshot',
      phase: this.#plan.name,
      seq: ++this.#seq,
      timeMs: this.#clock.wallMs(),
      intervalSeconds,
      warmup,
      state: this.#state,
      target: { rate: this.#rate, concurrency: this.#concurrency },
      achievedRate: taken.completed / intervalSeconds,
      inFlight: this.#inFlight,
      progress: {
        done: this.#completed,
        total,
        elapsedSeconds,
        durationSeconds: plannedSeconds,
        fraction: fraction === null ? null : Math.min(1, fraction),
      },
      ops: taken.ops,
      latency: taken.latency,
      lateness: taken.lateness,
    });
  }
}

export function startPhase(plan: PhasePlan, options: PhaseOptions): PhaseExecution {
  return new PhaseRunner(plan, options);
}
