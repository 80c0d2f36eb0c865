/**
 * `benchpilot runner`: the runner process of the runner protocol v1 (docs/runner-protocol.md).
 * It runs one RunSpec and talks through one of two channels:
 *   --spec RUN_DIR/run.json  files in the run directory (the local executor): events and an exit
 *                            record appended to events.jsonl, control read from control.jsonl;
 *   --connect                a WebSocket to the control plane (runner pods of the Kubernetes
 *                            executor), configured by BENCHPILOT_* environment variables.
 * Its stdout/stderr are the run's log.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runFile } from '../executors/local/run-dir.js';
import { BenchpilotError, EXIT_CODES } from '../protocol/errors.js';
import { type RunnerExitRecord, type RunSpec, runSpecSchema } from '../protocol/runner.js';
import type { RunSummary } from '../protocol/summary.js';
import { startWorkloadRun } from '../runner/run-workload.js';
import { ControlApplier } from './runner/control-applier.js';
import { ControlFileReader, EventLog } from './runner/file-channel.js';
import { RunnerLink } from './runner/link-channel.js';
import { type EventOutlet, exitRecordOf, logEvent, onStopSignals } from './runner/outcome.js';

export const RUNNER_USAGE = `Usage: benchpilot runner --spec RUN_DIR/run.json
       benchpilot runner --connect

Runs one run spec as the control plane's runner (docs/runner-protocol.md).
  --spec     appends events and an exit record to RUN_DIR/events.jsonl, applies control lines
             appended to RUN_DIR/control.jsonl, writes RUN_DIR/summary.json.
  --connect  dials the control plane over a WebSocket (runner pods): BENCHPILOT_URL,
             BENCHPILOT_RUN_ID, BENCHPILOT_RUNNER_TOKEN, BENCHPILOT_PARTITION_COUNT and
             JOB_COMPLETION_INDEX say where, who and which share; the spec comes from the
             control plane.
SIGTERM stops gracefully (in-flight operations drain).
Exit codes: 0 thresholds held, 3 a threshold failed, 2 could not run, 1 internal error.`;

/**
 * After the exit record a leaked handle must not keep the runner alive (an unref'd timer fires
 * only if something else still holds the process). `runner` is a process-level command.
 */
const EXIT_GUARD_MS = 5000;

export async function runnerCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const mode = parseRunnerArgs(argv);
  if (mode === 'help') {
    console.log(RUNNER_USAGE);
    return EXIT_CODES.ok;
  }
  if (mode === 'connect') return connectedRunner(env);
  const specPath = mode.spec;
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
    const control = (applier: ControlApplier) =>
      new ControlFileReader(runFile(dir, 'control'), (action) => applier.offer(action));
    const summary = await runSpec(spec, events, env, control);
    if (summary.summary) writeSummary(runFile(dir, 'summary'), summary.summary);
    return finish(events, summary.summary, summary.error);
  } finally {
    events.close();
  }
}

function parseRunnerArgs(argv: readonly string[]): { spec: string } | 'connect' | 'help' {
  let values: { spec?: string | undefined; connect?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        spec: { type: 'string' },
        connect: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new BenchpilotError('BP_USAGE', `${(err as Error).message}\n\n${RUNNER_USAGE}`);
  }
  if (values.help) return 'help';
  if (values.connect && values.spec)
    throw new BenchpilotError('BP_USAGE', `runner takes --spec or --connect, not both\n\n${RUNNER_USAGE}`);
  if (values.connect) return 'connect';
  if (!values.spec)
    throw new BenchpilotError(
      'BP_USAGE',
      `runner needs --spec RUN_DIR/run.json or --connect\n\n${RUNNER_USAGE}`,
    );
  return { spec: resolve(values.spec) };
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
  const spec = validateSpec(value, `run spec ${specPath}`);
  // A relative workload path is taken from the run directory, not from wherever the runner was started.
  return { ...spec, workloadFile: resolve(dirname(specPath), spec.workloadFile) };
}

function validateSpec(value: unknown, what: string): RunSpec {
  const parsed = runSpecSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) =>
        `  ${i.path.join('.') || '(root)'}: ${i.message.endsWith('received undefined') ? 'is required' : i.message}`,
    );
    throw new BenchpilotError('BP_USAGE', `${what} is not a v1 RunSpec:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

async function runSpec(
  spec: RunSpec,
  events: EventOutlet,
  env: NodeJS.ProcessEnv,
  control: (applier: ControlApplier) => { close(): void },
): Promise<{ summary: RunSummary | null; error: unknown }> {
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
  const applier = new ControlApplier(run);
  const channel = control(applier);
  const signals = onStopSignals(run, (exit) => events.write(exit));
  try {
    return { summary: await run.done, error: null };
  } catch (err) {
    return { summary: null, error: err };
  } finally {
    channel.close();
    applier.close();
    signals();
  }
}

function writeSummary(target: string, summary: RunSummary): void {
  writeFileSync(`${target}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(`${target}.tmp`, target);
}

/** Appends the exit record, returns the exit code (as `benchpilot run` would). */
function finish(events: EventOutlet, summary: RunSummary | null, error: unknown): number {
  const exit: RunnerExitRecord = exitRecordOf(summary, error);
  events.write(exit);
  if (!(events instanceof RunnerLink)) exitGuard(exit.code);
  return exit.code;
}

function exitGuard(code: number): void {
  setTimeout(() => process.exit(code), EXIT_GUARD_MS).unref();
}

/** How long a finished runner pod keeps redialing to deliver its exit record. */
const LINGER_MS = 300_000;

/** `runner --connect`: the spec and workload come over the link; events go back over it. */
async function connectedRunner(env: NodeJS.ProcessEnv): Promise<number> {
  const need = (name: string): string => {
    const value = env[name];
    if (!value)
      throw new BenchpilotError('BP_USAGE', `runner --connect needs the environment variable ${name}`);
    return value;
  };
  const url = need('BENCHPILOT_URL');
  const runId = need('BENCHPILOT_RUN_ID');
  const token = need('BENCHPILOT_RUNNER_TOKEN');
  const count = Number(env.BENCHPILOT_PARTITION_COUNT ?? '1');
  const index = Number(env.JOB_COMPLETION_INDEX ?? '0');
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new BenchpilotError(
      'BP_USAGE',
      `partition ${env.JOB_COMPLETION_INDEX ?? '0'} of ${env.BENCHPILOT_PARTITION_COUNT ?? '1'} is not valid`,
    );
  // Secrets the runner needs reach it as env vars; the link token is not one of them.
  const workloadEnv = { ...env };
  delete workloadEnv.BENCHPILOT_RUNNER_TOKEN;
  let applier: ControlApplier | null = null;
  const link = new RunnerLink({
    url,
    runId,
    token,
    partition: { index, count },
    phase: env.BENCHPILOT_PHASE,
    onControl: (action) => {
      if (applier) applier.offer(action);
      else console.error(`runner: control ${JSON.stringify(action)} arrived before the run started; ignored`);
    },
  });
  console.log(`runner ${runId}: partition ${index}/${count}, dialing ${url}`);
  const welcome = await link.connect();
  let exitCode: number;
  try {
    const dir = join(tmpdir(), `benchpilot-runner-${runId}-${index}`);
    mkdirSync(dir, { recursive: true });
    const workloadFile = join(dir, basename(welcome.workload.fileName) || 'workload.yaml');
    writeFileSync(workloadFile, welcome.workload.text);
    let spec: RunSpec;
    try {
      spec = { ...validateSpec(welcome.spec, 'the spec the control plane sent'), workloadFile };
    } catch (err) {
      exitCode = finish(link, null, err);
      return exitCode;
    }
    const outcome = await runSpec(spec, link, workloadEnv, (a) => {
      applier = a;
      return { close: () => (applier = null) };
    });
    if (outcome.summary) {
      writeSummary(join(dir, 'summary.json'), outcome.summary);
      console.log(`runner: summary written to ${join(dir, 'summary.json')}`);
    }
    exitCode = finish(link, outcome.summary, outcome.error);
  } catch (err) {
    exitCode = finish(link, null, err);
  }
  const delivered = await link.waitDone(LINGER_MS);
  if (!delivered) console.error('runner: the control plane did not confirm the exit record; ending anyway');
  link.close();
  exitGuard(exitCode);
  return exitCode;
}
