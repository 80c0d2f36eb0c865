/**
 * Two control-plane replicas on shared PostgreSQL state against the real Kubernetes control
 * plane: only the holder of the leader Lease is ready and active; the standby answers 503. When
 * the active one shuts down, the standby takes the Lease, re-attaches the running benchmark, and
 * its runner pods — redialing through "the Service" (a TCP proxy to whichever replica is ready,
 * as a Service routes only to ready endpoints) — carry on under it.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { SeriesPoint } from '../src/protocol/api.js';
import type { RunSummary } from '../src/protocol/summary.js';
import { loadServerConfig } from '../src/server/config.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { apiClient, freePort, waitForRunEnd } from './helpers/api.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';
import {
  createTestNamespace,
  ensureKube,
  FakeKubelet,
  kubeConfig,
  serviceAccountKubeconfig,
  type TestNamespace,
  waitFor,
} from './helpers/kube.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

const TOKEN = 'ha-test-operator-token-0123456789';
const WORKLOAD = `
name: ha-http
target: { driver: http, url: "http://127.0.0.1:1", connections: 2 }
phases:
  - name: main
    duration: 10s
    rate: 40
    ops:
      get: { path: /ha }
`;

async function isReady(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

/** Stands in for the Service: each new connection goes to a replica that is ready, if any. */
async function startService(
  ports: number[],
): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    void (async () => {
      for (const port of ports) {
        if (!(await isReady(port))) continue;
        const upstream = connect(port, '127.0.0.1');
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
        return;
      }
      client.destroy(); // no ready endpoint: connection refused, as a Service without endpoints
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

let admin: KubeConfig;
let ns: TestNamespace;
let kubelet: FakeKubelet;
let target: TestHttpServer;
let pg: TestPostgres;
let dir: string;
let service: Awaited<ReturnType<typeof startService>>;
const servers: RunningServer[] = [];

before(async () => {
  const kube = await ensureKube();
  admin = kubeConfig(kube.kubeconfig);
  ns = await createTestNamespace(admin, 'bp-ha', { restricted: true });
  kubelet = new FakeKubelet(admin, ns.name);
  await kubelet.start();
  target = await startHttpServer();
  pg = await startPostgres();
  dir = await mkdtemp(join(tmpdir(), 'bp-ha-'));
});

after(async () => {
  for (const server of servers) await server.close().catch(() => undefined);
  if (service) {
    for (const socket of service.sockets) socket.destroy();
    await new Promise<void>((resolve) => service.server.close(() => resolve()));
  }
  await kubelet?.stop();
  await target?.close();
  await pg?.close();
  await ns?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('one active replica holds the Lease; the standby takes over a running benchmark when it goes', async () => {
  const saKubeconfig = join(dir, 'sa.kubeconfig');
  await serviceAccountKubeconfig(admin, ns.name, saKubeconfig);
  await mkdir(join(dir, 'workloads'));
  await writeFile(join(dir, 'workloads', 'ha-http.yaml'), WORKLOAD);
  const [portA, portB] = [await freePort(), await freePort()];
  service = await startService([portA, portB]);
  const configFile = join(dir, 'benchpilot.yaml');
  await writeFile(
    configFile,
    [
      'targets:',
      `  http: { enabled: true, url: "${target.url}", workloads: [ha-http] }`,
      `workloads: { dirs: ["${join(dir, 'workloads')}"] }`,
      'executor:',
      '  kind: kubernetes',
      '  kubernetes:',
      `    namespace: ${ns.name}`,
      '    release: bp-ha',
      `    kubeconfig: ${saKubeconfig}`,
      '    image: ghcr.io/benchpilot/benchpilot:test',
      `    runnerUrl: ws://127.0.0.1:${service.port}/api/v1/runner`,
      '    leaderElection: true',
      '',
    ].join('\n'),
  );
  const replica = async (name: string, port: number) =>
    startServer(
      await loadServerConfig(
        { config: configFile, dataDir: join(dir, name), port, demo: false, autoSetup: false },
        {
          DATABASE_URL: pg.url,
          BENCHPILOT_OPERATOR_TOKEN: TOKEN,
          BENCHPILOT_LOG_LEVEL: 'warn',
          POD_NAME: `benchpilot-${name}`,
        },
      ),
      { onLeadershipLost: () => assert.fail(`replica ${name} lost the lease`) },
    );
  const a = await replica('a', portA);
  servers.push(a);
  const startingB = replica('b', portB);
  startingB.then((b) => servers.push(b)).catch(() => undefined);

  const lease = await admin
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'bp-ha-leader', namespace: ns.name });
  assert.equal(lease.spec?.holderIdentity, 'benchpilot-a');
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${portB}/healthz`)).ok,
    20_000,
    'replica b listening',
  );
  assert.equal(await isReady(portB), false, 'the standby is not ready');
  const standbyAnswer = await fetch(`http://127.0.0.1:${portB}/api/v1/runs`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(standbyAnswer.status, 503);
  assert.equal(((await standbyAnswer.json()) as { code: string }).code, 'BP_STATE_UNAVAILABLE');

  // Through "the Service": the active replica.
  const api = apiClient(async () => `http://127.0.0.1:${(await isReady(portA)) ? portA : portB}`, TOKEN);
  const started = await api('POST', '/api/v1/runs', { target: 'http', workload: 'ha-http', parallelism: 2 });
  assert.equal(started.status, 201, JSON.stringify(started.json));
  const runId = started.json.id as string;
  const series = async () => (await api('GET', `/api/v1/runs/${runId}/series`)).json as SeriesPoint[];
  await waitFor(async () => (await series()).length >= 3, 40_000, '3 points under replica a');
  const before = (await series()).length;

  await servers[0]!.close(); // replica a shuts down and releases the Lease
  servers.shift();
  const b = await startingB;
  assert.equal(await isReady(portB), true, 'the standby became the active replica');
  const taken = await admin
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'bp-ha-leader', namespace: ns.name });
  assert.equal(taken.spec?.holderIdentity, 'benchpilot-b');
  assert.equal(taken.spec?.leaseTransitions, 1);
  assert.ok(b.url.endsWith(`:${portB}`));

  await waitFor(
    async () => (await series()).length >= before + 3,
    40_000,
    'the series to go on under replica b',
  );
  const patched = await api('PATCH', `/api/v1/runs/${runId}`, { rate: 80 });
  assert.equal(patched.status, 200, JSON.stringify(patched.json));
  await waitFor(
    async () => (await series()).at(-1)?.targetRate === 80,
    20_000,
    'the new rate under replica b',
  );
  await api('POST', `/api/v1/runs/${runId}/stop`);
  const run = await waitForRunEnd(api, runId, 60_000);
  assert.equal(run.state, 'stopped', JSON.stringify(run));
  const summary = (await api('GET', `/api/v1/runs/${runId}/summary`)).json as RunSummary;
  assert.equal(summary.phases[0]!.ops[0]!.count, target.requests.filter((r) => r.url === '/ha').length);
});
