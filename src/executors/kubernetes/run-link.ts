/**
 * The control plane's end of the runner link for one run: authenticates runner pods, welcomes
 * them with their spec, stores their frames exactly once (per-partition sequence numbers),
 * acknowledges, fans control out as per-pod shares, and chains steps (a setup runs one Job per
 * phase; the next Job starts only after the previous phase succeeded).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type WebSocket from 'ws';
import type { ControlAction, RunEvent } from '../../protocol/events.js';
import type { RunnerExitRecord, RunSpec } from '../../protocol/runner.js';
import {
  type ControlPlaneFrame,
  type HelloFrame,
  helloSchema,
  LINK_CLOSE,
  type RunnerFrame,
} from '../../protocol/runner-link.js';
import type { PhaseSummary, RunSummary } from '../../protocol/summary.js';
import { PartitionMerger } from './partition-merger.js';

export interface RunStep {
  /** Phase name(s) this step's Job runs, the value of its pods' BENCHPILOT_PHASE. */
  phase: string;
  only: string[];
  pods: number;
}

export interface RunLinkOutput {
  event(event: RunEvent): void;
  logs(lines: string[]): void;
  exited(exit: RunnerExitRecord | null, reason: string): void;
  /** Called when step `index` may start (its Job should be created). */
  startStep(index: number): Promise<void>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface Session {
  socket: WebSocket;
}

/** A pod that ended without an exit record gets this long for frames still on their way. */
const POD_END_GRACE_MS = 5000;

export class RunLink {
  readonly runId: string;
  readonly steps: readonly RunStep[];
  readonly #tokenHash: Buffer;
  readonly #spec: RunSpec;
  readonly #workload: { fileName: string; text: string };
  readonly #out: RunLinkOutput;
  #stepIndex: number;
  #merger: PartitionMerger;
  #sessions = new Map<number, Session>();
  #lastSeq = new Map<string, number>();
  #summaries: PhaseSummary[] = [];
  #runStart: RunEvent | null = null;
  #controlId = 0;
  readonly #desired: { rate?: number; concurrency?: number; paused?: boolean; stop?: boolean } = {};
  #closed = false;
  readonly #graceTimers = new Set<NodeJS.Timeout>();

  constructor(options: {
    runId: string;
    tokenHash: string;
    spec: RunSpec;
    workload: { fileName: string; text: string };
    steps: RunStep[];
    stepIndex?: number;
    out: RunLinkOutput;
  }) {
    this.runId = options.runId;
    this.#tokenHash = Buffer.from(options.tokenHash, 'hex');
    this.#spec = options.spec;
    this.#workload = options.workload;
    this.steps = options.steps;
    this.#out = options.out;
    this.#stepIndex = options.stepIndex ?? 0;
    this.#merger = this.#newMerger();
  }

  get stepIndex(): number {
    return this.#stepIndex;
  }

  get currentStep(): RunStep {
    return this.steps[this.#stepIndex]!;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Connected partitions of the current step. */
  get connected(): number {
    return this.#sessions.size;
  }

  verify(token: string): boolean {
    const presented = Buffer.from(hashToken(token), 'hex');
    return presented.length === this.#tokenHash.length && timingSafeEqual(presented, this.#tokenHash);
  }

  attach(hello: HelloFrame, socket: WebSocket): void {
    const step = this.currentStep;
    const phase = hello.phase ?? step.phase;
    if (this.#closed || phase !== step.phase) {
      // A runner of an earlier step still delivering: its results are in; let it end.
      send(socket, { type: 'done' });
      socket.close(LINK_CLOSE.gone, 'this step is over');
      return;
    }
    if (hello.partition.count !== step.pods || hello.partition.index >= step.pods) {
      socket.close(
        LINK_CLOSE.badHello,
        `partition ${hello.partition.index}/${hello.partition.count} is not part of this run`,
      );
      return;
    }
    const index = hello.partition.index;
    const previous = this.#sessions.get(index);
    if (previous) previous.socket.close(LINK_CLOSE.replaced, 'replaced by a new connection');
    this.#sessions.set(index, { socket });
    const key = this.#key(index);
    const spec: RunSpec = {
      ...this.#spec,
      workloadFile: this.#workload.fileName,
      only: step.only,
      workers: 1,
      partition: { index, count: step.pods },
    };
    send(socket, {
      v: 1,
      type: 'welcome',
      spec,
      workload: this.#workload,
      ack: this.#lastSeq.get(key) ?? -1,
    });
    if (this.#merger.isEnded(index)) send(socket, { type: 'done' });
    this.#resendDesired(index, socket);
    socket.on('message', (data) => this.#onFrame(index, socket, String(data)));
    socket.on('close', () => {
      if (this.#sessions.get(index)?.socket === socket) this.#sessions.delete(index);
    });
  }

  /** Live control: totals for the whole run, split into per-pod shares. */
  control(action: ControlAction): void {
    if (action.action === 'setRate') this.#desired.rate = action.rate;
    if (action.action === 'setConcurrency') this.#desired.concurrency = action.concurrency;
    if (action.action === 'pause') this.#desired.paused = true;
    if (action.action === 'resume') this.#desired.paused = false;
    if (action.action === 'stop') this.#desired.stop = true;
    this.#merger.requested(action);
    for (const [index, session] of this.#sessions) this.#sendControl(index, session.socket, action);
  }

  get stopRequested(): boolean {
    return this.#desired.stop === true;
  }

  /**
   * The pod of (phase, index) ended (seen by the Job/pod watch). Without an exit record from the
   * runner after a short grace, the partition ends with `exit` (from the container's exit code) or
   * null and `reason`.
   */
  podEnded(phase: string, index: number, exit: RunnerExitRecord | null, reason: string): void {
    if (phase !== this.currentStep.phase || this.#merger.isEnded(index)) return;
    const merger = this.#merger;
    const timer = setTimeout(() => {
      this.#graceTimers.delete(timer);
      if (merger === this.#merger) merger.onExit(index, exit, reason);
    }, POD_END_GRACE_MS);
    this.#graceTimers.add(timer);
  }

  /** Every partition of the current step ends now (Job deleted, deadline exceeded). */
  endAll(reason: string): void {
    for (let i = 0; i < this.currentStep.pods; i++) this.#merger.onExit(i, null, reason);
  }

  close(): void {
    this.#closed = true;
    this.#merger.close();
    for (const timer of this.#graceTimers) clearTimeout(timer);
    for (const session of this.#sessions.values()) session.socket.close(1001, 'control plane detached');
    this.#sessions.clear();
  }

  #key(index: number): string {
    return `${this.#stepIndex}/${index}`;
  }

  #onFrame(index: number, socket: WebSocket, text: string): void {
    let frame: RunnerFrame;
    try {
      frame = JSON.parse(text) as RunnerFrame;
    } catch {
      return;
    }
    if (frame.type !== 'event' && frame.type !== 'exit') return;
    const key = this.#key(index);
    const last = this.#lastSeq.get(key) ?? -1;
    if (!Number.isInteger(frame.seq) || frame.seq <= last) {
      send(socket, { type: 'ack', seq: last });
      return;
    }
    this.#lastSeq.set(key, frame.seq);
    if (frame.type === 'event') {
      this.#merger.onEvent(index, frame.event);
      send(socket, { type: 'ack', seq: frame.seq });
      return;
    }
    // Acknowledge before merging: the last exit ends the run and closes the link's sockets.
    send(socket, { type: 'ack', seq: frame.seq });
    send(socket, { type: 'done' });
    this.#merger.onExit(index, frame.exit, frame.exit.error?.message ?? `exit ${frame.exit.code}`);
  }

  #resendDesired(index: number, socket: WebSocket): void {
    const d = this.#desired;
    if (d.stop) {
      this.#sendControl(index, socket, { action: 'stop' });
      return;
    }
    if (d.rate !== undefined) this.#sendControl(index, socket, { action: 'setRate', rate: d.rate });
    if (d.concurrency !== undefined)
      this.#sendControl(index, socket, { action: 'setConcurrency', concurrency: d.concurrency });
    if (d.paused) this.#sendControl(index, socket, { action: 'pause' });
  }

  #sendControl(index: number, socket: WebSocket, action: ControlAction): void {
    send(socket, {
      type: 'control',
      id: ++this.#controlId,
      action: shareOf(action, index, this.currentStep.pods),
    });
  }

  #newMerger(): PartitionMerger {
    const stepIndex = this.#stepIndex;
    return new PartitionMerger(this.currentStep.pods, {
      event: (event) => this.#onMerged(event),
      exited: (exit, reason) => void this.#onStepExit(stepIndex, exit, reason),
    });
  }

  #onMerged(event: RunEvent): void {
    if (event.type === 'run-start') {
      if (this.#runStart) return;
      this.#runStart = { ...event, phases: this.steps.flatMap((s) => s.only) };
      this.#out.event(this.#runStart);
      return;
    }
    if (event.type === 'run-end') {
      this.#summaries.push(...event.summary.phases);
      this.#lastRunSummary = event.summary;
      return;
    }
    if (event.type === 'log') this.#out.logs([event.message]);
    this.#out.event(event);
  }

  #lastRunSummary: RunSummary | null = null;

  async #onStepExit(stepIndex: number, exit: RunnerExitRecord | null, reason: string): Promise<void> {
    const next = stepIndex + 1;
    if (exit?.code === 0 && next < this.steps.length && !this.#desired.stop && !this.#closed) {
      this.#stepIndex = next;
      this.#sessions.clear();
      this.#merger = this.#newMerger();
      try {
        await this.#out.startStep(next);
      } catch (err) {
        this.#finish(
          null,
          `the Job for phase ${this.currentStep.phase} could not be created: ${(err as Error).message}`,
        );
      }
      return;
    }
    this.#finish(exit, reason);
  }

  #finish(exit: RunnerExitRecord | null, reason: string): void {
    if (this.#lastRunSummary) {
      const last = this.#lastRunSummary;
      const summary: RunSummary = {
        ...last,
        phases: this.#summaries,
        thresholdsOk: this.#summaries.every((p) => p.failure === null && p.thresholds.every((t) => t.ok)),
      };
      this.#out.event({ v: 1, type: 'run-end', timeMs: Date.now(), summary });
    }
    this.#closed = true;
    this.#merger.close();
    this.#out.exited(exit, reason);
  }
}

function shareOf(action: ControlAction, index: number, pods: number): ControlAction {
  if (pods === 1) return action;
  if (action.action === 'setRate') return { action: 'setRate', rate: action.rate / pods };
  if (action.action === 'setConcurrency') {
    const base = Math.floor(action.concurrency / pods);
    return {
      action: 'setConcurrency',
      concurrency: base + (index < action.concurrency - base * pods ? 1 : 0),
    };
  }
  return action;
}

function send(socket: WebSocket, frame: ControlPlaneFrame): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

/** Reads and checks the first frame of a new runner connection. */
export function parseHello(text: string): HelloFrame | null {
  try {
    const parsed = helloSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
