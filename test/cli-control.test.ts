/** Live control from a control file, end to end through the real CLI and a real HTTP server. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunEvent, SnapshotEvent } from '../src/protocol/events.js';
import type { RunSummary } from '../src/protocol/summary.js';
import { startHttpServer } from './helpers/http-server.js';

const BIN = new URL('../../bin/benchpilot.js', import.meta.url).pathname;

const WORKLOAD = `
name: steer
target: { driver: http, url: "\${TARGET_URL}", connections: 8 }
phases:
  - name: main
    duration: 60s
    rate: 100
    ops:
      get: { path: /ok }
`;

test('rate changes, pause and stop written to --control apply to the running phase within a second', async () => {
  const server = await startHttpServer();
  const dir = await mkdtemp(join(tmpdir(), 'bp-control-'));
  try {
    const file = join(dir, 'steer.yaml');
    const control = join(dir, 'control.txt');
    const json = join(dir, 'out.json');
    await writeFile(file, WORKLOAD);
    await writeFile(control, '');
    const child = spawn(
      process.execPath,
      [BIN, 'run', file, '--events', '-', '--control', control, '--json', json],
      {
        env: { ...process.env, TARGET_URL: server.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const events: RunEvent[] = [];
    let buffered = '';
    const steps: [number, string][] = [
      [2, 'rate 400'],
      [5, '{"action":"pause"}'],
      [7, 'resume'],
      [9, 'stop'],
    ];
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as RunEvent;
        events.push(event);
        if (event.type === 'snapshot' && steps[0] && event.seq === steps[0][0]) {
          void appendFile(control, `${steps.shift()![1]}\n`);
        }
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    const actions = events.flatMap((e) => (e.type === 'control' ? [e.action.action] : []));
    assert.deepEqual(actions, ['setRate', 'pause', 'resume', 'stop']);
    const snapshots = events.filter((e): e is SnapshotEvent => e.type === 'snapshot');
    const controlAt = (action: string) =>
      events.findIndex((e) => e.type === 'control' && e.action.action === action);
    // Two snapshots after the rate change the target and the achieved rate have moved to 400/s.
    const afterRate = events
      .slice(controlAt('setRate'))
      .filter((e): e is SnapshotEvent => e.type === 'snapshot');
    assert.equal(afterRate[0]!.target.rate, 400);
    assert.ok(Math.abs(afterRate[1]!.achievedRate - 400) < 40, `achieved ${afterRate[1]!.achievedRate}/s`);
    const paused = events
      .slice(controlAt('pause'), controlAt('resume'))
      .filter((e): e is SnapshotEvent => e.type === 'snapshot');
    assert.ok(
      paused.length >= 1 && paused.slice(1).every((s) => s.achievedRate === 0 && s.state === 'paused'),
    );
    assert.equal(snapshots.at(-1)!.state, 'finished');
    const summary = JSON.parse(await readFile(json, 'utf8')) as RunSummary;
    assert.equal(summary.phases[0]!.stoppedEarly, true);
    assert.ok(summary.phases[0]!.durationSeconds < 20, 'stopped long before the 60 s duration');
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
