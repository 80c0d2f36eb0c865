/**
 * `--workers N` and the CLI end to end, against a real HTTP server: the threads together run
 * every cycle exactly once, and their merged results equal the single-thread totals.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { RunEvent } from '../src/protocol/events.js';
import type { RunSummary } from '../src/protocol/summary.js';
import { runWorkload } from '../src/runner/run-workload.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/benchpilot.js', import.meta.url).pathname;

const WORKLOAD = `
name: cycles
target:
  driver: http
  url: \${TARGET_URL}
bindings:
  id: { type: sequence }
phases:
  - name: main
    cycles: 3000
    rate: 3000
    ops:
      get: { path: "/items/{id}", ratio: 3 }
      post: { method: POST, path: "/orders/{id}", body: '{"id": {id}}' }
    thresholds: ["errors == 0", "count == 3000"]
`;

let server: TestHttpServer;
let dir: string;
let file: string;

before(async () => {
  server = await startHttpServer();
  dir = await mkdtemp(join(tmpdir(), 'bp-workers-'));
  file = join(dir, 'cycles.yaml');
  await writeFile(file, WORKLOAD);
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('4 worker threads run every cycle exactly once and merge to exact totals', async () => {
  server.requests.length = 0;
  const events: RunEvent[] = [];
  const summary = await runWorkload({
    file,
    workers: 4,
    env: { TARGET_URL: server.url },
    onEvent: (e) => events.push(e),
  });
  const ids = server.requests.map((r) => Number(r.url.split('/').at(-1)));
  assert.equal(ids.length, 3000);
  assert.equal(new Set(ids).size, 3000, 'no cycle ran twice');
  assert.equal(Math.max(...ids), 2999);
  const posts = server.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 750, 'ratio 3:1 holds across partitions');
  assert.ok(posts.every((r) => JSON.parse(r.body).id === Number(r.url.split('/').at(-1))));
  const phase = summary.phases[0]!;
  assert.equal(summary.partition.threads, 4);
  assert.equal(phase.rate.target, 3000);
  assert.deepEqual(
    phase.ops.map((o) => [o.name, o.count, o.errors]),
    [
      ['get', 2250, 0],
      ['post', 750, 0],
    ],
  );
  assert.ok(
    phase.thresholds.every((t) => t.ok),
    JSON.stringify(phase.thresholds),
  );
  // The live merged snapshots add up to the totals too.
  const snapshotCount = events.reduce((n, e) => n + (e.type === 'snapshot' ? (e.ops.get?.count ?? 0) : 0), 0);
  assert.equal(snapshotCount, 2250);
});

test('the CLI runs a workload, writes --json and --events, and exits 0 when thresholds hold', async () => {
  const json = join(dir, 'out.json');
  const eventsFile = join(dir, 'events.jsonl');
  const args = [
    'run',
    file,
    '--json',
    json,
    '--events',
    eventsFile,
    '--rate',
    '1500',
    '--set',
    'target.connections=16',
  ];
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { ...process.env, TARGET_URL: server.url },
  });
  assert.match(stdout, /get\s+2,?250\s+0/);
  assert.match(stdout, /all 2 thresholds held/);
  const summary = JSON.parse(await readFile(json, 'utf8')) as RunSummary;
  assert.equal(summary.workload, 'cycles');
  assert.equal(summary.phases[0]!.rate.target, 1500);
  assert.ok(
    Math.abs(summary.phases[0]!.rate.achieved - 1500) / 1500 < 0.1,
    `achieved ${summary.phases[0]!.rate.achieved}`,
  );
  for (const key of ['p50', 'p90', 'p99', 'p999', 'max', 'mean']) {
    assert.equal(
      typeof (summary.phases[0]!.ops[0]!.latency as unknown as Record<string, number>)[key],
      'number',
    );
  }
  const types = (await readFile(eventsFile, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as RunEvent).type);
  assert.equal(types[0], 'run-start');
  assert.equal(types.at(-1), 'run-end');
  assert.ok(types.filter((t) => t === 'snapshot').length >= 2);
});

test('the CLI exits 3 when a threshold fails and 2 when the target is unreachable', async () => {
  const failing = await run(
    process.execPath,
    [BIN, 'run', file, '--set', 'phases.main.thresholds[0]=p50 < 1us', '--no-progress'],
    {
      env: { ...process.env, TARGET_URL: server.url },
    },
  ).catch((e: { code: number; stdout: string }) => e);
  assert.equal((failing as { code: number }).code, 3);
  assert.match((failing as { stdout: string }).stdout, /✗ p50 was/);
  const unreachable = await run(process.execPath, [BIN, 'run', file, '--no-progress'], {
    env: { ...process.env, TARGET_URL: 'http://127.0.0.1:1' },
  }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((unreachable as { code: number }).code, 2);
  assert.match((unreachable as { stderr: string }).stderr, /BP_TARGET_UNREACHABLE/);
});

test('validate reports every mistake with file:line:col and exits 2', async () => {
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, WORKLOAD.replace('cycles: 3000', 'cycels: 3000').replace('rate: 3000', 'rate: fast'));
  const result = await run(process.execPath, [BIN, 'validate', bad], {
    env: { ...process.env, TARGET_URL: server.url },
  }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((result as { code: number }).code, 2);
  const stderr = (result as { stderr: string }).stderr;
  assert.match(
    stderr,
    new RegExp(
      `BP_SPEC_UNKNOWN_FIELD: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:5 phases\\[0\\]\\.cycels .*did you mean cycles\\?`,
    ),
  );
  assert.match(stderr, /BP_SPEC_INVALID_VALUE: .*:11:11 phases\[0\]\.rate expected a number, got 'fast'/);
  assert.match(stderr, /\(2 problems\)/);
});
