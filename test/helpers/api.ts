/**
 * Talking to a control plane under test: a free loopback port to start it on, an API client with
 * an operator token, and waiting for a run to end.
 */
import { createServer } from 'node:net';
import type { Run } from '../../src/protocol/api.js';

/** A port free on 127.0.0.1 right now (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response fields freely
export type Json = any;
export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Json }>;

/**
 * Requests with `Authorization: Bearer <token>`; JSON bodies in and out (a body that is not JSON
 * comes back as text). `base` may be a function: the URL is chosen per request (e.g. the ready one
 * of two replicas).
 */
export function apiClient(base: string | (() => string | Promise<string>), token: string): Api {
  return async (method, path, body) => {
    const url = typeof base === 'string' ? base : await base();
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
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

const ENDED: ReadonlySet<Run['state']> = new Set(['stopped', 'failed', 'succeeded']);

/** Polls the run until it is stopped, failed or succeeded; throws after `timeoutMs`. */
export async function waitForRunEnd(api: Api, runId: string, timeoutMs: number): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await api('GET', `/api/v1/runs/${runId}`)).json as Run;
    if (ENDED.has(run.state)) return run;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} did not end within ${timeoutMs} ms (${run.state})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
