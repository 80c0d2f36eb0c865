/** The http driver: options → a pool (undici, or the opt-in raw transport) → prepared ops. */
import type { Driver, DriverCreateContext, PrepareContext, PreparedOp } from '../../engine/driver.js';
import { BenchpilotError } from '../../protocol/errors.js';
import type { HttpOp, HttpTarget } from './options.js';
import { type Endpoint, openSocket } from './raw-connection.js';
import { RawClient, RawOp } from './raw-transport.js';
import { compilePlan } from './request-plan.js';
import { UndiciClients, UndiciOp } from './undici-transport.js';

/** Pool size when the target does not set `connections`. */
export const MAX_DEFAULT_CONNECTIONS = 256;

export class HttpDriver implements Driver<HttpOp> {
  readonly #target: HttpTarget;
  readonly #url: URL;
  readonly #endpoint: Endpoint;
  readonly #connections: number;
  #undici: UndiciClients | null = null;
  #raw: RawClient | null = null;

  constructor(target: HttpTarget, ctx: DriverCreateContext) {
    this.#target = target;
    this.#url = new URL(target.url);
    const https = this.#url.protocol === 'https:';
    this.#endpoint = {
      host: this.#url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(this.#url.port) || (https ? 443 : 80),
      tls: https
        ? { rejectUnauthorized: target.tls?.rejectUnauthorized ?? true, servername: target.tls?.servername }
        : null,
    };
    this.#connections = target.connections ?? Math.max(1, Math.min(ctx.maxInFlight, MAX_DEFAULT_CONNECTIONS));
  }

  get connections(): number {
    return this.#connections;
  }

  async connect(): Promise<void> {
    const connectTimeoutMs = Math.max(1, Math.round(this.#target.connectTimeout * 1000));
    try {
      if (this.#target.transport === 'raw') {
        const raw = this.#rawClient();
        await raw.open();
      } else {
        await probe(this.#endpoint, connectTimeoutMs);
        this.#undiciClients();
      }
    } catch (err) {
      await this.close();
      throw unreachable(this.#url, this.#endpoint, err);
    }
  }

  async prepare(op: HttpOp, ctx: PrepareContext): Promise<PreparedOp> {
    const plan = compilePlan(op, this.#target, this.#url, ctx);
    if (this.#target.transport === 'raw') return new RawOp(this.#rawClient(), plan, this.#url.host);
    return new UndiciOp(this.#undiciClients(), plan);
  }

  async close(): Promise<void> {
    const undici = this.#undici;
    this.#undici = null;
    this.#raw?.close();
    this.#raw = null;
    if (undici !== null) await undici.destroy();
  }

  #undiciClients(): UndiciClients {
    this.#undici ??= new UndiciClients({
      origin: this.#url.origin,
      connections: this.#connections,
      target: this.#target,
    });
    return this.#undici;
  }

  #rawClient(): RawClient {
    this.#raw ??= new RawClient({
      endpoint: this.#endpoint,
      connections: this.#connections,
      pipelining: this.#target.pipelining,
      timeoutMs: Math.max(1, Math.round(this.#target.timeout * 1000)),
      connectTimeoutMs: Math.max(1, Math.round(this.#target.connectTimeout * 1000)),
    });
    return this.#raw;
  }
}

/** One TCP (and TLS) connect: the target answers before any request is sent. */
function probe(endpoint: Endpoint, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = openSocket(endpoint);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connect timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

function unreachable(url: URL, endpoint: Endpoint, err: unknown): BenchpilotError {
  const code = (err as { code?: string })?.code ?? (err instanceof Error ? err.message : String(err));
  const tlsProblem = /CERT|SELF_SIGNED|TLS|SSL/i.test(code);
  const hint = tlsProblem
    ? 'the TLS certificate was refused; for a test target with a self-signed certificate set target.tls.rejectUnauthorized: false'
    : code === 'ETIMEDOUT'
      ? 'no answer in target.connectTimeout; check the host, port and any firewall'
      : 'is the server running, and are the host and port in target.url right?';
  return new BenchpilotError(
    'BP_TARGET_UNREACHABLE',
    `cannot reach ${url.origin} (${endpoint.host}:${endpoint.port}): ${code}; ${hint}`,
    { cause: err },
  );
}
