/**
 * The local executor: each run is a `benchpilot runner` process on this machine, started
 * detached (its own process group, output to a file) so it outlives the server, even a
 * `kill -9` of it. The channel is the run directory (docs/runner-protocol.md): the runner
 * appends events.jsonl, the server appends control.jsonl; after a restart the server re-attaches
 * by reading events.jsonl on from the byte cursor it stored.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchpilotError } from '../../protocol/errors.js';
import type { ControlAction } from '../../protocol/events.js';
import type { RunSpec } from '../../protocol/runner.js';
import type { Executor, ExecutorRecord, RunAttachment, RunSink } from '../executor.js';
import { readLastLines } from './line-reader.js';
import { checkRunId, insideRunsDir, runFile } from './run-dir.js';
import { RunFollower } from './run-follower.js';
import { killRunnerGroup, runnerLiveness } from './runner-process.js';

export interface LocalExecutorOptions {
  /** Where run directories are created (`<runsDir>/<runId>/`). */
  readonly runsDir: string;
  /** The benchpilot launcher to run as `node <bin> runner --spec …`; default: this package's bin/benchpilot.js. */
  readonly bin?: string;
  /** How often to look for new events and log lines, ms (default 150). */
  readonly pollMs?: number;
  /** How often to check that a runner process is still there, ms (default 1000). */
  readonly livenessMs?: number;
}

/** What the local executor stores with a run to find it again. */
export interface LocalRecord {
  readonly pid: number;
  readonly dir: string;
  readonly startedAtMs: number;
}

/**
 * Taken from the server's environment; everything else the runner sees comes from `env` of
 * start(), so the server's own secrets do not leak into runners (as with runner pods).
 */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'NODE_EXTRA_CA_CERTS'];

const DEFAULT_BIN = fileURLToPath(new URL('../../../../bin/benchpilot.js', import.meta.url));

export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly #runsDir: string;
  readonly #bin: string;
  readonly #options: LocalExecutorOptions;
  readonly #followers = new Map<string, RunFollower>();

  constructor(options: LocalExecutorOptions) {
    this.#options = options;
    this.#runsDir = resolve(options.runsDir);
    this.#bin = resolve(options.bin ?? DEFAULT_BIN);
  }

  async start(spec: RunSpec, sink: RunSink, env: Record<string, string>): Promise<RunAttachment> {
    const dir = join(this.#runsDir, checkRunId(spec.runId));
    await mkdir(this.#runsDir, { recursive: true });
    try {
      await mkdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      throw new BenchpilotError('BP_USAGE', `run ${spec.runId} already has a directory (${dir})`);
    }
    const specPath = runFile(dir, 'spec');
    await writeFile(specPath, `${JSON.stringify(spec, null, 2)}\n`);
    await writeFile(runFile(dir, 'control'), '');
    const log = await open(runFile(dir, 'log'), 'a');
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(process.execPath, [this.#bin, 'runner', '--spec', specPath], {
        cwd: dir,
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        env: runnerEnv(env),
      });
    } finally {
      await log.close();
    }
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (child.pid === undefined) {
      const err = await spawnError;
      throw new BenchpilotError('BP_INTERNAL', `could not start the runner of ${spec.runId}: ${err.message}`);
    }
    child.unref();
    const record: LocalRecord = { pid: child.pid, dir, startedAtMs: Date.now() };
    const follower = this.#follow(spec.runId, record, 0, 0, sink);
    // While this server is the parent it hears the exit at once; the liveness check covers the rest.
    child.once('exit', () => follower.poke());
    follower.start();
    return { record: { ...record }, detach: () => follower.stop() };
  }

  async reattach(
    runId: string,
    record: ExecutorRecord,
    cursor: number,
    sink: RunSink,
  ): Promise<RunAttachment | null> {
    const local = this.#record(runId, record);
    // Logs written while nobody followed are available from tailLogs(); follow new ones only.
    const logOffset = await sizeOf(runFile(local.dir, 'log'));
    const follower = this.#follow(runId, local, cursor, logOffset, sink);
    // An exit record means the run is over, even if its process has not quite exited yet.
    if (await follower.catchUp()) return null;
    if ((await runnerLiveness(local.pid, runFile(local.dir, 'spec'), local.startedAtMs)) === 'gone') {
      await follower.finishGone();
      follower.stop();
      return null;
    }
    follower.start();
    return { record: { ...local }, detach: () => follower.stop() };
  }

  async control(runId: string, record: ExecutorRecord, action: ControlAction): Promise<void> {
    const local = this.#record(runId, record);
    try {
      await appendFile(runFile(local.dir, 'control'), `${JSON.stringify(controlLine(action))}\n`, {
        flag: 'a',
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new BenchpilotError('BP_USAGE', `run ${runId} has no run directory (${local.dir})`);
    }
  }

  async tailLogs(runId: string, record: ExecutorRecord, lines: number): Promise<string[]> {
    const local = this.#record(runId, record);
    return readLastLines(runFile(local.dir, 'log'), Math.max(0, Math.floor(lines)));
  }

  async kill(runId: string, record: ExecutorRecord): Promise<void> {
    const local = this.#record(runId, record);
    await killRunnerGroup(local.pid, runFile(local.dir, 'spec'), local.startedAtMs);
    this.#followers.get(runId)?.poke();
  }

  /** Deletes the run directory; a runner still going is killed first (it would write into nothing). */
  async remove(runId: string, record: ExecutorRecord): Promise<void> {
    const local = this.#record(runId, record);
    this.#followers.get(runId)?.stop();
    await killRunnerGroup(local.pid, runFile(local.dir, 'spec'), local.startedAtMs);
    await rm(local.dir, { recursive: true, force: true });
  }

  /** Stops following every run (server shutdown); the runners keep going. */
  detachAll(): void {
    for (const follower of [...this.#followers.values()]) follower.stop();
  }

  #follow(runId: string, record: LocalRecord, cursor: number, logOffset: number, sink: RunSink): RunFollower {
    this.#followers.get(runId)?.stop(); // one follower per run, or events would arrive twice
    const follower: RunFollower = new RunFollower({
      ...record,
      cursor,
      logOffset,
      sink,
      pollMs: this.#options.pollMs,
      livenessMs: this.#options.livenessMs,
      onEnd: () => {
        if (this.#followers.get(runId) === follower) this.#followers.delete(runId);
      },
    });
    this.#followers.set(runId, follower);
    return follower;
  }

  /** The stored record, checked: it comes from a database, so its directory must be this run's, under runsDir. */
  #record(runId: string, record: ExecutorRecord): LocalRecord {
    const { pid, dir, startedAtMs } = record;
    if (typeof pid !== 'number' || typeof dir !== 'string' || typeof startedAtMs !== 'number') {
      throw new BenchpilotError(
        'BP_USAGE',
        `run ${runId}: not a local executor record (pid, dir, startedAtMs)`,
      );
    }
    const full = insideRunsDir(this.#runsDir, dir);
    if (basename(full) !== checkRunId(runId) || dirname(full) !== this.#runsDir) {
      throw new BenchpilotError(
        'BP_USAGE',
        `run ${runId}: its directory ${full} is not ${join(this.#runsDir, runId)}`,
      );
    }
    return { pid, dir: full, startedAtMs };
  }
}

function runnerEnv(env: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, ...env };
}

/** Only the action's own fields go on the line (a caller's object may carry more). */
function controlLine(action: ControlAction): ControlAction {
  switch (action.action) {
    case 'setRate':
      return { action: 'setRate', rate: action.rate };
    case 'setConcurrency':
      return { action: 'setConcurrency', concurrency: action.concurrency };
    default:
      return { action: action.action };
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
