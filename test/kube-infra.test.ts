/**
 * The Kubernetes test infrastructure against the real loopback control plane (scripts/kube/up.sh):
 * our kwok stages (scripts/kube/kwok-stages.yaml) keep `benchpilot.io/run` pods Running until
 * FakeKubelet (test/helpers/kube.ts) reports how their local stand-in process ended, and the real
 * Job controller then completes or fails the Job.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import {
  createTestNamespace,
  EXIT_CODE_ANNOTATION,
  ensureKube,
  FakeKubelet,
  type FakeKubeletOptions,
  kubeConfig,
  RUN_LABEL,
  type TestNamespace,
  waitFor,
} from './helpers/kube.js';

let kc: KubeConfig;
let core: CoreV1Api;
let batch: BatchV1Api;
const namespaces: TestNamespace[] = [];
const kubelets: FakeKubelet[] = [];

before(async () => {
  const env = await ensureKube();
  kc = kubeConfig(env.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  batch = kc.makeApiClient(BatchV1Api);
});

after(async () => {
  await Promise.all(kubelets.map((k) => k.stop()));
  await Promise.all(namespaces.map((ns) => ns.cleanup()));
});

async function setup(
  prefix: string,
  options: FakeKubeletOptions,
  restricted = false,
): Promise<{ ns: string; kubelet: FakeKubelet }> {
  const ns = await createTestNamespace(kc, prefix, { restricted });
  namespaces.push(ns);
  const kubelet = new FakeKubelet(kc, ns.name, options);
  kubelets.push(kubelet);
  await kubelet.start();
  return { ns: ns.name, kubelet };
}

/** Pod security `restricted`-compliant container settings. */
const RESTRICTED = {
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 1000,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

function job(name: string, spec: Partial<NonNullable<V1Job['spec']>>, pod: Partial<V1Pod['spec']>): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: {
        metadata: { labels: { [RUN_LABEL]: name } },
        spec: { restartPolicy: 'Never', containers: [], ...pod },
      },
    },
  };
}

/** The Job's Complete or Failed condition once it has one (whichever it is). */
async function jobFinished(ns: string, name: string) {
  const j = await batch.readNamespacedJob({ name, namespace: ns });
  return j.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

async function podsOf(ns: string, jobName: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${jobName}` });
  return list.items;
}

/** `node -e SCRIPT` as the stand-in for every container. */
const nodeScript =
  (script: string): FakeKubeletOptions['command'] =>
  () => ({ file: process.execPath, args: ['-e', script] });

test('Indexed Job: each pod gets its JOB_COMPLETION_INDEX, secret, configmap and downward-API env; the Job completes', async () => {
  const { ns, kubelet } = await setup(
    'kube-infra-indexed',
    {
      command: (_pod, container) => ({
        file: process.execPath,
        args: [
          '-e',
          'const e = process.env; console.log(`index=${e.JOB_COMPLETION_INDEX} secret=${e.DB_PASSWORD} mode=${e.MODE} pod=${e.POD_NAME} ns=${e.POD_NAMESPACE} run=${e.RUN_ID} url=${e.URL}`); console.error(`args=${process.argv.slice(1).join(",")}`)',
          '--',
          ...(container.args ?? []),
        ],
      }),
    },
    true,
  );
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'db' }, stringData: { password: 's3cr3t-Ü' } },
  });
  await core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: 'cfg' }, data: { mode: 'fast' } },
  });

  await batch.createNamespacedJob({
    namespace: ns,
    body: job(
      'idx',
      { completionMode: 'Indexed', completions: 2, parallelism: 2 },
      {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'runner',
            image: 'example.invalid/runner:1',
            ...RESTRICTED,
            args: ['--worker', '$(JOB_COMPLETION_INDEX)/2', '$$(literal)'],
            env: [
              { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
              { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
              {
                name: 'MISSING',
                valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } },
              },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'RUN_ID', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${RUN_LABEL}']` } } },
              { name: 'URL', value: 'http://$(POD_NAME):8080' },
            ],
          },
        ],
      },
    ),
  });

  const started = await kubelet.waitForPods(2, 20_000);
  const finished = await waitFor(() => jobFinished(ns, 'idx'), 30_000, 'Job idx finished');
  assert.equal(finished.type, 'Complete', `${finished.reason}: ${finished.message}`);

  const pods = await podsOf(ns, 'idx');
  assert.equal(pods.length, 2);
  const byIndex = new Map(
    pods.map((p) => [p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], p]),
  );
  for (const index of ['0', '1']) {
    const pod = byIndex.get(index);
    assert.ok(pod, `pod with completion index ${index}`);
    const name = pod.metadata!.name!;
    assert.ok(started.includes(name));
    assert.equal(pod.status?.phase, 'Succeeded');
    assert.equal(pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION], '0');
    const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 0);
    assert.equal(terminated?.reason, 'Completed');
    // v1.36 injects JOB_COMPLETION_INDEX as a fieldRef to the pod's completion-index label.
    const injected = pod.spec?.containers[0]?.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
    assert.equal(
      injected?.valueFrom?.fieldRef?.fieldPath,
      "metadata.labels['batch.kubernetes.io/job-completion-index']",
    );
    assert.equal(kubelet.exitCodes.get(name), 0);
    assert.deepEqual(kubelet.logsOf(name), [
      `index=${index} secret=s3cr3t-Ü mode=fast pod=${name} ns=${ns} run=idx url=http://${name}:8080`,
      `args=--worker,${index}/2,$(literal)`,
      '[fake-kubelet] exit code 0',
    ]);
  }
  const j = await batch.readNamespacedJob({ name: 'idx', namespace: ns });
  assert.equal(j.status?.succeeded, 2);
  assert.equal(j.status?.completedIndexes, '0,1');
});

test('podFailurePolicy FailJob on exit code 2: the Job fails with reason PodFailurePolicy', async () => {
  const { ns, kubelet } = await setup('kube-infra-fail', {
    command: nodeScript('console.log("failing with 2"); process.exit(2)'),
    watchTimeoutSeconds: 1,
  });
  // The watch ends every second: the pod below is only seen after at least one re-list.
  await waitFor(() => kubelet.lists >= 2, 10_000, 'a re-list after the watch ended');
  await batch.createNamespacedJob({
    namespace: ns,
    body: job(
      'bad',
      {
        backoffLimit: 3,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [2] } }] },
      },
      { containers: [{ name: 'runner', image: 'example.invalid/runner:1' }] },
    ),
  });
  const failed = await waitFor(() => jobFinished(ns, 'bad'), 30_000, 'Job bad finished');
  assert.equal(failed.type, 'Failed');
  assert.equal(failed.reason, 'PodFailurePolicy');
  assert.match(failed.message ?? '', /exit code 2 matching FailJob rule at index 0/);

  const pods = await podsOf(ns, 'bad');
  assert.equal(pods.length, 1, 'FailJob: no retry despite backoffLimit 3');
  const pod = pods[0]!;
  assert.equal(pod.status?.phase, 'Failed');
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  assert.equal(terminated?.exitCode, 2);
  assert.equal(terminated?.reason, 'Error');
  assert.equal(kubelet.exitCodes.get(pod.metadata!.name!), 2);
  assert.deepEqual(kubelet.logsOf(pod.metadata!.name!), ['failing with 2', '[fake-kubelet] exit code 2']);
  assert.deepEqual(kubelet.errors, []);
});

test('a non-zero exit with a reason annotation, and a pod deleted while running gets SIGTERM', async () => {
  const { ns, kubelet } = await setup('kube-infra-signals', {
    killGraceMs: 2000,
    command: (pod) => {
      const run = pod.metadata?.labels?.[RUN_LABEL];
      if (run === 'manual') return null; // left alone: the test ends it by hand
      if (run === 'oom') return { file: process.execPath, args: ['-e', 'process.exit(137)'] };
      return {
        file: process.execPath,
        args: [
          '-e',
          'process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(143) }); console.log("ready"); setInterval(() => {}, 1000)',
        ],
      };
    },
  });
  // A process ending with 137 is reported as is; the reason annotation then names it (kwok stage).
  await batch.createNamespacedJob({
    namespace: ns,
    body: job('oom', {}, { containers: [{ name: 'runner', image: 'example.invalid/runner:1' }] }),
  });
  await batch.createNamespacedJob({
    namespace: ns,
    body: job('long', {}, { containers: [{ name: 'runner', image: 'example.invalid/runner:1' }] }),
  });
  const [longPod] = await waitFor(
    async () => {
      const pods = await podsOf(ns, 'long');
      const name = pods[0]?.metadata?.name;
      return name && kubelet.logsOf(name).includes('ready') ? pods : null;
    },
    20_000,
    'the long-running process to be ready',
  );
  const longName = longPod!.metadata!.name!;
  // Still Running: our stages do not complete run pods on their own.
  assert.equal((await core.readNamespacedPod({ name: longName, namespace: ns })).status?.phase, 'Running');

  await core.deleteNamespacedPod({ name: longName, namespace: ns });
  assert.equal(await kubelet.waitForExit(longName, 10_000), 143);
  assert.deepEqual(kubelet.logsOf(longName), [
    'ready',
    '[fake-kubelet] pod deleted: SIGTERM',
    'got SIGTERM',
    '[fake-kubelet] exit code 143',
  ]);

  const oomFailed = await waitFor(() => jobFinished(ns, 'oom'), 30_000, 'Job oom finished');
  assert.equal(oomFailed.type, 'Failed');
  assert.equal(oomFailed.reason, 'BackoffLimitExceeded');
  const [oomPod] = await podsOf(ns, 'oom');
  assert.equal(oomPod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
  assert.equal(oomPod?.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');

  // The reason annotation (as for an OOM kill) is copied into the terminated state.
  await core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name: 'manual', labels: { [RUN_LABEL]: 'manual' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'example.invalid/other:1' }] },
    },
  });
  await waitFor(
    async () => (await core.readNamespacedPod({ name: 'manual', namespace: ns })).status?.phase === 'Running',
    20_000,
    'pod manual Running',
  );
  await core.patchNamespacedPod({
    name: 'manual',
    namespace: ns,
    body: [
      {
        op: 'add',
        path: '/metadata/annotations',
        value: { [EXIT_CODE_ANNOTATION]: '137', 'kwok.benchpilot.io/reason': 'OOMKilled' },
      },
    ],
  });
  const terminated = await waitFor(
    async () =>
      (await core.readNamespacedPod({ name: 'manual', namespace: ns })).status?.containerStatuses?.[0]?.state
        ?.terminated,
    20_000,
    'pod manual terminated',
  );
  assert.equal(terminated.exitCode, 137);
  assert.equal(terminated.reason, 'OOMKilled');
});

test("the default command runs this repo's CLI for a benchpilot image, with the container args", async () => {
  const { ns, kubelet } = await setup('kube-infra-cli', {});
  await batch.createNamespacedJob({
    namespace: ns,
    body: job(
      'cli',
      {},
      {
        containers: [
          {
            name: 'runner',
            image: 'ghcr.io/example/benchpilot:dev',
            args: ['validate', 'workloads/http-basic.yaml'],
          },
          { name: 'sidecar', image: 'busybox' },
        ],
      },
    ),
  });
  const finished = await waitFor(() => jobFinished(ns, 'cli'), 30_000, 'Job cli finished');
  assert.equal(finished.type, 'Complete');
  const [name] = kubelet.started;
  assert.ok(name);
  assert.equal(kubelet.exitCodes.get(name), 0);
  assert.match(kubelet.logsOf(name).join('\n'), /workloads\/http-basic\.yaml: ok — workload http-basic/);
});

test('a restricted test namespace rejects a privileged pod', async () => {
  const ns = await createTestNamespace(kc, 'kube-infra-psa', { restricted: true });
  namespaces.push(ns);
  await assert.rejects(
    core.createNamespacedPod({
      namespace: ns.name,
      body: {
        metadata: { name: 'priv' },
        spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] },
      },
    }),
    (err: Error & { code?: number }) =>
      err.code === 403 && /violates PodSecurity .{0,4}restricted:latest/.test(err.message),
  );
});
