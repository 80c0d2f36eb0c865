/**
 * The runner link end to end with real processes: `benchpilot runner --connect` dials a real
 * WebSocket server hosting the control plane's RunnerGateway. Cutting the connection mid-run loses
 * and repeats nothing (the runner buffers and resends from the last acknowledged seq); live
 * control arrives over the link; a wrong token is refused and the runner gives up at once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { hashToken, RunLink } from '../src/executors/kubernetes/run-link.js';
import { RunnerGateway } from '../src/executors/kubernetes/runner-gateway.js';
import type { RunEvent, SnapshotEvent } from '../src/protocol/events.js';
import type { RunnerExitRecord, RunSpec } from '../src/protocol/runner.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';

const BIN = new URL('../../bin/benchpilot.js', import.meta.url).pathname;
const TOKEN = 'a-per-run-token-of-enough-length';

let target: TestHttpServer;
let wss: WebSocketServer;
let url: string;
let dir: string;
const gateway = new RunnerGateway();
const sockets = new Set<WebSocket>();
/** While set in the future, new connections are dropped at once (a network partition). */
let dropUntil = 0;

before(async () => {
  target = await startHttpServer();
  dir = await mkdtemp(join(tmpdir(), 'bp-link-'));
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket) => {
    if (Date.now() < dropUntil) {
      socket.terminate();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    gateway.accept(socket, '127.0.0.1');
  });
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api/v1/runner`;
});

after(async () => {
  for (const socket of sockets) socket.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

function workload(duration: string, rate: number): string {
  return `
name: link-test
target: { driver: http, url: "${target.url}", connections: 2 }
phases:
  - name: main
    duration: ${duration}
    rate: ${rate}
    ops:
      get: { path: /link }
`;
}

interface Captured {
  events: RunEvent[];
  logs: string[];
  exit: Promise<{ exit: RunnerExitRecord | null; reason: string }>;
  link: RunLink;
}

function register(runId: string, text: string): Captured {
  const events: RunEvent[] = [];
  const logs: string[] = [];
  let resolveExit!: (value: { exit: RunnerExitRecord | null; reason: string }) => void;
  const exit = new Promise<{ exit: RunnerExitRecord | null; reason: string }>((r) => {
    resolveExit = r;
  });
  const spec: RunSpec = {
    v: 1,
    runId,
    workloadFile: 'link-test.yaml',
    sets: [],
    overrides: {},
    only: [],
    workers: 1,
    partition: { index: 0, count: 1 },
  };
  const link = new RunLink({
    runId,
    tokenHash: hashToken(TOKEN),
    spec,
    workload: { fileName: 'link-test.yaml', text },
    steps: [{ phase: 'main', only: ['main'], pods: 1 }],
    out: {
      event: (event) => events.push(event),
      logs: (lines) => logs.push(...lines),
      exited: (exitRecord, reason) => {
        gateway.unregister(runId);
        resolveExit({ exit: exitRecord, reason });
      },
      startStep: async () => undefined,
    },
  });
  gateway.register(link);
  return { events, logs, exit, link };
}

function runner(runId: string, token: string): { done: Promise<number | null>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [BIN, 'runner', '--connect'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      TMPDIR: dir,
      BENCHPILOT_URL: url,
      BENCHPILOT_RUN_ID: runId,
      BENCHPILOT_PHASE: 'main',
      BENCHPILOT_RUNNER_TOKEN: token,
      BENCHPILOT_PARTITION_COUNT: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { done, output: () => output };
}

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a cut connection loses and repeats nothing; live control arrives over the link', async () => {
  const before = target.requests.length;
  const captured = register('run-link-1', workload('6s', 40));
  const proc = runner('run-link-1', TOKEN);
  const snapshots = () => captured.events.filter((e): e is SnapshotEvent => e.type === 'snapshot');
  await until('2 snapshots', () => snapshots().length >= 2);
  // The network drops for 2.5 s: the runner keeps running, buffers, redials, resends what was not acked.
  dropUntil = Date.now() + 2500;
  for (const socket of sockets) socket.terminate();
  const atCut = snapshots().length;
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(snapshots().length, atCut, 'nothing arrives while the link is down');
  await until('the runner to dial again', () => captured.link.connected === 1 && snapshots().length >= 4);
  captured.link.control({ action: 'setRate', rate: 80 });
  const { exit, reason } = await captured.exit;
  assert.equal(await proc.done, 0, proc.output());
  assert.equal(exit?.code, 0, reason);

  const seqs = snapshots().map((s) => s.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    'every snapshot once, in order',
  );
  assert.equal(captured.events.filter((e) => e.type === 'run-start').length, 1);
  const control = captured.events.find((e) => e.type === 'control');
  assert.deepEqual(control && control.type === 'control' ? control.action : null, {
    action: 'setRate',
    rate: 80,
  });
  assert.ok(
    snapshots().some((s) => s.target.rate === 80),
    'snapshots after the change show the new rate',
  );
  const end = captured.events.find((e) => e.type === 'run-end');
  assert.ok(end && end.type === 'run-end');
  const counted = end.summary.phases[0]!.ops[0]!.count;
  assert.equal(counted, target.requests.length - before, 'the summary counts every request once');
  const fromSnapshots = snapshots().reduce((n, s) => n + s.ops.get!.count, 0);
  assert.equal(fromSnapshots, counted, 'no snapshot lost across the cut');
  assert.match(proc.output(), /summary written to /);
});

test('a wrong token is refused: the runner gives up at once with exit 2 and no request is sent', async () => {
  const before = target.requests.length;
  register('run-link-2', workload('2s', 20));
  const started = Date.now();
  const proc = runner('run-link-2', 'not-the-token-of-this-run-at-all');
  assert.equal(await proc.done, 2, proc.output());
  assert.ok(Date.now() - started < 15_000);
  assert.match(proc.output(), /refused this runner: unknown run or wrong token/);
  assert.equal(target.requests.length, before);
  gateway.unregister('run-link-2');
});
