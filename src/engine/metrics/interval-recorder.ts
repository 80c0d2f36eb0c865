/**
 * Per-op counters and interval histograms for one phase in one thread. The hot path records
 * plain numbers into preallocated histograms; once a second `takeInterval` encodes and resets.
 */
import type { OpInterval } from '../../protocol/events.js';
import { createHistogram, encodeHistogram, type Histogram, percentileMs, recordNanos } from './histogram.js';

const MAX_ERROR_SAMPLES = 5;

class OpCounters {
  count = 0;
  errors = 0;
  readonly errorsByClass = new Map<string, number>();
  readonly responseTime: Histogram = createHistogram();
  readonly serviceTime: Histogram = createHistogram();

  reset(): void {
    this.count = 0;
    this.errors = 0;
    this.errorsByClass.clear();
    this.responseTime.reset();
    this.serviceTime.reset();
  }
}

export class IntervalRecorder {
  readonly opNames: readonly string[];
  readonly #ops: OpCounters[];
  readonly #lateness: Histogram = createHistogram();
  #latenessCount = 0;
  /** Scratch histogram for the all-ops percentiles of an interval. */
  readonly #all: Histogram = createHistogram();
  /** First messages per error class over the whole phase (not reset per interval). */
  readonly errorSamples = new Map<string, string[]>();

  constructor(opNames: readonly string[]) {
    this.opNames = opNames;
    this.#ops = opNames.map(() => new OpCounters());
  }

  /** Successful op: response time from intended start, service time from actual send. */
  recordSuccess(opIndex: number, responseNs: number, serviceNs: number): void {
    const op = this.#ops[opIndex]!;
    op.count++;
    recordNanos(op.responseTime, responseNs);
    recordNanos(op.serviceTime, serviceNs);
  }

  /** Failed ops are counted by class and kept out of the latency histograms. */
  recordError(opIndex: number, errorClass: string, message: string | undefined): void {
    const op = this.#ops[opIndex]!;
    op.count++;
    op.errors++;
    op.errorsByClass.set(errorClass, (op.errorsByClass.get(errorClass) ?? 0) + 1);
    if (message !== undefined) {
      let samples = this.errorSamples.get(errorClass);
      if (!samples) {
        samples = [];
        this.errorSamples.set(errorClass, samples);
      }
      if (samples.length < MAX_ERROR_SAMPLES && !samples.includes(message)) samples.push(message);
    }
  }

  recordLateness(latenessNs: number): void {
    this.#latenessCount++;
    recordNanos(this.#lateness, latenessNs);
  }

  /** Encodes this interval's numbers and starts a new interval. */
  takeInterval(): {
    ops: Record<string, OpInterval>;
    completed: number;
    latency: { p50: number; p99: number };
    lateness: string | null;
  } {
    const ops: Record<string, OpInterval> = {};
    let completed = 0;
    const all = this.#all;
    all.reset();
    for (let i = 0; i < this.#ops.length; i++) {
      const op = this.#ops[i]!;
      completed += op.count;
      if (op.responseTime.totalCount > 0) all.add(op.responseTime);
      ops[this.opNames[i]!] = {
        count: op.count,
        errors: op.errors,
        errorsByClass: Object.fromEntries(op.errorsByClass),
        rt: op.responseTime.totalCount > 0 ? encodeHistogram(op.responseTime) : '',
        st: op.serviceTime.totalCount > 0 ? encodeHistogram(op.serviceTime) : '',
        p50: percentileMs(op.responseTime, 50),
        p99: percentileMs(op.responseTime, 99),
      };
      op.reset();
    }
    const lateness = this.#latenessCount > 0 ? encodeHistogram(this.#lateness) : null;
    this.#lateness.reset();
    this.#latenessCount = 0;
    return { ops, completed, latency: { p50: percentileMs(all, 50), p99: percentileMs(all, 99) }, lateness };
  }
}
