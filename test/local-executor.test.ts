/**
 * The local executor end to end: real `benchpilot runner` processes (detached), a real HTTP
 * server on 127.0.0.1, the run directory as the channel. Every wait is bounded and every
 * runner's process group is killed in `after`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ExecutorRecord, RunSink } from '../src/executors/executor.js';
import { LocalExecutor } from '../src/executors/local/local-executor.js';
import type { RunEvent, SnapshotEvent } from '../src/protocol/events.js';
import type { RunnerExitRecord, RunSpec } from '../src/protocol/runner.js';
import type { RunSummary } from '../src/protocol/summary.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';

const BIN = new URL('../../bin/benchpilot.js', import.meta.url).pathname;
const EXECUTOR_MODULE = new URL('../src/executors/local/local-executor.js', import.meta.url).href;

const WORKLOAD = `
name: steer
target: { driver: http, url: "\${TARGET_URL}", connections: 8 }
phases:
  - name: main
    duration: 60s
    rate: 200
    ops:
      get: { path: /ok }
`;

const SHORT_WORKLOAD = WORKLOAD.replace('duration: 60s', 'duration: 1s');
const BAD_WORKLOAD = WORKLOAD.replace('rate: 200', 'rate: 200\n    rat: 5');

class RecordingSink implements RunSink {
  readonly events: { event: RunEvent; cursor: number }[] = [];
  readonly logLines: string[] = [];
  readonly exits: { exit: RunnerExitRecord | null; reason: string }[] = [];

  event(event: RunEvent, cursor: number): void {
    this.events.push({ event, cursor });
  }
  logs(lines: string[]): void {
    this.logLines.push(...lines);
  }
  exited(exit: RunnerExitRecord | null, reason: string): void {
    this.exits.push({ exit, reason });
  }
  snapshots(): SnapshotEvent[] {
    return this.events.flatMap(({ event }) => (event.type === 'snapshot' ? [event] : []));
  }
  types(): string[] {
    return this.events.map(({ event }) => event.type);
  }
}

/** Polls `check` every 50 ms until it returns a value (not undefined/false), at most `timeoutMs`. */
async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let server: TestHttpServer;
let root: string;
let runsDir: string;
const pids: number[] = [];
const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
const executors: LocalExecutor[] = [];

before(async () => {
  server = await startHttpServer();
  root = await mkdtemp(join(tmpdir(), 'bp-local-exec-'));
  runsDir = join(root, 'runs');
  await writeFile(join(root, 'steer.yaml'), WORKLOAD);
  await writeFile(join(root, 'short.yaml'), SHORT_WORKLOAD);
  await writeFile(join(root, 'bad.yaml'), BAD_WORKLOAD);
});

after(async () => {
  for (const executor of executors) executor.detachAll();
  for (const child of children) child.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function executor(): LocalExecutor {
  const created = new LocalExecutor({ runsDir, pollMs: 50 });
  executors.push(created);
  return created;
}

function spec(runId: string, workload: string, overrides: RunSpec['overrides'] = {}): RunSpec {
  return {
    v: 1,
    runId,
    workloadFile: join(root, workload),
    sets: [],
    overrides,
    only: [],
    workers: 1,
    partition: { index: 0, count: 1 },
  };
}

async function start(runId: string, workload: string, sink: RunSink, overrides: RunSpec['overrides'] = {}) {
  const attachment = await executor().start(spec(runId, workload, overrides), sink, {
    TARGET_URL: server.url,
  });
  pids.push(attachment.record['pid'] as number);
  return attachment;
}

test('a live run: events, live rate change, detach and reattach without gaps or repeats, stop', async () => {
  const sink = new RecordingSink();
  const attachment = await start('live', 'steer.yaml', sink, { untilStopped: true });
  const record = attachment.record;
  assert.equal(typeof record['pid'], 'number');
  assert.equal(record['dir'], join(runsDir, 'live'));
  assert.equal(typeof record['startedAtMs'], 'number');

  await waitFor('the first snapshot', () => sink.snapshots().length >= 1);
  assert.deepEqual(sink.types().slice(0, 2), ['run-start', 'phase-start']);
  const phaseStart = sink.events[1]!.event;
  assert.ok(phaseStart.type === 'phase-start' && phaseStart.target.rate === 200);
  assert.equal(phaseStart.durationSeconds, null, 'untilStopped removed the 60 s duration');

  // Live rate change through control.jsonl: target 400 at once, achieved ~400 one interval later.
  const controlSentAt = Date.now();
  await executor().control('live', record, { action: 'setRate', rate: 400 });
  await waitFor('the control event', () => sink.types().includes('control'), 3000);
  const controlIndex = sink.types().indexOf('control');
  const afterControl = () =>
    sink.events.slice(controlIndex).flatMap(({ event }) => (event.type === 'snapshot' ? [event] : []));
  const steady = await waitFor('a full interval at the new rate', () => afterControl()[1], 4000);
  assert.ok(Date.now() - controlSentAt < 4000);
  assert.equal(afterControl()[0]!.target.rate, 400);
  assert.equal(steady.target.rate, 400);
  assert.ok(Math.abs(steady.achievedRate - 400) < 50, `achieved ${steady.achievedRate}/s`);

  // The server goes away: stop following, the runner keeps going.
  attachment.detach();
  const seen = sink.events.length;
  const cursor = sink.events.at(-1)!.cursor;
  await sleep(2000);
  assert.equal(sink.events.length, seen, 'nothing is delivered after detach');
  assert.ok(alive(record['pid'] as number), 'the runner outlives its follower');

  // A new server (a new executor instance) picks the run up again from the stored cursor.
  const resumed = new RecordingSink();
  const reattached = await executor().reattach('live', record, cursor, resumed);
  assert.ok(reattached, 'the runner is still running');
  await waitFor('snapshots after reattach', () => resumed.snapshots().length >= 3, 6000);
  const seqs = [...sink.snapshots(), ...resumed.snapshots()].map((s) => s.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    `snapshot seqs run 1..N with no gap and no repeat: ${seqs.join(',')}`,
  );
  const cursors = [...sink.events, ...resumed.events].map((e) => e.cursor);
  assert.ok(
    cursors.every((c, i) => i === 0 || c > cursors[i - 1]!),
    'cursors strictly increase',
  );

  const logs = await executor().tailLogs('live', record, 20);
  assert.ok(
    logs.some((l) => l.includes('phase main started')),
    logs.join('\n'),
  );
  assert.ok(
    sink.logLines.some((l) => l.includes('runner live: pid')),
    'log lines were delivered while following',
  );

  await executor().control('live', record, { action: 'stop' });
  const [ended] = await waitFor('exited', () => resumed.exits.length > 0 && resumed.exits, 10_000);
  assert.equal(ended!.exit?.code, 0, ended!.reason);
  assert.equal(ended!.exit?.error, null);
  assert.deepEqual(resumed.types().slice(-2), ['phase-end', 'run-end']);
  const stopEvent = resumed.events.find(({ event }) => event.type === 'control')?.event;
  assert.deepEqual(stopEvent?.type === 'control' && stopEvent.action, { action: 'stop' });
  const phaseEnd = resumed.events.find(({ event }) => event.type === 'phase-end')!.event;
  assert.ok(phaseEnd.type === 'phase-end' && phaseEnd.summary.stoppedEarly);
  const summary = JSON.parse(await readFile(join(runsDir, 'live', 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.phases[0]!.name, 'main');
  await waitFor('the runner process to end', () => !alive(record['pid'] as number), 5000);
  await sleep(300);
  assert.equal(resumed.exits.length, 1, 'exited is called once');
  reattached.detach();
});

test('a control sent before the phase starts waits for it; SIGTERM stops gracefully with exit record 0', async () => {
  const sink = new RecordingSink();
  const { record } = await start('sigterm', 'steer.yaml', sink, { untilStopped: true });
  await executor().control('sigterm', record, { action: 'setRate', rate: 300 });
  assert.ok(!sink.types().includes('phase-start'), 'sent while the runner is still loading');
  await waitFor('a snapshot at rate 300', () => sink.snapshots().some((s) => s.target.rate === 300), 8000);
  process.kill(record['pid'] as number, 'SIGTERM');
  const [ended] = await waitFor('exited', () => sink.exits.length > 0 && sink.exits, 10_000);
  assert.equal(ended!.exit?.code, 0, ended!.reason);
  assert.ok(sink.types().includes('run-end'));
  assert.ok(existsSync(join(runsDir, 'sigterm', 'summary.json')));
});

test('the runner outlives a kill -9 of the server that started it', async () => {
  // A stand-in server: a separate node process that starts the run, prints its record, then idles.
  const script = join(root, 'server.mjs');
  await writeFile(
    script,
    `import { LocalExecutor } from ${JSON.stringify(EXECUTOR_MODULE)};
const sink = { event() {}, logs() {}, exited() {} };
const executor = new LocalExecutor({ runsDir: ${JSON.stringify(runsDir)} });
const spec = JSON.parse(process.argv[2]);
const { record } = await executor.start(spec, sink, { TARGET_URL: process.argv[3] });
console.log(JSON.stringify(record));
setInterval(() => {}, 1000);
`,
  );
  const serverProcess = spawn(
    process.execPath,
    [script, JSON.stringify(spec('orphan', 'steer.yaml', { untilStopped: true })), server.url],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(serverProcess);
  let output = '';
  serverProcess.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const record = await waitFor(
    'the record',
    () => output.includes('\n') && (JSON.parse(output) as ExecutorRecord),
  );
  pids.push(record['pid'] as number);
  serverProcess.kill('SIGKILL');
  await new Promise((resolve) => serverProcess.once('exit', resolve));
  await sleep(1500);
  assert.ok(alive(record['pid'] as number), 'the runner is still running');

  const sink = new RecordingSink();
  const attachment = await executor().reattach('orphan', record, 0, sink);
  assert.ok(attachment);
  await waitFor('snapshots from the orphaned runner', () => sink.snapshots().length >= 2, 6000);
  await executor().control('orphan', record, { action: 'stop' });
  const [ended] = await waitFor('exited', () => sink.exits.length > 0 && sink.exits, 10_000);
  assert.equal(ended!.exit?.code, 0, ended!.reason);
});

test('a runner killed with SIGKILL is reported as ended without an exit record', async () => {
  const sink = new RecordingSink();
  const { record } = await start('killed', 'steer.yaml', sink, { untilStopped: true });
  await waitFor('a snapshot', () => sink.snapshots().length >= 1);
  await executor().kill('killed', record);
  const [ended] = await waitFor('exited', () => sink.exits.length > 0 && sink.exits, 5000);
  assert.equal(ended!.exit, null);
  assert.match(ended!.reason, new RegExp(`runner process ${record['pid']} ended without an exit record`));
  assert.ok(!sink.types().includes('run-end'));
});

test('a runner killed while nobody follows: reattach delivers what is left, then exited(null), and returns null', async () => {
  const sink = new RecordingSink();
  const attachment = await start('killed-detached', 'steer.yaml', sink, { untilStopped: true });
  await waitFor('a snapshot', () => sink.snapshots().length >= 1);
  attachment.detach();
  const cursor = sink.events.at(-1)!.cursor;
  const pid = attachment.record['pid'] as number;
  await sleep(1200); // a snapshot or so more lands in events.jsonl unread
  process.kill(-pid, 'SIGKILL');
  await waitFor('the runner to die', () => !alive(pid), 5000);
  const later = new RecordingSink();
  assert.equal(await executor().reattach('killed-detached', attachment.record, cursor, later), null);
  assert.ok(later.snapshots().length >= 1, 'the events written while detached are delivered');
  assert.equal(later.snapshots()[0]!.seq, sink.snapshots().at(-1)!.seq + 1);
  assert.equal(later.exits.length, 1);
  assert.equal(later.exits[0]!.exit, null);
  assert.match(later.exits[0]!.reason, /ended without an exit record \(killed or crashed\)/);
});

test('a run that finished while nobody followed: reattach delivers all of it with its exit record, returns null', async () => {
  const sink = new RecordingSink();
  const attachment = await start('finished', 'short.yaml', sink);
  attachment.detach();
  const events = join(runsDir, 'finished', 'events.jsonl');
  let text = '';
  for (let i = 0; i < 100 && !text.includes('"type":"exit"'); i++) {
    await sleep(100);
    text = existsSync(events) ? await readFile(events, 'utf8') : '';
  }
  assert.ok(text.includes('"type":"exit"'), 'the runner finished within 10 s');
  const later = new RecordingSink();
  assert.equal(await executor().reattach('finished', attachment.record, 0, later), null);
  assert.deepEqual(later.types().slice(0, 2), ['run-start', 'phase-start']);
  assert.deepEqual(later.types().slice(-2), ['phase-end', 'run-end']);
  assert.equal(later.exits.length, 1);
  assert.equal(later.exits[0]!.exit?.code, 0);
  assert.equal(later.exits[0]!.reason, 'runner exited with code 0');
});

test('a bad workload ends with an exit record carrying its BP_SPEC_ code, exit code 2', async () => {
  const sink = new RecordingSink();
  await start('bad-workload', 'bad.yaml', sink);
  const [ended] = await waitFor('exited', () => sink.exits.length > 0 && sink.exits, 10_000);
  assert.equal(ended!.exit?.code, 2);
  assert.match(ended!.exit?.error?.code ?? '', /^BP_SPEC_/);
  assert.match(ended!.exit?.error?.message ?? '', /rat/);
  assert.deepEqual(sink.types(), []);
  await waitFor('the error in the log', () => sink.logLines.some((l) => l.includes('BP_SPEC_')), 3000);
});

test('the runner command itself: exit code 2 and an exit record for a bad workload or a bad spec', async () => {
  const dir = join(root, 'direct');
  await mkdir(dir);
  const run = (): { status: number | null; stderr: string; exit: RunnerExitRecord } => {
    const result = spawnSync(process.execPath, [BIN, 'runner', '--spec', join(dir, 'run.json')], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, TARGET_URL: server.url },
    });
    const lines = existsSync(join(dir, 'events.jsonl'))
      ? spawnSync('tail', ['-n', '1', join(dir, 'events.jsonl')], { encoding: 'utf8' }).stdout
      : '{}';
    return { status: result.status, stderr: result.stderr, exit: JSON.parse(lines) as RunnerExitRecord };
  };
  await writeFile(join(dir, 'run.json'), JSON.stringify(spec('direct', 'bad.yaml')));
  const badWorkload = run();
  assert.equal(badWorkload.status, 2, badWorkload.stderr);
  assert.equal(badWorkload.exit.type, 'exit');
  assert.match(badWorkload.exit.error!.code, /^BP_SPEC_/);

  await writeFile(join(dir, 'run.json'), JSON.stringify({ v: 1, runId: 'direct', workers: 0 }));
  const badSpec = run();
  assert.equal(badSpec.status, 2);
  assert.match(badSpec.stderr, /not a v1 RunSpec/);
  assert.match(badSpec.stderr, /workloadFile: is required/);
  assert.match(badSpec.stderr, /workers:/);
  assert.deepEqual(
    { code: badSpec.exit.code, error: badSpec.exit.error?.code },
    { code: 2, error: 'BP_USAGE' },
  );
});

test('tailLogs, remove, and records or run ids that point outside the runs directory', async () => {
  const sink = new RecordingSink();
  const { record } = await start('to-remove', 'short.yaml', sink);
  await waitFor('exited', () => sink.exits.length > 0, 10_000);
  const lines = await executor().tailLogs('to-remove', record, 3);
  assert.equal(lines.length, 3);
  assert.equal(lines.at(-1), 'runner: exit 0');

  const outside: ExecutorRecord = { ...record, dir: root };
  await assert.rejects(executor().remove('to-remove', outside), /not inside the runs directory/);
  await assert.rejects(
    executor().remove('other', record),
    /is not .*other/,
    'a record of another run is refused',
  );
  await assert.rejects(
    executor().start(spec('../escape', 'short.yaml'), sink, {}),
    /not usable as a directory/,
  );
  await assert.rejects(
    executor().start(spec('to-remove', 'short.yaml'), sink, {}),
    /already has a directory/,
  );
  assert.ok(existsSync(root), 'nothing outside was removed');

  await executor().remove('to-remove', record);
  assert.equal(existsSync(join(runsDir, 'to-remove')), false);
});
