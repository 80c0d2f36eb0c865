/**
 * Sends remote write 1.0 requests (snappy-compressed WriteRequests) over HTTP with undici.
 *
 * Retry rules: 5xx, 429 and network errors are retried with capped exponential backoff
 * (`baseBackoffMs · 2^attempt`, at most `maxBackoffMs`, `maxAttempts` tries in all); a 429's or 503's
 * `Retry-After` (seconds or an HTTP date) replaces the computed delay, capped by `maxRetryAfterMs`.
 * Any other 4xx is not retried: the request fails with a {@link RemoteWriteError} carrying the
 * server's message (Prometheus explains "out of bounds", "out of order sample", … in the body);
 * neither is Prometheus 2.42's 500 "too old sample" (older than the out-of-order window).
 */
import { Pool } from 'undici';
import type { EncodedRequest } from './encode.js';

export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'x-prometheus-remote-write-version': '0.1.0',
  'user-agent': 'benchpilot',
};

export interface SenderOptions {
  /** The remote-write URL, e.g. http://127.0.0.1:9090/api/v1/write */
  readonly url: string;
  /** Requests in flight at once (and HTTP connections). Default 4. */
  readonly concurrency?: number;
  /** Tries per request, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Default 100 ms. */
  readonly baseBackoffMs?: number;
  /** Default 5,000 ms. */
  readonly maxBackoffMs?: number;
  /** A server's Retry-After is honoured up to this. Default 30,000 ms. */
  readonly maxRetryAfterMs?: number;
  /** Per-request timeout (headers and body). Default 30,000 ms. */
  readonly timeoutMs?: number;
  /** Extra headers (tenant ids, auth). */
  readonly headers?: Readonly<Record<string, string>>;
  /** For tests: how to wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SenderStats {
  requests: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  retries: number;
  /** Samples in requests the receiver accepted (2xx). */
  samplesSent: number;
  /** Samples in requests that failed for good (4xx, or retries exhausted). */
  samplesRejected: number;
  failedRequests: number;
  bytesSent: number;
  /** The last few error messages, newest last. */
  lastErrors: string[];
}

/**
 * 5xx answers that will never succeed on retry. Prometheus 2.42 answers a sample older than its
 * out-of-order window with 500 "too old sample" (later versions answer 400).
 */
const PERMANENT_SERVER_ERROR = /too old sample/i;

export class RemoteWriteError extends Error {
  readonly status: number;
  readonly retryable: boolean;
  readonly attempts: number;
  constructor(message: string, status: number, retryable: boolean, attempts: number) {
    super(message);
    this.name = 'RemoteWriteError';
    this.status = status;
    this.retryable = retryable;
    this.attempts = attempts;
  }
}

/** Delay from a Retry-After header value (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function headerValue(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export class RemoteWriteSender {
  readonly stats: SenderStats = {
    requests: 0,
    attempts: 0,
    retries: 0,
    samplesSent: 0,
    samplesRejected: 0,
    failedRequests: 0,
    bytesSent: 0,
    lastErrors: [],
  };
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: SenderOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseBackoffMs = options.baseBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.headers = { ...REMOTE_WRITE_HEADERS, ...(options.headers ?? {}) };
    this.pool = new Pool(url.origin, {
      connections: this.concurrency,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    // the releaser handed its slot over: inFlight unchanged
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private noteError(message: string): void {
    this.stats.lastErrors.push(message);
    if (this.stats.lastErrors.length > 10) this.stats.lastErrors.shift();
  }

  /** Backoff before retry number `retry` (1-based). */
  backoffMs(retry: number): number {
    return Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (retry - 1));
  }

  /**
   * Sends one request, waiting for a concurrency slot first; resolves when the receiver accepted
   * it, rejects with a RemoteWriteError when it failed for good (the stats count it either way).
   */
  async send(req: EncodedRequest): Promise<void> {
    await this.acquire();
    try {
      await this.sendNow(req);
    } finally {
      this.release();
    }
  }

  private async sendNow(req: EncodedRequest): Promise<void> {
    this.stats.requests++;
    let attempt = 0;
    for (;;) {
      attempt++;
      this.stats.attempts++;
      let status = 0;
      let message: string;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.pool.request({
          method: 'POST',
          path: this.path,
          headers: this.headers,
          body: req.body,
        });
        status = res.statusCode;
        const text = await res.body.text();
        if (status >= 200 && status < 300) {
          this.stats.samplesSent += req.samples;
          this.stats.bytesSent += req.body.length;
          return;
        }
        message = `remote write: HTTP ${status}: ${text.trim().slice(0, 1000) || '(empty body)'}`;
        if (status === 429 || status === 503) {
          retryAfterMs = parseRetryAfter(headerValue(res.headers, 'retry-after'), Date.now());
        }
      } catch (err) {
        message = `remote write: ${(err as Error).message}`;
      }
      const retryable =
        status === 0 || status === 429 || (status >= 500 && !PERMANENT_SERVER_ERROR.test(message));
      if (!retryable || attempt >= this.maxAttempts) {
        this.stats.failedRequests++;
        this.stats.samplesRejected += req.samples;
        const full = retryable ? `${message} (gave up after ${attempt} attempts)` : message;
        this.noteError(full);
        throw new RemoteWriteError(full, status, retryable, attempt);
      }
      this.stats.retries++;
      const delay =
        retryAfterMs !== undefined ? Math.min(retryAfterMs, this.maxRetryAfterMs) : this.backoffMs(attempt);
      await this.sleep(delay);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
