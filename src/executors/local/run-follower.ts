/**
 * Follows one local run: delivers new lines of events.jsonl (from a byte cursor) and runner.log
 * to a RunSink, and notices when the runner ends, with or without its exit record. One read at
 * a time on a short timer; nothing here blocks the event loop.
 */
import type { RunSink } from '../executor.js';
import { readLines } from './line-reader.js';
import { type ParsedLine, parseEventLine } from './parse-line.js';
import { runFile } from './run-dir.js';
import { runnerLiveness } from './runner-process.js';

export interface RunFollowerOptions {
  readonly pid: number;
  readonly dir: string;
  readonly startedAtMs: number;
  /** Byte offset in events.jsonl after the last event already delivered. */
  readonly cursor: number;
  /** Byte offset in runner.log to deliver log lines from. */
  readonly logOffset: number;
  readonly sink: RunSink;
  /** How often to look for new lines, ms. */
  readonly pollMs?: number;
  /** How often to check that the process is still there, ms. */
  readonly livenessMs?: number;
  /** Called once when following ends (the run ended, or stop()). */
  readonly onEnd?: () => void;
}

const LOG_BATCH_BYTES = 256 * 1024;
const MAX_LOG_LINE = 16 * 1024;

export class RunFollower {
  readonly #options: RunFollowerOptions;
  readonly #events: string;
  readonly #log: string;
  readonly #spec: string;
  #cursor: number;
  #logOffset: number;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #ended = false;
  #running = false;
  #checkNow = false;
  #lastLivenessMs = 0;

  constructor(options: RunFollowerOptions) {
    this.#options = options;
    this.#events = runFile(options.dir, 'events');
    this.#log = runFile(options.dir, 'log');
    this.#spec = runFile(options.dir, 'spec');
    this.#cursor = options.cursor;
    this.#logOffset = options.logOffset;
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Follows until the run ends or stop() is called. */
  start(): void {
    this.#lastLivenessMs = Date.now();
    this.#schedule(0);
  }

  /** Check the process now rather than at the next liveness tick (its 'exit' event fired). */
  poke(): void {
    this.#checkNow = true;
    if (this.#timer !== null && !this.#running) {
      clearTimeout(this.#timer);
      this.#schedule(0);
    }
  }

  /** Stops following; the runner is not touched. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#options.onEnd?.();
  }

  /** Delivers the events written so far; true when they ended with the exit record (`exited` was called). */
  async catchUp(): Promise<boolean> {
    while (!this.#stopped && (await this.#readEvents(false))) {}
    return this.#ended;
  }

  /** For a runner already gone: delivers what it left (events, exit record or not), then `exited`. */
  async finishGone(): Promise<void> {
    await this.#finish();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    this.#timer = null;
    this.#running = true;
    let more = false;
    try {
      more = await this.#step();
    } catch (err) {
      this.#deliverLogs([`[executor] following ${this.#options.dir} failed: ${(err as Error).message}`]);
    } finally {
      this.#running = false;
    }
    this.#schedule(more ? 0 : (this.#options.pollMs ?? 150));
  }

  /** One round; true when more lines are waiting. */
  async #step(): Promise<boolean> {
    const events = await this.#readEvents(false);
    if (this.#stopped) return false;
    const logs = await this.#readLogs(false);
    if (this.#stopped) return false;
    const now = Date.now();
    if (this.#checkNow || now - this.#lastLivenessMs >= (this.#options.livenessMs ?? 1000)) {
      this.#checkNow = false;
      this.#lastLivenessMs = now;
      const { pid, startedAtMs } = this.#options;
      if ((await runnerLiveness(pid, this.#spec, startedAtMs)) === 'gone') await this.#finish();
    }
    return events || logs;
  }

  /** The process is gone: read to the end of both files, then report how it ended. */
  async #finish(): Promise<void> {
    while (!this.#stopped && (await this.#readEvents(true))) {}
    while (!this.#stopped && (await this.#readLogs(true))) {}
    if (this.#stopped) return;
    const { pid } = this.#options;
    this.#exited(null, `runner process ${pid} ended without an exit record (killed or crashed)`);
  }

  /** Delivers complete event lines; true when more are waiting. Ends following at the exit record. */
  async #readEvents(final: boolean): Promise<boolean> {
    const batch = await readLines(this.#events, this.#cursor, { final });
    for (const line of batch.lines) {
      if (this.#stopped) return false;
      const parsed: ParsedLine = parseEventLine(line.text);
      if (parsed.kind === 'exit') {
        await this.#readLogs(final);
        const error = parsed.exit.error ? `: ${parsed.exit.error.code}: ${parsed.exit.error.message}` : '';
        this.#exited(parsed.exit, `runner exited with code ${parsed.exit.code}${error}`);
        return false;
      }
      this.#cursor = line.end;
      if (parsed.kind === 'event') this.#call(() => this.#options.sink.event(parsed.event, line.end));
      else if (parsed.kind === 'broken') {
        this.#deliverLogs([
          `[executor] events.jsonl: skipped a line ending at byte ${line.end}: ${parsed.why}`,
        ]);
      }
    }
    return batch.more;
  }

  async #readLogs(final: boolean): Promise<boolean> {
    const batch = await readLines(this.#log, this.#logOffset, { final, maxBytes: LOG_BATCH_BYTES });
    if (this.#stopped) return false;
    this.#logOffset = batch.next;
    if (batch.lines.length > 0) {
      this.#deliverLogs(
        batch.lines.map((l) => (l.text.length > MAX_LOG_LINE ? `${l.text.slice(0, MAX_LOG_LINE)}…` : l.text)),
      );
    }
    return batch.more;
  }

  #deliverLogs(lines: string[]): void {
    if (!this.#stopped) this.#call(() => this.#options.sink.logs(lines));
  }

  #exited(...args: Parameters<RunSink['exited']>): void {
    if (this.#stopped) return;
    const sink = this.#options.sink;
    this.#ended = true;
    this.stop();
    this.#call(() => sink.exited(...args));
  }

  /** A sink that throws must not stop the following (nor crash the server with an unhandled rejection). */
  #call(deliver: () => void): void {
    try {
      deliver();
    } catch (err) {
      process.emitWarning(`run sink failed: ${(err as Error)?.stack ?? String(err)}`, 'BenchpilotExecutor');
    }
  }
}
