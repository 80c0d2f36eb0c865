/** Runs phases in a worker thread (one of `--workers N`), behind the same PhaseHost interface. */
import { Worker } from 'node:worker_threads';
import type { PhaseExecution, PhaseOutcome } from '../engine/phase-execution.js';
import { BenchpilotError, ERROR_CODES, type ErrorCode } from '../protocol/errors.js';
import type { ControlAction, PhaseState, SnapshotEvent } from '../protocol/events.js';
import type { PhaseHost, PhaseRequest } from './host.js';
import type { FromWorker, ToWorker, WorkerInit } from './thread-messages.js';

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

type Waiter = { type: FromWorker['type']; resolve: (m: FromWorker) => void; reject: (e: Error) => void };

export class ThreadHost implements PhaseHost {
  readonly #worker: Worker;
  #waiters: Waiter[] = [];
  #onSnapshot: ((snapshot: SnapshotEvent) => void) | null = null;
  #state: PhaseState = 'finished';
  #exited = false;

  constructor(init: WorkerInit) {
    this.#worker = new Worker(WORKER_ENTRY, { workerData: init });
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', (code) => {
      this.#exited = true;
      if (this.#waiters.length > 0) this.#failAll(new Error(`worker thread exited with code ${code}`));
    });
  }

  async open(): Promise<void> {
    await this.#request({ type: 'open' }, 'opened');
  }

  async start(request: PhaseRequest, onSnapshot: (snapshot: SnapshotEvent) => void): Promise<PhaseExecution> {
    this.#onSnapshot = onSnapshot;
    this.#state = 'running';
    const done = this.#wait('done').then((m) => (m as { outcome: PhaseOutcome }).outcome);
    await this.#request({ type: 'start', request }, 'started');
    const control = (action: ControlAction): void => this.#post({ type: 'control', action });
    const host = this;
    return {
      done,
      get state() {
        return host.#state;
      },
      setRate: (rate) => control({ action: 'setRate', rate }),
      setConcurrency: (concurrency) => control({ action: 'setConcurrency', concurrency }),
      pause: () => control({ action: 'pause' }),
      resume: () => control({ action: 'resume' }),
      stop: () => control({ action: 'stop' }),
    };
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    await this.#request({ type: 'close' }, 'closed').catch(() => undefined);
    await this.#worker.terminate();
  }

  #post(message: ToWorker): void {
    if (!this.#exited) this.#worker.postMessage(message);
  }

  #request(message: ToWorker, reply: FromWorker['type']): Promise<FromWorker> {
    const waiting = this.#wait(reply);
    this.#post(message);
    return waiting;
  }

  #wait(type: FromWorker['type']): Promise<FromWorker> {
    return new Promise((resolve, reject) => this.#waiters.push({ type, resolve, reject }));
  }

  #receive(message: FromWorker): void {
    if (message.type === 'snapshot') {
      this.#state = message.snapshot.state;
      this.#onSnapshot?.(message.snapshot);
      return;
    }
    if (message.type === 'error') {
      const code = (message.code in ERROR_CODES ? message.code : 'BP_INTERNAL') as ErrorCode;
      this.#failAll(new BenchpilotError(code, message.message));
      return;
    }
    const index = this.#waiters.findIndex((w) => w.type === message.type);
    if (index >= 0) this.#waiters.splice(index, 1)[0]!.resolve(message);
  }

  #failAll(err: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
  }
}
