/** A small client of the benchpilot API and its public /metrics, timing each call. */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  /** From the call to the whole body read, ms. */
  readonly ms: number;
}

export class Api {
  readonly #base: string;
  readonly #auth: string;

  constructor(base: string, token: string) {
    this.#base = base;
    this.#auth = `Bearer ${token}`;
  }

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    const started = performance.now();
    const res = await request(`${this.#base}${path}`, {
      method,
      headers: {
        authorization: this.#auth,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    const ms = performance.now() - started;
    return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T, ms };
  }

  /** The server's Prometheus text (GET /metrics, no token needed). */
  async metricsText(): Promise<string> {
    const res = await request(`${this.#base}/metrics`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    return res.body.text();
  }
}
