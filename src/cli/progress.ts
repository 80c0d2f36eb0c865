/**
 * Live progress: in a terminal, one redrawn status line per phase (bar, time or cycles, rate,
 * latency, errors); elsewhere, a plain line every few seconds so CI logs stay short.
 */
import type { RunEvent, SnapshotEvent } from '../protocol/events.js';
import { formatDuration } from '../protocol/units.js';
import { formatCount, formatMs, formatRate } from './format.js';

const BAR_WIDTH = 20;
const PLAIN_EVERY_SNAPSHOTS = 5;

export class ProgressDisplay {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  #lineOpen = false;
  #plainCounter = 0;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
    this.#tty = Boolean(out.isTTY);
  }

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case 'phase-start': {
        const bound = [
          event.cycles !== null ? `${formatCount(event.cycles)} cycles` : null,
          event.durationSeconds !== null ? formatDuration(event.durationSeconds) : null,
        ].filter(Boolean);
        const load =
          event.model === 'open'
            ? `rate ${formatRate(event.target.rate ?? 0)}/s`
            : `concurrency ${event.target.concurrency}`;
        this.#line(
          `▶ ${event.phase}: ${load}${bound.length ? `, ${bound.join(' or ')}` : ', until stopped'}`,
        );
        this.#plainCounter = 0;
        return;
      }
      case 'snapshot':
        if (this.#tty) this.#redraw(statusLine(event));
        else if (++this.#plainCounter % PLAIN_EVERY_SNAPSHOTS === 0) this.#line(`  ${statusLine(event)}`);
        return;
      case 'control':
        this.#line(`  control: ${JSON.stringify(event.action)}`);
        return;
      case 'phase-end': {
        const s = event.summary;
        const count = s.ops.reduce((n, o) => n + o.count, 0);
        const errors = s.ops.reduce((n, o) => n + o.errors, 0);
        const tail = s.failure ? ` — failed: ${s.failure.code}` : '';
        this.#line(
          `✔ ${s.name}: ${formatCount(count)} ops in ${s.durationSeconds.toFixed(1)}s, ${formatCount(errors)} errors${tail}`,
        );
        return;
      }
      case 'log':
        this.#line(`  ${event.level}: ${event.message}`);
        return;
      default:
        return;
    }
  }

  #redraw(text: string): void {
    const width = this.#out.columns ?? 120;
    this.#out.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
    this.#lineOpen = true;
  }

  #line(text: string): void {
    if (this.#lineOpen) this.#out.write('\r\x1b[2K');
    this.#lineOpen = false;
    this.#out.write(`${text}\n`);
  }
}

export function statusLine(s: SnapshotEvent): string {
  const fraction = s.progress.fraction;
  const bar =
    fraction === null
      ? ''
      : `[${'█'.repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, '░')}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
  const where =
    s.progress.total !== null
      ? `${formatCount(s.progress.done)}/${formatCount(s.progress.total)}`
      : `${formatDuration(s.progress.elapsedSeconds)}${s.progress.durationSeconds !== null ? `/${formatDuration(s.progress.durationSeconds)}` : ''}`;
  let errors = 0;
  for (const op of Object.values(s.ops)) errors += op.errors;
  const { p50, p99 } = s.latency;
  const target =
    s.target.rate !== null ? ` of ${formatRate(s.target.rate)}` : ` @${s.target.concurrency} loops`;
  const flags = [s.warmup ? 'warmup' : '', s.state === 'running' ? '' : s.state].filter(Boolean).join(' ');
  return `${s.phase} ${bar}${where}  ${formatRate(s.achievedRate)}/s${target}  p50 ${formatMs(p50)} p99 ${formatMs(p99)}  err ${errors}  in-flight ${s.inFlight}${flags ? `  (${flags})` : ''}`;
}
