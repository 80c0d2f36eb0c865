/**
 * Merges the snapshots of one phase from N sources (worker threads, pods) into one live view
 * and into exact totals. Histograms are added (never averaged): the merged histogram of N
 * workers is exactly the histogram one worker recording every value would hold.
 */
import type { OpInterval, SnapshotEvent } from '../../protocol/events.js';
import type { OpSummary, PhaseSummary } from '../../protocol/summary.js';
import {
  addEncoded,
  createHistogram,
  encodeHistogram,
  type Histogram,
  percentileMs,
  summarizeLatency,
} from './histogram.js';

class OpAccumulator {
  count = 0;
  errors = 0;
  readonly errorsByClass: Record<string, number> = {};
  readonly responseTime: Histogram = createHistogram();
  readonly serviceTime: Histogram = createHistogram();

  add(op: OpInterval): void {
    this.count += op.count;
    this.errors += op.errors;
    for (const [cls, n] of Object.entries(op.errorsByClass))
      this.errorsByClass[cls] = (this.errorsByClass[cls] ?? 0) + n;
    addEncoded(this.responseTime, op.rt);
    addEncoded(this.serviceTime, op.st);
  }
}

interface SourceState {
  done: number;
  total: number | null;
  elapsedSeconds: number;
  durationSeconds: number | null;
  rate: number | null;
  concurrency: number | null;
  inFlight: number;
  state: SnapshotEvent['state'];
  warmup: boolean;
}

export interface PhaseTotals {
  readonly ops: ReadonlyMap<string, { count: number; errors: number; responseTime: Histogram }>;
}

export class PhaseAggregator {
  readonly phase: string;
  readonly #opNames: readonly string[];
  readonly #totals = new Map<string, OpAccumulator>();
  readonly #lateness: Histogram = createHistogram();
  readonly #sources = new Map<number, SourceState>();
  #pending = new Map<string, OpAccumulator>();
  #pendingLateness: Histogram = createHistogram();
  #pendingCompleted = 0;
  #pendingIntervalSeconds = 0;
  #pendingCount = 0;
  #seq = 0;

  constructor(phase: string, opNames: readonly string[]) {
    this.phase = phase;
    this.#opNames = opNames;
    for (const name of opNames) this.#totals.set(name, new OpAccumulator());
  }

  /** Adds one source's snapshot; `source` identifies the worker that sent it. */
  add(source: number, snapshot: SnapshotEvent): void {
    this.#sources.set(source, {
      done: snapshot.progress.done,
      total: snapshot.progress.total,
      elapsedSeconds: snapshot.progress.elapsedSeconds,
      durationSeconds: snapshot.progress.durationSeconds,
      rate: snapshot.target.rate,
      concurrency: snapshot.target.concurrency,
      inFlight: snapshot.inFlight,
      state: snapshot.state,
      warmup: snapshot.warmup,
    });
    for (const [name, op] of Object.entries(snapshot.ops)) {
      let pending = this.#pending.get(name);
      if (!pending) {
        pending = new OpAccumulator();
        this.#pending.set(name, pending);
      }
      pending.add(op);
      this.#pendingCompleted += op.count;
      if (!snapshot.warmup) this.#totals.get(name)?.add(op);
    }
    if (snapshot.lateness) {
      addEncoded(this.#pendingLateness, snapshot.lateness);
      if (!snapshot.warmup) addEncoded(this.#lateness, snapshot.lateness);
    }
    this.#pendingIntervalSeconds = Math.max(this.#pendingIntervalSeconds, snapshot.intervalSeconds);
    this.#pendingCount++;
  }

  /** The merged live view of everything added since the last call (null when nothing came). */
  takeMerged(timeMs: number): SnapshotEvent | null {
    if (this.#pendingCount === 0) return null;
    const sources = [...this.#sources.values()];
    const ops: Record<string, OpInterval> = {};
    const all = createHistogram();
    for (const name of this.#opNames) {
      const acc = this.#pending.get(name);
      if (acc && acc.responseTime.totalCount > 0) all.add(acc.responseTime);
      ops[name] = {
        count: acc?.count ?? 0,
        errors: acc?.errors ?? 0,
        errorsByClass: acc?.errorsByClass ?? {},
        rt: acc && acc.responseTime.totalCount > 0 ? encodeHistogram(acc.responseTime) : '',
        st: acc && acc.serviceTime.totalCount > 0 ? encodeHistogram(acc.serviceTime) : '',
        p50: acc ? percentileMs(acc.responseTime, 50) : 0,
        p99: acc ? percentileMs(acc.responseTime, 99) : 0,
      };
    }
    const sum = (pick: (s: SourceState) => number | null): number | null =>
      sources.some((s) => pick(s) === null) ? null : sources.reduce((n, s) => n + (pick(s) ?? 0), 0);
    const done = sources.reduce((n, s) => n + s.done, 0);
    const total = sum((s) => s.total);
    const elapsedSeconds = Math.max(...sources.map((s) => s.elapsedSeconds));
    const durationSeconds = sources[0]?.durationSeconds ?? null;
    let fraction: number | null = null;
    if (total !== null) fraction = total === 0 ? 1 : done / total;
    if (durationSeconds !== null) {
      fraction = Math.max(fraction ?? 0, durationSeconds === 0 ? 1 : elapsedSeconds / durationSeconds);
    }
    const intervalSeconds = this.#pendingIntervalSeconds || 1;
    const merged: SnapshotEvent = {
      v: 1,
      type: 'snapshot',
      phase: this.phase,
      seq: ++this.#seq,
      timeMs,
      intervalSeconds,
      warmup: sources.some((s) => s.warmup),
      state: mergeState(sources.map((s) => s.state)),
      target: { rate: sum((s) => s.rate), concurrency: sum((s) => s.concurrency) },
      achievedRate: this.#pendingCompleted / intervalSeconds,
      inFlight: sources.reduce((n, s) => n + s.inFlight, 0),
      progress: {
        done,
        total,
        elapsedSeconds,
        durationSeconds,
        fraction: fraction === null ? null : Math.min(1, fraction),
      },
      ops,
      latency: { p50: percentileMs(all, 50), p99: percentileMs(all, 99) },
      lateness: this.#pendingLateness.totalCount > 0 ? encodeHistogram(this.#pendingLateness) : null,
    };
    this.#pending = new Map();
    this.#pendingLateness = createHistogram();
    this.#pendingCompleted = 0;
    this.#pendingIntervalSeconds = 0;
    this.#pendingCount = 0;
    return merged;
  }

  /** Total measured operations (warmup excluded) across all ops. */
  get measuredCount(): number {
    let n = 0;
    for (const acc of this.#totals.values()) n += acc.count;
    return n;
  }

  opSummaries(errorSamples: Record<string, string[]>): OpSummary[] {
    return this.#opNames.map((name) => {
      const acc = this.#totals.get(name)!;
      const samples: Record<string, string[]> = {};
      for (const cls of Object.keys(acc.errorsByClass))
        if (errorSamples[cls]) samples[cls] = errorSamples[cls];
      return {
        name,
        count: acc.count,
        errors: acc.errors,
        errorsByClass: { ...acc.errorsByClass },
        errorSamples: samples,
        latency: summarizeLatency(acc.responseTime),
        serviceTime: summarizeLatency(acc.serviceTime),
        histogram: acc.responseTime.totalCount > 0 ? encodeHistogram(acc.responseTime) : '',
        serviceHistogram: acc.serviceTime.totalCount > 0 ? encodeHistogram(acc.serviceTime) : '',
      };
    });
  }

  latenessSummary(): PhaseSummary['lateness'] {
    if (this.#lateness.totalCount === 0) return null;
    const s = summarizeLatency(this.#lateness);
    return { p50: s.p50, p99: s.p99, max: s.max };
  }
}

function mergeState(states: SnapshotEvent['state'][]): SnapshotEvent['state'] {
  if (states.every((s) => s === 'finished')) return 'finished';
  if (states.some((s) => s === 'stopping')) return 'stopping';
  if (states.some((s) => s === 'running')) return 'running';
  return states.includes('paused') ? 'paused' : 'running';
}
