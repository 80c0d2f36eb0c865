/**
 * The control plane under load: 50 low-rate runs (one runner process each) and 100 WebSocket
 * subscribers, then a 30 s window measuring API latency, event delivery lag, and the server's
 * CPU and memory. Prints a table and writes the Server section of bench/RESULTS.md.
 * Everything is local (127.0.0.1), bounded (hard limit 4 minutes) and cleaned up.
 */

import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Run } from '../../src/protocol/api.js';
import { TERMINAL_RUN_STATES } from '../../src/protocol/api.js';
import { Api } from './api.js';
import { killLeftovers, type Started, spawnUntil, stopProcess } from './processes.js';
import { cpuSeconds, machineInfo, pidsMatching, pssBytes, rssBytes, sumOver } from './procfs.js';
import { requestsOver, sample } from './prom.js';
import {
  type ApiKind,
  percentiles,
  type ServerBenchResult,
  section,
  table,
  verdict,
  writeSection,
} from './report.js';
import { Subscribers } from './subscribers.js';

const RUNS = 50;
const BATCH = 10;
const RATE = 5;
const SUBSCRIBERS = 100;
const SETTLE_MS = 15_000;
const WINDOW_MS = 30_000;
const REQUESTS_PER_KIND = 300;
/** The measurement gives up here; teardown (bounded too) must fit before the hard limit. */
const MAIN_DEADLINE_MS = 180_000;
const HARD_DEADLINE_MS = 240_000;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'benchpilot.js');
const TARGET_JS = fileURLToPath(new URL('./target.js', import.meta.url));
const RESULTS_MD = join(ROOT, 'bench', 'RESULTS.md');
const KINDS: readonly ApiKind[] = ['list', 'get', 'patch'];

const WORKLOAD = `name: bench-low
target: { driver: http, url: "http://127.0.0.1:1", connections: 2 }
phases:
  - name: main
    rate: ${RATE}
    duration: 1h
    ops:
      get: { path: /ok }
`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Bench {
  tmp: string | null;
  dataDir: string;
  target: Started | null;
  server: Started | null;
  api: Api | null;
  runIds: string[];
  stopped: boolean;
  readonly subscribers: Subscribers;
}

const bench: Bench = {
  tmp: null,
  dataDir: '',
  target: null,
  server: null,
  api: null,
  runIds: [],
  stopped: false,
  subscribers: new Subscribers(),
};

async function ourRuns(api: Api): Promise<Run[]> {
  const res = await api.call<Run[]>('GET', '/api/v1/runs?limit=100');
  if (res.status !== 200) throw new Error(`GET /api/v1/runs: ${res.status} ${JSON.stringify(res.body)}`);
  const ids = new Set(bench.runIds);
  return res.body.filter((run) => ids.has(run.id));
}

/** Each run's state, error and last log lines, for the message when runs end too early. */
async function describeRuns(api: Api, runs: Run[]): Promise<string> {
  const lines = await Promise.all(
    runs.map(async (run) => {
      const logs = await api.call<{ lines?: string[] }>('GET', `/api/v1/runs/${run.id}/logs?tail=15`);
      return `${run.id} ${run.state}: ${run.error}\n  ${(logs.body.lines ?? []).join('\n  ')}`;
    }),
  );
  return lines.join('\n');
}

/** Starts RUNS runs, BATCH at a time, each batch running before the next starts. */
async function startRuns(api: Api): Promise<void> {
  for (let first = 0; first < RUNS; first += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, RUNS - first) }, () =>
        api.call<Run>('POST', '/api/v1/runs', {
          target: 'http',
          workload: 'bench-low',
          rate: RATE,
          force: true,
        }),
      ),
    );
    for (const res of batch) {
      if (res.status !== 201) throw new Error(`POST /api/v1/runs: ${res.status} ${JSON.stringify(res.body)}`);
      bench.runIds.push(res.body.id);
    }
    const deadline = Date.now() + 45_000;
    for (;;) {
      const runs = await ourRuns(api);
      const ended = runs.filter((r) => TERMINAL_RUN_STATES.includes(r.state));
      if (ended.length > 0) throw new Error(`runs ended while starting:\n${await describeRuns(api, ended)}`);
      const running = runs.filter((r) => r.state === 'running').length;
      if (running === bench.runIds.length) break;
      if (Date.now() > deadline)
        throw new Error(`only ${running} of ${bench.runIds.length} runs running after 45 s`);
      await sleep(250);
    }
    log(`${bench.runIds.length} runs running`);
  }
}

/** Sends REQUESTS_PER_KIND of each kind on a fixed schedule over the window; latency of 2xx answers only. */
async function apiLoad(api: Api, windowStart: number) {
  const latencies: Record<ApiKind, number[]> = { list: [], get: [], patch: [] };
  const errors: Record<ApiKind, number> = { list: 0, get: 0, patch: 0 };
  const send = async (kind: ApiKind, n: number) => {
    const id = bench.runIds[n % bench.runIds.length]!;
    try {
      const res =
        kind === 'list'
          ? await api.call('GET', '/api/v1/runs?limit=100')
          : kind === 'get'
            ? await api.call('GET', `/api/v1/runs/${id}`)
            : await api.call('PATCH', `/api/v1/runs/${id}`, {
                rate: Math.floor(n / bench.runIds.length) % 2 === 0 ? RATE + 1 : RATE,
              });
      if (res.status >= 200 && res.status < 300) latencies[kind].push(res.ms);
      else errors[kind]++;
    } catch {
      errors[kind]++;
    }
  };
  const slots = REQUESTS_PER_KIND * KINDS.length;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < slots; i++) {
    await sleep(windowStart + (i * WINDOW_MS) / slots - Date.now());
    pending.push(send(KINDS[i % KINDS.length]!, Math.floor(i / KINDS.length)));
  }
  return { latencies, errors, done: Promise.all(pending) };
}

async function measure(api: Api, serverPid: number): Promise<ServerBenchResult> {
  const runnerPattern = join(bench.dataDir, 'runs') + '/';
  const runnerPids = pidsMatching(runnerPattern);
  const metricsStart = await api.metricsText();
  const cpuStart = { server: cpuSeconds(serverPid) ?? 0, runners: sumOver(runnerPids, cpuSeconds) };
  const rssStart = rssBytes(serverPid) ?? 0;
  const clientCpuStart = process.cpuUsage();
  const windowStart = Date.now();
  bench.subscribers.startWindow();
  const load = await apiLoad(api, windowStart);
  await sleep(windowStart + WINDOW_MS - Date.now());
  bench.subscribers.endWindow();
  const seconds = (Date.now() - windowStart) / 1000;
  const cpuEnd = { server: cpuSeconds(serverPid) ?? 0, runners: sumOver(runnerPids, cpuSeconds) };
  const rssEnd = rssBytes(serverPid) ?? 0;
  const clientCpu = process.cpuUsage(clientCpuStart);
  const runnersNow = pidsMatching(runnerPattern);
  const runnersRss = sumOver(runnersNow, rssBytes);
  const runnersPss = sumOver(runnersNow, pssBytes);
  const metricsEnd = await api.metricsText();
  await load.done;
  // Requests still in flight at the end of the window are in this later scrape.
  const metricsAfter = await api.metricsText();
  const running = (await ourRuns(api)).filter((r) => r.state === 'running').length;
  const api3 = Object.fromEntries(
    KINDS.map((k) => [k, { ...percentiles(load.latencies[k]), errors: load.errors[k] }]),
  ) as ServerBenchResult['api'];
  const delta = (name: string) => sample(metricsEnd, name) - sample(metricsStart, name);
  const slow = (method: string, route: string) => {
    const [end, start] = [metricsAfter, metricsStart].map((text) => requestsOver(text, method, route, '0.1'));
    return { count: end!.count - start!.count, over: end!.over - start!.over };
  };
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    runs: RUNS,
    subscribers: SUBSCRIBERS,
    subscriptions: bench.subscribers.subscriptions,
    settleSeconds: SETTLE_MS / 1000,
    windowSeconds: WINDOW_MS / 1000,
    startAllSeconds: 0,
    api: api3,
    serverSlow: {
      list: slow('GET', '/api/v1/runs'),
      get: slow('GET', '/api/v1/runs/:id'),
      patch: slow('PATCH', '/api/v1/runs/:id'),
    },
    eventLag: percentiles(bench.subscribers.lagsMs),
    snapshotsExpected: bench.subscribers.subscriptions * seconds,
    runMessages: bench.subscribers.runMessages,
    subscribersClosedEarly: bench.subscribers.closedEarly,
    eventsSent: delta('benchpilot_events_sent_total'),
    eventsDropped: delta('benchpilot_events_dropped_total'),
    eventLoopLagP99Ms: sample(metricsEnd, 'benchpilot_server_nodejs_eventloop_lag_p99_seconds') * 1000,
    serverCpuPercent: ((cpuEnd.server - cpuStart.server) / seconds) * 100,
    runnersCpuPercent: ((cpuEnd.runners - cpuStart.runners) / seconds) * 100,
    serverRssStart: rssStart,
    serverRssEnd: rssEnd,
    runnerProcesses: runnersNow.length,
    runnersRss,
    runnersPss,
    clientCpuPercent: ((clientCpu.user + clientCpu.system) / 1e6 / seconds) * 100,
    runningAtEnd: running,
    stopAllSeconds: null,
  };
}

/** POST stop to every run not yet ended and waits until all have ended; seconds taken, or null at the bound. */
async function stopRuns(api: Api, boundMs: number): Promise<number | null> {
  const started = Date.now();
  const runs = await ourRuns(api);
  await Promise.all(
    runs
      .filter((r) => !TERMINAL_RUN_STATES.includes(r.state))
      .map((r) => api.call('POST', `/api/v1/runs/${r.id}/stop`).catch(() => null)),
  );
  while (Date.now() - started < boundMs) {
    const open = (await ourRuns(api)).filter((r) => !TERMINAL_RUN_STATES.includes(r.state));
    if (open.length === 0) {
      bench.stopped = true;
      return (Date.now() - started) / 1000;
    }
    await sleep(250);
  }
  return null;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'bp-bench-server-'));
  bench.tmp = tmp;
  bench.dataDir = join(tmp, 'data');
  const workloadsDir = join(tmp, 'workloads');
  await mkdir(workloadsDir);
  await writeFile(join(workloadsDir, 'bench-low.yaml'), WORKLOAD);

  bench.target = await spawnUntil([TARGET_JS], [/target listening on (\d+)/], process.env, 10_000);
  const configFile = join(tmp, 'benchpilot.yaml');
  await writeFile(
    configFile,
    `targets:\n  http:\n    enabled: true\n    url: http://127.0.0.1:${bench.target.matches[0]}\n` +
      `    workloads: [bench-low]\nworkloads:\n  dirs: [${workloadsDir}]\n`,
  );
  bench.server = await spawnUntil(
    [BIN, 'serve', '--port', '0', '--data-dir', bench.dataDir, '--no-demo', '--config', configFile],
    [/benchpilot listening at (\S+)/, /operator token \(shown once\): (\S+)/],
    { ...process.env, BENCHPILOT_LOG_LEVEL: 'warn', DATABASE_URL: '' },
    60_000,
  );
  const [url, token] = bench.server.matches as [string, string];
  const api = new Api(url, token);
  bench.api = api;
  log(`server ${url} (pid ${bench.server.pid}), target port ${bench.target.matches[0]}`);

  const startAt = Date.now();
  await startRuns(api);
  const startAllSeconds = (Date.now() - startAt) / 1000;
  const wsUrl = `${url.replace(/^http/, 'ws')}/api/v1/events?access_token=${encodeURIComponent(token)}`;
  await bench.subscribers.connect(wsUrl, bench.runIds, SUBSCRIBERS, 15_000);
  log(`${SUBSCRIBERS} subscribers connected; settling ${SETTLE_MS / 1000} s`);
  await sleep(SETTLE_MS);
  log(`measuring for ${WINDOW_MS / 1000} s`);
  const result = { ...(await measure(api, bench.server.pid)), startAllSeconds };
  log('stopping all runs');
  bench.subscribers.close();
  result.stopAllSeconds = await stopRuns(api, 45_000);

  console.log(`\n${table(result)}\n\n${verdict(result).join('\n')}\n`);
  writeSection(RESULTS_MD, section(result));
  log(`wrote the Server section of ${RESULTS_MD}`);
}

/** Bounded teardown: stop runs if still needed, then the server, leftover runners, the target, the temp dir. */
async function teardown(): Promise<void> {
  bench.subscribers.close();
  if (bench.api && bench.runIds.length > 0 && !bench.stopped) {
    await stopRuns(bench.api, 20_000).catch(() => null);
  }
  if (bench.server) await stopProcess(bench.server.child, 5000);
  if (bench.dataDir) {
    const killed = killLeftovers(bench.dataDir);
    if (killed > 0) log(`killed ${killed} leftover runner processes`);
  }
  if (bench.target) await stopProcess(bench.target.child, 2000);
  if (bench.tmp) await rm(bench.tmp, { recursive: true, force: true });
  bench.tmp = null;
}

/** Last resort (hard deadline, signal, unexpected exit): synchronous, kills everything. */
function emergencyTeardown(): void {
  bench.server?.child.kill('SIGKILL');
  bench.target?.child.kill('SIGKILL');
  if (bench.dataDir) killLeftovers(bench.dataDir);
  if (bench.tmp) rmSync(bench.tmp, { recursive: true, force: true });
  bench.tmp = null;
}

process.once('exit', emergencyTeardown);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: cleaning up`);
    emergencyTeardown();
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`bench:server did not finish within ${HARD_DEADLINE_MS / 1000} s; killing everything`);
  emergencyTeardown();
  process.exit(2);
}, HARD_DEADLINE_MS).unref();

let deadlineTimer: NodeJS.Timeout | undefined;
const deadline = new Promise<never>((_, reject) => {
  deadlineTimer = setTimeout(
    () => reject(new Error(`measurement not done within ${MAIN_DEADLINE_MS / 1000} s`)),
    MAIN_DEADLINE_MS,
  );
});
try {
  await Promise.race([main(), deadline]);
} catch (err) {
  console.error(`bench:server failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(deadlineTimer);
  await teardown();
}
