/**
 * The remote-write sender's retry rules and headers against a real node:http server that answers
 * from a script: 503 then 204 (retried), 429 with Retry-After (honoured), 400 with a body (no retry,
 * the error carries the message), bounded concurrency.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  type EncodedRequest,
  parseRetryAfter,
  RemoteWriteError,
  RemoteWriteSender,
} from '../src/drivers/promwrite/index.js';

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

let script: Reply[] = [];
const seen: { headers: IncomingHttpHeaders; url: string; bytes: number }[] = [];
let inFlight = 0;
let maxInFlight = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ headers: req.headers, url: req.url ?? '', bytes: Buffer.concat(chunks).length });
    const reply = script.shift() ?? { status: 204 };
    setTimeout(() => {
      inFlight--;
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    }, reply.delayMs ?? 0);
  });
});
let url = '';

function request(samples = 10): EncodedRequest {
  return {
    body: new Uint8Array([1, 2, 3]),
    rawBytes: 3,
    samples,
    series: 1,
    minTimestampMs: 0,
    maxTimestampMs: 0,
  };
}

function sender(extra: Partial<ConstructorParameters<typeof RemoteWriteSender>[0]> = {}) {
  const sleeps: number[] = [];
  const s = new RemoteWriteSender({
    url,
    baseBackoffMs: 100,
    maxBackoffMs: 1000,
    maxAttempts: 4,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { s, sleeps };
}

describe('promwrite sender', () => {
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write?x=1`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('remote write 1.0 headers, path and body', async () => {
    seen.length = 0;
    script = [{ status: 204 }];
    const { s } = sender();
    await s.send(request());
    await s.close();
    const h = seen[0]!.headers;
    assert.equal(seen[0]!.url, '/api/v1/write?x=1');
    assert.equal(h['content-encoding'], 'snappy');
    assert.equal(h['content-type'], 'application/x-protobuf');
    assert.equal(h['x-prometheus-remote-write-version'], '0.1.0');
    assert.equal(h['user-agent'], 'benchpilot');
    assert.equal(seen[0]!.bytes, 3);
    assert.equal(s.stats.samplesSent, 10);
  });

  test('503 then 204: retried with backoff, counted as sent', async () => {
    seen.length = 0;
    script = [{ status: 503, body: 'busy' }, { status: 503 }, { status: 204 }];
    const { s, sleeps } = sender();
    await s.send(request(7));
    await s.close();
    assert.equal(seen.length, 3);
    assert.deepEqual(sleeps, [100, 200]);
    assert.equal(s.stats.retries, 2);
    assert.equal(s.stats.samplesSent, 7);
    assert.equal(s.stats.samplesRejected, 0);
  });

  test('429 with Retry-After: the delay is the server’s (capped)', async () => {
    script = [
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 200 },
    ];
    const { s, sleeps } = sender({ maxRetryAfterMs: 60_000 });
    await s.send(request());
    await s.close();
    assert.deepEqual(sleeps, [3000, 60_000]);
    assert.equal(s.stats.samplesSent, 10);
  });

  test('400 with a body: no retry, the error carries the server message', async () => {
    seen.length = 0;
    script = [{ status: 400, body: 'out of bounds\n' }];
    const { s, sleeps } = sender();
    await assert.rejects(s.send(request(5)), (err: unknown) => {
      assert.ok(err instanceof RemoteWriteError);
      assert.equal(err.status, 400);
      assert.equal(err.retryable, false);
      assert.match(err.message, /HTTP 400: out of bounds/);
      return true;
    });
    await s.close();
    assert.equal(seen.length, 1);
    assert.deepEqual(sleeps, []);
    assert.equal(s.stats.samplesRejected, 5);
    assert.equal(s.stats.failedRequests, 1);
    assert.match(s.stats.lastErrors[0]!, /out of bounds/);
  });

  test('5xx forever: bounded attempts, capped exponential backoff, then an error', async () => {
    seen.length = 0;
    script = Array.from({ length: 6 }, () => ({ status: 500, body: 'boom' }));
    const { s, sleeps } = sender({ maxAttempts: 6, baseBackoffMs: 300 });
    await assert.rejects(s.send(request()), /HTTP 500: boom \(gave up after 6 attempts\)/);
    await s.close();
    assert.equal(seen.length, 6);
    assert.deepEqual(sleeps, [300, 600, 1000, 1000, 1000]);
    script = [];
  });

  test('Prometheus 2.42’s 500 "too old sample" is permanent: no retry', async () => {
    seen.length = 0;
    script = [{ status: 500, body: 'too old sample' }];
    const { s, sleeps } = sender();
    await assert.rejects(
      s.send(request()),
      (err: unknown) => err instanceof RemoteWriteError && !err.retryable,
    );
    await s.close();
    assert.equal(seen.length, 1);
    assert.deepEqual(sleeps, []);
  });

  test('network errors are retried too', async () => {
    const { s, sleeps } = sender({ url: 'http://127.0.0.1:1/api/v1/write', maxAttempts: 2 });
    await assert.rejects(
      s.send(request()),
      (err: unknown) => err instanceof RemoteWriteError && err.status === 0,
    );
    await s.close();
    assert.deepEqual(sleeps, [100]);
  });

  test('bounded concurrency', async () => {
    maxInFlight = 0;
    script = Array.from({ length: 12 }, () => ({ status: 204, delayMs: 20 }));
    const { s } = sender({ concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => s.send(request(1))));
    await s.close();
    assert.equal(maxInFlight, 3);
    assert.equal(s.stats.samplesSent, 12);
  });

  test('Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('2', 0), 2000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon', 0), undefined);
    assert.equal(parseRetryAfter(undefined, 0), undefined);
  });
});
