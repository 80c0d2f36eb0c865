/**
 * The Kubernetes executor: every run is a Job (one per setup phase, chained; one Indexed Job of N
 * pods for a benchmark) in the control plane's namespace. Runner pods dial back over the runner
 * link (run-link.ts); Job and pod watches map cluster state to run state and say in plain words
 * why a pod could not run. Same interface as the local executor (executor.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Writable } from 'node:stream';
import {
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Log,
  type V1Job,
  type V1Pod,
  type V1ResourceRequirements,
  type V1Toleration,
} from '@kubernetes/client-node';
import type WebSocket from 'ws';
import { BenchpilotError } from '../../protocol/errors.js';
import type { ControlAction } from '../../protocol/events.js';
import type { RunnerExitRecord, RunSpec } from '../../protocol/runner.js';
import type { Executor, ExecutorRecord, RunAttachment, RunSink } from '../executor.js';
import { completionIndexOf, jobFailure, phaseOf, podEnd, podProblem } from './kube-status.js';
import { LABEL, runnerJob, runnerSecret, runnerSecretName, runSelector } from './manifests.js';
import { attemptOf, Nb5Run, type Nb5RunOptions } from './nb5-run.js';
import { NB5_IMAGE, nb5ConfigMap, nb5ConfigMapName, nb5PhasesOf, nb5WorkloadFileName } from './nosqlbench.js';
import { ResyncingWatch } from './resyncing-watch.js';
import { hashToken, RunLink, type RunStep } from './run-link.js';
import { RunnerGateway } from './runner-gateway.js';

export interface KubernetesExecutorConfig {
  /** Namespace of the Jobs; default: the pod's own namespace in a cluster, else the kubeconfig's, else `default`. */
  namespace?: string | undefined;
  /** Helm release name (the `app.kubernetes.io/instance` label); default `benchpilot`. */
  release?: string | undefined;
  /** Runner image (the benchpilot image; its entrypoint is `benchpilot`). */
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never' | undefined;
  /** The WebSocket URL runner pods dial: the control plane's Service, path /api/v1/runner. */
  runnerUrl: string;
  /** Kubeconfig file; default: in-cluster config inside a pod, else $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string | undefined;
  resources?: V1ResourceRequirements | undefined;
  backoffLimit?: number | undefined;
  /** activeDeadlineSeconds of each setup phase's Job; null = none. */
  setupDeadlineSeconds?: number | null | undefined;
  ttlSecondsAfterFinished?: number | null | undefined;
  openshift?: boolean | undefined;
  /** Where runner, setup and nb5 pods may run (node labels), and the taints they tolerate. */
  nodeSelector?: Record<string, string> | undefined;
  tolerations?: V1Toleration[] | undefined;
  /** Secrets to pull the runner and nb5 images with (private registries). */
  imagePullSecrets?: string[] | undefined;
  /** Several replicas: only the holder of the `<release>-leader` Lease is active (and ready). */
  leaderElection?: boolean | undefined;
  /** This replica's name in the Lease (default: host name and pid; the chart sets the pod name). */
  identity?: string | undefined;
  /** Jobs of runs this control plane does not know: `report` them, or `delete` them too. */
  orphanJobs?: 'report' | 'delete' | undefined;
  /** The NoSQLBench image for workloads on the nosqlbench engine. */
  nosqlbenchImage?: string | undefined;
  /** Prometheus-compatible push endpoint nb5 sends its metrics to (VictoriaMetrics import URL). */
  metricsEndpoint?: string | undefined;
}

interface Tracked {
  /** Our end of the run: the runner pods' link (benchpilot engine) or the nb5 Jobs (NoSQLBench). */
  run: RunLink | Nb5Run;
  sink: RunSink;
  namespace: string;
  logs: string[];
  reported: Set<string>;
  ended: Set<string>;
  /** Pods whose log is being followed. */
  followed: Set<string>;
  cursor: number;
}

const LOG_RING = 2000;
const MAX_FOLLOWED_PODS = 16;
const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export class KubernetesExecutor implements Executor {
  readonly name = 'kubernetes';
  readonly gateway = new RunnerGateway();
  readonly #config: KubernetesExecutorConfig;
  readonly #kc: KubeConfig;
  readonly #batch: BatchV1Api;
  readonly #core: CoreV1Api;
  readonly #runs = new Map<string, Tracked>();
  readonly #finishedLogs = new Map<string, string[]>();
  #namespace: string | null = null;
  #watches: ResyncingWatch[] = [];
  #warn: (message: string, fields?: Record<string, unknown>) => void = () => undefined;

  constructor(config: KubernetesExecutorConfig, kubeConfig?: KubeConfig) {
    this.#config = config;
    this.#kc = kubeConfig ?? loadKubeConfig(config.kubeconfig);
    this.#batch = this.#kc.makeApiClient(BatchV1Api);
    this.#core = this.#kc.makeApiClient(CoreV1Api);
    this.gateway.onWarning((message, fields) => this.#warn(message, fields));
  }

  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  onWarning(log: (message: string, fields?: Record<string, unknown>) => void): void {
    this.#warn = log;
  }

  async namespace(): Promise<string> {
    if (this.#namespace) return this.#namespace;
    let ns = this.#config.namespace;
    if (!ns) ns = (await readFile(IN_CLUSTER_NAMESPACE, 'utf8').catch(() => '')).trim();
    if (!ns) ns = this.#kc.getContextObject(this.#kc.getCurrentContext())?.namespace ?? 'default';
    this.#namespace = ns;
    return ns;
  }

  get release(): string {
    return this.#config.release ?? 'benchpilot';
  }

  /** A runner pod dialed in (the server's /api/v1/runner route). */
  acceptRunner(socket: WebSocket, remote: string): void {
    this.gateway.accept(socket, remote);
  }

  async start(spec: RunSpec, sink: RunSink, env: Record<string, string>): Promise<RunAttachment> {
    if (spec.engine === 'nosqlbench') return this.#startNb5(spec, sink, env);
    const namespace = await this.namespace();
    const token = randomBytes(32).toString('base64url');
    const steps = stepsOf(spec);
    const record: ExecutorRecord = {
      namespace,
      tokenHash: hashToken(token),
      steps: JSON.stringify(steps),
      spec: JSON.stringify(spec),
      target: targetOf(spec),
    };
    const workload = await readWorkload(spec);
    await this.#ensureWatches(namespace);
    const tracked = this.#track(spec.runId, record, spec, workload, steps, 0, sink);
    try {
      await this.#core.createNamespacedSecret({
        namespace,
        body: runnerSecret({
          namespace,
          release: this.release,
          runId: spec.runId,
          token,
          env,
          target: targetOf(spec),
        }),
      });
      await this.#createStepJob(spec.runId, record, 0, Object.keys(env));
    } catch (err) {
      this.#untrack(spec.runId);
      await this.#deleteRunObjects(namespace, spec.runId).catch(() => undefined);
      throw kubeError(err, `creating the Job of run ${spec.runId} in namespace ${namespace}`);
    }
    return this.#attachment(spec.runId, record, tracked);
  }

  async reattach(
    runId: string,
    record: ExecutorRecord,
    _cursor: number,
    sink: RunSink,
  ): Promise<RunAttachment | null> {
    const namespace = String(record.namespace);
    const spec = JSON.parse(String(record.spec)) as RunSpec;
    if (spec.engine === 'nosqlbench') return this.#reattachNb5(runId, record, spec, sink);
    const steps = JSON.parse(String(record.steps)) as RunStep[];
    const jobs = await this.#batch
      .listNamespacedJob({ namespace, labelSelector: runSelector(this.release, runId) })
      .catch((err: unknown) => {
        throw kubeError(err, `listing the Jobs of run ${runId}`);
      });
    if (jobs.items.length === 0) {
      sink.exited(null, `its Jobs are gone (deleted while the control plane was away)`);
      return null;
    }
    // The latest step that has a Job is where the run is.
    const phases = new Set(jobs.items.map((j) => jobPhase(j)));
    let stepIndex = 0;
    steps.forEach((step, i) => {
      if (phases.has(step.phase)) stepIndex = i;
    });
    const workload = await readWorkload(spec);
    await this.#ensureWatches(namespace);
    const tracked = this.#track(runId, record, spec, workload, steps, stepIndex, sink);
    // Pods that ended while nobody watched: their end stands for their runner's exit.
    const pods = await this.#core.listNamespacedPod({
      namespace,
      labelSelector: runSelector(this.release, runId),
    });
    for (const pod of pods.items) this.#onPod('ADDED', pod);
    return this.#attachment(runId, record, tracked);
  }

  async control(runId: string, _record: ExecutorRecord, action: ControlAction): Promise<void> {
    const tracked = this.#runs.get(runId);
    if (!tracked) throw new BenchpilotError('BP_CONFLICT', `run ${runId} has no live runner pods to control`);
    if (tracked.run instanceof RunLink) {
      tracked.run.control(action);
      return;
    }
    try {
      await tracked.run.control(action);
    } catch (err) {
      throw err instanceof BenchpilotError ? err : new BenchpilotError('BP_CONFLICT', (err as Error).message);
    }
  }

  async tailLogs(runId: string, record: ExecutorRecord, lines: number): Promise<string[]> {
    const fromPods = await this.#podLogs(String(record.namespace), runId, lines).catch(() => []);
    if (fromPods.length > 0) return fromPods;
    const ring = this.#runs.get(runId)?.logs ?? this.#finishedLogs.get(runId) ?? [];
    return ring.slice(-lines);
  }

  async kill(runId: string, record: ExecutorRecord): Promise<void> {
    await this.#deleteRunObjects(String(record.namespace), runId);
    const tracked = this.#runs.get(runId);
    if (tracked?.run instanceof Nb5Run) await tracked.run.control({ action: 'stop' }).catch(() => undefined);
    else tracked?.run.endAll('killed: its Jobs were deleted after it did not stop in time');
  }

  async remove(runId: string, record: ExecutorRecord): Promise<void> {
    await this.#deleteRunObjects(String(record.namespace), runId);
    this.#finishedLogs.delete(runId);
  }

  /**
   * Jobs that no known run owns (left by a control plane that lost its state, or a deleted run):
   * reported, and deleted when `orphanJobs` is `delete`. Returns their run ids.
   */
  async sweepOrphans(isKnown: (runId: string) => Promise<boolean>): Promise<string[]> {
    const namespace = await this.namespace();
    const jobs = await this.#batch.listNamespacedJob({
      namespace,
      labelSelector: `${LABEL.instance}=${this.release},${LABEL.managedBy}=benchpilot`,
    });
    const orphans: string[] = [];
    for (const runId of new Set(jobs.items.map((j) => j.metadata?.labels?.[LABEL.run] ?? ''))) {
      if (runId && !(await isKnown(runId))) orphans.push(runId);
    }
    for (const runId of orphans) {
      const remove = (this.#config.orphanJobs ?? 'delete') === 'delete';
      this.#warn(`Jobs of unknown run ${runId} found${remove ? '; deleting them' : ''}`, {
        runId,
        namespace,
      });
      if (remove) await this.#deleteRunObjects(namespace, runId);
    }
    return orphans;
  }

  /** Stops the watches (server shutdown); runner pods keep running and redial later. */
  close(): void {
    for (const watch of this.#watches) watch.stop();
    this.#watches = [];
    for (const tracked of this.#runs.values()) tracked.run.close();
    this.#runs.clear();
  }

  // ---------- NoSQLBench runs ----------

  async #startNb5(spec: RunSpec, sink: RunSink, env: Record<string, string>): Promise<RunAttachment> {
    const namespace = await this.namespace();
    const workload = await readWorkload(spec);
    const steps = spec.only.length > 0 ? [...spec.only] : nb5PhasesOf(workload.text, workload.fileName);
    const record: ExecutorRecord = {
      namespace,
      engine: 'nosqlbench',
      spec: JSON.stringify(spec),
      target: targetOf(spec),
      steps: JSON.stringify(steps),
      workloadName: workloadNameOf(spec, workload),
      // nb5 reads credentials from files of the run's Secret when the target names both variables.
      credentials: Boolean(
        spec.secretEnv?.username &&
          spec.secretEnv.password &&
          env[spec.secretEnv.username] &&
          env[spec.secretEnv.password],
      ),
    };
    await this.#ensureWatches(namespace);
    const base = this.#nb5Base(spec, record);
    try {
      if (base.credentials) {
        await this.#core.createNamespacedSecret({
          namespace,
          body: runnerSecret({
            namespace,
            release: this.release,
            runId: spec.runId,
            target: targetOf(spec),
            token: randomBytes(16).toString('base64url'),
            env,
          }),
        });
      }
      await this.#core.createNamespacedConfigMap({
        namespace,
        body: nb5ConfigMap({
          namespace,
          release: this.release,
          runId: spec.runId,
          target: targetOf(spec),
          workloadName: String(record.workloadName),
          yamlText: workload.text,
        }),
      });
      const tracked = this.#trackNb5(spec.runId, record, sink, steps, base, 0, 1);
      await (tracked.run as Nb5Run).start();
      return this.#attachment(spec.runId, record, tracked);
    } catch (err) {
      this.#untrack(spec.runId);
      await this.#deleteRunObjects(namespace, spec.runId).catch(() => undefined);
      throw kubeError(err, `starting the nb5 Job of run ${spec.runId} in namespace ${namespace}`);
    }
  }

  async #reattachNb5(
    runId: string,
    record: ExecutorRecord,
    spec: RunSpec,
    sink: RunSink,
  ): Promise<RunAttachment | null> {
    const namespace = String(record.namespace);
    const steps = JSON.parse(String(record.steps)) as string[];
    const jobs = (
      await this.#batch.listNamespacedJob({ namespace, labelSelector: runSelector(this.release, runId) })
    ).items;
    if (jobs.length === 0) {
      sink.exited(null, 'its nb5 Jobs are gone (deleted while the control plane was away)');
      return null;
    }
    const phaseOfJob = (job: V1Job) => steps.indexOf(job.metadata?.labels?.[LABEL.phase] ?? '');
    const latest = jobs.reduce((a, b) =>
      phaseOfJob(b) > phaseOfJob(a) || (phaseOfJob(b) === phaseOfJob(a) && attemptOf(b) > attemptOf(a))
        ? b
        : a,
    );
    await this.#ensureWatches(namespace);
    const base = this.#nb5Base(spec, record);
    const tracked = this.#trackNb5(
      runId,
      record,
      sink,
      steps,
      base,
      Math.max(0, phaseOfJob(latest)),
      attemptOf(latest),
    );
    const run = tracked.run as Nb5Run;
    run.resume();
    run.onJob(latest);
    return this.#attachment(runId, record, tracked);
  }

  #nb5Base(spec: RunSpec, record: ExecutorRecord): Nb5RunOptions['base'] {
    const params: Record<string, string | number> = {};
    for (const set of spec.sets) {
      const match = /^target\.([A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s.exec(set);
      if (!match || match[1] === 'driver' || match[1] === 'workloads') continue;
      const value = match[2]!;
      params[match[1]!] = /^\d+$/.test(value) ? Number(value) : value;
    }
    if (spec.overrides.rate !== undefined) params.cyclerate = spec.overrides.rate;
    if (spec.overrides.concurrency !== undefined) params.threads = spec.overrides.concurrency;
    // Credentials reach nb5 as files from the run's Secret (userfile=/passfile=), never as args.
    const credentials =
      record.credentials === true && spec.secretEnv?.username && spec.secretEnv.password
        ? {
            secretName: runnerSecretName(spec.runId),
            usernameKey: spec.secretEnv.username,
            passwordKey: spec.secretEnv.password,
          }
        : undefined;
    const setup = spec.kind === 'setup';
    return {
      namespace: String(record.namespace),
      release: this.release,
      runId: spec.runId,
      target: targetOf(spec),
      image: this.#config.nosqlbenchImage ?? NB5_IMAGE,
      ...(this.#config.imagePullPolicy ? { imagePullPolicy: this.#config.imagePullPolicy } : {}),
      configMapName: nb5ConfigMapName(spec.runId),
      workloadFile: nb5WorkloadFileName(String(record.workloadName)),
      params,
      ...(credentials ? { credentials } : {}),
      ...(this.#config.metricsEndpoint
        ? { metrics: { endpoint: this.#config.metricsEndpoint, intervalSeconds: 10 } }
        : {}),
      resources: this.#config.resources ?? {},
      backoffLimit: this.#config.backoffLimit ?? 0,
      activeDeadlineSeconds: setup ? (this.#config.setupDeadlineSeconds ?? null) : null,
      ttlSecondsAfterFinished: this.#config.ttlSecondsAfterFinished ?? null,
      openshift: this.#config.openshift ?? false,
      ...this.#placement(),
    };
  }

  #placement(): {
    nodeSelector?: Record<string, string>;
    tolerations?: V1Toleration[];
    imagePullSecrets?: string[];
  } {
    return {
      ...(this.#config.nodeSelector ? { nodeSelector: this.#config.nodeSelector } : {}),
      ...(this.#config.tolerations ? { tolerations: this.#config.tolerations } : {}),
      ...(this.#config.imagePullSecrets ? { imagePullSecrets: this.#config.imagePullSecrets } : {}),
    };
  }

  #trackNb5(
    runId: string,
    record: ExecutorRecord,
    sink: RunSink,
    steps: string[],
    base: Nb5RunOptions['base'],
    stepIndex: number,
    attempt: number,
  ): Tracked {
    return this.#newTracked(
      runId,
      String(record.namespace),
      sink,
      (tracked) =>
        new Nb5Run({
          batch: this.#batch,
          core: this.#core,
          workload: String(record.workloadName),
          steps,
          base,
          stepIndex,
          attempt,
          out: {
            event: (event) => sink.event(event, ++tracked.cursor),
            logs: (lines) => this.#log(tracked, lines),
            exited: (exit, reason) => this.#ended(runId, tracked, exit, reason),
          },
        }),
    );
  }

  // ---------- runs ----------

  #track(
    runId: string,
    record: ExecutorRecord,
    spec: RunSpec,
    workload: { fileName: string; text: string },
    steps: RunStep[],
    stepIndex: number,
    sink: RunSink,
  ): Tracked {
    const tracked = this.#newTracked(
      runId,
      String(record.namespace),
      sink,
      (tracked) =>
        new RunLink({
          runId,
          tokenHash: String(record.tokenHash),
          spec,
          workload,
          steps,
          stepIndex,
          out: {
            event: (event) => sink.event(event, ++tracked.cursor),
            // Runner log events reach the UI as events; keep them for tailLogs only.
            logs: (lines) => this.#remember(tracked, lines),
            exited: (exit, reason) => this.#ended(runId, tracked, exit, reason),
            startStep: (index) => this.#createStepJob(runId, record, index, null),
          },
        }),
    );
    this.gateway.register(tracked.run as RunLink);
    return tracked;
  }

  #newTracked(
    runId: string,
    namespace: string,
    sink: RunSink,
    makeRun: (tracked: Tracked) => RunLink | Nb5Run,
  ): Tracked {
    const tracked = {
      namespace,
      sink,
      logs: [],
      reported: new Set(),
      ended: new Set(),
      followed: new Set(),
      cursor: 0,
    } as Omit<Tracked, 'run'> as Tracked;
    tracked.run = makeRun(tracked);
    this.#runs.set(runId, tracked);
    return tracked;
  }

  /** The run is over: forget it, and leave behind only what a finished run keeps. */
  #ended(runId: string, tracked: Tracked, exit: RunnerExitRecord | null, reason: string): void {
    const stopped = tracked.run.stopRequested;
    this.#untrack(runId);
    // A stopped run leaves nothing behind; a finished one keeps its Jobs (and pod logs) until
    // ttlSecondsAfterFinished.
    if (stopped) void this.#deleteRunObjects(tracked.namespace, runId).catch(() => undefined);
    // The run's Secret holds the link token and credentials: gone once the run is over.
    void this.#core
      .deleteNamespacedSecret({ name: runnerSecretName(runId), namespace: tracked.namespace })
      .catch(() => undefined);
    tracked.sink.exited(exit, reason);
  }

  #untrack(runId: string): void {
    const tracked = this.#runs.get(runId);
    if (!tracked) return;
    this.#runs.delete(runId);
    this.gateway.unregister(runId);
    tracked.run.close();
    this.#finishedLogs.set(runId, tracked.logs);
    if (this.#finishedLogs.size > 100) this.#finishedLogs.delete(this.#finishedLogs.keys().next().value!);
  }

  #attachment(runId: string, record: ExecutorRecord, tracked: Tracked): RunAttachment {
    return {
      record,
      detach: () => {
        if (this.#runs.get(runId) !== tracked) return;
        this.#runs.delete(runId);
        this.gateway.unregister(runId);
        tracked.run.close();
      },
    };
  }

  async #createStepJob(
    runId: string,
    record: ExecutorRecord,
    index: number,
    envKeys: string[] | null,
  ): Promise<void> {
    const namespace = String(record.namespace);
    const steps = JSON.parse(String(record.steps)) as RunStep[];
    const step = steps[index]!;
    let keys = envKeys;
    if (keys === null) {
      const secret = await this.#core.readNamespacedSecret({ name: runnerSecretName(runId), namespace });
      keys = Object.keys(secret.data ?? {}).filter((k) => k !== 'BENCHPILOT_RUNNER_TOKEN');
    }
    const kind =
      (JSON.parse(String(record.spec)) as RunSpec).kind ?? (steps.length > 1 ? 'setup' : 'benchmark');
    const job = runnerJob({
      namespace,
      release: this.release,
      runId,
      phase: step.phase,
      target: String(record.target ?? ''),
      kind,
      image: this.#config.image,
      ...(this.#config.imagePullPolicy ? { imagePullPolicy: this.#config.imagePullPolicy } : {}),
      parallelism: step.pods,
      controlPlaneUrl: this.#config.runnerUrl,
      secretName: runnerSecretName(runId),
      secretEnvKeys: keys,
      resources: this.#config.resources ?? {},
      backoffLimit: this.#config.backoffLimit ?? 0,
      activeDeadlineSeconds: this.#config.setupDeadlineSeconds ?? null,
      ttlSecondsAfterFinished: this.#config.ttlSecondsAfterFinished ?? null,
      openshift: this.#config.openshift ?? false,
      ...this.#placement(),
    });
    await this.#batch.createNamespacedJob({ namespace, body: job }).catch((err: unknown) => {
      throw kubeError(err, `creating Job ${job.metadata?.name} in namespace ${namespace}`);
    });
    const tracked = this.#runs.get(runId);
    if (tracked)
      this.#log(tracked, [
        `Job ${job.metadata?.name} created for phase ${step.phase} (${step.pods} pod${step.pods > 1 ? 's' : ''})`,
      ]);
  }

  /**
   * Deletes a run's Jobs (Background propagation: their pods go too), its Secret and ConfigMaps.
   * One by one (list + delete) rather than deletecollection: the Role stays smaller.
   */
  async #deleteRunObjects(namespace: string, runId: string): Promise<void> {
    const labelSelector = runSelector(this.release, runId);
    const jobs = await this.#batch.listNamespacedJob({ namespace, labelSelector }).catch((err: unknown) => {
      throw kubeError(err, `listing the Jobs of run ${runId}`);
    });
    for (const job of jobs.items) {
      await this.#batch
        .deleteNamespacedJob({ name: job.metadata!.name!, namespace, propagationPolicy: 'Background' })
        .catch((err: unknown) => {
          if ((err as { code?: number }).code !== 404)
            throw kubeError(err, `deleting Job ${job.metadata!.name}`);
        });
    }
    const secrets = await this.#core
      .listNamespacedSecret({ namespace, labelSelector })
      .catch(() => ({ items: [] }));
    for (const secret of secrets.items)
      await this.#core
        .deleteNamespacedSecret({ name: secret.metadata!.name!, namespace })
        .catch(() => undefined);
    const maps = await this.#core
      .listNamespacedConfigMap({ namespace, labelSelector })
      .catch(() => ({ items: [] }));
    for (const map of maps.items)
      await this.#core
        .deleteNamespacedConfigMap({ name: map.metadata!.name!, namespace })
        .catch(() => undefined);
  }

  #log(tracked: Tracked, lines: string[]): void {
    this.#remember(tracked, lines);
    tracked.sink.logs(lines);
  }

  #remember(tracked: Tracked, lines: string[]): void {
    tracked.logs.push(...lines);
    if (tracked.logs.length > LOG_RING) tracked.logs.splice(0, tracked.logs.length - LOG_RING);
  }

  /**
   * nb5 pods do not speak the runner link: their log is the only live word from them, so it is
   * followed (where the cluster serves pod logs) and streamed to the run's log.
   */
  #followLog(tracked: Tracked, pod: V1Pod): void {
    const name = pod.metadata?.name;
    if (!name || tracked.followed.has(name) || tracked.followed.size >= MAX_FOLLOWED_PODS) return;
    tracked.followed.add(name);
    let rest = '';
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        if (lines.length > 0) this.#log(tracked, lines);
        done();
      },
    });
    new Log(this.#kc)
      .log(tracked.namespace, name, pod.spec?.containers?.[0]?.name ?? 'nb5', sink, {
        follow: true,
        tailLines: 100,
      })
      .catch((err: unknown) => {
        // No kubelet serving logs (kwok) or no permission: the pod's log stays in the cluster.
        this.#remember(tracked, [`(the log of pod ${name} cannot be followed: ${(err as Error).message})`]);
      });
  }

  async #podLogs(namespace: string, runId: string, lines: number): Promise<string[]> {
    const pods = await this.#core.listNamespacedPod({
      namespace,
      labelSelector: runSelector(this.release, runId),
    });
    const out: string[] = [];
    for (const pod of pods.items) {
      const text = await this.#core.readNamespacedPodLog({
        name: pod.metadata!.name!,
        namespace,
        container: 'runner',
        tailLines: lines,
      });
      const podLines = String(text)
        .split('\n')
        .filter((l) => l !== '');
      out.push(...(pods.items.length > 1 ? podLines.map((l) => `[${pod.metadata!.name}] ${l}`) : podLines));
    }
    return out.slice(-lines);
  }

  // ---------- watches ----------

  async #ensureWatches(namespace: string): Promise<void> {
    if (this.#watches.length > 0) return;
    const labelSelector = `${LABEL.instance}=${this.release},${LABEL.managedBy}=benchpilot`;
    const warn = (message: string, fields?: Record<string, unknown>) => this.#warn(message, fields);
    this.#watches = [
      new ResyncingWatch({
        kc: this.#kc,
        path: `/api/v1/namespaces/${namespace}/pods`,
        labelSelector,
        list: () => this.#core.listNamespacedPod({ namespace, labelSelector }),
        handle: (type, obj) => this.#onPod(type, obj as V1Pod),
        warn,
      }),
      new ResyncingWatch({
        kc: this.#kc,
        path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
        labelSelector,
        list: () => this.#batch.listNamespacedJob({ namespace, labelSelector }),
        handle: (type, obj) => this.#onJob(type, obj as V1Job),
        warn,
      }),
    ];
    for (const watch of this.#watches) watch.start();
  }

  #onPod(type: string, pod: V1Pod): void {
    const runId = pod.metadata?.labels?.[LABEL.run];
    const tracked = runId ? this.#runs.get(runId) : undefined;
    if (!tracked) return;
    const name = pod.metadata?.name ?? '';
    const problem = podProblem(pod);
    if (problem && !tracked.reported.has(problem)) {
      tracked.reported.add(problem);
      this.#log(tracked, [problem]);
    }
    const link = tracked.run;
    if (link instanceof Nb5Run) {
      // nb5 Jobs end by their conditions; their pods only say why they could not run, and log.
      if (pod.status?.phase === 'Running') this.#followLog(tracked, pod);
      return;
    }
    const phase = phaseOf(pod) ?? link.currentStep.phase;
    const index = completionIndexOf(pod);
    if (tracked.ended.has(name)) return;
    if (type === 'DELETED') {
      tracked.ended.add(name);
      link.podEnded(phase, index, null, `pod ${name} was deleted before its runner reported an exit`);
      return;
    }
    const end = podEnd(pod);
    if (!end) return;
    tracked.ended.add(name);
    if (end.exit === null || end.exit.code !== 0) this.#log(tracked, [end.reason]);
    link.podEnded(phase, index, end.exit, end.reason);
  }

  #onJob(type: string, job: V1Job): void {
    const runId = job.metadata?.labels?.[LABEL.run];
    const tracked = runId ? this.#runs.get(runId) : undefined;
    if (!tracked) return;
    const link = tracked.run;
    if (link instanceof Nb5Run) {
      link.onJob(job);
      return;
    }
    if (jobPhase(job) !== link.currentStep.phase) return;
    const failure = jobFailure(job);
    if (failure && !tracked.reported.has(failure)) {
      tracked.reported.add(failure);
      this.#log(tracked, [failure]);
    }
    if (type === 'DELETED') {
      setTimeout(() => {
        if (!link.closed) link.endAll(`Job ${job.metadata?.name} was deleted`);
      }, 5000).unref();
    }
  }
}

/** One Job per setup phase (in order); a benchmark is one step. */
export function stepsOf(spec: RunSpec): RunStep[] {
  const pods = Math.max(1, spec.workers);
  if (spec.only.length > 1) return spec.only.map((phase) => ({ phase, only: [phase], pods: 1 }));
  const phase = spec.only[0] ?? spec.overrides.phase ?? 'all';
  return [{ phase, only: [...spec.only], pods }];
}

function jobPhase(job: V1Job): string | undefined {
  return job.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'BENCHPILOT_PHASE')?.value;
}

function targetOf(spec: RunSpec): string {
  return spec.target ?? '';
}

function workloadNameOf(spec: RunSpec, workload: { fileName: string }): string {
  return spec.workload ?? workload.fileName.replace(/\.ya?ml$/, '');
}

async function readWorkload(spec: RunSpec): Promise<{ fileName: string; text: string }> {
  try {
    return { fileName: basename(spec.workloadFile), text: await readFile(spec.workloadFile, 'utf8') };
  } catch (err) {
    throw new BenchpilotError(
      'BP_FILE_NOT_FOUND',
      `workload ${spec.workloadFile}: ${(err as Error).message}`,
    );
  }
}

function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (err) {
    throw new BenchpilotError(
      'BP_USAGE',
      `the Kubernetes executor cannot load ${file ? `the kubeconfig ${file}` : 'its cluster configuration (in-cluster, $KUBECONFIG or ~/.kube/config)'}: ${(err as Error).message}`,
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new BenchpilotError(
      'BP_USAGE',
      'the Kubernetes executor found no cluster: run it in a pod (in-cluster config), or set executor.kubernetes.kubeconfig or $KUBECONFIG',
    );
  }
  return kc;
}

/** Kubernetes API errors as typed errors a user can act on (403 names the missing permission). */
export function kubeError(err: unknown, what: string): BenchpilotError {
  if (err instanceof BenchpilotError) return err;
  const e = err as { code?: number; body?: unknown; message?: string };
  let detail = e.message ?? String(err);
  try {
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    if (body && typeof body === 'object' && 'message' in body)
      detail = String((body as { message: unknown }).message);
  } catch {
    // keep the message
  }
  if (e.code === 403) {
    return new BenchpilotError(
      'BP_KUBE_FORBIDDEN',
      `${what}: forbidden: ${detail}. The control plane's ServiceAccount needs the Role of docs/kubernetes.md in this namespace`,
    );
  }
  return new BenchpilotError('BP_KUBE_API', `${what}: ${detail}`);
}
