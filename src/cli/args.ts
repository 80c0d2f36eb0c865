/** Command-line parsing: argv → validated options, with BP_USAGE errors that name the flag. */
import { parseArgs } from 'node:util';
import { BenchpilotError } from '../protocol/errors.js';
import { parseDuration } from '../protocol/units.js';
import type { RunOverrides } from '../workload/overrides.js';

export interface RunCommandOptions {
  readonly file: string;
  readonly sets: string[];
  readonly overrides: RunOverrides;
  readonly only: string[];
  readonly json: string | null;
  readonly events: string | null;
  readonly workers: number;
  readonly partition: { index: number; count: number };
  readonly controlFile: string | null;
  readonly progress: boolean;
}

export const RUN_FLAGS = {
  set: { type: 'string', multiple: true },
  rate: { type: 'string' },
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  phase: { type: 'string' },
  only: { type: 'string' },
  json: { type: 'string' },
  events: { type: 'string' },
  workers: { type: 'string' },
  worker: { type: 'string' },
  control: { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const RUN_USAGE = `Usage: benchpilot run FILE [options]

Runs a workload's phases in order and prints a summary table.

Options:
  --set PATH=VALUE      override any workload value (repeatable), e.g. --set target.url=http://127.0.0.1:8080
  --rate N              open model: target ops/s of the overridden phase (the last one unless --phase)
  --concurrency N       closed model: number of loops of the overridden phase
  --duration D          how long the overridden phase runs (30s, 5m, 1h)
  --phase NAME          the phase --rate/--concurrency/--duration apply to (default: the last phase)
  --only A,B            run only these phases
  --json FILE           write the summary as JSON (docs/summary.md)
  --events FILE|-       stream run events as JSON lines (docs/events.md); - is stdout
  --workers N           spread each phase over N worker threads (default 1)
  --worker I/N          run only partition I of N (0-based) of every phase: cycles and rate/N
  --control FILE        apply control lines appended to FILE while running ({"action":"setRate","rate":500})
  --no-progress         no live progress display

Keys while running in a terminal: + / - change rate (10%) or concurrency (1), p pause/resume, q stop.
Exit codes: 0 thresholds held, 3 a threshold failed, 2 could not run, 1 internal error.`;

export function parseRunArgs(argv: readonly string[]): RunCommandOptions | 'help' {
  const { values, positionals } = parse(argv, RUN_FLAGS);
  if (values.help) return 'help';
  if (positionals.length !== 1) throw usage('run takes exactly one workload FILE', RUN_USAGE);
  const overrides: { phase?: string; rate?: number; concurrency?: number; duration?: number } = {};
  if (values.phase !== undefined) overrides.phase = values.phase;
  if (values.rate !== undefined) overrides.rate = positiveNumber('--rate', values.rate);
  if (values.concurrency !== undefined)
    overrides.concurrency = positiveInteger('--concurrency', values.concurrency);
  if (values.rate !== undefined && values.concurrency !== undefined) {
    throw usage('give --rate (open model) or --concurrency (closed model), not both', RUN_USAGE);
  }
  if (values.duration !== undefined) {
    const seconds = parseDuration(values.duration);
    if (seconds === undefined || seconds <= 0)
      throw usage(`--duration ${values.duration}: expected e.g. 30s, 5m, 1h`, RUN_USAGE);
    overrides.duration = seconds;
  }
  return {
    file: positionals[0]!,
    sets: values.set ?? [],
    overrides,
    only: values.only
      ? values.only
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
    json: values.json ?? null,
    events: values.events ?? null,
    workers: values.workers === undefined ? 1 : positiveInteger('--workers', values.workers),
    partition: values.worker === undefined ? { index: 0, count: 1 } : parsePartition(values.worker),
    controlFile: values.control ?? null,
    progress: !values['no-progress'],
  };
}

const VALIDATE_FLAGS = {
  set: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

export const VALIDATE_USAGE = `Usage: benchpilot validate FILE [--set PATH=VALUE]...

Checks a workload file without running it; reports every problem as file:line:col.`;

export function parseValidateArgs(argv: readonly string[]): { file: string; sets: string[] } | 'help' {
  const { values, positionals } = parse(argv, VALIDATE_FLAGS);
  if (values.help) return 'help';
  if (positionals.length !== 1) throw usage('validate takes exactly one workload FILE', VALIDATE_USAGE);
  return { file: positionals[0]!, sets: values.set ?? [] };
}

// biome-ignore lint/suspicious/noExplicitAny: parseArgs' option table type
function parse<T extends Record<string, any>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new BenchpilotError('BP_USAGE', (err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

function usage(message: string, text: string): BenchpilotError {
  return new BenchpilotError('BP_USAGE', `${message}\n\n${text}`);
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new BenchpilotError('BP_USAGE', `${flag} ${text}: expected a number above 0`);
  return value;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new BenchpilotError('BP_USAGE', `${flag} ${text}: expected an integer of 1 or more`);
  return value;
}

export function parsePartition(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) {
    throw new BenchpilotError('BP_USAGE', `--worker ${text}: expected I/N with 0 <= I < N, e.g. 0/4`);
  }
  return { index, count };
}
