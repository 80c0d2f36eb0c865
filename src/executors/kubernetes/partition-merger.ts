/**
 * One run spread over N runner pods (partitions) looks like one runner to the rest of the control
 * plane: their events are merged into a single stream. Snapshots are merged once a second with
 * histograms added (exact percentiles), phase-end and run-end once every live partition has sent
 * its own, the exit record once every partition has ended.
 */
import { PhaseAggregator } from '../../engine/metrics/aggregate.js';
import { mergePhaseSummaries, mergeRunSummaries } from '../../engine/metrics/merge-summary.js';
import type { ControlAction, PhaseStartEvent, RunEvent, SnapshotEvent } from '../../protocol/events.js';
import type { RunnerExitRecord } from '../../protocol/runner.js';
import type { PhaseSummary, RunSummary } from '../../protocol/summary.js';

export interface MergedOutput {
  event(event: RunEvent): void;
  exited(exit: RunnerExitRecord | null, reason: string): void;
}

interface PartitionState {
  ended: boolean;
  exit: RunnerExitRecord | null;
  reason: string;
  phaseEnds: Map<string, PhaseSummary>;
  runEnd: RunSummary | null;
}

const MERGE_INTERVAL_MS = 1000;

export class PartitionMerger {
  readonly count: number;
  readonly #out: MergedOutput;
  readonly #partitions: PartitionState[];
  readonly #aggregators = new Map<string, PhaseAggregator>();
  readonly #phasesStarted = new Set<string>();
  /** Each partition's phase-start per phase, until all live partitions have sent theirs. */
  readonly #phaseStarts = new Map<string, Map<number, PhaseStartEvent>>();
  readonly #phasesEnded = new Set<string>();
  #runStarted = false;
  #runEnded: RunSummary | null = null;
  #finished = false;
  #lastRequested: ControlAction | null = null;
  readonly #timer: NodeJS.Timeout | null;

  constructor(count: number, out: MergedOutput) {
    this.count = count;
    this.#out = out;
    this.#partitions = Array.from({ length: count }, () => ({
      ended: false,
      exit: null,
      reason: '',
      phaseEnds: new Map(),
      runEnd: null,
    }));
    // One partition needs no merge: its snapshots pass straight through.
    this.#timer = count > 1 ? setInterval(() => this.#flushSnapshots(), MERGE_INTERVAL_MS) : null;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** The totals the control plane asked for last (control events report those, not the shares). */
  requested(action: ControlAction): void {
    this.#lastRequested = action;
  }

  onEvent(index: number, event: RunEvent): void {
    const partition = this.#partitions[index];
    if (!partition || this.#finished) return;
    switch (event.type) {
      case 'run-start':
        if (!this.#runStarted) this.#out.event(event);
        this.#runStarted = true;
        return;
      case 'phase-start': {
        let starts = this.#phaseStarts.get(event.phase);
        if (!starts) {
          starts = new Map();
          this.#phaseStarts.set(event.phase, starts);
        }
        starts.set(index, event);
        this.#maybeStartPhase(event.phase);
        return;
      }
      case 'snapshot':
        if (this.count === 1) this.#out.event(event);
        else this.#aggregator(event).add(index, event);
        return;
      case 'control':
        // Every partition applies its share; report the control once, with the requested totals.
        if (index !== this.#firstLive()) return;
        this.#out.event({ ...event, action: this.#totalOf(event.action) });
        return;
      case 'log':
        this.#out.event(this.count === 1 ? event : { ...event, message: `[pod ${index}] ${event.message}` });
        return;
      case 'phase-end':
        partition.phaseEnds.set(event.phase, event.summary);
        this.#maybeEndPhase(event.phase, event.timeMs);
        return;
      case 'run-end':
        partition.runEnd = event.summary;
        this.#maybeEndRun(event.timeMs);
        return;
    }
  }

  /** A partition ended: with its exit record, or null when its pod ended without one. */
  onExit(index: number, exit: RunnerExitRecord | null, reason: string): void {
    const partition = this.#partitions[index];
    if (!partition || partition.ended || this.#finished) return;
    partition.ended = true;
    partition.exit = exit;
    partition.reason = reason;
    // Phases and the run wait no longer for a partition that is gone.
    for (const phase of this.#phaseStarts.keys()) this.#maybeStartPhase(phase);
    const ending = new Set([
      ...this.#phasesStarted,
      ...this.#partitions.flatMap((p) => [...p.phaseEnds.keys()]),
    ]);
    for (const phase of ending) this.#maybeEndPhase(phase, Date.now());
    this.#maybeEndRun(Date.now());
    if (this.#partitions.every((p) => p.ended)) this.#finish();
  }

  isEnded(index: number): boolean {
    return this.#partitions[index]?.ended ?? true;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #aggregator(snapshot: SnapshotEvent): PhaseAggregator {
    let aggregator = this.#aggregators.get(snapshot.phase);
    if (!aggregator) {
      aggregator = new PhaseAggregator(snapshot.phase, Object.keys(snapshot.ops));
      this.#aggregators.set(snapshot.phase, aggregator);
    }
    return aggregator;
  }

  /**
   * A phase starts (for the stream) once every live partition has started it: its targets are
   * the sums of the partitions' shares (concurrency splits unevenly, so no multiplying).
   */
  #maybeStartPhase(phase: string, force = false): void {
    if (this.#phasesStarted.has(phase)) return;
    const starts = this.#phaseStarts.get(phase);
    if (!starts || starts.size === 0) return;
    if (!force && this.#partitions.some((p, i) => !p.ended && !starts.has(i))) return;
    const events = [...starts.values()];
    const sum = (pick: (e: PhaseStartEvent) => number | null): number | null =>
      events.some((e) => pick(e) === null) ? null : round6(events.reduce((n, e) => n + (pick(e) ?? 0), 0));
    this.#phasesStarted.add(phase);
    this.#phaseStarts.delete(phase);
    this.#out.event({
      ...events[0]!,
      timeMs: Math.min(...events.map((e) => e.timeMs)),
      target: { rate: sum((e) => e.target.rate), concurrency: sum((e) => e.target.concurrency) },
    });
  }

  #flushSnapshots(): void {
    for (const [phase, aggregator] of this.#aggregators) {
      // Nothing of a phase goes out before its phase-start. (A phase whose start this merger never
      // saw — it re-attached after a restart — is not held back.)
      if (this.#phaseStarts.has(phase)) continue;
      const merged = aggregator.takeMerged(Date.now());
      if (merged) this.#out.event(merged);
      if (this.#phasesEnded.has(phase)) this.#aggregators.delete(phase);
    }
  }

  #firstLive(): number {
    const index = this.#partitions.findIndex((p) => !p.ended);
    return Math.max(index, 0);
  }

  #totalOf(action: ControlAction): ControlAction {
    const requested = this.#lastRequested;
    if (requested && requested.action === action.action) return requested;
    if (action.action === 'setRate') return { action: 'setRate', rate: round6(action.rate * this.count) };
    if (action.action === 'setConcurrency')
      return { action: 'setConcurrency', concurrency: action.concurrency * this.count };
    return action;
  }

  #maybeEndPhase(phase: string, timeMs: number): void {
    if (this.#phasesEnded.has(phase)) return;
    const parts: PhaseSummary[] = [];
    for (const p of this.#partitions) {
      const summary = p.phaseEnds.get(phase);
      if (summary) parts.push(summary);
      else if (!p.ended) return;
    }
    if (parts.length === 0) return;
    // A phase ends after it started: announce the start with what came, if it still waits.
    this.#maybeStartPhase(phase, true);
    this.#phasesEnded.add(phase);
    this.#flushSnapshots();
    this.#out.event({ v: 1, type: 'phase-end', phase, timeMs, summary: mergePhaseSummaries(parts) });
  }

  #maybeEndRun(timeMs: number): void {
    if (this.#runEnded) return;
    const parts: RunSummary[] = [];
    for (const p of this.#partitions) {
      if (p.runEnd) parts.push(p.runEnd);
      else if (!p.ended) return;
    }
    if (parts.length === 0) return;
    this.#runEnded = mergeRunSummaries(parts, this.count);
    this.#out.event({ v: 1, type: 'run-end', timeMs, summary: this.#runEnded });
  }

  #finish(): void {
    this.#finished = true;
    this.close();
    const lost = this.#partitions.findIndex((p) => p.exit === null);
    if (lost >= 0) {
      const reason =
        this.count === 1 ? this.#partitions[lost]!.reason : `pod ${lost}: ${this.#partitions[lost]!.reason}`;
      this.#out.exited(null, reason);
      return;
    }
    const exits = this.#partitions.map((p) => p.exit!);
    // A partition that could not run (or crashed) decides; else the merged thresholds do.
    const hard = exits.find((e) => e.code !== 0 && e.code !== 3);
    if (hard) {
      this.#out.exited(hard, hard.error?.message ?? `exit ${hard.code}`);
      return;
    }
    const summary = this.#runEnded;
    const ok = summary ? summary.thresholdsOk : exits.every((e) => e.code === 0);
    if (ok) {
      this.#out.exited({ v: 1, type: 'exit', timeMs: Date.now(), code: 0, error: null }, 'exit 0');
      return;
    }
    const failed =
      summary?.phases.flatMap((p) =>
        p.thresholds.filter((t) => !t.ok).map((t) => `${p.name}: ${t.message}`),
      ) ?? [];
    const message = failed.join('; ') || 'a threshold did not hold';
    this.#out.exited(
      { v: 1, type: 'exit', timeMs: Date.now(), code: 3, error: { code: 'BP_THRESHOLDS_FAILED', message } },
      message,
    );
  }
}

/** Shares of a rate are rate/N floats: their sum is rounded so 29/7·7 reads 29. */
function round6(value: number): number {
  return Number(value.toFixed(6));
}
