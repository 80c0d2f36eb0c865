/**
 * The Kubernetes executor against a real control plane (scripts/kube/up.sh: kube-apiserver with
 * RBAC and Pod Security admission, the Job controller, kwok nodes). Runner processes started by a
 * FakeKubelet stand in for kwok's fake containers and dial the control plane over the runner link,
 * exactly as runner pods do. The control plane acts with a ServiceAccount token bound to a Role
 * with exactly RUNNER_RBAC_RULES (what the chart ships), in a namespace that enforces Pod
 * Security "restricted".
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import { KubernetesExecutor } from '../src/executors/kubernetes/kubernetes-executor.js';
import type { Run, SeriesPoint, Setup } from '../src/protocol/api.js';
import type { RunSpec } from '../src/protocol/runner.js';
import type { RunSummary } from '../src/protocol/summary.js';
import { loadServerConfig } from '../src/server/config.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { type Api, apiClient, freePort, waitForRunEnd } from './helpers/api.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';
import {
  benchpilotCommand,
  createTestNamespace,
  ensureKube,
  FakeKubelet,
  kubeConfig,
  serviceAccountKubeconfig,
  type TestNamespace,
  waitFor,
} from './helpers/kube.js';

const HTTP_WORKLOAD = `
name: kube-http
target: { driver: http, url: "http://127.0.0.1:1", connections: 2 }
phases:
  - name: warm
    cycles: 30
    concurrency: 2
    ops:
      get: { path: /warm }
  - name: fill
    cycles: 40
    concurrency: 2
    ops:
      get: { path: /fill }
  - name: main
    duration: 10s
    rate: 60
    ops:
      get: { path: /main }
`;

/** Stands in for nb5 in the nb5 pods: prints its args; setup steps end at once, main runs until SIGTERM. */
const NB5_STAND_IN = `
console.log('nb5 ' + process.argv.slice(1).join(' '));
if (process.argv.includes('default.main')) {
  setInterval(() => {}, 1000);
  process.on('SIGTERM', () => process.exit(0));
} else setTimeout(() => process.exit(0), 300);
`;
const METRICS = 'http://127.0.0.1:8428/api/v1/import/prometheus/metrics';

/** The documented nb5 command line of one step (docs/engines/nosqlbench.md). */
function nb5ArgsOf(runId: string, step: string, extra: string[] = [], attempt = 1): string[] {
  const instance = `${runId}-${step}`;
  return [
    '--logs-dir',
    '/nb5/logs',
    '--report-prompush-to',
    `${METRICS}/job/benchpilot/instance/${instance},10s`,
    '--add-labels',
    `jobname:benchpilot,instance:${instance},benchpilot_run:${runId},benchpilot_phase:${step},benchpilot_target:cassandra,benchpilot_attempt:${attempt}`,
    '/nb5/workload/cql_sai_longrun.yaml',
    `default.${step}`,
    'host=127.0.0.1',
    'port=9042',
    'localdc=dc1',
    ...extra,
    'userfile=/nb5/credentials/username',
    'passfile=/nb5/credentials/password',
  ];
}

describe('Kubernetes executor (real control plane, restricted namespace, least-privilege Role)', () => {
  let admin: KubeConfig;
  let ns: TestNamespace;
  let kubelet: FakeKubelet;
  let target: TestHttpServer;
  let dir: string;
  let port: number;
  let configFile: string;
  let server: RunningServer;
  let api: Api;
  let batch: BatchV1Api;
  let core: CoreV1Api;

  async function start(): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', BENCHPILOT_LOG_LEVEL: 'warn' };
    delete env.KUBECONFIG;
    const config = await loadServerConfig(
      { dataDir: join(dir, 'data'), port, config: configFile, demo: false, autoSetup: false },
      env,
    );
    server = await startServer(config);
  }

  before(async () => {
    const kube = await ensureKube();
    admin = kubeConfig(kube.kubeconfig);
    batch = admin.makeApiClient(BatchV1Api);
    core = admin.makeApiClient(CoreV1Api);
    ns = await createTestNamespace(admin, 'bp-exec', { restricted: true });
    kubelet = new FakeKubelet(admin, ns.name, {
      command: (pod, container, env) =>
        container.image?.startsWith('nosqlbench/')
          ? { file: process.execPath, args: ['-e', NB5_STAND_IN, '--', ...(container.args ?? [])] }
          : benchpilotCommand(pod, container, env),
    });
    await kubelet.start();
    target = await startHttpServer();
    dir = await mkdtemp(join(tmpdir(), 'bp-kube-exec-'));
    port = await freePort();
    const saKubeconfig = join(dir, 'sa.kubeconfig');
    await serviceAccountKubeconfig(admin, ns.name, saKubeconfig);
    const workloads = join(dir, 'workloads');
    await mkdir(workloads);
    await writeFile(join(workloads, 'kube-http.yaml'), HTTP_WORKLOAD);
    configFile = join(dir, 'benchpilot.yaml');
    await writeFile(
      configFile,
      [
        'targets:',
        '  http:',
        '    enabled: true',
        `    url: ${target.url}`,
        '    workloads: [kube-http]',
        '  cassandra:',
        '    enabled: true',
        '    host: 127.0.0.1',
        '    port: 9042',
        '    localdc: dc1',
        '    secretEnv: { username: BP_TEST_CASS_USER, password: BP_TEST_CASS_PASS }',
        '    workloads: [cql-sai-longrun]',
        'metrics:',
        `  endpoint: ${METRICS}`,
        'workloads:',
        `  dirs: [${workloads}]`,
        'executor:',
        '  kind: kubernetes',
        '  kubernetes:',
        `    namespace: ${ns.name}`,
        '    release: bp-test',
        `    kubeconfig: ${saKubeconfig}`,
        '    image: ghcr.io/benchpilot/benchpilot:test',
        `    runnerUrl: ws://127.0.0.1:${port}/api/v1/runner`,
        '    ttlSecondsAfterFinished: null',
        '    setupDeadlineSeconds: 600',
        '',
      ].join('\n'),
    );
    process.env.BP_TEST_CASS_USER = 'cassuser';
    process.env.BP_TEST_CASS_PASS = 's3cr3t-Pa55';
    await start();
    api = apiClient(server.url, server.initialToken!);
  });

  after(async () => {
    await server?.close();
    await kubelet?.stop();
    await target?.close();
    await ns?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const jobsOf = async (runId: string): Promise<V1Job[]> =>
    (await batch.listNamespacedJob({ namespace: ns.name, labelSelector: `benchpilot.io/run=${runId}` }))
      .items;

  test('setup phases run as one Job each, in order, each created after the previous succeeded', async () => {
    const started = await api('POST', '/api/v1/setups', { target: 'http', workload: 'kube-http' });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const setup = await waitFor(
      async () => {
        const s = (await api('GET', `/api/v1/setups/${started.json.id}`)).json as Setup;
        return s.state === 'succeeded' || s.state === 'failed' ? s : null;
      },
      90_000,
      'the setup to end',
    );
    assert.equal(setup.state, 'succeeded', JSON.stringify(setup));
    assert.deepEqual(
      setup.phases.map((p) => [p.name, p.state, p.done]),
      [
        ['warm', 'succeeded', 30],
        ['fill', 'succeeded', 40],
      ],
    );
    const jobs = (await jobsOf(setup.runId!)).sort(
      (a, b) =>
        Date.parse(String(a.metadata!.creationTimestamp)) - Date.parse(String(b.metadata!.creationTimestamp)),
    );
    assert.deepEqual(
      jobs.map((j) => j.metadata!.labels!['benchpilot.io/phase']),
      ['warm', 'fill'],
    );
    for (const job of jobs) {
      assert.equal(job.metadata!.labels!['app.kubernetes.io/component'], 'setup');
      assert.equal(job.spec!.activeDeadlineSeconds, 600);
      assert.ok(job.metadata!.name!.length <= 63);
    }
    await waitFor(
      async () => (await jobsOf(setup.runId!)).every((j) => j.status?.succeeded === 1),
      20_000,
      'both Jobs to complete',
    );
    // The next Job is created once the runner reported its phase succeeded (its phase-end), which
    // may be before the Job controller marks the first Job complete. creationTimestamp has whole seconds.
    const firstEnded = Date.parse(setup.phases[0]!.endedAt!);
    const secondCreated = Date.parse(String(jobs[1]!.metadata!.creationTimestamp));
    assert.ok(
      secondCreated >= Math.floor(firstEnded / 1000) * 1000,
      `the second Job (created ${new Date(secondCreated).toISOString()}) only after the first phase ended (${setup.phases[0]!.endedAt})`,
    );
    // Exactly the setup's operations reached the target, once each.
    assert.equal(target.requests.filter((r) => r.url === '/warm').length, 30);
    assert.equal(target.requests.filter((r) => r.url === '/fill').length, 40);
    // The runner Secret (link token + credentials) is gone once the run is over.
    await waitFor(
      async () =>
        (
          await core.listNamespacedSecret({
            namespace: ns.name,
            labelSelector: `benchpilot.io/run=${setup.runId}`,
          })
        ).items.length === 0,
      10_000,
      'the runner Secret to be deleted',
    );
  });

  test('a failed setup phase stops the chain with its reason', async () => {
    const created = await api('POST', '/api/v1/targets', {
      name: 'unreachable-pg',
      driver: 'postgres',
      connection: { url: 'postgres://bench@127.0.0.1:1/none' },
      workloads: ['sql-ecommerce'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const started = await api('POST', '/api/v1/setups', {
      target: 'unreachable-pg',
      workload: 'sql-ecommerce',
    });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const setup = await waitFor(
      async () => {
        const s = (await api('GET', `/api/v1/setups/${started.json.id}`)).json as Setup;
        return s.state === 'failed' || s.state === 'succeeded' ? s : null;
      },
      60_000,
      'the setup to fail',
    );
    assert.equal(setup.state, 'failed');
    assert.match(setup.error ?? '', /BP_TARGET_UNREACHABLE/);
    assert.equal(setup.phases[0]!.state, 'failed');
    assert.ok(setup.phases.slice(1).every((p) => p.state === 'pending'));
    const jobs = await jobsOf(setup.runId!);
    assert.equal(jobs.length, 1, 'no Job for the phases after the failed one');
    // The runner's verdict (exit 2) fails the Job at once through the podFailurePolicy.
    await waitFor(
      async () => (await jobsOf(setup.runId!))[0]?.status?.conditions?.find((c) => c.type === 'Failed'),
      30_000,
      'the Job to be Failed',
    );
  });

  test('a benchmark over 3 pods: Indexed Job, merged snapshots, live rate change, stop deletes Job and pods', async () => {
    const before = target.requests.filter((r) => r.url === '/main').length;
    const started = await api('POST', '/api/v1/runs', {
      target: 'http',
      workload: 'kube-http',
      rate: 60,
      parallelism: 3,
      force: true,
    });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const runId = started.json.id as string;
    const [job] = await waitFor(
      async () => {
        const jobs = await jobsOf(runId);
        return jobs.length > 0 ? jobs : null;
      },
      20_000,
      'the Job',
    );
    assert.equal(job!.spec!.completionMode, 'Indexed');
    assert.equal(job!.spec!.completions, 3);
    assert.equal(job!.spec!.parallelism, 3);
    assert.equal(job!.metadata!.labels!['app.kubernetes.io/component'], 'runner');
    assert.equal(job!.metadata!.labels!['benchpilot.io/target'], 'http');
    const container = job!.spec!.template.spec!.containers[0]!;
    assert.deepEqual(container.args, ['runner', '--connect']);
    assert.equal(job!.spec!.template.spec!.securityContext!.runAsNonRoot, true);
    assert.ok(
      container.env!.every((e) => e.name !== 'BENCHPILOT_RUNNER_TOKEN' || e.valueFrom?.secretKeyRef),
      'the token comes from the Secret, never as a value',
    );
    // Three runner pods, one per completion index, all connected.
    const pods = await waitFor(
      async () => {
        const list = await core.listNamespacedPod({
          namespace: ns.name,
          labelSelector: `benchpilot.io/run=${runId}`,
        });
        return list.items.length === 3 ? list.items : null;
      },
      30_000,
      '3 pods',
    );
    assert.deepEqual(
      pods.map((p) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index']).sort(),
      ['0', '1', '2'],
    );
    // Merged snapshots: the target is the total, the achieved rate is the sum of the three pods.
    await waitFor(
      async () => {
        const run = (await api('GET', `/api/v1/runs/${runId}`)).json as Run;
        return run.live && run.live.targetRate === 60 && Math.abs(run.live.achievedRate - 60) <= 9;
      },
      40_000,
      'achieved ≈ 60/s over 3 pods',
    );
    const patched = await api('PATCH', `/api/v1/runs/${runId}`, { rate: 150 });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    await waitFor(
      async () => {
        const series = (await api('GET', `/api/v1/runs/${runId}/series`)).json as SeriesPoint[];
        const last = series.slice(-2);
        return (
          last.length === 2 && last.every((p) => p.targetRate === 150 && Math.abs(p.achievedRate - 150) <= 15)
        );
      },
      30_000,
      'achieved ≈ 150/s after the live change',
    );
    const stopped = await api('POST', `/api/v1/runs/${runId}/stop`);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.json));
    const run = await waitForRunEnd(api, runId, 60_000);
    assert.equal(run.state, 'stopped', JSON.stringify(run));
    const summary = (await api('GET', `/api/v1/runs/${runId}/summary`)).json as RunSummary;
    assert.equal(summary.partition.count, 3);
    const main = summary.phases.find((p) => p.name === 'main')!;
    const sent = target.requests.filter((r) => r.url === '/main').length - before;
    // Exact merge: every operation of the three pods counted once.
    assert.equal(main.ops[0]!.count, sent);
    assert.ok(main.ops[0]!.latency.p99 > 0);
    // The run's log (pod logs where a kubelet serves them; here what the executor saw).
    const logs = (await api('GET', `/api/v1/runs/${runId}/logs`)).json as { lines: string[] };
    assert.ok(
      logs.lines.some((l) => l === `Job ${job!.metadata!.name} created for phase main (3 pods)`),
      JSON.stringify(logs.lines),
    );
    await waitFor(
      async () => {
        const [jobs, podList] = await Promise.all([
          jobsOf(runId),
          core.listNamespacedPod({ namespace: ns.name, labelSelector: `benchpilot.io/run=${runId}` }),
        ]);
        return jobs.length === 0 && podList.items.length === 0;
      },
      30_000,
      "the stopped run's Job and pods to be deleted",
    );
  });

  test('a control-plane restart re-attaches: the run continues, takes control, and its summary covers both sides', async () => {
    const before = target.requests.filter((r) => r.url === '/main').length;
    const started = await api('POST', '/api/v1/runs', {
      target: 'http',
      workload: 'kube-http',
      rate: 40,
      parallelism: 2,
      force: true,
    });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const runId = started.json.id as string;
    await waitFor(
      async () => ((await api('GET', `/api/v1/runs/${runId}/series`)).json as SeriesPoint[]).length >= 3,
      40_000,
      '3 points before the restart',
    );
    const pointsBefore = ((await api('GET', `/api/v1/runs/${runId}/series`)).json as SeriesPoint[]).length;
    await server.close();
    // A Job no run owns (left by a lost control plane): found and deleted on start (orphanJobs: delete).
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: {
        metadata: {
          name: 'bp-run-orphan-main',
          labels: {
            'app.kubernetes.io/instance': 'bp-test',
            'app.kubernetes.io/managed-by': 'benchpilot',
            'benchpilot.io/run': 'run-orphan',
          },
        },
        spec: {
          suspend: true,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
        },
      },
    });
    await new Promise((r) => setTimeout(r, 2000));
    await start();
    await waitFor(
      async () => (await jobsOf('run-orphan')).length === 0,
      15_000,
      'the orphaned Job to be deleted',
    );
    await waitFor(
      async () =>
        ((await api('GET', `/api/v1/runs/${runId}/series`)).json as SeriesPoint[]).length >= pointsBefore + 3,
      40_000,
      'the series to keep growing after the restart',
    );
    const patched = await api('PATCH', `/api/v1/runs/${runId}`, { rate: 80 });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    await waitFor(
      async () => {
        const series = (await api('GET', `/api/v1/runs/${runId}/series`)).json as SeriesPoint[];
        return series.at(-1)?.targetRate === 80;
      },
      20_000,
      'the re-attached run to take the new rate',
    );
    await api('POST', `/api/v1/runs/${runId}/stop`);
    const run = await waitForRunEnd(api, runId, 60_000);
    assert.equal(run.state, 'stopped', JSON.stringify(run));
    const summary = (await api('GET', `/api/v1/runs/${runId}/summary`)).json as RunSummary;
    const sent = target.requests.filter((r) => r.url === '/main').length - before;
    assert.equal(summary.phases.find((p) => p.name === 'main')!.ops[0]!.count, sent);
  });

  test('NoSQLBench: one nb5 Job per step with exactly the documented args, non-root under restricted; a rate change replaces the Job', async () => {
    const started = await api('POST', '/api/v1/setups', { target: 'cassandra', workload: 'cql-sai-longrun' });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const setup = await waitFor(
      async () => {
        const s = (await api('GET', `/api/v1/setups/${started.json.id}`)).json as Setup;
        return s.state === 'succeeded' || s.state === 'failed' ? s : null;
      },
      60_000,
      'the nb5 setup to end',
    );
    assert.equal(setup.state, 'succeeded', JSON.stringify(setup));
    assert.deepEqual(
      setup.phases.map((p) => [p.name, p.state]),
      [
        ['schema', 'succeeded'],
        ['rampup', 'succeeded'],
      ],
    );
    const runId = setup.runId!;
    const jobs = (await jobsOf(runId)).sort(
      (a, b) =>
        Date.parse(String(a.metadata!.creationTimestamp)) - Date.parse(String(b.metadata!.creationTimestamp)),
    );
    assert.deepEqual(
      jobs.map((j) => j.metadata!.labels!['benchpilot.io/phase']),
      ['schema', 'rampup'],
    );
    for (const job of jobs) {
      const step = job.metadata!.labels!['benchpilot.io/phase']!;
      const pod = job.spec!.template.spec!;
      const c = pod.containers[0]!;
      assert.equal(c.image, 'nosqlbench/nosqlbench:5.21.8-preview');
      assert.deepEqual(c.args, nb5ArgsOf(runId, step));
      assert.equal(c.command, undefined, 'the image entrypoint (java -jar nb5.jar) is kept');
      assert.equal(c.workingDir, undefined);
      assert.equal(pod.securityContext!.runAsNonRoot, true);
      assert.equal(pod.securityContext!.runAsUser, 10001);
      assert.equal(c.securityContext!.readOnlyRootFilesystem, true);
      assert.deepEqual(
        c.env?.map((e) => [e.name, e.value]),
        [['NBSTATEDIR', '/nb5/state']],
      );
      assert.equal(job.metadata!.labels!['app.kubernetes.io/component'], 'nosqlbench');
      assert.ok(!JSON.stringify(job).includes('s3cr3t-Pa55'), 'no credential in the Job');
    }
    // Admitted under Pod Security restricted: the Job controller created their pods and they ran.
    const names = jobs.map((j) => j.metadata!.name!);
    assert.equal(kubelet.started.filter((pod) => names.some((n) => pod.startsWith(`${n}-`))).length, 2);

    const run = await api('POST', '/api/v1/runs', {
      target: 'cassandra',
      workload: 'cql-sai-longrun',
      rate: 500,
    });
    assert.equal(run.status, 201, JSON.stringify(run.json));
    const benchId = run.json.id as string;
    const [first] = await waitFor(
      async () => {
        const found = await jobsOf(benchId);
        return found.length === 1 ? found : null;
      },
      20_000,
      'the nb5 main Job',
    );
    assert.deepEqual(
      first!.spec!.template.spec!.containers[0]!.args,
      nb5ArgsOf(benchId, 'main', ['cyclerate=500']),
    );
    await waitFor(
      async () => (await api('GET', `/api/v1/runs/${benchId}`)).json.state === 'running',
      20_000,
      'the nb5 run to be running',
    );
    const patched = await api('PATCH', `/api/v1/runs/${benchId}`, { rate: 800 });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    const replacement = await waitFor(
      async () => {
        const found = await jobsOf(benchId);
        return found.length === 1 && found[0]!.metadata!.labels!['benchpilot.io/attempt'] === '2'
          ? found[0]
          : null;
      },
      20_000,
      'the replacement Job (and the first one gone)',
    );
    assert.equal(replacement.metadata!.annotations!['benchpilot.io/replaces'], first!.metadata!.name);
    assert.equal(replacement.metadata!.labels!['benchpilot.io/run'], benchId);
    assert.deepEqual(
      replacement.spec!.template.spec!.containers[0]!.args,
      nb5ArgsOf(benchId, 'main', ['cyclerate=800'], 2),
    );
    await api('POST', `/api/v1/runs/${benchId}/stop`);
    const ended = await waitForRunEnd(api, benchId, 30_000);
    assert.equal(ended.state, 'stopped', JSON.stringify(ended));
    await waitFor(
      async () => (await jobsOf(benchId)).length === 0,
      20_000,
      'the stopped nb5 run to leave no Job',
    );
  });

  test('a pod that cannot be scheduled is reported in plain words in the run log', async () => {
    const executor = new KubernetesExecutor({
      namespace: ns.name,
      release: 'bp-test',
      image: 'ghcr.io/benchpilot/benchpilot:test',
      runnerUrl: `ws://127.0.0.1:${port}/api/v1/runner`,
      kubeconfig: join(dir, 'sa.kubeconfig'),
      resources: { requests: { cpu: '500', memory: '64Mi' } },
    });
    const logs: string[] = [];
    const spec: RunSpec = {
      v: 1,
      runId: 'run-unschedulable',
      kind: 'benchmark',
      target: 'http',
      workloadFile: join(dir, 'workloads', 'kube-http.yaml'),
      sets: [],
      overrides: { phase: 'main' },
      only: ['main'],
      workers: 1,
      partition: { index: 0, count: 1 },
    };
    const sink = {
      event: () => undefined,
      logs: (lines: string[]) => logs.push(...lines),
      exited: () => undefined,
    };
    const attachment = await executor.start(spec, sink, {});
    try {
      await waitFor(
        () => logs.find((l) => l.includes('cannot be scheduled')),
        30_000,
        'the scheduling problem in the log',
      );
      const line = logs.find((l) => l.includes('cannot be scheduled'))!;
      assert.match(line, /Insufficient cpu/);
      assert.match(line, /runner\.resources/);
    } finally {
      await executor.kill(spec.runId, attachment.record);
      attachment.detach();
      executor.close();
    }
    await waitFor(
      async () => (await jobsOf(spec.runId)).length === 0,
      15_000,
      'the killed run to leave no Job',
    );
  });

  test('RBAC: the Role allows nothing outside its namespace', async () => {
    const other = await createTestNamespace(admin, 'bp-other');
    try {
      const sa = kubeConfig(join(dir, 'sa.kubeconfig'));
      const saBatch = sa.makeApiClient(BatchV1Api);
      await assert.rejects(
        saBatch.createNamespacedJob({
          namespace: other.name,
          body: {
            metadata: { name: 'nope' },
            spec: {
              template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
            },
          },
        }),
        (err: { code?: number }) => err.code === 403,
      );
    } finally {
      await other.cleanup();
    }
  });
});
