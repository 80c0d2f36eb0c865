/**
 * Wires a running workload to the terminal and to a control file: keys in a TTY, JSON lines
 * appended to --control FILE, and Ctrl-C (first: graceful stop; second: exit now).
 */
import { closeSync, openSync, readSync, statSync, unwatchFile, watchFile } from 'node:fs';
import type { ControlAction } from '../protocol/events.js';
import type { RunControl } from '../runner/run-workload.js';

const RATE_STEP = 1.1;

export interface LiveControl {
  /** Follow the current phase's targets (from its snapshots) so +/- step from the live value. */
  track(target: { rate: number | null; concurrency: number | null }): void;
  detach(): void;
}

export function attachLiveControl(
  run: RunControl,
  options: { controlFile: string | null; log: (msg: string) => void },
): LiveControl {
  const detach: (() => void)[] = [];
  let rate: number | null = null;
  let concurrency: number | null = null;

  const apply = (action: ControlAction): void => {
    try {
      run.control(action);
      if (action.action === 'setRate') rate = action.rate;
      if (action.action === 'setConcurrency') concurrency = action.concurrency;
    } catch (err) {
      options.log(`control ignored: ${(err as Error).message}`);
    }
  };

  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      options.log('stopping: draining in-flight operations (Ctrl-C again to exit now)');
      apply({ action: 'stop' });
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  detach.push(() => process.off('SIGINT', onSigint));

  const stdin = process.stdin;
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onKey = (key: string): void => {
      if (key === '\u0003') onSigint();
      else if (key === 'q') apply({ action: 'stop' });
      else if (key === 'p') apply({ action: run.state === 'paused' ? 'resume' : 'pause' });
      else if (key === '+' || key === '=' || key === '-') {
        const up = key !== '-';
        if (rate !== null)
          apply({ action: 'setRate', rate: Math.max(0.1, up ? rate * RATE_STEP : rate / RATE_STEP) });
        else if (concurrency !== null)
          apply({ action: 'setConcurrency', concurrency: Math.max(1, concurrency + (up ? 1 : -1)) });
      }
    };
    stdin.on('data', onKey);
    detach.push(() => {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    });
  }

  if (options.controlFile) {
    const file = options.controlFile;
    let offset = safeSize(file);
    let partial = '';
    const poll = (): void => {
      const size = safeSize(file);
      if (size < offset) offset = 0; // truncated: read from the start
      if (size === offset) return;
      const fd = openSync(file, 'r');
      try {
        const buffer = Buffer.alloc(size - offset);
        readSync(fd, buffer, 0, buffer.length, offset);
        offset = size;
        const lines = (partial + buffer.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) applyLine(line.trim());
      } finally {
        closeSync(fd);
      }
    };
    const applyLine = (line: string): void => {
      try {
        apply(parseControlLine(line));
      } catch (err) {
        options.log(`control file: ${(err as Error).message}`);
      }
    };
    watchFile(file, { interval: 250 }, poll);
    detach.push(() => unwatchFile(file, poll));
  }

  return {
    track(target) {
      rate = target.rate;
      concurrency = target.concurrency;
    },
    detach() {
      for (const d of detach.reverse()) d();
    },
  };
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** `{"action":"setRate","rate":500}`, or the short forms `rate 500`, `concurrency 8`, `pause`, `resume`, `stop`. */
export function parseControlLine(line: string): ControlAction {
  if (line.startsWith('{')) {
    const value = JSON.parse(line) as ControlAction;
    return checkAction(value, line);
  }
  const [word, arg] = line.split(/\s+/);
  if (word === 'rate') return checkAction({ action: 'setRate', rate: Number(arg) }, line);
  if (word === 'concurrency')
    return checkAction({ action: 'setConcurrency', concurrency: Number(arg) }, line);
  if (word === 'pause' || word === 'resume' || word === 'stop') return { action: word };
  throw new Error(
    `not a control line: ${line} (expected rate N, concurrency N, pause, resume, stop or JSON)`,
  );
}

function checkAction(value: ControlAction, line: string): ControlAction {
  if (value.action === 'setRate' && !(value.rate > 0))
    throw new Error(`${line}: rate must be a number above 0`);
  if (value.action === 'setConcurrency' && !(Number.isInteger(value.concurrency) && value.concurrency >= 1)) {
    throw new Error(`${line}: concurrency must be an integer of 1 or more`);
  }
  if (!['setRate', 'setConcurrency', 'pause', 'resume', 'stop'].includes(value.action))
    throw new Error(`${line}: unknown action`);
  return value;
}
