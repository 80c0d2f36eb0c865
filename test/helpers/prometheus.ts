/**
 * Starts a real Prometheus from Debian's packages (scripts/ensure-test-tools.sh installs
 * `prometheus`, 2.42 on bookworm) on a free 127.0.0.1 port with a temporary data dir, the
 * remote-write receiver on, NO scrape jobs (a current sample would move the head and older samples
 * would be refused) and a 30-day out-of-order window (so a backfill is accepted); close() stops it
 * (SIGTERM, then SIGKILL after a bounded wait) and removes the directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.BENCHPILOT_PROMETHEUS ?? '/usr/bin/prometheus';

export interface TestPrometheus {
  readonly url: string;
  readonly remoteWriteUrl: string;
  /** Instant query at `timeMs`; the `data.result` array. */
  query(
    promql: string,
    timeMs: number,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  log(): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startPrometheus(): Promise<TestPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) {
    throw new Error(
      `${PROMETHEUS_BIN} not found: run scripts/ensure-test-tools.sh (apt-get install prometheus)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'bp-prom-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    'global: {}\nscrape_configs: []\nstorage:\n  tsdb:\n    out_of_order_time_window: 30d\n',
  );
  const port = await freePort();
  const logFile = join(dir, 'prometheus.log');
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(logFile, 'a');
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=3650d',
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  running.add(child);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const close = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const text = log();
      await close();
      throw new Error(`prometheus exited before it was ready:\n${text}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const text = log();
      await close();
      throw new Error(`prometheus not ready in 30 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    remoteWriteUrl: `${url}/api/v1/write`,
    async query(promql, timeMs) {
      const params = new URLSearchParams({ query: promql, time: String(timeMs / 1000) });
      const res = await fetch(`${url}/api/v1/query?${params}`, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown } };
      if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error ?? res.status}`);
      return body.data?.result as { metric: Record<string, string>; value: [number, string] }[];
    },
    log,
    close,
  };
}
