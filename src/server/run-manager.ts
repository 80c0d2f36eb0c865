/**
 * Runs and setups: starts runners through the executor, folds their events into stored run
 * records, series, results and setup progress, publishes live updates, and re-attaches to
 * runners that outlived a restart. Events of one run are handled strictly in order.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Executor, ExecutorRecord, RunAttachment, RunSink } from '../executors/executor.js';
import type { Run, RunState, SeriesPoint, Setup } from '../protocol/api.js';
import { TERMINAL_RUN_STATES } from '../protocol/api.js';
import { BenchpilotError } from '../protocol/errors.js';
import type { ControlAction, RunEvent, SnapshotEvent } from '../protocol/events.js';
import type { RunnerExitRecord, RunSpec } from '../protocol/runner.js';
import type { Catalog } from './catalog.js';
import type { EventHub } from './hub.js';
import type { RunRecord, Store, StoredTarget, StoredWorkload } from './state/store.js';

/** How long a stopping run may drain before its runner is killed. */
const STOP_GRACE_MS = 30_000;
/** A run's list entry is republished at most this often while it streams snapshots. */
const LIST_PUBLISH_MS = 2000;

export interface StartRunParams {
  readonly target: string;
  readonly workload: string;
  readonly rate?: number | undefined;
  readonly concurrency?: number | undefined;
  readonly durationSeconds?: number | undefined;
  readonly parallelism: number;
  readonly force: boolean;
}

interface ActiveRun {
  record: RunRecord;
  attachment: RunAttachment | null;
  chain: Promise<void>;
  stopRequested: boolean;
  stopTimer: NodeJS.Timeout | null;
  lastListPublish: number;
  setupId: string | null;
}

export class RunManager {
  readonly #store: Store;
  readonly #executor: Executor;
  readonly #hub: EventHub;
  readonly #catalog: Catalog;
  readonly #log: Logger;
  readonly #active = new Map<string, ActiveRun>();

  constructor(deps: { store: Store; executor: Executor; hub: EventHub; catalog: Catalog; log: Logger }) {
    this.#store = deps.store;
    this.#executor = deps.executor;
    this.#hub = deps.hub;
    this.#catalog = deps.catalog;
    this.#log = deps.log;
  }

  get activeCount(): number {
    return this.#active.size;
  }

  // ---------- benchmarks ----------

  async startBenchmark(params: StartRunParams): Promise<Run> {
    const target = await this.#catalog.storedTarget(params.target);
    const workload = await this.#catalog.workload(params.workload);
    checkDriver(target, workload);
    this.#checkEngine(workload);
    const benchmark = workload.phases.at(-1)!;
    if (workload.phases.length > 1 && !params.force) {
      const setup = await this.#store.latestSetup(target.name, workload.name);
      if (setup?.state !== 'succeeded') {
        throw new BenchpilotError(
          'BP_TARGET_NOT_READY',
          `target ${target.name} is not ready for ${workload.name}: its setup is ${setup?.state ?? 'not started'}; run the setup (POST /api/v1/setups) or start with force: true`,
        );
      }
    }
    const model =
      params.rate !== undefined
        ? 'open'
        : params.concurrency !== undefined
          ? 'closed'
          : benchmark.rate !== null
            ? 'open'
            : 'closed';
    const spec: RunSpec = {
      v: 1,
      runId: newRunId(),
      target: target.name,
      kind: 'benchmark',
      ...engineFields(target, workload),
      workloadFile: workload.file,
      sets: connectionSets(target),
      overrides: {
        phase: benchmark.name,
        ...(params.rate !== undefined ? { rate: params.rate } : {}),
        ...(params.concurrency !== undefined ? { concurrency: params.concurrency } : {}),
        ...(params.durationSeconds !== undefined
          ? { duration: params.durationSeconds }
          : { untilStopped: true }),
      },
      only: [benchmark.name],
      workers: params.parallelism,
      partition: { index: 0, count: 1 },
    };
    const record = newRecord(spec, 'benchmark', target.name, workload.name, benchmark.name, model, {
      rate: model === 'open' ? (params.rate ?? benchmark.rate) : null,
      concurrency: model === 'closed' ? (params.concurrency ?? benchmark.concurrency ?? 1) : null,
      durationSeconds: params.durationSeconds ?? null,
      parallelism: params.parallelism,
      force: params.force,
    });
    return this.#launch(record, spec, null);
  }

  #checkEngine(workload: StoredWorkload): void {
    if (workload.engine === 'nosqlbench' && this.#executor.name !== 'kubernetes') {
      throw new BenchpilotError(
        'BP_CONFLICT',
        `workload ${workload.name} runs on NoSQLBench (nb5 Jobs), which needs the Kubernetes executor (executor.kind: kubernetes); this server runs runners locally`,
      );
    }
  }

  // ---------- setups ----------

  async startSetup(targetName: string, workloadName: string): Promise<Setup> {
    const target = await this.#catalog.storedTarget(targetName);
    const workload = await this.#catalog.workload(workloadName);
    checkDriver(target, workload);
    this.#checkEngine(workload);
    const latest = await this.#store.latestSetup(target.name, workload.name);
    if (latest && (latest.state === 'running' || latest.state === 'pending')) {
      throw new BenchpilotError(
        'BP_CONFLICT',
        `setup ${latest.id} of ${workload.name} on ${target.name} is already ${latest.state}`,
      );
    }
    const now = new Date().toISOString();
    const setupPhases = workload.phases.slice(0, -1);
    const setup: Setup = {
      id: `setup-${randomUUID().slice(0, 8)}`,
      target: target.name,
      workload: workload.name,
      state: setupPhases.length === 0 ? 'succeeded' : 'pending',
      phases: setupPhases.map((p) => ({
        name: p.name,
        state: 'pending',
        done: 0,
        total: p.cycles,
        fraction: 0,
        errors: 0,
        startedAt: null,
        endedAt: null,
      })),
      runId: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#saveSetup(setup);
    if (setupPhases.length > 0) await this.#launchSetup(setup, target, workload, 0);
    return (await this.#store.getSetup(setup.id))!;
  }

  /** Runs a failed setup again from its failed phase. */
  async retrySetup(id: string): Promise<Setup> {
    const setup = await this.#store.getSetup(id);
    if (!setup) throw new BenchpilotError('BP_NOT_FOUND', `no setup ${id}`);
    if (setup.state !== 'failed')
      throw new BenchpilotError(
        'BP_CONFLICT',
        `setup ${id} is ${setup.state}; only a failed setup can be retried`,
      );
    const target = await this.#catalog.storedTarget(setup.target);
    const workload = await this.#catalog.workload(setup.workload);
    const from = Math.max(
      0,
      setup.phases.findIndex((p) => p.state !== 'succeeded'),
    );
    for (const phase of setup.phases.slice(from))
      Object.assign(phase, {
        state: 'pending',
        done: 0,
        fraction: 0,
        errors: 0,
        startedAt: null,
        endedAt: null,
      });
    setup.state = 'pending';
    setup.error = null;
    await this.#saveSetup(setup);
    await this.#launchSetup(setup, target, workload, from);
    return (await this.#store.getSetup(setup.id))!;
  }

  async #launchSetup(
    setup: Setup,
    target: StoredTarget,
    workload: StoredWorkload,
    fromPhase: number,
  ): Promise<void> {
    const phases = setup.phases.slice(fromPhase).map((p) => p.name);
    const spec: RunSpec = {
      v: 1,
      runId: newRunId(),
      target: target.name,
      kind: 'setup',
      ...engineFields(target, workload),
      workloadFile: workload.file,
      sets: connectionSets(target),
      overrides: {},
      only: phases,
      workers: 1,
      partition: { index: 0, count: 1 },
    };
    const first = workload.phases[fromPhase]!;
    const record = newRecord(
      spec,
      'setup',
      target.name,
      workload.name,
      phases.join(','),
      first.rate !== null ? 'open' : 'closed',
      {
        rate: first.rate,
        concurrency: first.concurrency,
        durationSeconds: null,
        parallelism: 1,
        force: false,
      },
    );
    setup.runId = record.id;
    await this.#saveSetup(setup);
    await this.#launch(record, spec, setup.id);
  }

  // ---------- control ----------

  async patch(
    id: string,
    patch: { rate?: number | undefined; concurrency?: number | undefined; paused?: boolean | undefined },
  ): Promise<Run> {
    const active = this.#requireActive(id);
    const record = active.record;
    if (patch.rate !== undefined && record.model !== 'open') {
      throw new BenchpilotError(
        'BP_CONFLICT',
        `run ${id} runs at a concurrency (closed model): change its concurrency, not its rate`,
      );
    }
    if (patch.concurrency !== undefined && record.model !== 'closed') {
      throw new BenchpilotError(
        'BP_CONFLICT',
        `run ${id} runs at a rate (open model): change its rate, not its concurrency`,
      );
    }
    const actions: ControlAction[] = [];
    if (patch.rate !== undefined) actions.push({ action: 'setRate', rate: patch.rate });
    if (patch.concurrency !== undefined)
      actions.push({ action: 'setConcurrency', concurrency: patch.concurrency });
    if (patch.paused !== undefined) actions.push({ action: patch.paused ? 'pause' : 'resume' });
    for (const action of actions) await this.#executor.control(id, record.executorRecord, action);
    return this.#update(active, {
      ...(patch.paused !== undefined && record.live
        ? { live: { ...record.live, paused: patch.paused } }
        : {}),
      params: {
        ...record.params,
        ...(patch.rate !== undefined ? { rate: patch.rate } : {}),
        ...(patch.concurrency !== undefined ? { concurrency: patch.concurrency } : {}),
      },
    });
  }

  async stop(id: string): Promise<Run> {
    const active = this.#requireActive(id);
    if (active.stopRequested) return active.record;
    active.stopRequested = true;
    await this.#executor.control(id, active.record.executorRecord, { action: 'stop' });
    active.stopTimer = setTimeout(() => {
      this.#log.warn({ runId: id }, 'runner did not stop in time; killing it');
      this.#executor
        .kill(id, active.record.executorRecord)
        .catch((err) => this.#log.error({ err }, 'kill failed'));
    }, STOP_GRACE_MS);
    active.stopTimer.unref();
    return this.#update(active, { state: 'stopping' });
  }

  async delete(id: string): Promise<void> {
    if (this.#active.has(id))
      throw new BenchpilotError('BP_CONFLICT', `run ${id} is still going: stop it first`);
    const record = await this.#store.getRun(id);
    if (!record) throw new BenchpilotError('BP_NOT_FOUND', `no run ${id}`);
    await this.#store.deleteRun(id);
    await this.#executor.remove(id, record.executorRecord).catch(() => undefined);
    this.#hub.publish('runs', { type: 'run-deleted', id });
  }

  async tailLogs(id: string, lines: number): Promise<string[]> {
    const record = await this.#store.getRun(id);
    if (!record) throw new BenchpilotError('BP_NOT_FOUND', `no run ${id}`);
    return this.#executor.tailLogs(id, record.executorRecord, lines);
  }

  /** After a restart: follow every run that was still going. */
  async reattachAll(): Promise<number> {
    let count = 0;
    for (const state of ['queued', 'starting', 'running', 'stopping'] as const) {
      for (const record of await this.#store.listRuns({ state, limit: 1000 })) {
        const setupId = record.kind === 'setup' ? ((await this.#setupOfRun(record)) ?? null) : null;
        const active = this.#track(record, setupId);
        if (Object.keys(record.executorRecord).length === 0) {
          await this.#finish(active, null, 'the server stopped before the runner started');
          continue;
        }
        active.attachment = await this.#executor.reattach(
          record.id,
          record.executorRecord,
          record.cursor,
          this.#sink(active),
        );
        if (active.attachment) count++;
      }
    }
    return count;
  }

  /** Stops following runners (they keep running) — server shutdown. */
  async detachAll(): Promise<void> {
    for (const active of this.#active.values()) {
      active.attachment?.detach();
      if (active.stopTimer) clearTimeout(active.stopTimer);
      await active.chain;
    }
    this.#active.clear();
  }

  // ---------- internals ----------

  async #launch(record: RunRecord, spec: RunSpec, setupId: string | null): Promise<Run> {
    record.executor = this.#executor.name;
    await this.#store.putRun(record);
    this.#hub.publish('runs', { type: 'run', run: publicRun(record) });
    const active = this.#track(record, setupId);
    try {
      active.attachment = await this.#executor.start(spec, this.#sink(active), await this.#runnerEnv(record));
      await this.#enqueue(active, () =>
        this.#update(active, {
          // Events may already have moved it on (an executor that reports while it starts).
          ...(active.record.state === 'queued' ? { state: 'starting' as const } : {}),
          executorRecord: active.attachment!.record as ExecutorRecord,
        }),
      );
    } catch (err) {
      await this.#finish(active, null, `the runner could not be started: ${(err as Error).message}`);
    }
    return publicRun(active.record);
  }

  /**
   * Only the variables the workload references (${VAR}) and the target's secretEnv names reach
   * the runner — never the server's own settings such as DATABASE_URL.
   */
  async #runnerEnv(record: RunRecord): Promise<Record<string, string>> {
    const [target, workload] = await Promise.all([
      this.#store.getTarget(record.target),
      this.#store.getWorkload(record.workload),
    ]);
    const { env, refused } = runnerEnvOf(target?.secretEnv ?? {}, workload?.yaml ?? '', process.env);
    for (const name of refused)
      this.#log.warn(
        { runId: record.id, name },
        'a workload referenced a server secret; not passed to the runner',
      );
    return env;
  }

  #track(record: RunRecord, setupId: string | null): ActiveRun {
    const active: ActiveRun = {
      record,
      attachment: null,
      chain: Promise.resolve(),
      stopRequested: record.state === 'stopping',
      stopTimer: null,
      lastListPublish: 0,
      setupId,
    };
    this.#active.set(record.id, active);
    return active;
  }

  #sink(active: ActiveRun): RunSink {
    return {
      event: (event, cursor) => {
        void this.#enqueue(active, () => this.#onEvent(active, event, cursor));
      },
      logs: (lines) =>
        this.#hub.publish(`run:${active.record.id}`, { type: 'log', runId: active.record.id, lines }),
      exited: (exit, reason) => {
        void this.#enqueue(active, () => this.#finish(active, exit, reason));
      },
    };
  }

  #enqueue(active: ActiveRun, work: () => Promise<unknown>): Promise<void> {
    active.chain = active.chain.then(work).then(
      () => undefined,
      (err) => this.#log.error({ err, runId: active.record.id }, 'run event handling failed'),
    );
    return active.chain;
  }

  async #onEvent(active: ActiveRun, event: RunEvent, cursor: number): Promise<void> {
    const id = active.record.id;
    switch (event.type) {
      case 'phase-start': {
        const changes: Partial<RunRecord> = { cursor };
        if (active.record.state === 'starting' || active.record.state === 'queued') {
          Object.assign(changes, { state: 'running', startedAt: new Date(event.timeMs).toISOString() });
        }
        await this.#update(active, changes);
        await this.#updateSetupPhase(active, event.phase, (p) => {
          p.state = 'running';
          p.startedAt = new Date(event.timeMs).toISOString();
          p.total = event.cycles;
        });
        return;
      }
      case 'snapshot': {
        const point = seriesPoint(event);
        const live: Run['live'] = {
          targetRate: event.target.rate,
          concurrency: event.target.concurrency,
          achievedRate: round2(event.achievedRate),
          p50: event.latency.p50,
          p99: event.latency.p99,
          errors: point.errors,
          done: event.progress.done,
          fraction: event.progress.fraction,
          elapsedSeconds: round2(event.progress.elapsedSeconds),
          paused: event.state === 'paused',
        };
        if (active.record.kind === 'benchmark') {
          await this.#store.appendSeries(id, point);
          this.#hub.publish(`run:${id}`, { type: 'snapshot', runId: id, point });
        }
        const publishList = Date.now() - active.lastListPublish >= LIST_PUBLISH_MS;
        await this.#update(active, { live, cursor }, publishList);
        await this.#updateSetupPhase(active, event.phase, (p) => {
          p.done = event.progress.done;
          p.total = event.progress.total;
          p.fraction = event.progress.fraction;
          p.errors += point.errors;
        });
        return;
      }
      case 'phase-end': {
        await this.#update(active, { cursor }, false);
        const s = event.summary;
        const errors = s.ops.reduce((n, o) => n + o.errors, 0);
        await this.#updateSetupPhase(active, event.phase, (p) => {
          p.state = s.failure || errors > 0 ? 'failed' : 'succeeded';
          p.endedAt = new Date(event.timeMs).toISOString();
          p.errors = errors;
          p.done = s.cycles.done;
          p.fraction = p.state === 'succeeded' ? 1 : p.fraction;
        });
        return;
      }
      case 'run-end':
        await this.#store.putResult(id, event.summary);
        await this.#update(active, { cursor }, false);
        return;
      case 'log':
        this.#hub.publish(`run:${id}`, { type: 'log', runId: id, lines: [event.message] });
        return;
      default:
        await this.#update(active, { cursor }, false);
    }
  }

  async #finish(active: ActiveRun, exit: RunnerExitRecord | null, reason: string): Promise<void> {
    if (!this.#active.has(active.record.id)) return;
    if (active.stopTimer) clearTimeout(active.stopTimer);
    active.attachment?.detach();
    this.#active.delete(active.record.id);
    const result = await this.#store.getResult(active.record.id);
    let state: RunState;
    let error: string | null = null;
    if (exit?.code === 0) {
      state = active.stopRequested || result?.phases.some((p) => p.stoppedEarly) ? 'stopped' : 'succeeded';
    } else if (exit?.code === 3) {
      state = 'failed';
      const failed =
        result?.phases.flatMap((p) => p.thresholds.filter((t) => !t.ok).map((t) => t.message)) ?? [];
      error = `thresholds failed: ${failed.join('; ') || 'see the summary'}`;
    } else {
      state = active.stopRequested && exit === null ? 'stopped' : 'failed';
      error = exit?.error ? `${exit.error.code}: ${exit.error.message}` : reason;
    }
    await this.#update(active, { state, error, endedAt: new Date().toISOString() });
    if (active.setupId) {
      const setup = await this.#store.getSetup(active.setupId);
      if (setup) {
        const allDone = setup.phases.every((p) => p.state === 'succeeded');
        setup.state = state === 'succeeded' && allDone ? 'succeeded' : 'failed';
        if (setup.state === 'failed') {
          // The phase that was running, or (when the runner failed before its first phase, e.g. the
          // target was unreachable) the first one that never ran.
          const phase =
            setup.phases.find((p) => p.state === 'running') ??
            setup.phases.find((p) => p.state === 'failed') ??
            setup.phases.find((p) => p.state === 'pending');
          if (phase && phase.state !== 'failed') {
            phase.state = 'failed';
            phase.endedAt = new Date().toISOString();
          }
          setup.error =
            error ?? (phase ? `phase ${phase.name} had ${phase.errors} errors` : 'setup did not complete');
        }
        await this.#saveSetup(setup);
      }
    }
    this.#log.info({ runId: active.record.id, kind: active.record.kind, state, error }, 'run ended');
  }

  async #update(active: ActiveRun, changes: Partial<RunRecord>, publish = true): Promise<Run> {
    active.record = { ...active.record, ...changes };
    await this.#store.putRun(active.record);
    const run = publicRun(active.record);
    if (publish || changes.state !== undefined) {
      active.lastListPublish = Date.now();
      this.#hub.publish('runs', { type: 'run', run });
    }
    return run;
  }

  async #updateSetupPhase(
    active: ActiveRun,
    phaseName: string,
    change: (phase: Setup['phases'][number]) => void,
  ): Promise<void> {
    if (!active.setupId) return;
    const setup = await this.#store.getSetup(active.setupId);
    const phase = setup?.phases.find((p) => p.name === phaseName);
    if (!setup || !phase) return;
    change(phase);
    setup.state = 'running';
    await this.#saveSetup(setup);
  }

  async #saveSetup(setup: Setup): Promise<void> {
    setup.updatedAt = new Date().toISOString();
    await this.#store.putSetup(setup);
    this.#hub.publish('setups', { type: 'setup', setup });
    const target = await this.#store.getTarget(setup.target);
    if (target) this.#hub.publish('targets', { type: 'target', target: await this.#catalog.view(target) });
  }

  async #setupOfRun(record: RunRecord): Promise<string | undefined> {
    return (await this.#store.listSetups()).find((s) => s.runId === record.id)?.id;
  }

  #requireActive(id: string): ActiveRun {
    const active = this.#active.get(id);
    if (active) return active;
    throw new BenchpilotError(
      'BP_CONFLICT',
      `run ${id} is not running (it may have finished, or it does not exist)`,
    );
  }
}

/** What a RunSpec says about the workload's engine (nb5 Jobs need the target's secretEnv names). */
function engineFields(target: StoredTarget, workload: StoredWorkload): Partial<RunSpec> {
  return {
    workload: workload.name,
    ...(workload.engine === 'nosqlbench'
      ? { engine: 'nosqlbench' as const, secretEnv: { ...target.secretEnv } }
      : {}),
  };
}

/** Environment variables of the server that no runner may receive, whatever a workload names. */
export const SERVER_SECRETS: ReadonlySet<string> = new Set([
  'DATABASE_URL',
  'BENCHPILOT_OPERATOR_TOKEN',
  'BENCHPILOT_RUNNER_TOKEN',
  'KUBECONFIG',
]);

/**
 * A runner's environment: only the variables its workload references (`${VAR}`) and its target's
 * secretEnv names, taken from the server's environment — never the server's own secrets.
 */
export function runnerEnvOf(
  secretEnv: Record<string, string>,
  workloadYaml: string,
  serverEnv: NodeJS.ProcessEnv,
): { env: Record<string, string>; refused: string[] } {
  const names = new Set(Object.values(secretEnv));
  for (const match of workloadYaml.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(match[1]!);
  const env: Record<string, string> = {};
  const refused: string[] = [];
  for (const name of names) {
    if (SERVER_SECRETS.has(name)) {
      refused.push(name);
      continue;
    }
    const value = serverEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return { env, refused };
}

function checkDriver(target: StoredTarget, workload: StoredWorkload): void {
  if (target.driver !== workload.driver) {
    throw new BenchpilotError(
      'BP_CONFLICT',
      `workload ${workload.name} uses the ${workload.driver} driver but target ${target.name} is ${target.driver}`,
    );
  }
}

/** The target's connection as `--set target.<key>=<value>` (secrets stay in env, never here). */
function connectionSets(target: StoredTarget): string[] {
  return Object.entries(target.connection).map(([key, value]) => `target.${key}=${String(value)}`);
}

function newRunId(): string {
  return `run-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomUUID().slice(0, 8)}`;
}

function newRecord(
  spec: RunSpec,
  kind: Run['kind'],
  target: string,
  workload: string,
  phase: string,
  model: Run['model'],
  params: Run['params'],
): RunRecord {
  return {
    id: spec.runId,
    kind,
    target,
    workload,
    phase,
    state: 'queued',
    model,
    params,
    live: null,
    executor: 'local',
    error: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    endedAt: null,
    executorRecord: {},
    cursor: 0,
    spec,
  };
}

export function publicRun(record: RunRecord): Run {
  const { executorRecord: _e, cursor: _c, spec: _s, ...run } = record;
  return run;
}

export function isTerminal(state: RunState): boolean {
  return TERMINAL_RUN_STATES.includes(state);
}

function seriesPoint(s: SnapshotEvent): SeriesPoint {
  let errors = 0;
  const ops: SeriesPoint['ops'] = {};
  for (const [name, op] of Object.entries(s.ops)) {
    errors += op.errors;
    ops[name] = { count: op.count, errors: op.errors, p50: op.p50, p99: op.p99 };
  }
  return {
    t: s.timeMs,
    elapsed: round2(s.progress.elapsedSeconds),
    targetRate: s.target.rate,
    achievedRate: round2(s.achievedRate),
    p50: s.latency.p50,
    p99: s.latency.p99,
    errors,
    warmup: s.warmup,
    ops,
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
