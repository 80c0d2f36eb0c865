/**
 * `benchpilot runner --spec RUN_DIR/run.json`: the runner process of the runner protocol v1
 * (docs/runner-protocol.md). It runs one RunSpec and talks through files in the run directory:
 * RunEvents then one exit record appended to events.jsonl, ControlActions read from
 * control.jsonl, summary.json at the end. Its stdout/stderr are the run's log.
 */
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readLines } from '../executors/local/line-reader.js';
import { runFile } from '../executors/local/run-dir.js';
import { BenchpilotError, EXIT_CODES, isBenchpilotError } from '../protocol/errors.js';
import type { ControlAction, RunEvent } from '../protocol/events.js';
import { type RunnerExitRecord, type RunSpec, runSpecSchema } from '../protocol/runner.js';
import type { RunSummary } from '../protocol/summary.js';
import { startWorkloadRun, type WorkloadRun } from '../runner/run-workload.js';
import { parseControlLine } from './live-control.js';

export const RUNNER_USAGE = `Usage: benchpilot runner --spec RUN_DIR/run.json

Runs one run spec as the control plane's runner (docs/runner-protocol.md): appends events and an
exit record to RUN_DIR/events.jsonl, applies control lines appended to RUN_DIR/control.jsonl,
writes RUN_DIR/summary.json. SIGTERM stops gracefully (in-flight operations drain).
Exit codes: 0 thresholds held, 3 a threshold failed, 2 could not run, 1 internal error.`;

const CONTROL_POLL_MS = 200;
/**
 * After the exit record a leaked handle must not keep the runner alive (an unref'd timer fires
 * only if something else still holds the process). `runner` is a process-level command.
 */
const EXIT_GUARD_MS = 5000;

export async function runnerCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const specPath = parseRunnerArgs(argv);
  if (specPath === 'help') {
    console.log(RUNNER_USAGE);
    return EXIT_CODES.ok;
  }
  const dir = dirname(specPath);
  const events = new EventLog(runFile(dir, 'events'));
  try {
    let spec: RunSpec;
    try {
      spec = readSpec(specPath);
    } catch (err) {
      // Still in protocol: the control plane learns why from the exit record.
      return finish(events, null, err);
    }
    return await runSpec(spec, dir, events, env);
  } finally {
    events.close();
  }
}

function parseRunnerArgs(argv: readonly string[]): string | 'help' {
  let values: { spec?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { spec: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchpilotError('BP_USAGE', `${(err as Error).message}\n\n${RUNNER_USAGE}`);
  }
  if (values.help) return 'help';
  if (!values.spec)
    throw new BenchpilotError('BP_USAGE', `runner needs --spec RUN_DIR/run.json\n\n${RUNNER_USAGE}`);
  return resolve(values.spec);
}

function readSpec(specPath: string): RunSpec {
  let text: string;
  try {
    text = readFileSync(specPath, 'utf8');
  } catch (err) {
    throw new BenchpilotError('BP_FILE_NOT_FOUND', `run spec ${specPath}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BenchpilotError('BP_USAGE', `run spec ${specPath} is not JSON: ${(err as Error).message}`);
  }
  const parsed = runSpecSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) =>
        `  ${i.path.join('.') || '(root)'}: ${i.message.endsWith('received undefined') ? 'is required' : i.message}`,
    );
    throw new BenchpilotError(
      'BP_USAGE',
      `run spec ${specPath} is not a v1 RunSpec:\n${problems.join('\n')}`,
    );
  }
  const spec = parsed.data;
  // A relative workload path is taken from the run directory, not from wherever the runner was started.
  return { ...spec, workloadFile: resolve(dirname(specPath), spec.workloadFile) };
}

async function runSpec(
  spec: RunSpec,
  dir: string,
  events: EventLog,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  console.log(`runner ${spec.runId}: pid ${process.pid}, workload ${spec.workloadFile}, protocol v1`);
  const run = startWorkloadRun({
    file: spec.workloadFile,
    sets: spec.sets,
    overrides: spec.overrides,
    only: spec.only,
    workers: spec.workers,
    partition: spec.partition,
    env,
    onEvent: (event) => {
      events.write(event);
      logEvent(spec.runId, event);
    },
  });
  const control = new ControlReader(runFile(dir, 'control'), run);
  const signals = onStopSignals(run, events);
  let summary: RunSummary | null = null;
  let error: unknown = null;
  try {
    summary = await run.done;
  } catch (err) {
    error = err;
  } finally {
    control.close();
    signals();
  }
  if (summary) {
    const target = runFile(dir, 'summary');
    writeFileSync(`${target}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
    renameSync(`${target}.tmp`, target);
  }
  return finish(events, summary, error);
}

/** Logs why, appends the exit record, returns the exit code (as `benchpilot run` would). */
function finish(events: EventLog, summary: RunSummary | null, error: unknown): number {
  const outcome = summary ? outcomeOf(summary) : outcomeOfError(error);
  const { error: why } = outcome;
  if (why) console.error(why.message.startsWith(why.code) ? why.message : `${why.code}: ${why.message}`);
  console.log(`runner: exit ${outcome.code}`);
  events.write({ v: 1, type: 'exit', timeMs: Date.now(), code: outcome.code, error: outcome.error });
  setTimeout(() => process.exit(outcome.code), EXIT_GUARD_MS).unref();
  return outcome.code;
}

type Outcome = Pick<RunnerExitRecord, 'code' | 'error'>;

function outcomeOf(summary: RunSummary): Outcome {
  const failure = summary.phases.find((p) => p.failure)?.failure;
  if (failure) {
    const code = failure.code === 'BP_INTERNAL' ? EXIT_CODES.internal : EXIT_CODES.cannotRun;
    return { code, error: { code: failure.code, message: failure.message } };
  }
  if (summary.thresholdsOk) return { code: EXIT_CODES.ok, error: null };
  const failed = summary.phases.flatMap((p) =>
    p.thresholds.filter((t) => !t.ok).map((t) => `${p.name}: ${t.message}`),
  );
  return {
    code: EXIT_CODES.thresholdsFailed,
    error: { code: 'BP_THRESHOLDS_FAILED', message: failed.join('; ') || 'a threshold did not hold' },
  };
}

function outcomeOfError(error: unknown): Outcome {
  if (isBenchpilotError(error)) {
    const message = error.issues.length > 0 ? error.describe() : error.message;
    return { code: error.exitCode, error: { code: error.code, message } };
  }
  const message = String((error as Error)?.stack ?? error);
  return { code: EXIT_CODES.internal, error: { code: 'BP_INTERNAL', message } };
}

/**
 * events.jsonl: each line goes out in one synchronous append ending with '\n', so a reader that
 * takes only '\n'-terminated lines never sees half an event.
 */
class EventLog {
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

/**
 * Applies lines appended to control.jsonl (JSON ControlActions or the short forms of `run --control`).
 * An action read while no phase runs (loading, between phases) waits for the next phase to start;
 * `stop` applies at once and drops what waits.
 */
class ControlReader {
  readonly #file: string;
  readonly #run: WorkloadRun;
  readonly #timer: NodeJS.Timeout;
  readonly #waiting: ControlAction[] = [];
  #offset = 0;
  #busy = false;

  constructor(file: string, run: WorkloadRun) {
    this.#file = file;
    this.#run = run;
    this.#timer = setInterval(() => void this.#poll(), CONTROL_POLL_MS);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const action of this.#waiting) {
      console.error(`runner: control ${JSON.stringify(action)} ignored: no phase ran after it`);
    }
  }

  async #poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      if (this.#run.currentPhase !== null) {
        for (const action of this.#waiting.splice(0)) this.#apply(action);
      }
      const batch = await readLines(this.#file, this.#offset, { maxBytes: 64 * 1024 });
      this.#offset = batch.next;
      for (const line of batch.lines) if (line.text.trim()) this.#read(line.text.trim());
    } catch (err) {
      console.error(`runner: reading control.jsonl: ${(err as Error).message}`);
    } finally {
      this.#busy = false;
    }
  }

  #read(line: string): void {
    let action: ControlAction;
    try {
      action = normalize(parseControlLine(line));
    } catch (err) {
      console.error(`runner: control ignored: ${(err as Error).message}`);
      return;
    }
    if (action.action === 'stop') this.#waiting.length = 0;
    else if (this.#run.currentPhase === null || this.#waiting.length > 0) {
      this.#waiting.push(action);
      return;
    }
    this.#apply(action);
  }

  #apply(action: ControlAction): void {
    try {
      this.#run.control(action);
    } catch (err) {
      const why = isBenchpilotError(err) ? err.describe() : (err as Error).message;
      console.error(`runner: control ${JSON.stringify(action)} ignored: ${why}`);
    }
  }
}

/** Only the action's own fields: extra fields on a line must not travel on into control events. */
function normalize(action: ControlAction): ControlAction {
  if (action.action === 'setRate') return { action: 'setRate', rate: action.rate };
  if (action.action === 'setConcurrency')
    return { action: 'setConcurrency', concurrency: action.concurrency };
  return { action: action.action };
}

/** SIGTERM/SIGINT: stop gracefully (drain); a second one ends the process at once (exit 130, as `run`). */
function onStopSignals(run: WorkloadRun, events: EventLog): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      console.log(`runner: ${signal}: stopping, in-flight operations drain`);
      run.control({ action: 'stop' });
      return;
    }
    const message = `${signal} again: stopped at once without draining; no summary`;
    console.error(`runner: ${message}`);
    events.write({
      v: 1,
      type: 'exit',
      timeMs: Date.now(),
      code: 130,
      error: { code: 'BP_RUN_FAILED', message },
    });
    process.exit(130);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

const LOGGED_EVENTS = new Set<RunEvent['type']>([
  'run-start',
  'phase-start',
  'control',
  'phase-end',
  'run-end',
  'log',
]);

/** A line per milestone in the run's log (snapshots stay in events.jsonl only). */
function logEvent(runId: string, event: RunEvent): void {
  if (!LOGGED_EVENTS.has(event.type)) return;
  const at = new Date(event.timeMs).toISOString();
  switch (event.type) {
    case 'run-start':
      console.log(`${at} run ${runId}: workload ${event.workload}, phases ${event.phases.join(', ')}`);
      return;
    case 'phase-start': {
      const target =
        event.model === 'open' ? `rate ${event.target.rate}/s` : `concurrency ${event.target.concurrency}`;
      console.log(`${at} phase ${event.phase} started: ${event.model} model, ${target}`);
      return;
    }
    case 'control':
      console.log(`${at} phase ${event.phase}: control ${JSON.stringify(event.action)}`);
      return;
    case 'phase-end': {
      const s = event.summary;
      const failure = s.failure ? `, failed: ${s.failure.code}` : '';
      console.log(`${at} phase ${event.phase} ended: ${s.cycles.done} ops, ${s.rate.achieved}/s${failure}`);
      return;
    }
    case 'run-end':
      console.log(`${at} run ${runId} ended: thresholds ${event.summary.thresholdsOk ? 'held' : 'failed'}`);
      return;
    case 'log':
      (event.level === 'info' ? console.log : console.error)(`${at} ${event.level}: ${event.message}`);
      return;
  }
}
