/**
 * Test helpers for the loopback Kubernetes control plane (scripts/kube/up.sh, docs/kube.md).
 *
 * - ensureKube(): the running control plane (KUBECONFIG + KUBECTL from scripts/test.sh) or a fresh one.
 * - createTestNamespace(): a unique namespace per test file, deleted by cleanup().
 * - FakeKubelet: kwok (scripts/kube/kwok-stages.yaml) keeps pods labelled `benchpilot.io/run`
 *   Running until they carry the annotation `kwok.benchpilot.io/exit-code`. FakeKubelet plays the
 *   kubelet for those pods: it resolves the first container's env like a kubelet, runs a local
 *   process for it, records its output, and sets the annotation to the process's exit code.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1Container,
  type V1EnvVar,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';

import { RUNNER_RBAC_RULES } from '../../src/executors/kubernetes/rbac.js';

const execFileP = promisify(execFile);

/** Repo root (this file is dist/test/helpers/kube.js once compiled, test/helpers/kube.ts in source). */
export const REPO_ROOT = findRepoRoot();

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'kube', 'up.sh')))
      return dir;
    dir = dirname(dir);
  }
  throw new Error('test/helpers/kube: cannot find the repo root (package.json + scripts/kube/up.sh)');
}

/** The label that marks runner pods; kwok leaves such pods Running until the exit-code annotation. */
export const RUN_LABEL = 'benchpilot.io/run';
/** Set on a run pod to end it: "0" → Succeeded, N → Failed with exit code N (see kwok-stages.yaml). */
export const EXIT_CODE_ANNOTATION = 'kwok.benchpilot.io/exit-code';
/** Optional terminated reason for a failed run pod (default Error), e.g. OOMKilled. */
export const REASON_ANNOTATION = 'kwok.benchpilot.io/reason';

// ---------------------------------------------------------------------------------------------------
// waitFor

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `p` at most `ms` (without leaving a timer behind). */
async function atMost(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `fn` every 100 ms until it returns a truthy value (returned), or throws after `timeoutMs`
 * with `what` and the last value or error in the message. Errors thrown by `fn` count as "not yet".
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}

// ---------------------------------------------------------------------------------------------------
// ensureKube

export interface KubeEnv {
  /** kubectl of the same version as the server. */
  kubectl: string;
  /** Admin kubeconfig (group system:masters). */
  kubeconfig: string;
}

async function readyz(kubectl: string, kubeconfig: string): Promise<boolean> {
  try {
    const { stdout } = await execFileP(
      kubectl,
      ['--kubeconfig', kubeconfig, '--request-timeout=5s', 'get', '--raw', '/readyz'],
      { timeout: 10_000 },
    );
    return stdout.trim() === 'ok';
  } catch {
    return false;
  }
}

let ensured: Promise<KubeEnv> | undefined;

/**
 * The control plane to test against: KUBECONFIG + KUBECTL from the environment when that apiserver
 * answers /readyz (scripts/test.sh exports them), else `bash scripts/kube/up.sh` (reuses a running
 * one; builds the binaries on a cold machine, ~14 min) and its last two lines; throws at once
 * with BENCHPILOT_KUBE_ERROR when scripts/test.sh could not start it. Sets
 * process.env.KUBECONFIG / KUBECTL to the result. A control plane started here is left running.
 */
export function ensureKube(): Promise<KubeEnv> {
  ensured ??= ensureKubeOnce().catch((err: unknown) => {
    ensured = undefined;
    throw err;
  });
  return ensured;
}

async function ensureKubeOnce(): Promise<KubeEnv> {
  // scripts/test.sh sets this when its kube:up failed: fail at once instead of trying again.
  if (process.env.BENCHPILOT_KUBE_ERROR) throw new Error(process.env.BENCHPILOT_KUBE_ERROR);
  const { KUBECONFIG: kubeconfig, KUBECTL: kubectl } = process.env;
  if (kubeconfig && kubectl && (await readyz(kubectl, kubeconfig))) return { kubectl, kubeconfig };
  let stdout: string;
  try {
    ({ stdout } = await execFileP('bash', [join(REPO_ROOT, 'scripts', 'kube', 'up.sh')], {
      cwd: REPO_ROOT,
      timeout: 40 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`scripts/kube/up.sh failed: ${e.message}\n${tail}`);
  }
  const lines = stdout.trim().split('\n');
  const env: Partial<KubeEnv> = {};
  for (const line of lines.slice(-2)) {
    if (line.startsWith('KUBECTL=')) env.kubectl = line.slice('KUBECTL='.length);
    if (line.startsWith('KUBECONFIG=')) env.kubeconfig = line.slice('KUBECONFIG='.length);
  }
  if (!env.kubectl || !env.kubeconfig) {
    throw new Error(
      `scripts/kube/up.sh did not end with KUBECTL=… KUBECONFIG=…:\n${lines.slice(-5).join('\n')}`,
    );
  }
  process.env.KUBECTL = env.kubectl;
  process.env.KUBECONFIG = env.kubeconfig;
  return env as KubeEnv;
}

/** A KubeConfig loaded from the given kubeconfig file. */
export function kubeConfig(kubeconfigPath: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

// ---------------------------------------------------------------------------------------------------
// namespaces

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

export interface TestNamespace {
  name: string;
  /** Deletes the namespace (propagation Background; does not wait for it to be gone). */
  cleanup(): Promise<void>;
}

/**
 * Creates a namespace `<prefix>-<random>` and waits for its `default` ServiceAccount (pods need
 * it). `restricted: true` labels it `pod-security.kubernetes.io/enforce=restricted` (version latest).
 */
export async function createTestNamespace(
  kc: KubeConfig,
  prefix: string,
  options: { restricted?: boolean } = {},
): Promise<TestNamespace> {
  const core = kc.makeApiClient(CoreV1Api);
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  const name = `${base || 'test'}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
  const labels: Record<string, string> = { 'benchpilot.io/test': 'true' };
  if (options.restricted) {
    labels['pod-security.kubernetes.io/enforce'] = 'restricted';
    labels['pod-security.kubernetes.io/enforce-version'] = 'latest';
  }
  await core.createNamespace({ body: { metadata: { name, labels } } });
  await waitFor(
    () => core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
    30_000,
    `ServiceAccount default in namespace ${name}`,
  );
  return {
    name,
    async cleanup() {
      try {
        await core.deleteNamespace({ name, propagationPolicy: 'Background' });
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// FakeKubelet

export interface FakeCommand {
  file: string;
  args: string[];
  /** Default: the repo root. */
  cwd?: string;
  /** Replaces the process environment (default: PATH, HOME, TMPDIR, HOSTNAME + the container's env). */
  env?: Record<string, string>;
}

export type CommandFn = (
  pod: V1Pod,
  container: V1Container,
  env: Record<string, string>,
) => FakeCommand | null | undefined;

export interface FakeKubeletOptions {
  /**
   * Which local process stands in for the pod's first container (null: leave the pod alone).
   * Default: a container whose image contains 'benchpilot' runs `node bin/benchpilot.js <args>`.
   */
  command?: CommandFn;
  /** Label selector of the pods to handle (default `benchpilot.io/run`, i.e. the label exists). */
  labelSelector?: string;
  /** Grace period between SIGTERM and SIGKILL when a pod is deleted (default 5000 ms). */
  killGraceMs?: number;
  /** Server-side timeout of each watch request; the watch is then re-listed (default 300 s). */
  watchTimeoutSeconds?: number;
  /** Echo every process line to stderr prefixed with the pod name (default: BENCHPILOT_KUBE_DEBUG=1). */
  echo?: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr' | 'kubelet';
  line: string;
}

interface PodProcess {
  uid: string;
  child?: ChildProcess;
  lines: LogLine[];
  exit?: Promise<number>;
  killTimer?: NodeJS.Timeout;
  deleted: boolean;
}

const MAX_LINES = 20_000;

/** The default `command`: containers whose image contains 'benchpilot' run this repo's CLI. */
export const benchpilotCommand: CommandFn = (_pod, container) =>
  container.image?.includes('benchpilot')
    ? { file: process.execPath, args: [join(REPO_ROOT, 'bin', 'benchpilot.js'), ...(container.args ?? [])] }
    : null;

/**
 * Stands in for the kubelet for pods labelled `benchpilot.io/run` in one namespace: runs a local
 * process per pod once kwok reports it Running, and ends the pod (through kwok) with the process's
 * exit code. Call start() before creating pods and stop() in after().
 */
export class FakeKubelet {
  /** Names of the pods a process was started for, in start order. */
  readonly started: string[] = [];
  /** Pod name → exit code reported (signal → 137; env resolution error → 1). */
  readonly exitCodes = new Map<string, number>();
  /** Errors of the watch / patch machinery (not of the processes), for assertions and debugging. */
  readonly errors: string[] = [];
  /** How many times the pods were listed (1 at start, then once after each watch ended). */
  lists = 0;

  private readonly core: CoreV1Api;
  private readonly command: CommandFn;
  private readonly labelSelector: string;
  private readonly killGraceMs: number;
  private readonly echo: boolean;
  private readonly watchTimeoutSeconds: number;
  private readonly pods = new Map<string, PodProcess>();
  private watchAbort: AbortController | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private watchEnded: (() => void) | undefined;

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
    options: FakeKubeletOptions = {},
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.command = options.command ?? benchpilotCommand;
    this.labelSelector = options.labelSelector ?? RUN_LABEL;
    this.killGraceMs = options.killGraceMs ?? 5000;
    this.echo = options.echo ?? process.env.BENCHPILOT_KUBE_DEBUG === '1';
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
  }

  /** Lists the pods and starts watching; resolves once the first list was handled. */
  async start(): Promise<void> {
    if (this.running) throw new Error('FakeKubelet already started');
    const rv = await this.relist();
    this.running = this.loop(rv);
  }

  /** Kills every process (SIGKILL), waits for them to exit and stops the watch. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watchAbort?.abort();
    this.watchEnded?.();
    const exits: Promise<number>[] = [];
    for (const p of this.pods.values()) {
      if (p.killTimer) clearTimeout(p.killTimer);
      if (p.child && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      if (p.exit) exits.push(p.exit);
    }
    await atMost(Promise.allSettled(exits), 10_000);
    await this.running;
  }

  /** stdout + stderr lines of the pod's process (and FakeKubelet's own notes), in arrival order. */
  logsOf(podName: string): string[] {
    return (this.pods.get(podName)?.lines ?? []).map((l) => l.line);
  }

  /** Like logsOf, with the stream of each line. */
  linesOf(podName: string): LogLine[] {
    return [...(this.pods.get(podName)?.lines ?? [])];
  }

  /** Resolves with the started pod names once at least `n` processes were started. */
  async waitForPods(n: number, timeoutMs = 30_000): Promise<string[]> {
    await waitFor(() => this.started.length >= n, timeoutMs, `${n} pod process(es) in ${this.namespace}`);
    return [...this.started];
  }

  /** Resolves with the pod's exit code once its process ended (and the annotation was written). */
  waitForExit(podName: string, timeoutMs = 30_000): Promise<number> {
    return waitFor(
      () => (this.exitCodes.has(podName) ? { code: this.exitCodes.get(podName)! } : null),
      timeoutMs,
      `exit of pod ${this.namespace}/${podName}`,
    ).then((r) => r.code);
  }

  // --- watch ---------------------------------------------------------------------------------------

  private async relist(): Promise<string> {
    const list = await this.core.listNamespacedPod({
      namespace: this.namespace,
      labelSelector: this.labelSelector,
    });
    this.lists++;
    const seen = new Set<string>();
    for (const pod of list.items) {
      seen.add(pod.metadata?.name ?? '');
      this.onPod(pod);
    }
    // Pods deleted while we were not watching.
    for (const [name, p] of this.pods) if (!seen.has(name)) this.onDeleted(name, p.uid);
    return list.metadata?.resourceVersion ?? '';
  }

  private async loop(initialRv: string): Promise<void> {
    let rv = initialRv;
    let failures = 0;
    while (!this.stopped) {
      const err = await this.watchOnce(rv);
      if (this.stopped) break;
      if (err) {
        failures++;
        this.errors.push(`watch: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(Math.min(2000, 100 * failures));
      }
      if (this.stopped) break;
      try {
        rv = await this.relist();
        failures = 0;
      } catch (listErr) {
        failures++;
        this.errors.push(`list: ${listErr instanceof Error ? listErr.message : String(listErr)}`);
        await sleep(Math.min(2000, 100 * failures));
        rv = '';
      }
    }
  }

  /** One watch from `rv`; resolves when it ends (null: closed normally or by a 410 Gone). */
  private watchOnce(rv: string): Promise<unknown> {
    return new Promise<unknown>((resolve) => {
      let settled = false;
      const finish = (err: unknown) => {
        if (settled) return;
        settled = true;
        this.watchEnded = undefined;
        resolve(err);
      };
      this.watchEnded = () => finish(null);
      new Watch(this.kc)
        .watch(
          `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`,
          {
            labelSelector: this.labelSelector,
            resourceVersion: rv || undefined,
            timeoutSeconds: this.watchTimeoutSeconds,
          },
          (type: string, obj: V1Pod) => {
            if (type === 'ADDED' || type === 'MODIFIED') this.onPod(obj);
            else if (type === 'DELETED') this.onDeleted(obj.metadata?.name ?? '', obj.metadata?.uid ?? '');
            // ERROR (e.g. 410 Gone): the server closes the stream; done() follows and we re-list.
          },
          (err: unknown) => finish(this.stopped ? null : err),
        )
        .then((abort) => {
          this.watchAbort = abort;
          if (this.stopped) abort.abort();
        })
        .catch(finish);
    });
  }

  // --- pods ----------------------------------------------------------------------------------------

  private onPod(pod: V1Pod): void {
    const name = pod.metadata?.name;
    const uid = pod.metadata?.uid ?? '';
    if (!name || this.stopped) return;
    const known = this.pods.get(name);
    if (known && known.uid !== uid) {
      // Same name, new pod: the old one is gone.
      this.onDeleted(name, known.uid);
      this.pods.delete(name);
    }
    if (pod.metadata?.deletionTimestamp) {
      this.onDeleted(name, uid);
      return;
    }
    if (this.pods.has(name) || pod.status?.phase !== 'Running') return;
    if (pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION] !== undefined) return; // already ended
    const p: PodProcess = { uid, lines: [], deleted: false };
    this.pods.set(name, p);
    this.launch(pod, p).catch((err: unknown) => this.errors.push(`${name}: ${String(err)}`));
  }

  private onDeleted(name: string, uid: string): void {
    const p = this.pods.get(name);
    if (!p || (uid && p.uid !== uid) || p.deleted) return;
    p.deleted = true;
    const child = p.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.note(name, p, 'pod deleted: SIGTERM');
    child.kill('SIGTERM');
    p.killTimer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        this.note(name, p, `still running ${this.killGraceMs} ms after SIGTERM: SIGKILL`);
        child.kill('SIGKILL');
      }
    }, this.killGraceMs);
  }

  private note(name: string, p: PodProcess, line: string): void {
    this.push(name, p, { stream: 'kubelet', line: `[fake-kubelet] ${line}` });
  }

  private push(name: string, p: PodProcess, l: LogLine): void {
    if (p.lines.length >= MAX_LINES) p.lines.shift();
    p.lines.push(l);
    if (this.echo) process.stderr.write(`[${name}] ${l.line}\n`);
  }

  private async launch(pod: V1Pod, p: PodProcess): Promise<void> {
    const name = pod.metadata!.name!;
    const container = pod.spec?.containers?.[0];
    if (!container) return;
    let env: Record<string, string>;
    try {
      env = await resolveEnv(this.core, pod, container);
    } catch (err) {
      // A real kubelet would leave the container waiting (CreateContainerConfigError); failing the pod
      // makes a test see it at once.
      this.note(name, p, `CreateContainerConfigError: ${err instanceof Error ? err.message : String(err)}`);
      await this.finish(pod, p, 1, 'CreateContainerConfigError');
      return;
    }
    if (p.deleted || this.stopped) return;
    const cmd = this.command(pod, container, env);
    if (!cmd) return;
    const args = cmd.args.map((a) => expandVars(a, env));
    const processEnv = cmd.env ?? {
      ...pick(process.env, ['PATH', 'HOME', 'TMPDIR']),
      HOSTNAME: pod.spec?.hostname ?? name,
      ...env,
    };
    const child = spawn(cmd.file, args, {
      cwd: cmd.cwd ?? REPO_ROOT,
      env: processEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.child = child;
    this.started.push(name);
    const streams: Promise<void>[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rl = createInterface({ input: child[stream]! });
      rl.on('line', (line) => this.push(name, p, { stream, line }));
      streams.push(new Promise((resolve) => rl.once('close', () => resolve())));
    }
    p.exit = new Promise<number>((resolve) => {
      child.once('error', (err) => {
        this.note(name, p, `spawn ${cmd.file} failed: ${err.message}`);
        resolve(127);
      });
      child.once('close', (code, signal) => resolve(signal ? 137 : (code ?? 1)));
    }).then(async (code) => {
      if (p.killTimer) clearTimeout(p.killTimer);
      await atMost(Promise.all(streams), 1000);
      await this.finish(pod, p, code);
      return code;
    });
  }

  private async finish(pod: V1Pod, p: PodProcess, code: number, reason?: string): Promise<void> {
    const name = pod.metadata!.name!;
    this.note(name, p, `exit code ${code}`);
    if (!p.deleted && !this.stopped) {
      const annotations: Record<string, string> = { [EXIT_CODE_ANNOTATION]: String(code) };
      if (reason) annotations[REASON_ANNOTATION] = reason;
      try {
        await this.core.patchNamespacedPod(
          { name, namespace: this.namespace, body: { metadata: { annotations } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      } catch (err) {
        if (statusCode(err) !== 404) this.errors.push(`annotate ${name}: ${String(err)}`);
      }
    }
    this.exitCodes.set(name, code);
  }
}

function pick(src: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = src[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// env resolution (what the kubelet does for a container's env and envFrom)

/**
 * Kubelet's `$(VAR)` expansion: a defined VAR is replaced, `$$` is a literal `$`, anything else
 * (an undefined VAR, a lone `$`) stays as written.
 */
export function expandVars(input: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += Object.hasOwn(env, name) ? env[name] : input.slice(i, close + 1);
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** Value of a downward-API fieldPath the kubelet supports for env. */
export function fieldPathValue(pod: V1Pod, fieldPath: string): string {
  const m = /^metadata\.(labels|annotations)\[['"]?(.+?)['"]?\]$/.exec(fieldPath);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[m[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    default:
      throw new Error(`unsupported fieldRef fieldPath ${fieldPath}`);
  }
}

/**
 * The container's environment as a kubelet builds it: `envFrom` (ConfigMaps and Secrets, with
 * prefix) first, then `env` in order (value with `$(VAR)` expansion, secretKeyRef, configMapKeyRef,
 * fieldRef). Missing non-optional Secrets/ConfigMaps/keys throw. resourceFieldRef is not supported.
 */
export async function resolveEnv(
  core: CoreV1Api,
  pod: V1Pod,
  container: V1Container,
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const secrets = new Map<string, Promise<Record<string, string> | null>>();
  const configMaps = new Map<string, Promise<Record<string, string> | null>>();
  const secret = (name: string) => {
    let p = secrets.get(name);
    if (!p) {
      p = core.readNamespacedSecret({ name, namespace }).then(
        (s) =>
          Object.fromEntries(
            Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
          ),
        (err: unknown) => {
          if (statusCode(err) === 404) return null;
          throw err;
        },
      );
      secrets.set(name, p);
    }
    return p;
  };
  const configMap = (name: string) => {
    let p = configMaps.get(name);
    if (!p) {
      p = core.readNamespacedConfigMap({ name, namespace }).then(
        (c) => ({ ...(c.data ?? {}) }),
        (err: unknown) => {
          if (statusCode(err) === 404) return null;
          throw err;
        },
      );
      configMaps.set(name, p);
    }
    return p;
  };

  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const data = await configMap(from.configMapRef.name!);
      if (!data && !from.configMapRef.optional)
        throw new Error(`configmap "${from.configMapRef.name}" not found`);
      for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
    }
    if (from.secretRef) {
      const data = await secret(from.secretRef.name!);
      if (!data && !from.secretRef.optional) throw new Error(`secret "${from.secretRef.name}" not found`);
      for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
    }
  }
  for (const e of container.env ?? []) {
    const value = await envValue(e, pod, env, secret, configMap);
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

async function envValue(
  e: V1EnvVar,
  pod: V1Pod,
  env: Record<string, string>,
  secret: (name: string) => Promise<Record<string, string> | null>,
  configMap: (name: string) => Promise<Record<string, string> | null>,
): Promise<string | undefined> {
  const from = e.valueFrom;
  if (!from) return expandVars(e.value ?? '', env);
  if (from.fieldRef) return fieldPathValue(pod, from.fieldRef.fieldPath);
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const kind = from.secretKeyRef ? 'secret' : 'configmap';
    const data = await (from.secretKeyRef ? secret(ref.name!) : configMap(ref.name!));
    const value = data?.[ref.key];
    if (value !== undefined) return value;
    if (ref.optional) return undefined;
    throw new Error(
      data ? `couldn't find key ${ref.key} in ${kind} ${ref.name}` : `${kind} "${ref.name}" not found`,
    );
  }
  throw new Error(`env ${e.name}: unsupported valueFrom ${JSON.stringify(from)}`);
}

// ---------------------------------------------------------------------------------------------------
// the control plane's ServiceAccount

/** A kubeconfig whose user is a ServiceAccount bound to a Role with exactly RUNNER_RBAC_RULES. */
export async function serviceAccountKubeconfig(
  admin: KubeConfig,
  namespace: string,
  file: string,
): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'benchpilot' } } });
  await rbac.createNamespacedRole({
    namespace,
    body: { metadata: { name: 'benchpilot' }, rules: [...RUNNER_RBAC_RULES] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'benchpilot' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'benchpilot' },
      subjects: [{ kind: 'ServiceAccount', name: 'benchpilot', namespace }],
    },
  });
  const request = await core.createNamespacedServiceAccountToken({
    name: 'benchpilot',
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster()!;
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: test`,
      '  cluster:',
      `    server: ${cluster.server}`,
      `    certificate-authority: ${cluster.caFile}`,
      'users:',
      '- name: benchpilot',
      '  user:',
      `    token: ${request.status!.token}`,
      'contexts:',
      '- name: test',
      '  context: { cluster: test, user: benchpilot, namespace: ' + namespace + ' }',
      'current-context: test',
      '',
    ].join('\n'),
  );
}
