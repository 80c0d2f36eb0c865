/**
 * The Helm chart with the real tools: helm v3 and v4 and helm-unittest built from source
 * (scripts/helm/build.sh), the real Kubernetes control plane (scripts/kube/up.sh).
 * Lint and render a matrix of values with both Helm versions; admit every rendering with a
 * server-side dry-run in a namespace enforcing Pod Security "restricted"; install and upgrade with
 * both (the generated token stays); run the control plane as a process with the chart's
 * ServiceAccount token and its rendered config, and let it do its job (a setup and a benchmark
 * over 2 runner pods) with the chart's Role and nothing more.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { RUNNER_RBAC_RULES } from '../src/executors/kubernetes/rbac.js';
import type { Run, Setup } from '../src/protocol/api.js';
import { loadServerConfig } from '../src/server/config.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { apiClient, freePort, waitForRunEnd } from './helpers/api.js';
import { ensureHelm, type HelmTools } from './helpers/helm.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';
import {
  createTestNamespace,
  ensureKube,
  FakeKubelet,
  kubeConfig,
  type TestNamespace,
  waitFor,
} from './helpers/kube.js';

const execFileP = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const CHART = join(ROOT, 'charts', 'benchpilot');
const KUBE_VERSION = '1.36.3';

type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [k: string]: any;
};

/** The values matrix of the issue: each entry renders, lints and is admitted under restricted. */
const MATRIX: Record<string, string[]> = {
  defaults: [],
  'every target on': [
    'targets.postgres.enabled=true',
    'targets.postgres.host=10.0.0.5',
    'targets.http.enabled=true',
    'targets.http.url=http://api.shop.svc:8080',
    'targets.cassandra.enabled=true',
    'targets.cassandra.host=10.0.0.7',
    'targets.cassandra.credentials.username=cass',
    'targets.cassandra.credentials.password=cass-secret',
    'targets.opensearch.enabled=true',
    'targets.opensearch.host=opensearch.search.svc',
    'targets.presto.enabled=true',
    'targets.presto.host=trino.svc',
    'targets.llm.enabled=true',
    'targets.llm.url=http://vllm.llm.svc:8000',
    'targets.tsdb.enabled=true',
    'targets.tsdb.url=http://vm.svc:8428',
    'metrics.endpoint=http://vm.svc:8428/api/v1/import/prometheus/metrics',
  ],
  openshift: ['openshift=true'],
  ingress: [
    'ingress.enabled=true',
    'ingress.hosts[0].host=bench.example.com',
    'ingress.hosts[0].paths[0].path=/',
    'ingress.hosts[0].paths[0].pathType=Prefix',
  ],
  existingSecret: ['existingSecret=my-benchpilot-secret'],
  'runner placement': [
    'runner.nodeSelector.pool=load',
    'runner.tolerations[0].key=dedicated',
    'runner.tolerations[0].operator=Exists',
    'global.imagePullSecrets[0]=regcred',
  ],
  'external PostgreSQL with 3 replicas': [
    'state.postgres.enabled=true',
    'state.postgres.url=postgres://bench@pg.db.svc:5432/benchpilot',
    'replicaCount=3',
    'updateStrategy.type=RollingUpdate',
  ],
};

async function run(
  file: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

function sets(values: string[]): string[] {
  return values.flatMap((v) => ['--set', v]);
}

async function template(helm: string, values: string[], extra: string[] = []): Promise<string> {
  const out = await run(helm, [
    'template',
    'benchpilot',
    CHART,
    '--namespace',
    'bench',
    '--kube-version',
    KUBE_VERSION,
    ...sets(values),
    ...extra,
  ]);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout;
}

/** The rendering without what is random per render (the generated token and checksums of it). */
function comparable(objects: Doc[]): Doc[] {
  return JSON.parse(
    JSON.stringify(objects, (key, value) =>
      key === 'BENCHPILOT_OPERATOR_TOKEN' || key.startsWith('checksum/') ? '(random)' : value,
    ),
  ) as Doc[];
}

function docs(yamlText: string): Doc[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null && typeof d === 'object');
}

let helm: HelmTools;
let kubectl: string;
let kubeconfigPath: string;
let admin: KubeConfig;

before(async () => {
  [helm] = await Promise.all([ensureHelm()]);
  const kube = await ensureKube();
  kubectl = kube.kubectl;
  kubeconfigPath = kube.kubeconfig;
  admin = kubeConfig(kubeconfigPath);
});

describe('chart: lint, render, admit', () => {
  test('helm lint --strict passes with Helm 3 and Helm 4 for every matrix entry', async () => {
    for (const [name, values] of Object.entries(MATRIX)) {
      for (const bin of [helm.helm3, helm.helm4]) {
        const out = await run(bin, [
          'lint',
          '--strict',
          CHART,
          '--kube-version',
          KUBE_VERSION,
          ...sets(values),
        ]);
        assert.equal(out.code, 0, `${name} with ${bin}: ${out.stdout}${out.stderr}`);
        assert.match(out.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      }
    }
  });

  test('Helm 3 and Helm 4 render the same objects; the Role is exactly the executor rules; the config loads in the server', async () => {
    for (const [name, values] of Object.entries(MATRIX)) {
      const [v3, v4] = await Promise.all([template(helm.helm3, values), template(helm.helm4, values)]);
      assert.deepEqual(comparable(docs(v4)), comparable(docs(v3)), `${name}: Helm 3 and 4 differ`);
      const objects = docs(v3);
      const role = objects.find((d) => d.kind === 'Role')!;
      assert.deepEqual(role.rules, JSON.parse(JSON.stringify(RUNNER_RBAC_RULES)), `${name}: Role rules`);
      const config = objects.find((d) => d.kind === 'ConfigMap' && d.data?.['benchpilot.yaml']);
      assert.ok(config, `${name}: the server config ConfigMap`);
      const dir = await mkdtemp(join(tmpdir(), 'bp-chart-cfg-'));
      try {
        await writeFile(join(dir, 'benchpilot.yaml'), config.data['benchpilot.yaml']);
        const loaded = await loadServerConfig(
          { config: join(dir, 'benchpilot.yaml'), dataDir: dir },
          { BENCHPILOT_NAMESPACE: 'bench' },
        );
        assert.equal(loaded.executor.kind, 'kubernetes', name);
        if (loaded.executor.kind === 'kubernetes') {
          assert.equal(loaded.executor.kubernetes.leaderElection, true, name);
          if (name === 'runner placement') {
            assert.deepEqual(loaded.executor.kubernetes.nodeSelector, { pool: 'load' });
            assert.deepEqual(loaded.executor.kubernetes.tolerations, [
              { key: 'dedicated', operator: 'Exists' },
            ]);
            assert.deepEqual(loaded.executor.kubernetes.imagePullSecrets, ['regcred']);
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const deployment = objects.find((d) => d.kind === 'Deployment')!;
      const pod = deployment.spec.template.spec;
      assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true, name);
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault', name);
      if (name === 'openshift') assert.equal(pod.securityContext.runAsUser, undefined);
      else assert.equal(pod.securityContext.runAsUser, 10001, name);
      if (name === 'external PostgreSQL with 3 replicas') {
        assert.equal(deployment.spec.replicas, 3);
        assert.equal(deployment.spec.strategy.type, 'RollingUpdate');
      } else assert.equal(deployment.spec.strategy.type, 'Recreate', name);
    }
  });

  test('every rendering is admitted by the real API server under Pod Security restricted (server-side dry-run)', async () => {
    const ns = await createTestNamespace(admin, 'bp-chart-dry', { restricted: true });
    try {
      for (const [name, values] of Object.entries(MATRIX)) {
        const rendered = await template(helm.helm4, values, ['--namespace', ns.name]);
        const out = await run(
          kubectl,
          [
            '--kubeconfig',
            kubeconfigPath,
            '-n',
            ns.name,
            'apply',
            '--server-side',
            '--dry-run=server',
            '-f',
            '-',
          ],
          rendered,
        );
        assert.equal(out.code, 0, `${name}: ${out.stderr}`);
        assert.doesNotMatch(out.stderr, /Warning|violate/i, `${name}: ${out.stderr}`);
        assert.ok(
          out.stdout.includes('deployment.apps/benchpilot serverside-applied (server dry run)'),
          out.stdout,
        );
      }
    } finally {
      await ns.cleanup();
    }
  });

  test('values.schema.json rejects a wrong type with a message naming the key', async () => {
    const out = await run(helm.helm4, ['template', 'x', CHART, '--set', 'replicaCount=many']);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /replicaCount/);
    const unknown = await run(helm.helm3, ['template', 'x', CHART, '--set', 'replicas=2']);
    assert.notEqual(unknown.code, 0, 'an unknown top-level key is refused');
    assert.match(unknown.stderr, /replicas/);
  });

  test('helm-unittest suites pass', async () => {
    const out = await run(helm.helmUnittest, [CHART]);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    assert.match(out.stdout, /Tests:\s+\d+ passed/);
    assert.doesNotMatch(out.stdout, /failed/i);
  });

  test('the chart README parameters table and the plain manifest are in sync with the chart', async () => {
    const readme = await run(process.execPath, ['scripts/chart-readme.mjs', '--check']);
    assert.equal(readme.code, 0, readme.stdout + readme.stderr);
    const { stdout, stderr } = await execFileP('bash', ['scripts/render-manifest.sh', '--check'], {
      cwd: ROOT,
      env: { ...process.env, HELM: helm.helm4 },
    });
    assert.doesNotMatch(stdout + stderr, /differ|out of date/i);
  });
});

describe('chart: install, upgrade, and the control plane with the chart Role', () => {
  let ns: TestNamespace;
  let v4ns: TestNamespace;
  let kubelet: FakeKubelet;
  let target: TestHttpServer;
  let dir: string;
  let server: RunningServer | undefined;

  before(async () => {
    ns = await createTestNamespace(admin, 'bp-chart', { restricted: true });
    v4ns = await createTestNamespace(admin, 'bp-chart4', { restricted: true });
    kubelet = new FakeKubelet(admin, ns.name);
    await kubelet.start();
    target = await startHttpServer();
    dir = await mkdtemp(join(tmpdir(), 'bp-chart-run-'));
  });

  after(async () => {
    await server?.close();
    await kubelet?.stop();
    await target?.close();
    await ns?.cleanup();
    await v4ns?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const tokenOf = async (namespace: string): Promise<string> => {
    const secret = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: 'benchpilot', namespace });
    return Buffer.from(secret.data!.BENCHPILOT_OPERATOR_TOKEN!, 'base64').toString('utf8');
  };

  for (const version of ['3', '4'] as const) {
    test(`helm ${version}: install, then upgrade — the generated token is unchanged`, async () => {
      const bin = version === '3' ? helm.helm3 : helm.helm4;
      const namespace = version === '3' ? ns.name : v4ns.name;
      const common = [
        '--namespace',
        namespace,
        '--kubeconfig',
        kubeconfigPath,
        '--set',
        'persistence.enabled=false',
        '--set',
        'targets.http.enabled=true',
        '--set',
        `targets.http.url=${target.url}`,
        '--set',
        'targets.http.workloads[0]=chart-http',
        '--set',
        'autoSetup=false',
      ];
      const install = await run(bin, ['install', 'benchpilot', CHART, ...common]);
      assert.equal(install.code, 0, install.stderr);
      const first = await tokenOf(namespace);
      assert.match(first, /^bp_[A-Za-z0-9]{43}$/);
      const upgrade = await run(bin, ['upgrade', 'benchpilot', CHART, ...common, '--set', 'logLevel=debug']);
      assert.equal(upgrade.code, 0, upgrade.stderr);
      assert.equal(await tokenOf(namespace), first, 'the token survives helm upgrade');
      const history = await run(bin, [
        'history',
        'benchpilot',
        '--namespace',
        namespace,
        '--kubeconfig',
        kubeconfigPath,
      ]);
      assert.match(history.stdout, /\n2\s/);
    });
  }

  test("the control plane with the chart's ServiceAccount token and rendered config runs a setup and a 2-pod benchmark", async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const config = await core.readNamespacedConfigMap({ name: 'benchpilot-config', namespace: ns.name });
    const rendered = parseYaml(config.data!['benchpilot.yaml']!) as Record<string, any>;
    // The rendered config as is, but the workloads come from a local directory (in the cluster a
    // mounted ConfigMap) and runner pods dial 127.0.0.1 (in the cluster the Service).
    const workloads = join(dir, 'workloads');
    await mkdir(workloads);
    await writeFile(
      join(workloads, 'chart-http.yaml'),
      `name: chart-http
target: { driver: http, url: "http://127.0.0.1:1", connections: 2 }
phases:
  - name: prime
    cycles: 20
    concurrency: 2
    ops: { get: { path: /prime } }
  - name: main
    duration: 30s
    rate: 40
    ops: { get: { path: /chart } }
`,
    );
    rendered.workloads = { dirs: [workloads] };
    await writeFile(join(dir, 'benchpilot.yaml'), stringifyYaml(rendered));
    const sa = rendered.executor.kubernetes;
    assert.equal(sa.namespace, ns.name);
    const token = await core.createNamespacedServiceAccountToken({
      name: 'benchpilot',
      namespace: ns.name,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const cluster = admin.getCurrentCluster()!;
    await writeFile(
      join(dir, 'sa.kubeconfig'),
      stringifyYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'c', cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } },
        ],
        users: [{ name: 'sa', user: { token: token.status!.token } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'sa', namespace: ns.name } }],
        'current-context': 'c',
      }),
    );
    const port = await freePort();
    const operatorToken = await tokenOf(ns.name);
    const loaded = await loadServerConfig(
      { config: join(dir, 'benchpilot.yaml'), dataDir: join(dir, 'data'), port, demo: false },
      {
        KUBECONFIG: join(dir, 'sa.kubeconfig'),
        BENCHPILOT_RUNNER_URL: `ws://127.0.0.1:${port}/api/v1/runner`,
        BENCHPILOT_OPERATOR_TOKEN: operatorToken,
        BENCHPILOT_LOG_LEVEL: 'warn',
      },
    );
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, 'sa.kubeconfig');
    try {
      server = await startServer(loaded);
    } finally {
      process.env.KUBECONFIG = previous;
    }
    assert.equal(server.initialToken, null, 'the chart token is used, none is printed');
    const api = apiClient(server.url, operatorToken);
    const setup = await api('POST', '/api/v1/setups', { target: 'http', workload: 'chart-http' });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));
    const done = await waitFor(
      async () => {
        const s = (await api('GET', `/api/v1/setups/${setup.json.id}`)).json as Setup;
        return s.state === 'succeeded' || s.state === 'failed' ? s : null;
      },
      60_000,
      'the setup',
    );
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const started = await api('POST', '/api/v1/runs', {
      target: 'http',
      workload: 'chart-http',
      parallelism: 2,
    });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    await waitFor(
      async () => ((await api('GET', `/api/v1/runs/${started.json.id}`)).json as Run).live?.achievedRate ?? 0,
      40_000,
      'the 2-pod benchmark to send load',
    );
    await api('POST', `/api/v1/runs/${started.json.id}/stop`);
    const ended = await waitForRunEnd(api, started.json.id, 60_000);
    assert.equal(ended.state, 'stopped', JSON.stringify(ended));
    assert.equal(target.requests.filter((r) => r.url === '/prime').length, 20);
    // `helm test`: the chart's test pod checks health and auth. Its process runs here (FakeKubelet)
    // and reaches this control plane instead of the Service's DNS name.
    const tester = new FakeKubelet(admin, ns.name, {
      labelSelector: 'app.kubernetes.io/component=test',
      command: (_pod, container, env) =>
        container.command?.[0] === 'node'
          ? {
              file: process.execPath,
              args: container.command.slice(1),
              env: { PATH: process.env.PATH ?? '', HOME: dir, ...env, BENCHPILOT_URL: server!.url },
            }
          : null,
    });
    await tester.start();
    try {
      const helmTest = await run(helm.helm4, [
        'test',
        'benchpilot',
        '--namespace',
        ns.name,
        '--kubeconfig',
        kubeconfigPath,
      ]);
      assert.equal(helmTest.code, 0, helmTest.stdout + helmTest.stderr);
      assert.match(helmTest.stdout, /Phase:\s+Succeeded/);
      const [testPod] = tester.started;
      assert.ok(testPod, 'the test pod ran');
      const lines = tester.logsOf(testPod);
      for (const check of [
        'alive',
        'ready',
        'a request without a token is refused',
        'a wrong token is refused',
        'the operator token is accepted',
      ])
        assert.ok(
          lines.some((l) => l.startsWith(`ok   ${check}`)),
          `${check}: ${lines.join('\n')}`,
        );
    } finally {
      await tester.stop();
    }
    // Nothing more than the Role: no Jobs in another namespace.
    const saKc = kubeConfig(join(dir, 'sa.kubeconfig'));
    await assert.rejects(
      saKc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: v4ns.name }),
      (err: { code?: number }) => err.code === 403,
    );
  });
});
