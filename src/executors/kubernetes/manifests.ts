/**
 * Pure builders of the Kubernetes objects the executor creates: names, labels, the restricted
 * security settings every pod gets, the runner Job and its per-run Secret. No API calls here;
 * docs/kubernetes.md ("Job manifests") describes the result.
 */
import { createHash } from 'node:crypto';
import type {
  V1Container,
  V1EnvVar,
  V1Job,
  V1ObjectMeta,
  V1PodFailurePolicy,
  V1PodSecurityContext,
  V1PodSpec,
  V1ResourceRequirements,
  V1Secret,
  V1SecurityContext,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { BenchpilotError, EXIT_CODES } from '../../protocol/errors.js';

const MAX_NAME = 63;
/**
 * Job names stay shorter than a DNS label: an Indexed Job's pods get the hostname
 * `<job name>-<index>`, which must itself fit in 63 characters.
 */
export const MAX_JOB_NAME = 52;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/** A DNS-1123 label of at most `max` characters; see dnsName. */
export function dnsNameWithin(max: number, ...parts: string[]): string {
  const full = parts.join('-');
  const name = full
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name === '') return shortHash(full);
  if (name.length <= max) return name;
  // Truncated names keep a hash of the whole input, so two long names that share a prefix differ.
  const head = name.slice(0, max - 7).replace(/-+$/, '');
  return `${head}-${shortHash(full)}`;
}

/**
 * A DNS-1123 label (object names, e.g. Secrets and ConfigMaps): lowercase, `[a-z0-9-]`, no `-`
 * at either end, at most 63 characters; too long → truncated + `-` + 6 hex chars of a hash.
 */
export function dnsName(...parts: string[]): string {
  return dnsNameWithin(MAX_NAME, ...parts);
}

/** A valid label value: at most 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends (or empty). */
export function labelValue(text: string): string {
  const value = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (value.length <= MAX_NAME) return value;
  const head = value.slice(0, MAX_NAME - 7).replace(/[^A-Za-z0-9]+$/, '');
  return `${head}-${shortHash(text)}`;
}

export type BenchpilotComponent = 'runner' | 'setup' | 'nosqlbench';

export interface LabelInputs {
  readonly release: string;
  readonly component: BenchpilotComponent;
  readonly runId: string;
  /** Omitted for objects that belong to a whole run (the runner Secret). */
  readonly phase?: string;
  readonly target?: string;
  readonly attempt?: number;
}

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  run: 'benchpilot.io/run',
  phase: 'benchpilot.io/phase',
  target: 'benchpilot.io/target',
  attempt: 'benchpilot.io/attempt',
} as const;

/** The labels on every object benchpilot creates (Jobs, their pod templates, Secrets, ConfigMaps). */
export function benchpilotLabels(inputs: LabelInputs): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.name]: 'benchpilot',
    [LABEL.instance]: labelValue(inputs.release),
    [LABEL.component]: inputs.component,
    [LABEL.managedBy]: 'benchpilot',
    [LABEL.partOf]: 'benchpilot',
    [LABEL.run]: labelValue(inputs.runId),
  };
  if (inputs.phase !== undefined) labels[LABEL.phase] = labelValue(inputs.phase);
  if (inputs.target !== undefined) labels[LABEL.target] = labelValue(inputs.target);
  labels[LABEL.attempt] = String(inputs.attempt ?? 1);
  return labels;
}

/** `key=value,…` for a list/watch labelSelector: every object of one run in one release. */
export function runSelector(release: string, runId: string): string {
  return `${LABEL.instance}=${labelValue(release)},${LABEL.run}=${labelValue(runId)}`;
}

// ---- Pod Security "restricted" -------------------------------------------------------------

/** The fixed non-root ids (outside OpenShift, whose restricted-v2 SCC assigns its own). */
export const RUN_AS_ID = 10001;

export function restrictedPodSecurityContext(openshift: boolean): V1PodSecurityContext {
  const ids = openshift ? {} : { runAsUser: RUN_AS_ID, runAsGroup: RUN_AS_ID, fsGroup: RUN_AS_ID };
  return { runAsNonRoot: true, ...ids, seccompProfile: { type: 'RuntimeDefault' } };
}

export function restrictedContainerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
  };
}

/** A writable /tmp on a read-only root filesystem. */
export function emptyDirVolume(name: string): V1Volume {
  return { name, emptyDir: {} };
}

export const TMP_VOLUME: V1Volume = emptyDirVolume('tmp');
export const TMP_MOUNT: V1VolumeMount = { name: 'tmp', mountPath: '/tmp' };

/** Settings shared by every benchpilot pod: no API token, no service env links, never restarted. */
export function restrictedPodSpec(opts: {
  openshift: boolean;
  containers: V1Container[];
  volumes: V1Volume[];
  nodeSelector?: Record<string, string> | undefined;
  tolerations?: V1Toleration[] | undefined;
  /** Names of Secrets to pull the image with (private registries). */
  imagePullSecrets?: readonly string[] | undefined;
}): V1PodSpec {
  const spec: V1PodSpec = {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(opts.openshift),
    containers: opts.containers,
    volumes: opts.volumes,
  };
  if (opts.nodeSelector && Object.keys(opts.nodeSelector).length > 0) spec.nodeSelector = opts.nodeSelector;
  if (opts.tolerations && opts.tolerations.length > 0) spec.tolerations = opts.tolerations;
  if (opts.imagePullSecrets && opts.imagePullSecrets.length > 0)
    spec.imagePullSecrets = opts.imagePullSecrets.map((name) => ({ name }));
  return spec;
}

const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/**
 * What in a pod spec would fail Pod Security "restricted" (latest), plus our own rule of a
 * read-only root filesystem; empty when it passes. A self-check for tests and before creating.
 */
export function podSecurityViolations(pod: V1PodSpec): string[] {
  const problems: string[] = [];
  const podContext = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push('host namespaces');
  for (const volume of pod.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    if (!types.every((type) => RESTRICTED_VOLUME_TYPES.has(type))) {
      problems.push(`volume ${volume.name}: ${types.join(',')}`);
    }
  }
  if (podContext.runAsUser === 0) problems.push('pod: runAsUser 0');
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const context = c.securityContext ?? {};
    if (context.privileged) problems.push(`${c.name}: privileged`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation`);
    if (!(context.capabilities?.drop ?? []).includes('ALL'))
      problems.push(`${c.name}: capabilities.drop ALL`);
    const added = (context.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) problems.push(`${c.name}: capabilities.add ${added.join(',')}`);
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${c.name}: runAsNonRoot`);
    if (context.runAsUser === 0) problems.push(`${c.name}: runAsUser 0`);
    const seccomp = (context.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${c.name}: seccompProfile`);
    if ((c.ports ?? []).some((port) => port.hostPort)) problems.push(`${c.name}: hostPort`);
    if (context.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem`);
  }
  return problems;
}

/**
 * Rules in order (the first match wins): a pod evicted by a drain, preemption or API-initiated
 * eviction does not count against backoffLimit, whatever its exit code; then the listed exit
 * codes of `container` fail the Job at once (the process's own verdict is not retried).
 */
export function verdictFailurePolicy(
  container: string,
  exitCodes: { operator: 'In' | 'NotIn'; values: number[] },
): V1PodFailurePolicy {
  return {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: container, ...exitCodes } },
    ],
  };
}

// ---- the runner Job -------------------------------------------------------------------------

/** What a runner's exit code means (the same codes as `benchpilot run`). */
export const RUNNER_EXIT_CODES = EXIT_CODES;

export const RUNNER_EXIT_MEANINGS: Readonly<Record<number, string>> = {
  [EXIT_CODES.ok]: 'the phase finished and every threshold held',
  [EXIT_CODES.internal]: 'internal error in the runner (a bug)',
  [EXIT_CODES.cannotRun]: 'the phase could not run (bad workload, unreachable target, failed phase)',
  [EXIT_CODES.thresholdsFailed]: 'the phase finished but a threshold did not hold',
};

export function runnerExitMeaning(code: number): string {
  return (
    RUNNER_EXIT_MEANINGS[code] ?? `killed or crashed (exit code ${code}; 137 = SIGKILL, e.g. out of memory)`
  );
}

export const RUNNER_CONTAINER = 'runner';
export const RUNNER_TOKEN_KEY = 'BENCHPILOT_RUNNER_TOKEN';
const RESERVED_ENV = new Set([
  'BENCHPILOT_URL',
  'BENCHPILOT_RUN_ID',
  'BENCHPILOT_PHASE',
  'BENCHPILOT_PARTITION_COUNT',
  RUNNER_TOKEN_KEY,
  'JOB_COMPLETION_INDEX',
]);

export interface RunnerJobOptions {
  readonly namespace: string;
  readonly release: string;
  readonly runId: string;
  readonly phase: string;
  readonly target: string;
  readonly kind: 'setup' | 'benchmark';
  /** 1 for the first Job of a phase; a replacement Job gets the next number. */
  readonly attempt?: number;
  readonly image: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Pods. More than 1 makes an Indexed Job: each pod runs partition JOB_COMPLETION_INDEX of N. */
  readonly parallelism: number;
  /** The WebSocket URL the runner dials (no credentials in it: the token comes from the Secret). */
  readonly controlPlaneUrl: string;
  /** The per-run Secret (runnerSecret) holding BENCHPILOT_RUNNER_TOKEN and secretEnvKeys. */
  readonly secretName: string;
  /** Keys of that Secret exposed to the runner as environment variables of the same name. */
  readonly secretEnvKeys: readonly string[];
  readonly resources: V1ResourceRequirements;
  readonly backoffLimit: number;
  /** Applied to setup Jobs only (a benchmark runs until the control plane stops it); null = none. */
  readonly activeDeadlineSeconds: number | null;
  readonly ttlSecondsAfterFinished: number | null;
  readonly openshift: boolean;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: V1Toleration[];
  readonly imagePullSecrets?: readonly string[];
}

function invalid(message: string): BenchpilotError {
  return new BenchpilotError('BP_SPEC_INVALID_VALUE', message);
}

export function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw invalid(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkControlPlaneUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`controlPlaneUrl is not a URL: ${JSON.stringify(text)}`);
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
    throw invalid(`controlPlaneUrl must be a ws:// or wss:// URL, got ${url.protocol}`);
  }
  // The URL is visible in the pod spec: a credential there would leak to anyone who can read pods.
  if (url.username || url.password || /token|secret|password/i.test(url.search)) {
    throw invalid('controlPlaneUrl must not carry credentials; the runner token comes from the Secret');
  }
}

/** `bp-<run>-<phase>`, `-a<attempt>` from the second attempt on. */
export function runnerJobName(runId: string, phase: string, attempt = 1): string {
  return attempt > 1
    ? dnsNameWithin(MAX_JOB_NAME, 'bp', runId, phase, `a${attempt}`)
    : dnsNameWithin(MAX_JOB_NAME, 'bp', runId, phase);
}

export function runnerJob(opts: RunnerJobOptions): V1Job {
  const attempt = opts.attempt ?? 1;
  checkCount('attempt', attempt, 1);
  checkCount('parallelism', opts.parallelism, 1);
  checkCount('backoffLimit', opts.backoffLimit, 0);
  checkControlPlaneUrl(opts.controlPlaneUrl);
  for (const key of opts.secretEnvKeys) {
    if (!ENV_NAME.test(key)) throw invalid(`secret env key ${JSON.stringify(key)} is not an env var name`);
    if (RESERVED_ENV.has(key)) throw invalid(`secret env key ${key} is reserved for benchpilot`);
  }
  if (new Set(opts.secretEnvKeys).size !== opts.secretEnvKeys.length) {
    throw invalid('secretEnvKeys has a key twice');
  }

  const labels = benchpilotLabels({
    release: opts.release,
    component: opts.kind === 'setup' ? 'setup' : 'runner',
    runId: opts.runId,
    phase: opts.phase,
    target: opts.target,
    attempt,
  });
  const fromSecret = (name: string): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: opts.secretName, key: name } },
  });
  const env: V1EnvVar[] = [
    { name: 'BENCHPILOT_URL', value: opts.controlPlaneUrl },
    { name: 'BENCHPILOT_RUN_ID', value: opts.runId },
    { name: 'BENCHPILOT_PHASE', value: opts.phase },
    { name: 'BENCHPILOT_PARTITION_COUNT', value: String(opts.parallelism) },
    fromSecret(RUNNER_TOKEN_KEY),
    ...opts.secretEnvKeys.map(fromSecret),
  ];
  const container: V1Container = {
    name: RUNNER_CONTAINER,
    image: opts.image,
    ...(opts.imagePullPolicy ? { imagePullPolicy: opts.imagePullPolicy } : {}),
    args: ['runner', '--connect'],
    env,
    resources: opts.resources,
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [TMP_MOUNT],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const indexed = opts.parallelism > 1;
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: runnerJobName(opts.runId, opts.phase, attempt),
      namespace: opts.namespace,
      labels,
    },
    spec: {
      completionMode: indexed ? 'Indexed' : 'NonIndexed',
      completions: opts.parallelism,
      parallelism: opts.parallelism,
      backoffLimit: opts.backoffLimit,
      // Required with a podFailurePolicy: a replacement pod starts only once the old one is gone,
      // so two pods never run the same partition.
      podReplacementPolicy: 'Failed',
      podFailurePolicy: verdictFailurePolicy(RUNNER_CONTAINER, {
        operator: 'In',
        values: [EXIT_CODES.internal, EXIT_CODES.cannotRun, EXIT_CODES.thresholdsFailed],
      }),
      template: {
        metadata: { labels },
        spec: restrictedPodSpec({
          openshift: opts.openshift,
          containers: [container],
          volumes: [TMP_VOLUME],
          nodeSelector: opts.nodeSelector,
          tolerations: opts.tolerations,
          imagePullSecrets: opts.imagePullSecrets,
        }),
      },
    },
  };
  if (opts.kind === 'setup' && opts.activeDeadlineSeconds !== null) {
    checkCount('activeDeadlineSeconds', opts.activeDeadlineSeconds, 1);
    job.spec!.activeDeadlineSeconds = opts.activeDeadlineSeconds;
  }
  if (opts.ttlSecondsAfterFinished !== null) {
    checkCount('ttlSecondsAfterFinished', opts.ttlSecondsAfterFinished, 0);
    job.spec!.ttlSecondsAfterFinished = opts.ttlSecondsAfterFinished;
  }
  return job;
}

// ---- the per-run Secret ---------------------------------------------------------------------

export interface RunnerSecretOptions {
  readonly namespace: string;
  readonly release: string;
  readonly runId: string;
  readonly target?: string;
  readonly token: string;
  /** Secret environment variables of the runner (target credentials), by name. */
  readonly env: Readonly<Record<string, string>>;
}

export function runnerSecretName(runId: string): string {
  return dnsName('bp', runId, 'runner');
}

export function runnerSecret(opts: RunnerSecretOptions): V1Secret {
  if (opts.token === '') throw invalid('the runner token is empty');
  const data: Record<string, string> = {
    [RUNNER_TOKEN_KEY]: Buffer.from(opts.token, 'utf8').toString('base64'),
  };
  for (const [key, value] of Object.entries(opts.env)) {
    if (!ENV_NAME.test(key)) throw invalid(`secret env key ${JSON.stringify(key)} is not an env var name`);
    if (RESERVED_ENV.has(key)) throw invalid(`secret env key ${key} is reserved for benchpilot`);
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: runnerSecretName(opts.runId),
      namespace: opts.namespace,
      labels: benchpilotLabels({
        release: opts.release,
        component: 'runner',
        runId: opts.runId,
        ...(opts.target === undefined ? {} : { target: opts.target }),
      }),
    },
    data,
  };
}

/**
 * A copy of `obj` owned by the Job: deleting the Job (or its TTL) garbage-collects it.
 * No blockOwnerDeletion: that would need update on jobs/finalizers, which the Role does not grant.
 */
export function withOwner<T extends { metadata?: V1ObjectMeta }>(
  obj: T,
  job: { readonly name: string; readonly uid: string },
): T {
  const existing = (obj.metadata?.ownerReferences ?? []).filter((ref) => ref.uid !== job.uid);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      ownerReferences: [...existing, { apiVersion: 'batch/v1', kind: 'Job', name: job.name, uid: job.uid }],
    },
  };
}
