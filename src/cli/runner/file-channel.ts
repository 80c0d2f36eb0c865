/**
 * The local executor's channel: event lines appended to RUN_DIR/events.jsonl, control lines read
 * from RUN_DIR/control.jsonl (docs/runner-protocol.md).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readLines } from '../../executors/local/line-reader.js';
import type { ControlAction, RunEvent } from '../../protocol/events.js';
import type { RunnerExitRecord } from '../../protocol/runner.js';
import { parseControlLine } from '../live-control.js';
import type { EventOutlet } from './outcome.js';

const CONTROL_POLL_MS = 200;

/**
 * events.jsonl: each line goes out in one synchronous append ending with '\n', so a reader that
 * takes only '\n'-terminated lines never sees half an event.
 */
export class EventLog implements EventOutlet {
  readonly #fd: number | null;
  #failed = false;

  constructor(file: string) {
    let fd: number | null = null;
    try {
      fd = openSync(file, 'a');
    } catch (err) {
      this.#report(err);
    }
    this.#fd = fd;
  }

  write(line: RunEvent | RunnerExitRecord): void {
    if (this.#fd === null) return;
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    try {
      for (let written = 0; written < bytes.length; ) written += writeSync(this.#fd, bytes, written);
    } catch (err) {
      this.#report(err);
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
  }

  /** Once: a run directory that cannot be written leaves only the log and the exit code. */
  #report(err: unknown): void {
    if (!this.#failed) console.error(`runner: cannot write events.jsonl: ${(err as Error).message}`);
    this.#failed = true;
  }
}

/** Reads lines appended to control.jsonl (JSON ControlActions or the short forms of `run --control`). */
export class ControlFileReader {
  readonly #file: string;
  readonly #deliver: (action: ControlAction) => void;
  readonly #timer: NodeJS.Timeout;
  #offset = 0;
  #busy = false;

  constructor(file: string, deliver: (action: ControlAction) => void) {
    this.#file = file;
    this.#deliver = deliver;
    this.#timer = setInterval(() => void this.#poll(), CONTROL_POLL_MS);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const batch = await readLines(this.#file, this.#offset, { maxBytes: 64 * 1024 });
      this.#offset = batch.next;
      for (const line of batch.lines) {
        const text = line.text.trim();
        if (!text) continue;
        try {
          this.#deliver(parseControlLine(text));
        } catch (err) {
          console.error(`runner: control ignored: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      console.error(`runner: reading control.jsonl: ${(err as Error).message}`);
    } finally {
      this.#busy = false;
    }
  }
}
