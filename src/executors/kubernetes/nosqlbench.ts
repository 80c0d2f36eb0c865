/**
 * The NoSQLBench engine on Kubernetes: the nb5 command line (an args array, never a shell), the
 * ConfigMap holding the workload YAML, the Job that runs `nosqlbench/nosqlbench`, the Job that
 * replaces it when the throughput changes, and reading nb5's pushed timers back.
 * docs/engines/nosqlbench.md explains each choice; ../shared/FACTS.md has the nb5 facts.
 */
import type {
  V1ConfigMap,
  V1Container,
  V1Job,
  V1ResourceRequirements,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { LineCounter, parseAllDocuments } from 'yaml';
import { BenchpilotError } from '../../protocol/errors.js';
import {
  benchpilotLabels,
  checkCount,
  dnsName,
  emptyDirVolume,
  labelValue,
  restrictedContainerSecurityContext,
  restrictedPodSpec,
  TMP_MOUNT,
  TMP_VOLUME,
  verdictFailurePolicy,
} from './manifests.js';

export const NB5_IMAGE = 'nosqlbench/nosqlbench:5.21.8-preview';
export const NB5_CONTAINER = 'nb5';
/** Where the nb5 pod mounts things; everything writable is an emptyDir. */
export const NB5_PATHS = {
  workloadDir: '/nb5/workload',
  credentialsDir: '/nb5/credentials',
  logsDir: '/nb5/logs',
  stateDir: '/nb5/state',
} as const;
/** The `jobname` label and the `/job/<name>` of the push URL. */
export const NB5_METRICS_JOB = 'benchpilot';
export const REPLACES_ANNOTATION = 'benchpilot.io/replaces';

function invalid(message: string): BenchpilotError {
  return new BenchpilotError('BP_SPEC_INVALID_VALUE', message);
}

// ---- the nb5 command line -------------------------------------------------------------------

export type Nb5ParamValue = string | number;

/** Activity parameters, `name=value` on the nb5 command line. Credentials are not among them. */
export interface Nb5Params {
  readonly host?: string;
  readonly hosts?: string;
  readonly port?: number;
  readonly localdc?: string;
  readonly threads?: number | 'auto';
  /** Named-step form: passed as `<step>-cycles=` (the step locks `cycles` with `===`). */
  readonly cycles?: number | string;
  /** ops/s, or `ops/s,burst` (e.g. `1000,1.1`). */
  readonly cyclerate?: number | string;
  /** nb5 defaults to `stop`; e.g. `count,warn`. */
  readonly errors?: string;
  readonly [name: string]: Nb5ParamValue | undefined;
}

export interface Nb5MetricsOptions {
  /**
   * Prometheus-compatible push URL prefix; `/job/benchpilot/instance/<run>-<phase>` is appended.
   * VictoriaMetrics: `http://vm:8428/api/v1/import/prometheus/metrics`; Pushgateway:
   * `http://pushgateway:9091/metrics`.
   */
  readonly endpoint: string;
  readonly runId: string;
  readonly phase: string;
  readonly target: string;
  readonly intervalSeconds: number;
  readonly attempt?: number;
}

export interface Nb5ArgsOptions {
  /** Absolute path of the workload YAML inside the pod. */
  readonly workloadPath: string;
  /** Named scenario or step, e.g. `default.schema` (the form benchpilot uses). */
  readonly scenario?: string;
  /** Instead of a scenario: run the ops selected by block tags, e.g. `block:schema`. */
  readonly tags?: string;
  /** Driver of the tags form (the named steps set their own). Default `cql`. */
  readonly driver?: string;
  readonly params: Nb5Params;
  readonly userfile?: string;
  readonly passfile?: string;
  readonly logsDir: string;
  readonly metrics?: Nb5MetricsOptions;
}

const PARAM_ORDER = ['host', 'hosts', 'port', 'localdc', 'threads', 'cycles', 'cyclerate', 'errors'];
// Set by nb5args itself, or a credential that must come from a file.
const FORBIDDEN_PARAMS = new Set([
  'username',
  'password',
  'userfile',
  'passfile',
  'workload',
  'driver',
  'tags',
  'labels',
  'alias',
]);
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
// nb5 splits step templates on spaces after substituting parameters: no whitespace anywhere.
const WORD = /^[^\s\x00-\x1f]+$/;
const SCENARIO = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/;

function word(what: string, value: string): string {
  if (!WORD.test(value))
    throw invalid(`${what} must be one word without spaces, got ${JSON.stringify(value)}`);
  return value;
}

function paramText(name: string, value: Nb5ParamValue): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalid(`nb5 param ${name} must be a number >= 0`);
    return String(value);
  }
  return word(`nb5 param ${name}`, value);
}

/** `endpoint/job/benchpilot/instance/<run>-<phase>,<interval>s`: nb5 insists on job and instance. */
export function nb5PushTarget(metrics: Nb5MetricsOptions): string {
  let url: URL;
  try {
    url = new URL(metrics.endpoint);
  } catch {
    throw invalid(`metrics endpoint is not a URL: ${JSON.stringify(metrics.endpoint)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`metrics endpoint must be http(s), got ${url.protocol}`);
  }
  if (url.username || url.password) throw invalid('metrics endpoint must not carry credentials');
  // nb5 splits the option on ',' (URL,interval).
  word('metrics endpoint', metrics.endpoint);
  if (metrics.endpoint.includes(',')) throw invalid('metrics endpoint must not contain ","');
  checkCount('metrics intervalSeconds', metrics.intervalSeconds, 1);
  const base = metrics.endpoint.replace(/\/+$/, '');
  return `${base}/job/${NB5_METRICS_JOB}/instance/${nb5MetricsInstance(metrics)},${metrics.intervalSeconds}s`;
}

export function nb5MetricsInstance(metrics: { runId: string; phase: string }): string {
  return dnsName(metrics.runId, metrics.phase);
}

/**
 * `--add-labels` value. jobname and instance must match the push URL (nb5 checks); the others are
 * ours. nb5 refuses labels it sets itself (session, container, step, activity, workload, scenario,
 * name), so none of those appear.
 */
export function nb5Labels(metrics: Nb5MetricsOptions): string {
  const labels: [string, string][] = [
    ['jobname', NB5_METRICS_JOB],
    ['instance', nb5MetricsInstance(metrics)],
    ['benchpilot_run', labelValue(metrics.runId)],
    ['benchpilot_phase', labelValue(metrics.phase)],
    ['benchpilot_target', labelValue(metrics.target)],
    ['benchpilot_attempt', String(metrics.attempt ?? 1)],
  ];
  for (const [key, value] of labels) {
    if (value === '') throw invalid(`metrics label ${key} would be empty`);
  }
  return labels.map(([key, value]) => `${key}:${value}`).join(',');
}

/**
 * The nb5 arguments (the image's entrypoint is `java … -jar nb5.jar`). Global options first, then
 * either `<workload> <scenario[.step]> k=v…` or `run driver=… workload=… tags=… k=v…`.
 */
export function nb5Args(opts: Nb5ArgsOptions): string[] {
  const args = ['--logs-dir', word('logsDir', opts.logsDir)];
  if (opts.metrics) {
    args.push('--report-prompush-to', nb5PushTarget(opts.metrics), '--add-labels', nb5Labels(opts.metrics));
  }
  word('workloadPath', opts.workloadPath);
  let cyclesName = 'cycles';
  if (opts.scenario !== undefined && opts.tags === undefined) {
    if (!SCENARIO.test(opts.scenario))
      throw invalid(`nb5 scenario ${JSON.stringify(opts.scenario)} is not valid`);
    args.push(opts.workloadPath, opts.scenario);
    const step = opts.scenario.split('.')[1];
    if (step !== undefined) cyclesName = `${step}-cycles`;
    else if (opts.params.cycles !== undefined) {
      throw invalid('cycles needs a scenario step (default.main), not a whole scenario');
    }
  } else if (opts.tags !== undefined && opts.scenario === undefined) {
    args.push(
      'run',
      `driver=${word('driver', opts.driver ?? 'cql')}`,
      `workload=${opts.workloadPath}`,
      `tags=${word('tags', opts.tags)}`,
    );
  } else {
    throw invalid('nb5 needs either a scenario (default.main) or block tags (block:main), not both');
  }

  const names = [
    ...PARAM_ORDER.filter((name) => opts.params[name] !== undefined),
    ...Object.keys(opts.params).filter(
      (name) => !PARAM_ORDER.includes(name) && opts.params[name] !== undefined,
    ),
  ];
  for (const name of names) {
    if (!PARAM_NAME.test(name)) throw invalid(`nb5 param name ${JSON.stringify(name)} is not valid`);
    if (FORBIDDEN_PARAMS.has(name)) {
      throw invalid(`nb5 param ${name} is set by benchpilot (credentials come from files)`);
    }
    const value = paramText(name, opts.params[name]!);
    args.push(`${name === 'cycles' ? cyclesName : name}=${value}`);
  }
  if (opts.userfile !== undefined) args.push(`userfile=${word('userfile', opts.userfile)}`);
  if (opts.passfile !== undefined) args.push(`passfile=${word('passfile', opts.passfile)}`);
  return args;
}

// ---- the workload YAML ----------------------------------------------------------------------

function workloadError(file: string, message: string, offset?: number, lines?: LineCounter): BenchpilotError {
  const pos = offset !== undefined && lines ? lines.linePos(offset) : { line: 0, col: 0 };
  return new BenchpilotError('BP_NB5_WORKLOAD', `${file} cannot be run by nb5:`, {
    issues: [
      { code: 'BP_NB5_WORKLOAD', file, line: pos.line, col: pos.col, path: 'scenarios.default', message },
    ],
  });
}

/** The steps of the `default` scenario, in order (e.g. schema, rampup, main). */
export function nb5PhasesOf(yamlText: string, file = 'workload.yaml'): string[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(yamlText, { lineCounter: lines });
  if (!Array.isArray(docs)) throw workloadError(file, 'the file is empty');
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, '');
      throw workloadError(file, `is not valid YAML: ${message}`, error.pos[0], lines);
    }
  }
  const doc = docs.find((candidate) => candidate.hasIn(['scenarios']));
  if (!doc) throw workloadError(file, 'has no scenarios: map');
  const node = doc.getIn(['scenarios', 'default'], true) as { range?: [number, number, number] } | undefined;
  const scenario: unknown = doc.toJS().scenarios?.default;
  const at = node?.range?.[0];
  if (scenario === undefined) throw workloadError(file, 'has no default scenario');
  if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario)) {
    throw workloadError(file, 'expected a map of named steps (schema: run …), got a list or text', at, lines);
  }
  const steps = Object.entries(scenario as Record<string, unknown>);
  if (steps.length === 0) throw workloadError(file, 'has no steps', at, lines);
  for (const [name, command] of steps) {
    if (typeof command !== 'string' || !SCENARIO.test(name)) {
      throw workloadError(file, `step ${name} must be a name with a run … command`, at, lines);
    }
  }
  return steps.map(([name]) => name);
}

/** `default.<phase>` after checking the workload has that step. */
export function nb5ScenarioStep(yamlText: string, phase: string, file = 'workload.yaml'): string {
  const steps = nb5PhasesOf(yamlText, file);
  if (!steps.includes(phase)) {
    throw workloadError(file, `has no step ${phase}; the default scenario has ${steps.join(', ')}`);
  }
  return `default.${phase}`;
}

/**
 * The file name inside the pod. nb5 turns the file name into its `workload` label and warns (with
 * a stack trace) when it has to replace characters, so the name is already in nb5's form.
 */
export function nb5WorkloadFileName(workloadName: string): string {
  const base = workloadName.replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9_]+/g, '_');
  if (base.replace(/_/g, '') === '') throw invalid(`workload name ${JSON.stringify(workloadName)} is empty`);
  return `${base}.yaml`;
}

export function nb5ConfigMapName(runId: string): string {
  return dnsName('bp', runId, 'nb5');
}

// A ConfigMap holds at most 1 MiB, metadata included.
const MAX_WORKLOAD_BYTES = 1_000_000;

export interface Nb5ConfigMapOptions {
  readonly namespace: string;
  readonly release: string;
  readonly runId: string;
  readonly target?: string;
  readonly workloadName: string;
  readonly yamlText: string;
}

/** One per run: the workload YAML under the key nb5WorkloadFileName(workloadName). */
export function nb5ConfigMap(opts: Nb5ConfigMapOptions): V1ConfigMap {
  const file = nb5WorkloadFileName(opts.workloadName);
  if (Buffer.byteLength(opts.yamlText, 'utf8') > MAX_WORKLOAD_BYTES) {
    throw workloadError(opts.workloadName, 'is larger than a ConfigMap can hold (1 MB)');
  }
  nb5PhasesOf(opts.yamlText, opts.workloadName);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: nb5ConfigMapName(opts.runId),
      namespace: opts.namespace,
      labels: benchpilotLabels({
        release: opts.release,
        component: 'nosqlbench',
        runId: opts.runId,
        ...(opts.target === undefined ? {} : { target: opts.target }),
      }),
    },
    data: { [file]: opts.yamlText },
  };
}

// ---- the nb5 Job ----------------------------------------------------------------------------

export interface Nb5Credentials {
  /** The target's Secret; its keys are mounted as files, never passed as args or env. */
  readonly secretName: string;
  readonly usernameKey: string;
  readonly passwordKey: string;
}

export interface Nb5JobOptions {
  readonly namespace: string;
  readonly release: string;
  readonly runId: string;
  readonly phase: string;
  readonly target: string;
  readonly attempt?: number;
  readonly image?: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly configMapName: string;
  /** The key in that ConfigMap: nb5WorkloadFileName(workload name). */
  readonly workloadFile: string;
  readonly scenario?: string;
  readonly tags?: string;
  readonly driver?: string;
  readonly params: Nb5Params;
  readonly credentials?: Nb5Credentials;
  readonly metrics?: { readonly endpoint: string; readonly intervalSeconds: number };
  readonly resources: V1ResourceRequirements;
  /** Default 0: a benchmark phase is not silently run twice. */
  readonly backoffLimit?: number;
  readonly activeDeadlineSeconds?: number | null;
  readonly ttlSecondsAfterFinished?: number | null;
  readonly openshift: boolean;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: V1Toleration[];
  readonly imagePullSecrets?: readonly string[];
  /** The Job this one replaces (set by replacementJob): annotation benchpilot.io/replaces. */
  readonly replaces?: string;
}

export function nb5JobName(runId: string, phase: string, attempt = 1): string {
  return attempt > 1 ? dnsName('bp', runId, phase, 'nb5', `a${attempt}`) : dnsName('bp', runId, phase, 'nb5');
}

const CREDENTIAL_FILES = { username: 'username', password: 'password' } as const;

export function nb5Job(opts: Nb5JobOptions): V1Job {
  const attempt = opts.attempt ?? 1;
  checkCount('attempt', attempt, 1);
  const backoffLimit = opts.backoffLimit ?? 0;
  checkCount('backoffLimit', backoffLimit, 0);
  word('workloadFile', opts.workloadFile);
  if (opts.workloadFile.includes('/')) throw invalid('workloadFile is a ConfigMap key, not a path');

  const args = nb5Args({
    workloadPath: `${NB5_PATHS.workloadDir}/${opts.workloadFile}`,
    ...(opts.scenario === undefined ? {} : { scenario: opts.scenario }),
    ...(opts.tags === undefined ? {} : { tags: opts.tags }),
    ...(opts.driver === undefined ? {} : { driver: opts.driver }),
    params: opts.params,
    ...(opts.credentials
      ? {
          userfile: `${NB5_PATHS.credentialsDir}/${CREDENTIAL_FILES.username}`,
          passfile: `${NB5_PATHS.credentialsDir}/${CREDENTIAL_FILES.password}`,
        }
      : {}),
    logsDir: NB5_PATHS.logsDir,
    ...(opts.metrics
      ? {
          metrics: {
            ...opts.metrics,
            runId: opts.runId,
            phase: opts.phase,
            target: opts.target,
            attempt,
          },
        }
      : {}),
  });

  const volumes: V1Volume[] = [
    {
      name: 'workload',
      configMap: { name: opts.configMapName, items: [{ key: opts.workloadFile, path: opts.workloadFile }] },
    },
  ];
  const mounts: V1VolumeMount[] = [{ name: 'workload', mountPath: NB5_PATHS.workloadDir, readOnly: true }];
  if (opts.credentials) {
    volumes.push({
      name: 'credentials',
      secret: {
        secretName: opts.credentials.secretName,
        items: [
          { key: opts.credentials.usernameKey, path: CREDENTIAL_FILES.username },
          { key: opts.credentials.passwordKey, path: CREDENTIAL_FILES.password },
        ],
        // Owner root, group fsGroup: readable by the nb5 process through its fsGroup, by no one else.
        defaultMode: 0o440,
      },
    });
    mounts.push({ name: 'credentials', mountPath: NB5_PATHS.credentialsDir, readOnly: true });
  }
  volumes.push(emptyDirVolume('logs'), emptyDirVolume('state'), TMP_VOLUME);
  mounts.push(
    { name: 'logs', mountPath: NB5_PATHS.logsDir },
    { name: 'state', mountPath: NB5_PATHS.stateDir },
    TMP_MOUNT,
  );

  // args only: the image's entrypoint (java … -jar nb5.jar, relative to `/`) stays as it is,
  // so neither `command` nor `workingDir` is set.
  const container: V1Container = {
    name: NB5_CONTAINER,
    image: opts.image ?? NB5_IMAGE,
    ...(opts.imagePullPolicy ? { imagePullPolicy: opts.imagePullPolicy } : {}),
    args,
    env: [{ name: 'NBSTATEDIR', value: NB5_PATHS.stateDir }],
    resources: opts.resources,
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: mounts,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const labels = benchpilotLabels({
    release: opts.release,
    component: 'nosqlbench',
    runId: opts.runId,
    phase: opts.phase,
    target: opts.target,
    attempt,
  });
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: nb5JobName(opts.runId, opts.phase, attempt),
      namespace: opts.namespace,
      labels,
      ...(opts.replaces ? { annotations: { [REPLACES_ANNOTATION]: opts.replaces } } : {}),
    },
    spec: {
      completionMode: 'NonIndexed',
      completions: 1,
      parallelism: 1,
      backoffLimit,
      podReplacementPolicy: 'Failed',
      // Any non-zero exit of nb5 is its verdict (bad workload, errors=stop): not retried.
      podFailurePolicy: verdictFailurePolicy(NB5_CONTAINER, { operator: 'NotIn', values: [0] }),
      template: {
        metadata: { labels },
        spec: restrictedPodSpec({
          openshift: opts.openshift,
          containers: [container],
          volumes,
          nodeSelector: opts.nodeSelector,
          tolerations: opts.tolerations,
          imagePullSecrets: opts.imagePullSecrets,
        }),
      },
    },
  };
  if (opts.activeDeadlineSeconds !== undefined && opts.activeDeadlineSeconds !== null) {
    checkCount('activeDeadlineSeconds', opts.activeDeadlineSeconds, 1);
    job.spec!.activeDeadlineSeconds = opts.activeDeadlineSeconds;
  }
  if (opts.ttlSecondsAfterFinished !== undefined && opts.ttlSecondsAfterFinished !== null) {
    checkCount('ttlSecondsAfterFinished', opts.ttlSecondsAfterFinished, 0);
    job.spec!.ttlSecondsAfterFinished = opts.ttlSecondsAfterFinished;
  }
  return job;
}

function rateText(rate: number, previous: Nb5ParamValue | undefined): string {
  if (!Number.isFinite(rate) || rate <= 0) throw invalid(`the new rate must be > 0 ops/s, got ${rate}`);
  const text = String(Math.round(rate * 1000) / 1000);
  // Keep the burst ratio of `ops/s,burst`.
  const burst = typeof previous === 'string' ? previous.split(',')[1] : undefined;
  return burst === undefined ? text : `${text},${burst}`;
}

/**
 * nb5's rate cannot change while it runs, so a throughput change is a new Job: same run and
 * phase, the next attempt, annotated with the Job it replaces, at the new cyclerate. How many
 * cycles are left is the caller's to say (`changes.cycles`); otherwise the params pass through.
 */
export function replacementJob(
  previous: Nb5JobOptions,
  newRate: number,
  changes: { readonly cycles?: number | string } = {},
): { options: Nb5JobOptions; job: V1Job } {
  const attempt = previous.attempt ?? 1;
  const options: Nb5JobOptions = {
    ...previous,
    attempt: attempt + 1,
    replaces: nb5JobName(previous.runId, previous.phase, attempt),
    params: {
      ...previous.params,
      cyclerate: rateText(newRate, previous.params.cyclerate),
      ...(changes.cycles === undefined ? {} : { cycles: changes.cycles }),
    },
  };
  return { options, job: nb5Job(options) };
}

// ---- reading nb5 timers back ----------------------------------------------------------------

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
}

function metricsError(message: string): BenchpilotError {
  return new BenchpilotError('BP_INTERNAL', message);
}

function parseValue(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text === '' || Number.isNaN(value))
    throw metricsError(`metrics text: ${JSON.stringify(text)} is not a number`);
  return value;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** The Prometheus text exposition format (what nb5 pushes, what /metrics serves). */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (what: string) => metricsError(`metrics text line ${index + 1}: ${what}: ${line}`);
    const name = METRIC_NAME.exec(line)?.[0];
    if (!name) throw fail('no metric name');
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1).trimStart();
      while (!rest.startsWith('}')) {
        const label = LABEL_NAME.exec(rest)?.[0];
        if (!label || rest[label.length] !== '=' || rest[label.length + 1] !== '"') throw fail('bad label');
        let value = '';
        let at = label.length + 2;
        for (; at < rest.length && rest[at] !== '"'; at++) {
          if (rest[at] === '\\') {
            at++;
            value += rest[at] === 'n' ? '\n' : (rest[at] ?? '');
          } else value += rest[at];
        }
        if (at >= rest.length) throw fail('unterminated label value');
        labels[label] = value;
        rest = rest.slice(at + 1).trimStart();
        if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
        else if (!rest.startsWith('}')) throw fail('expected , or }');
      }
      rest = rest.slice(1);
    }
    const [valueText, timestamp, extra] = rest.trim().split(/\s+/);
    if (valueText === undefined || extra !== undefined)
      throw fail('expected a value and an optional timestamp');
    samples.push({
      name,
      labels,
      value: parseValue(valueText),
      ...(timestamp === undefined ? {} : { timestampMs: parseValue(timestamp) }),
    });
  }
  return samples;
}

/** One nb5 timer: latency quantiles and max in milliseconds. */
export interface Nb5Timer {
  readonly p50: number;
  readonly p75: number;
  readonly p90: number;
  readonly p95: number;
  readonly p98: number;
  readonly p99: number;
  readonly p999: number;
  readonly max?: number;
  /** Operations timed since the start (`<timer>_total`; `<timer>_count` when there is no counter). */
  readonly count: number;
}

/** nb5's exported quantiles, by the `le` label it writes them under. */
export const NB5_QUANTILES = {
  p50: '0.5',
  p75: '0.75',
  p90: '0.9',
  p95: '0.95',
  p98: '0.98',
  p99: '0.99',
  p999: '0.999',
} as const;

const NS_PER_MS = 1e6;

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((key) => key !== 'le')
      .sort()
      .map((key) => [key, labels[key]]),
  );
}

/**
 * Reads one nb5 timer from its samples. nb5 types timers as histograms, but
 * `<timer>_bucket{le="0.99"}` holds the p99 itself, in nanoseconds, over the last push interval:
 * read it directly (never histogram_quantile). Null when the timer has no samples (yet).
 */
export function readNb5Timer(samples: readonly PromSample[], timer?: string): Nb5Timer | null {
  const bases = new Set(samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.name.slice(0, -7)));
  const name = timer ?? (bases.size === 1 ? [...bases][0]! : undefined);
  if (name === undefined) {
    if (bases.size === 0) return null;
    throw metricsError(`samples of several nb5 timers (${[...bases].sort().join(', ')}): name one`);
  }
  const own = samples.filter((s) =>
    [`${name}_bucket`, `${name}_count`, `${name}_total`, `${name}_max`].includes(s.name),
  );
  const buckets = own.filter((s) => s.name === `${name}_bucket`);
  if (buckets.length === 0) return null;
  const series = new Set(own.map((s) => seriesKey(s.labels)));
  if (series.size > 1) throw metricsError(`samples of ${series.size} series of ${name}: select one`);

  const quantile = (le: string): number => {
    const sample = buckets.find((s) => s.labels.le !== undefined && Number(s.labels.le) === Number(le));
    if (!sample) throw metricsError(`${name} has no quantile le="${le}"`);
    return sample.value / NS_PER_MS;
  };
  const maxSample = own.find((s) => s.name === `${name}_max`) ?? buckets.find((s) => s.labels.le === '+Inf');
  const countSample =
    own.find((s) => s.name === `${name}_total`) ?? own.find((s) => s.name === `${name}_count`);
  return {
    p50: quantile(NB5_QUANTILES.p50),
    p75: quantile(NB5_QUANTILES.p75),
    p90: quantile(NB5_QUANTILES.p90),
    p95: quantile(NB5_QUANTILES.p95),
    p98: quantile(NB5_QUANTILES.p98),
    p99: quantile(NB5_QUANTILES.p99),
    p999: quantile(NB5_QUANTILES.p999),
    ...(maxSample ? { max: maxSample.value / NS_PER_MS } : {}),
    count: countSample?.value ?? 0,
  };
}

/**
 * PromQL for one quantile of one nb5 timer of a run's phase, e.g.
 * `cycles_servicetime_bucket{benchpilot_run="r1",benchpilot_phase="main",le="0.99"}` (nanoseconds).
 */
export function nb5QuantileQuery(
  timer: string,
  run: { readonly runId: string; readonly phase: string },
  quantile: keyof typeof NB5_QUANTILES,
): string {
  if (!METRIC_NAME.test(timer) || METRIC_NAME.exec(timer)?.[0] !== timer)
    throw invalid(`${timer} is not a metric name`);
  return `${timer}_bucket{benchpilot_run="${labelValue(run.runId)}",benchpilot_phase="${labelValue(run.phase)}",le="${NB5_QUANTILES[quantile]}"}`;
}
