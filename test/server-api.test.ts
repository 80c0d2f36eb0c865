/**
 * The control plane's API end to end with real parts: the server in this process (SQLite, and
 * PostgreSQL via DATABASE_URL), the local executor starting real runner processes, a real HTTP
 * target, a real WebSocket client.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { Run, SeriesPoint, ServerMessage, Setup } from '../src/protocol/api.js';
import { createToken } from '../src/server/auth.js';
import { loadServerConfig } from '../src/server/config.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { openStore } from '../src/server/state/index.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';
import { startPostgres } from './helpers/postgres.js';

const WORKLOAD = `
name: api-test
target: { driver: http, url: "http://127.0.0.1:1", connections: 8 }
bindings:
  id: { type: sequence }
phases:
  - name: seed
    cycles: 50
    concurrency: 4
    ops:
      put: { method: POST, path: "/items/{id}", body: '{"id": {id}}' }
  - name: main
    duration: 30s
    rate: 100
    ops:
      get: { path: "/items/{id}" }
`;

// biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes, asserted field by field
type Json = any;

type Api = (
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
) => Promise<{ status: number; json: Json }>;

function client(base: string, defaultToken: string): Api {
  return async (method, path, body, token = defaultToken) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, json };
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function suite(kind: 'sqlite' | 'postgres') {
  describe(`control plane API (${kind} state)`, () => {
    let target: TestHttpServer;
    let dir: string;
    let server: RunningServer;
    let api: Api;
    let viewer: string;
    let stopPg: (() => Promise<void>) | null = null;

    before(async () => {
      target = await startHttpServer();
      dir = await mkdtemp(join(tmpdir(), `bp-api-${kind}-`));
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', BENCHPILOT_LOG_LEVEL: 'warn' };
      if (kind === 'postgres') {
        const pg = await startPostgres();
        stopPg = () => pg.close();
        env.DATABASE_URL = pg.url;
      }
      const config = await loadServerConfig({ dataDir: dir, port: 0, demo: false, autoSetup: false }, env);
      server = await startServer(config);
      api = client(server.url, server.initialToken!);
      const store = await openStore({
        dataDir: dir,
        ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      });
      viewer = (await createToken(store, 'viewer', 'viewer')).token;
      await store.close();
      const uploaded = await api('POST', '/api/v1/workloads', { yaml: WORKLOAD });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.json));
      const created = await api('POST', '/api/v1/targets', {
        name: 'local-http',
        driver: 'http',
        connection: { url: target.url },
        workloads: ['api-test'],
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
    });

    after(async () => {
      for (const run of (await api('GET', '/api/v1/runs?limit=1000')).json as Run[]) {
        if (!['succeeded', 'failed', 'stopped'].includes(run.state))
          await api('POST', `/api/v1/runs/${run.id}/stop`);
      }
      await server.close();
      await target.close();
      await stopPg?.();
      await rm(dir, { recursive: true, force: true });
    });

    test('auth: 401 without or with an unknown token, 403 when a viewer changes something', async () => {
      assert.equal((await api('GET', '/api/v1/runs', undefined, null)).status, 401);
      const unknown = await api('GET', '/api/v1/runs', undefined, 'bp_nope');
      assert.equal(unknown.status, 401);
      assert.equal(unknown.json.code, 'BP_UNAUTHORIZED');
      assert.equal((await api('GET', '/api/v1/targets', undefined, viewer)).status, 200);
      const forbidden = await api(
        'POST',
        '/api/v1/setups',
        { target: 'local-http', workload: 'api-test' },
        viewer,
      );
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.json.code, 'BP_FORBIDDEN');
      assert.equal(
        (await api('POST', '/api/v1/workloads/validate', { yaml: WORKLOAD }, viewer)).json.ok,
        true,
      );
    });

    test('bad input gets a 4xx naming the field, and changes nothing', async () => {
      const before = ((await api('GET', '/api/v1/runs')).json as Run[]).length;
      const bad = await api('POST', '/api/v1/runs', {
        target: 'local-http',
        workload: 'api-test',
        rate: 'fast',
        extra: 1,
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.code, 'BP_API_BAD_REQUEST');
      assert.ok(
        bad.json.issues.some((i: { path: string }) => i.path === 'body.rate'),
        JSON.stringify(bad.json),
      );
      assert.equal(
        (await api('POST', '/api/v1/runs', { target: 'nope', workload: 'api-test', rate: 5 })).status,
        404,
      );
      assert.equal((await api('GET', '/api/v1/runs/not-a-run-id')).status, 400);
      assert.equal((await api('PATCH', '/api/v1/runs/run-20260101-deadbeef', { rate: 5 })).status, 404);
      const invalid = await api('POST', '/api/v1/workloads/validate', {
        yaml: WORKLOAD.replace('cycles: 50', 'cycels: 50'),
      });
      assert.equal(invalid.json.ok, false);
      assert.match(invalid.json.issues[0].message, /did you mean cycles/);
      assert.equal(invalid.json.issues[0].line, 8);
      const notReady = await api('POST', '/api/v1/runs', {
        target: 'local-http',
        workload: 'api-test',
        rate: 5,
      });
      assert.equal(notReady.status, 409);
      assert.equal(notReady.json.code, 'BP_TARGET_NOT_READY');
      assert.equal(((await api('GET', '/api/v1/runs')).json as Run[]).length, before);
    });

    test('setup runs the setup phases with progress, then the target is ready', async () => {
      const started = await api('POST', '/api/v1/setups', { target: 'local-http', workload: 'api-test' });
      assert.equal(started.status, 201, JSON.stringify(started.json));
      const setup = await until('setup to succeed', async () => {
        const s = (await api('GET', `/api/v1/setups/${started.json.id}`)).json as Setup;
        return s.state === 'succeeded' || s.state === 'failed' ? s : null;
      });
      assert.equal(setup.state, 'succeeded', JSON.stringify(setup));
      assert.deepEqual(
        setup.phases.map((p) => [p.name, p.state, p.done, p.errors]),
        [['seed', 'succeeded', 50, 0]],
      );
      assert.equal(target.requests.filter((r) => r.method === 'POST').length, 50);
      const t = (await api('GET', '/api/v1/targets/local-http')).json;
      assert.deepEqual(t.readiness[0], {
        workload: 'api-test',
        setupId: setup.id,
        state: 'succeeded',
        ready: true,
      });
    });

    test('a failed setup says why, and retry runs it again from the failed phase', async () => {
      const created = await api('POST', '/api/v1/targets', {
        name: 'flaky-http',
        driver: 'http',
        connection: { url: 'http://127.0.0.1:1' },
        workloads: ['api-test'],
      });
      assert.equal(created.status, 201);
      const started = await api('POST', '/api/v1/setups', { target: 'flaky-http', workload: 'api-test' });
      const failed = await until('setup to fail', async () => {
        const s = (await api('GET', `/api/v1/setups/${started.json.id}`)).json as Setup;
        return s.state === 'failed' ? s : null;
      });
      assert.match(failed.error ?? '', /BP_TARGET_UNREACHABLE/);
      assert.equal(failed.phases[0]!.state, 'failed');
      assert.equal(
        (await api('POST', '/api/v1/runs', { target: 'flaky-http', workload: 'api-test', rate: 5 })).status,
        409,
      );
      const put = await api('PUT', '/api/v1/targets/flaky-http', {
        name: 'flaky-http',
        driver: 'http',
        connection: { url: target.url },
        workloads: ['api-test'],
      });
      assert.equal(put.status, 200);
      const retried = await api('POST', `/api/v1/setups/${failed.id}/retry`);
      assert.equal(retried.status, 200, JSON.stringify(retried.json));
      assert.equal(retried.json.id, failed.id);
      const ok = await until('retried setup to succeed', async () => {
        const s = (await api('GET', `/api/v1/setups/${failed.id}`)).json as Setup;
        return s.state === 'succeeded' || s.state === 'failed' ? s : null;
      });
      assert.equal(ok.state, 'succeeded', JSON.stringify(ok));
      assert.deepEqual(
        ok.phases.map((p) => [p.name, p.state, p.done]),
        [['seed', 'succeeded', 50]],
      );
      assert.equal(
        (await api('POST', `/api/v1/setups/${failed.id}/retry`)).status,
        409,
        'only a failed setup can be retried',
      );
    });

    test('a run streams snapshots over the WebSocket; PATCH of the rate shows in the next snapshots; stop keeps results', async () => {
      const started = await api('POST', '/api/v1/runs', {
        target: 'local-http',
        workload: 'api-test',
        rate: 100,
      });
      assert.equal(started.status, 201, JSON.stringify(started.json));
      const id = started.json.id as string;
      const points: SeriesPoint[] = [];
      const ws = new WebSocket(
        `${server.url.replace('http', 'ws')}/api/v1/events?access_token=${server.initialToken}`,
      );
      const messages: ServerMessage[] = [];
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as ServerMessage;
        messages.push(msg);
        if (msg.type === 'snapshot' && msg.runId === id) points.push(msg.point);
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.send(JSON.stringify({ type: 'subscribe', topics: ['runs', `run:${id}`] }));
      await until('3 snapshots', async () => points.length >= 3);
      assert.equal(messages[0]!.type, 'hello');
      assert.ok(points.at(-1)!.targetRate === 100);
      const busy = await api('DELETE', '/api/v1/targets/local-http');
      assert.equal(busy.status, 409, 'a target with a run going cannot be deleted');
      const patched = await api('PATCH', `/api/v1/runs/${id}`, { rate: 300 });
      assert.equal(patched.status, 200, JSON.stringify(patched.json));
      assert.equal(patched.json.params.rate, 300);
      const seen = points.length;
      const fast = await until('achieved rate near 300', async () =>
        points.slice(seen + 1).find((p) => p.targetRate === 300 && Math.abs(p.achievedRate - 300) < 30),
      );
      assert.ok(fast);
      const paused = await api('PATCH', `/api/v1/runs/${id}`, { paused: true });
      assert.equal(paused.json.live.paused, true);
      const idle = await until('a paused snapshot', async () =>
        points.find((p, i) => i > seen && p.achievedRate === 0),
      );
      assert.ok(idle);
      await until(
        'the runner to report paused',
        async () => ((await api('GET', `/api/v1/runs/${id}`)).json as Run).live?.paused,
      );
      assert.equal((await api('PATCH', `/api/v1/runs/${id}`, { paused: false })).json.live.paused, false);
      const wrongModel = await api('PATCH', `/api/v1/runs/${id}`, { concurrency: 3 });
      assert.equal(wrongModel.status, 409);
      const stopped = await api('POST', `/api/v1/runs/${id}/stop`);
      assert.equal(stopped.json.state, 'stopping');
      const final = await until('run to stop', async () => {
        const r = (await api('GET', `/api/v1/runs/${id}`)).json as Run;
        return r.state === 'stopped' ? r : null;
      });
      assert.equal(final.error, null);
      assert.ok(messages.some((m) => m.type === 'run' && m.run.id === id && m.run.state === 'stopped'));
      ws.close();
      const summary = (await api('GET', `/api/v1/runs/${id}/summary`)).json;
      assert.equal(summary.phases[0].name, 'main');
      assert.equal(summary.phases[0].stoppedEarly, true);
      assert.ok(summary.phases[0].ops[0].count > 300);
      const series = (await api('GET', `/api/v1/runs/${id}/series`)).json as SeriesPoint[];
      assert.ok(series.length >= points.length - 1);
      const csv = await fetch(`${server.url}/api/v1/runs/${id}/export.csv`, {
        headers: { authorization: `Bearer ${server.initialToken}` },
      });
      assert.match((await csv.text()).split('\n')[0]!, /^time,elapsed_s,target_rate,achieved_rate/);
      const html = await fetch(`${server.url}/api/v1/runs/${id}/report.html`, {
        headers: { authorization: `Bearer ${server.initialToken}` },
      });
      const page = await html.text();
      assert.match(page, /<svg/);
      assert.match(page, new RegExp(id));
      const curves = (await api('GET', `/api/v1/runs/${id}/percentiles`)).json;
      assert.ok(curves.ops.some((o: { name: string }) => o.name === 'get'));

      const forced = await api('POST', '/api/v1/runs', {
        target: 'local-http',
        workload: 'api-test',
        concurrency: 2,
        durationSeconds: 2,
        force: true,
      });
      assert.equal(forced.status, 201);
      assert.equal(forced.json.params.force, true);
      await until(
        'second run to finish',
        async () => ((await api('GET', `/api/v1/runs/${forced.json.id}`)).json as Run).state === 'succeeded',
      );
      const compare = await api('GET', `/api/v1/compare?ids=${id},${forced.json.id}`);
      assert.equal(compare.status, 200);
      assert.deepEqual(
        compare.json.comparison.rows.map((r: { runId: string }) => r.runId),
        [id, forced.json.id],
      );
      const list = (await api('GET', '/api/v1/runs?kind=benchmark&state=succeeded')).json as Run[];
      assert.deepEqual(
        list.map((r) => r.id),
        [forced.json.id],
      );
    });

    test('the OpenAPI document lists every route with its schemas; health and metrics answer', async () => {
      const doc = (await api('GET', '/api/openapi.json', undefined, null)).json;
      for (const path of [
        '/api/v1/runs',
        '/api/v1/runs/{id}',
        '/api/v1/targets',
        '/api/v1/setups',
        '/api/v1/workloads/validate',
        '/api/v1/compare',
      ]) {
        assert.ok(doc.paths[path], `${path} in OpenAPI`);
      }
      assert.ok(doc.paths['/api/v1/runs'].post.requestBody);
      assert.equal((await api('GET', '/healthz', undefined, null)).status, 200);
      assert.equal((await api('GET', '/readyz', undefined, null)).status, 200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /benchpilot_runs\{state="stopped"\} 1/);
      assert.match(metrics, /benchpilot_api_request_duration_seconds_bucket/);
    });
  });
}

suite('sqlite');
suite('postgres');
