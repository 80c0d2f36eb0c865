/**
 * Nothing is lost: kill -9 the server while a run goes on, start it again on the same data
 * directory — the run is re-attached, its metrics continue, and finished results are all there.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Run, SeriesPoint } from '../src/protocol/api.js';
import { startHttpServer } from './helpers/http-server.js';

const BIN = new URL('../../bin/benchpilot.js', import.meta.url).pathname;

const WORKLOAD = `
name: restart-test
target: { driver: http, url: "http://127.0.0.1:1", connections: 4 }
phases:
  - name: main
    duration: 5s
    rate: 50
    ops:
      get: { path: /ok }
`;

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function serve(
  dir: string,
  configFile: string,
): Promise<{ child: ChildProcess; url: string; token: string | null }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--data-dir', dir, '--config', configFile, '--no-demo'],
    {
      env: { ...process.env, BENCHPILOT_LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /benchpilot listening at (\S+)/.exec(out)?.[1];
      if (url && (/operator token \(shown once\): (\S+)/.test(out) || /tokens exist/.test(out))) {
        clearTimeout(timer);
        resolve({ child, url, token: /operator token \(shown once\): (\S+)/.exec(out)?.[1] ?? null });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

test('a run survives kill -9 of the server: re-attached, metrics continue, results complete', async () => {
  const target = await startHttpServer();
  const dir = await mkdtemp(join(tmpdir(), 'bp-restart-'));
  try {
    const workloadsDir = join(dir, 'workloads-src');
    await rm(workloadsDir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(workloadsDir));
    await writeFile(join(workloadsDir, 'restart-test.yaml'), WORKLOAD);
    const configFile = join(dir, 'benchpilot.yaml');
    await writeFile(
      configFile,
      `targets:\n  http:\n    enabled: true\n    url: ${target.url}\n    workloads: [restart-test]\nworkloads:\n  dirs: [${workloadsDir}]\n`,
    );
    const first = await serve(join(dir, 'data'), configFile);
    const token = first.token!;
    const api = async (base: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : null,
      });
      // biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes, asserted field by field
      return (await res.json()) as any;
    };
    // A short run that finishes before the crash, and a long one that is running during it.
    const short = await api(first.url, 'POST', '/api/v1/runs', {
      target: 'http',
      workload: 'restart-test',
      rate: 50,
      durationSeconds: 1,
    });
    const long = await api(first.url, 'POST', '/api/v1/runs', {
      target: 'http',
      workload: 'restart-test',
      rate: 50,
    });
    assert.ok(long.id, JSON.stringify(long));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const [s, l] = [
        await api(first.url, 'GET', `/api/v1/runs/${short.id}`),
        await api(first.url, 'GET', `/api/v1/runs/${long.id}`),
      ];
      if (s.state === 'succeeded' && l.state === 'running' && (l.live?.elapsedSeconds ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const beforeCrash = (await api(first.url, 'GET', `/api/v1/runs/${long.id}/series`)) as SeriesPoint[];
    assert.ok(beforeCrash.length >= 2, 'the long run streamed before the crash');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 2000)); // the runner keeps going meanwhile

    const second = await serve(join(dir, 'data'), configFile);
    assert.equal(second.token, null, 'tokens survive the restart; no new one is printed');
    const reattached = (await api(second.url, 'GET', `/api/v1/runs/${long.id}`)) as Run;
    assert.equal(reattached.state, 'running');
    let after: SeriesPoint[] = [];
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      after = (await api(second.url, 'GET', `/api/v1/runs/${long.id}/series`)) as SeriesPoint[];
      if (after.length >= beforeCrash.length + 4) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(
      after.length >= beforeCrash.length + 4,
      `series grew after the restart (${beforeCrash.length} → ${after.length})`,
    );
    assert.deepEqual(
      after.slice(0, beforeCrash.length),
      beforeCrash,
      'what was recorded before the crash is unchanged',
    );
    const patched = await api(second.url, 'PATCH', `/api/v1/runs/${long.id}`, { rate: 80 });
    assert.equal(patched.params.rate, 80, 'live control works on the re-attached run');
    await api(second.url, 'POST', `/api/v1/runs/${long.id}/stop`);
    let final: Run = reattached;
    const stopBy = Date.now() + 20_000;
    while (Date.now() < stopBy && final.state !== 'stopped') {
      final = await api(second.url, 'GET', `/api/v1/runs/${long.id}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(final.state, 'stopped');
    const summary = await api(second.url, 'GET', `/api/v1/runs/${long.id}/summary`);
    const count = summary.phases[0].ops[0].count as number;
    assert.ok(
      count >= 50 * 6,
      `the summary covers the whole run, before and after the restart (${count} ops)`,
    );
    const shortSummary = await api(second.url, 'GET', `/api/v1/runs/${short.id}/summary`);
    assert.equal(
      shortSummary.phases[0].ops[0].count,
      50,
      'the run finished before the crash keeps its result',
    );
    second.child.kill('SIGTERM');
  } finally {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
});
