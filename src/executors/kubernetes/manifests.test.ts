import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Job, V1PodSpec } from '@kubernetes/client-node';
import { BenchpilotError } from '../../protocol/errors.js';
import {
  benchpilotLabels,
  dnsName,
  labelValue,
  MAX_JOB_NAME,
  podSecurityViolations,
  RUNNER_EXIT_CODES,
  type RunnerJobOptions,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  runnerExitMeaning,
  runnerJob,
  runnerSecret,
  runSelector,
  withOwner,
} from './manifests.js';
import { RUNNER_RBAC_RULES, rbacRole } from './rbac.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const LONG_RUN = `Run_${'x'.repeat(80)}`;

test('dnsName: lowercase, invalid characters become -, trimmed, at most 63', () => {
  assert.equal(dnsName('bp', 'Run_42', 'main'), 'bp-run-42-main');
  assert.equal(dnsName('--bp', 'A..B', 'setup!'), 'bp-a-b-setup');
  assert.equal(dnsName('bp', 'run 1', 'rampup'), 'bp-run-1-rampup');
  assert.match(dnsName('___'), /^[0-9a-f]{6}$/);
});

test('dnsName: long inputs are truncated with a hash of the whole name, distinct and valid', () => {
  const a = dnsName('bp', `${LONG_RUN}a`, 'main');
  const b = dnsName('bp', `${LONG_RUN}b`, 'main');
  for (const name of [a, b]) {
    assert.ok(name.length <= 63, `${name} is ${name.length} long`);
    assert.match(name, DNS_LABEL);
    assert.match(name, /^bp-run-x+-[0-9a-f]{6}$/);
  }
  assert.equal(a.length, 63);
  assert.notEqual(a, b);
  assert.equal(dnsName('bp', `${LONG_RUN}a`, 'main'), a, 'deterministic');
});

test('labelValue: valid label values, alphanumeric at both ends, hashed when too long', () => {
  assert.equal(labelValue('Run_42'), 'Run_42');
  assert.equal(labelValue('-pg/main-'), 'pg-main');
  assert.equal(labelValue('a b:c'), 'a-b-c');
  assert.equal(labelValue(''), '');
  const long = labelValue(`${'A'.repeat(70)}.`);
  assert.equal(long.length, 63);
  assert.match(long, LABEL_VALUE);
  assert.notEqual(long, labelValue(`${'A'.repeat(71)}.`));
});

test('benchpilotLabels: the recommended app.kubernetes.io labels plus run, phase, target, attempt', () => {
  assert.deepEqual(
    benchpilotLabels({ release: 'bp', component: 'runner', runId: 'r-1', phase: 'main', target: 'pg/main' }),
    {
      'app.kubernetes.io/name': 'benchpilot',
      'app.kubernetes.io/instance': 'bp',
      'app.kubernetes.io/component': 'runner',
      'app.kubernetes.io/managed-by': 'benchpilot',
      'app.kubernetes.io/part-of': 'benchpilot',
      'benchpilot.io/run': 'r-1',
      'benchpilot.io/phase': 'main',
      'benchpilot.io/target': 'pg-main',
      'benchpilot.io/attempt': '1',
    },
  );
  const labels = benchpilotLabels({
    release: 'bp',
    component: 'nosqlbench',
    runId: LONG_RUN,
    phase: 'main',
    target: 't',
    attempt: 3,
  });
  assert.equal(labels['benchpilot.io/attempt'], '3');
  for (const value of Object.values(labels)) assert.match(value, LABEL_VALUE);
  assert.equal(runSelector('bp', 'r-1'), 'app.kubernetes.io/instance=bp,benchpilot.io/run=r-1');
});

test('restricted security contexts: fixed non-root ids, or none on OpenShift', () => {
  assert.deepEqual(restrictedPodSecurityContext(false), {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.deepEqual(restrictedPodSecurityContext(true), {
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.deepEqual(restrictedContainerSecurityContext(), {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
  });
});

const BASE: RunnerJobOptions = {
  namespace: 'bench',
  release: 'bp',
  runId: 'r-1',
  phase: 'main',
  target: 'pg',
  kind: 'benchmark',
  image: 'ghcr.io/example/benchpilot:0.1.0',
  parallelism: 3,
  controlPlaneUrl: 'ws://bp.bench.svc:8080/api/v1/runner',
  secretName: 'bp-r-1-runner',
  secretEnvKeys: ['PGPASSWORD'],
  resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  backoffLimit: 2,
  activeDeadlineSeconds: 3600,
  ttlSecondsAfterFinished: 86400,
  openshift: false,
};

test('runnerJob: an Indexed Job of 3 pods with the runner verdicts failing the Job', () => {
  const job = runnerJob(BASE);
  const labels = benchpilotLabels({
    release: 'bp',
    component: 'runner',
    runId: 'r-1',
    phase: 'main',
    target: 'pg',
  });
  assert.deepEqual(job, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'bp-r-1-main', namespace: 'bench', labels },
    spec: {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      backoffLimit: 2,
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          { action: 'FailJob', onExitCodes: { containerName: 'runner', operator: 'In', values: [1, 2, 3] } },
        ],
      },
      // A benchmark runs until stopped: no activeDeadlineSeconds even though one was given.
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(false),
          containers: [
            {
              name: 'runner',
              image: 'ghcr.io/example/benchpilot:0.1.0',
              args: ['runner', '--connect'],
              env: [
                { name: 'BENCHPILOT_URL', value: 'ws://bp.bench.svc:8080/api/v1/runner' },
                { name: 'BENCHPILOT_RUN_ID', value: 'r-1' },
                { name: 'BENCHPILOT_PHASE', value: 'main' },
                { name: 'BENCHPILOT_PARTITION_COUNT', value: '3' },
                {
                  name: 'BENCHPILOT_RUNNER_TOKEN',
                  valueFrom: { secretKeyRef: { name: 'bp-r-1-runner', key: 'BENCHPILOT_RUNNER_TOKEN' } },
                },
                {
                  name: 'PGPASSWORD',
                  valueFrom: { secretKeyRef: { name: 'bp-r-1-runner', key: 'PGPASSWORD' } },
                },
              ],
              resources: BASE.resources,
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  });
});

test('runnerJob: one pod is NonIndexed; setup phases get the deadline; attempts name the Job', () => {
  const job = runnerJob({
    ...BASE,
    kind: 'setup',
    phase: 'rampup',
    parallelism: 1,
    attempt: 2,
    ttlSecondsAfterFinished: null,
    imagePullPolicy: 'IfNotPresent',
    openshift: true,
    nodeSelector: { pool: 'bench' },
    tolerations: [{ key: 'bench', operator: 'Exists', effect: 'NoSchedule' }],
  });
  assert.equal(job.metadata?.name, 'bp-r-1-rampup-a2');
  assert.equal(job.metadata?.labels?.['app.kubernetes.io/component'], 'setup');
  assert.equal(job.metadata?.labels?.['benchpilot.io/attempt'], '2');
  assert.equal(job.spec?.completionMode, 'NonIndexed');
  assert.equal(job.spec?.completions, 1);
  assert.equal(job.spec?.parallelism, 1);
  assert.equal(job.spec?.activeDeadlineSeconds, 3600);
  assert.equal('ttlSecondsAfterFinished' in (job.spec ?? {}), false);
  const pod = job.spec?.template.spec;
  assert.equal(pod?.containers[0]?.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(pod?.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  assert.deepEqual(pod?.nodeSelector, { pool: 'bench' });
  assert.deepEqual(pod?.tolerations, [{ key: 'bench', operator: 'Exists', effect: 'NoSchedule' }]);
  const env = pod?.containers[0]?.env?.find((e) => e.name === 'BENCHPILOT_PARTITION_COUNT');
  assert.equal(env?.value, '1');
});

test('runnerJob: long run ids give Job names that leave room for the Indexed pod hostname', () => {
  const name = runnerJob({ ...BASE, runId: LONG_RUN, parallelism: 100 }).metadata?.name ?? '';
  assert.ok(name.length <= MAX_JOB_NAME && `${name}-99`.length <= 63);
  assert.match(name, DNS_LABEL);
  assert.notEqual(name, runnerJob({ ...BASE, runId: `${LONG_RUN}y` }).metadata?.name);
});

test('runnerJob: bad options are refused with BP_SPEC_INVALID_VALUE', () => {
  const bad: Partial<RunnerJobOptions>[] = [
    { parallelism: 0 },
    { parallelism: 1.5 },
    { attempt: 0 },
    { backoffLimit: -1 },
    { secretEnvKeys: ['NOT-AN-ENV'] },
    { secretEnvKeys: ['BENCHPILOT_RUNNER_TOKEN'] },
    { secretEnvKeys: ['A', 'A'] },
    { controlPlaneUrl: 'not a url' },
    { controlPlaneUrl: 'ftp://bp:21/' },
    { controlPlaneUrl: 'ws://user:pw@bp:8080/' },
    { controlPlaneUrl: 'ws://bp:8080/?access_token=abc' },
  ];
  for (const change of bad) {
    assert.throws(
      () => runnerJob({ ...BASE, ...change }),
      (err: unknown) => err instanceof BenchpilotError && err.code === 'BP_SPEC_INVALID_VALUE',
      JSON.stringify(change),
    );
  }
});

/** Every string anywhere in a value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

test('runnerSecret holds the token and env; no secret value appears in the Job', () => {
  const token = 'tok-9f8e7d6c5b4a';
  const password = 'hunter2-Very-Secret';
  const secret = runnerSecret({
    namespace: 'bench',
    release: 'bp',
    runId: 'r-1',
    target: 'pg',
    token,
    env: { PGPASSWORD: password },
  });
  assert.deepEqual(secret, {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: 'bp-r-1-runner',
      namespace: 'bench',
      labels: benchpilotLabels({ release: 'bp', component: 'runner', runId: 'r-1', target: 'pg' }),
    },
    data: {
      BENCHPILOT_RUNNER_TOKEN: Buffer.from(token).toString('base64'),
      PGPASSWORD: Buffer.from(password).toString('base64'),
    },
  });
  const job = runnerJob({
    ...BASE,
    secretName: secret.metadata!.name!,
    secretEnvKeys: Object.keys({ PGPASSWORD: 1 }),
  });
  const text = strings(job);
  for (const value of [token, password, secret.data!.PGPASSWORD!, secret.data!.BENCHPILOT_RUNNER_TOKEN!]) {
    assert.equal(
      text.some((s) => s.includes(value)),
      false,
      'a secret value is in the Job',
    );
  }
  const container = job.spec!.template.spec!.containers[0]!;
  assert.deepEqual(container.args, ['runner', '--connect']);
  assert.equal(container.command, undefined);
  for (const env of container.env ?? []) {
    if (env.name === 'BENCHPILOT_RUNNER_TOKEN' || env.name === 'PGPASSWORD') {
      assert.equal(env.value, undefined);
      assert.equal(env.valueFrom?.secretKeyRef?.name, 'bp-r-1-runner');
    }
  }
  assert.throws(() => runnerSecret({ namespace: 'n', release: 'bp', runId: 'r', token: '', env: {} }));
});

test('withOwner adds an ownerReference to the Job, once', () => {
  const secret = runnerSecret({ namespace: 'n', release: 'bp', runId: 'r', token: 't', env: {} });
  const owned = withOwner(withOwner(secret, { name: 'bp-r-main', uid: 'u-1' }), {
    name: 'bp-r-main',
    uid: 'u-1',
  });
  assert.deepEqual(owned.metadata?.ownerReferences, [
    { apiVersion: 'batch/v1', kind: 'Job', name: 'bp-r-main', uid: 'u-1' },
  ]);
  assert.equal(secret.metadata?.ownerReferences, undefined, 'the input is not changed');
  assert.equal(owned.data?.BENCHPILOT_RUNNER_TOKEN, secret.data?.BENCHPILOT_RUNNER_TOKEN);
});

test('runner exit codes have meanings', () => {
  assert.deepEqual(RUNNER_EXIT_CODES, { ok: 0, internal: 1, cannotRun: 2, thresholdsFailed: 3 });
  assert.equal(runnerExitMeaning(3), 'the phase finished but a threshold did not hold');
  assert.match(runnerExitMeaning(137), /SIGKILL/);
});

function jobPod(job: V1Job): V1PodSpec {
  const pod = job.spec?.template.spec;
  assert.ok(pod);
  // Job API rules these manifests rely on.
  assert.equal(pod.restartPolicy, 'Never', 'podFailurePolicy requires restartPolicy Never');
  if (job.spec?.completionMode === 'Indexed') assert.equal(job.spec.completions, job.spec.parallelism);
  return pod;
}

test('runner pods pass Pod Security "restricted", on OpenShift too', () => {
  for (const openshift of [false, true]) {
    assert.deepEqual(podSecurityViolations(jobPod(runnerJob({ ...BASE, openshift }))), []);
  }
});

test('RBAC: exactly the rules the control plane needs, in a namespaced Role', () => {
  assert.deepEqual(RUNNER_RBAC_RULES, [
    {
      apiGroups: ['batch'],
      resources: ['jobs'],
      verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'],
    },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'delete', 'patch', 'list'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'delete', 'patch', 'list'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  ]);
  const role = rbacRole('bench', 'bp-control-plane');
  assert.deepEqual(role, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'bp-control-plane', namespace: 'bench' },
    rules: RUNNER_RBAC_RULES,
  });
  role.rules![0]!.verbs.push('update');
  assert.equal(RUNNER_RBAC_RULES[0]!.verbs.includes('update'), false, 'the Role is a copy');
});
