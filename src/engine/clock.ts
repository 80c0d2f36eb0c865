/**
 * Time is injected: the scheduler reads and waits through a Clock, so tests run on a
 * FakeClock, exact and fast, and production uses the monotonic system clock.
 */
import { performance } from 'node:perf_hooks';

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Monotonic time in nanoseconds (a float; microsecond resolution is what we record). */
  nowNs(): number;
  /** Wall-clock epoch milliseconds, for timestamps in snapshots and summaries. */
  wallMs(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

class SystemClock implements Clock {
  #timers = new Map<number, NodeJS.Timeout>();
  #nextId = 1;

  nowNs(): number {
    return performance.now() * 1e6;
  }

  wallMs(): number {
    return Date.now();
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    const timeout = setTimeout(() => {
      this.#timers.delete(id);
      callback();
    }, delayMs);
    this.#timers.set(id, timeout);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const timeout = this.#timers.get(handle.id);
    if (timeout) {
      clearTimeout(timeout);
      this.#timers.delete(handle.id);
    }
  }
}

export const systemClock: Clock = new SystemClock();

interface FakeTimer {
  id: number;
  dueNs: number;
  callback: () => void;
}

/** A clock that only moves when told to; timers fire in due order during `advance`. */
export class FakeClock implements Clock {
  #nowNs = 0;
  #wallStartMs: number;
  #timers: FakeTimer[] = [];
  #nextId = 1;

  constructor(wallStartMs = Date.UTC(2026, 0, 1)) {
    this.#wallStartMs = wallStartMs;
  }

  nowNs(): number {
    return this.#nowNs;
  }

  wallMs(): number {
    return this.#wallStartMs + this.#nowNs / 1e6;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.#nextId++, dueNs: this.#nowNs + Math.max(0, delayMs) * 1e6, callback };
    this.#timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle.id);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones they schedule). */
  advance(ms: number): void {
    const endNs = this.#nowNs + ms * 1e6;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers) if (t.dueNs <= endNs && (!next || t.dueNs < next.dueNs)) next = t;
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#nowNs = Math.max(this.#nowNs, next.dueNs);
      next.callback();
    }
    this.#nowNs = endNs;
  }

  /** Advance in steps of `stepMs`, letting promise callbacks run between steps. */
  async advanceAsync(ms: number, stepMs = 1): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) {
      this.advance(Math.min(stepMs, ms - done));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
