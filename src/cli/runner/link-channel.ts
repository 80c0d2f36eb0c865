/**
 * The runner pods' channel: one WebSocket to the control plane (docs/runner-protocol.md, "Over a
 * WebSocket"). Every event gets a sequence number and stays buffered until the control plane
 * acknowledges it; after a disconnect the runner keeps running, redials with backoff and resends
 * what was not acknowledged. phase-end, run-end and the exit record are kept even after their
 * acknowledgement, so a control plane that restarted (and lost its in-memory merge) gets them again.
 */
import WebSocket from 'ws';
import { BenchpilotError } from '../../protocol/errors.js';
import type { ControlAction, RunEvent } from '../../protocol/events.js';
import type { RunnerExitRecord } from '../../protocol/runner.js';
import {
  type ControlPlaneFrame,
  LINK_CLOSE,
  type RunnerFrame,
  type WelcomeFrame,
} from '../../protocol/runner-link.js';
import type { EventOutlet } from './outcome.js';

export interface LinkOptions {
  url: string;
  runId: string;
  token: string;
  partition: { index: number; count: number };
  phase?: string | undefined;
  /** Control actions as they arrive. */
  onControl: (action: ControlAction) => void;
  /** Unacknowledged frames kept while disconnected; beyond it the oldest snapshots go first. */
  maxBuffered?: number;
  /** Give up on the first dial after this long (the pod then fails with exit 2). */
  dialTimeoutMs?: number;
}

interface Pending {
  seq: number;
  text: string;
  sticky: boolean;
  snapshot: boolean;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000];
const PING_MS = 15_000;

export class RunnerLink implements EventOutlet {
  readonly #options: LinkOptions;
  readonly #maxBuffered: number;
  #socket: WebSocket | null = null;
  #open = false;
  #closed = false;
  #seq = 0;
  #acked = -1;
  #buffer: Pending[] = [];
  #droppedSnapshots = 0;
  #attempt = 0;
  #done = false;
  #onDone: (() => void) | null = null;
  #firstWelcome: ((welcome: WelcomeFrame) => void) | null = null;
  #firstFailure: ((err: Error) => void) | null = null;
  #redialTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;

  constructor(options: LinkOptions) {
    this.#options = options;
    this.#maxBuffered = options.maxBuffered ?? 20_000;
  }

  /** Dials until the control plane welcomes this runner (with backoff, up to dialTimeoutMs). */
  connect(): Promise<WelcomeFrame> {
    const timeoutMs = this.#options.dialTimeoutMs ?? 300_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#firstWelcome = null;
        this.close();
        reject(
          new BenchpilotError(
            'BP_TARGET_UNREACHABLE',
            `could not reach the control plane at ${this.#options.url} within ${timeoutMs / 1000} s`,
          ),
        );
      }, timeoutMs);
      this.#firstWelcome = (welcome) => {
        clearTimeout(timer);
        resolve(welcome);
      };
      this.#firstFailure = (err) => {
        clearTimeout(timer);
        this.close();
        reject(err);
      };
      this.#dial();
    });
  }

  write(line: RunEvent | RunnerExitRecord): void {
    const seq = this.#seq++;
    const frame: RunnerFrame =
      line.type === 'exit' ? { type: 'exit', seq, exit: line } : { type: 'event', seq, event: line };
    const sticky = line.type === 'exit' || line.type === 'phase-end' || line.type === 'run-end';
    const pending: Pending = { seq, text: JSON.stringify(frame), sticky, snapshot: line.type === 'snapshot' };
    this.#buffer.push(pending);
    this.#trim();
    if (this.#open) this.#socket?.send(pending.text);
  }

  /** Waits until the control plane has stored the exit record (`done`), at most `timeoutMs`. */
  waitDone(timeoutMs: number): Promise<boolean> {
    if (this.#done) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#onDone = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#redialTimer) clearTimeout(this.#redialTimer);
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#socket?.close(1000, 'runner done');
    this.#socket = null;
  }

  #dial(): void {
    if (this.#closed) return;
    const socket = new WebSocket(this.#options.url, { handshakeTimeout: 10_000 });
    this.#socket = socket;
    socket.on('open', () => {
      const hello: RunnerFrame = {
        v: 1,
        type: 'hello',
        runId: this.#options.runId,
        partition: this.#options.partition,
        token: this.#options.token,
        ...(this.#options.phase ? { phase: this.#options.phase } : {}),
        resumeFrom: this.#acked + 1,
      };
      socket.send(JSON.stringify(hello));
    });
    socket.on('message', (data) => this.#onFrame(String(data)));
    socket.on('close', (code, reason) => this.#onClose(socket, code, String(reason)));
    socket.on('error', (err) => {
      if (this.#attempt === 0 || this.#attempt % 10 === 0)
        console.error(`runner: link to ${this.#options.url}: ${err.message}`);
    });
  }

  #onFrame(text: string): void {
    let frame: ControlPlaneFrame;
    try {
      frame = JSON.parse(text) as ControlPlaneFrame;
    } catch {
      console.error('runner: link: a frame that is not JSON was ignored');
      return;
    }
    switch (frame.type) {
      case 'welcome': {
        this.#open = true;
        this.#attempt = 0;
        this.#pingTimer ??= setInterval(() => this.#socket?.ping(), PING_MS);
        // Resend everything the control plane does not hold, in order.
        for (const p of this.#buffer) if (p.seq > frame.ack) this.#socket?.send(p.text);
        if (this.#firstWelcome) {
          const first = this.#firstWelcome;
          this.#firstWelcome = null;
          first(frame);
        }
        return;
      }
      case 'ack':
        this.#acked = Math.max(this.#acked, frame.seq);
        this.#buffer = this.#buffer.filter((p) => p.sticky || p.seq > frame.seq);
        return;
      case 'control':
        this.#options.onControl(frame.action);
        this.#socket?.send(JSON.stringify({ type: 'control-ack', id: frame.id } satisfies RunnerFrame));
        return;
      case 'done':
        this.#done = true;
        this.#onDone?.();
        return;
    }
  }

  #onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#open = false;
    if (this.#closed) return;
    if (code === LINK_CLOSE.unauthorized || code === LINK_CLOSE.gone || code === LINK_CLOSE.badHello) {
      const err = new BenchpilotError(
        'BP_UNAUTHORIZED',
        `the control plane refused this runner: ${reason || code}`,
      );
      console.error(`runner: ${err.message}`);
      this.#closed = true;
      this.#firstFailure?.(err);
      // A run the control plane no longer knows: stop redialing, the workload ends on its own terms.
      this.#onDone?.();
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!;
    this.#attempt++;
    this.#redialTimer = setTimeout(() => this.#dial(), delay);
  }

  /** Bounded buffer: drop the oldest unacknowledged snapshots first, never milestones. */
  #trim(): void {
    if (this.#buffer.length <= this.#maxBuffered) return;
    const index = this.#buffer.findIndex((p) => p.snapshot);
    if (index < 0) return;
    this.#buffer.splice(index, 1);
    this.#droppedSnapshots++;
    if (this.#droppedSnapshots === 1 || this.#droppedSnapshots % 1000 === 0)
      console.error(`runner: link down; ${this.#droppedSnapshots} snapshots dropped from the buffer so far`);
  }
}
