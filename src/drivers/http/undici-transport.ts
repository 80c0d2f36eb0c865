/**
 * The default transport: undici Clients driven through `dispatch` with reused handler objects.
 * FACTS.md: promise `request()` costs ~20% against `dispatch`. The handlers implement undici's
 * legacy callback interface (onConnect/onHeaders/onData/onComplete/onError) on purpose: the
 * newer onRequestStart interface makes undici wrap every request in two objects and parse the
 * response headers into an object we never read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Client, type Dispatcher, errors } from 'undici';
import type { OpCompletion, PreparedOp } from '../../engine/driver.js';
import { classifyError, statusClass, statusMessage } from './errors.js';
import type { HttpTarget } from './options.js';
import { isConstant, type Part, type RequestPlan, render } from './request-plan.js';
import { FreeSlots, fillFreeSlots, Ring } from './ring.js';

export interface ClientSettings {
  readonly origin: string;
  readonly connections: number;
  readonly target: HttpTarget;
}

/**
 * `connections` undici Clients (one keep-alive connection each) behind a list of free request
 * slots. undici's Pool does the same job but scans its clients and emits a 'drain' event with a
 * fresh array per request; this keeps dispatch O(1).
 */
export class UndiciClients {
  readonly #clients: Client[] = [];
  readonly #free: FreeSlots<Client>;
  readonly #waiting = new Ring<RequestHandler>();
  #closed = false;

  constructor({ origin, connections, target }: ClientSettings) {
    const timeoutMs = Math.max(1, Math.round(target.timeout * 1000));
    const options: Client.Options = {
      pipelining: target.pipelining,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: Math.max(1, Math.round(target.connectTimeout * 1000)),
      keepAliveTimeout: 30_000,
    };
    if (target.tls) {
      options.connect = {
        rejectUnauthorized: target.tls.rejectUnauthorized,
        ...(target.tls.servername ? { servername: target.tls.servername } : {}),
      };
    }
    this.#free = new FreeSlots(target.pipelining === 1, connections * target.pipelining);
    for (let i = 0; i < connections; i++) this.#clients.push(new Client(origin, options));
    fillFreeSlots(this.#free, this.#clients, target.pipelining);
  }

  dispatch(handler: RequestHandler): void {
    if (this.#free.size > 0) {
      const client = this.#free.take();
      handler.client = client;
      client.dispatch(handler.opts, handler);
    } else if (this.#closed) {
      handler.onError(CLOSED);
    } else {
      this.#waiting.push(handler);
    }
  }

  release(client: Client): void {
    if (this.#waiting.size > 0) {
      const handler = this.#waiting.shift();
      handler.client = client;
      client.dispatch(handler.opts, handler);
    } else {
      this.#free.push(client);
    }
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    while (this.#waiting.size > 0) this.#waiting.shift().onError(CLOSED);
    await Promise.all(this.#clients.map((client) => client.destroy()));
  }
}

const CLOSED = new errors.ClientDestroyedError();

interface RequestOptions {
  path: string;
  method: string;
  headers: string[];
  body: string | Buffer | null;
  /** undici holds a connection's pipeline behind a "blocking" request (default: all but HEAD). */
  blocking: boolean;
}

/** One reusable request: its options object and the handler undici calls back. */
class RequestHandler implements Dispatcher.DispatchHandler {
  slot: OpCompletion | null = null;
  client: Client | null = null;
  status = 0;
  readonly opts: RequestOptions;
  readonly #op: UndiciOp;

  constructor(op: UndiciOp, opts: RequestOptions) {
    this.#op = op;
    this.opts = opts;
  }

  onConnect(): void {}

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(): boolean {
    return true; // discard the body; undici keeps reading
  }

  onComplete(): void {
    const slot = this.slot;
    if (slot === null) return;
    const status = this.status;
    this.#op.release(this);
    if (this.#op.expected[status] === 1) slot.done(null);
    else slot.done(statusClass(status), statusMessage(status));
  }

  onError(err: Error): void {
    const slot = this.slot;
    if (slot === null) return;
    this.#op.release(this);
    const { errorClass, message } = classifyError(err);
    slot.done(errorClass, message);
  }

  // Never called for plain requests; present so undici accepts the handler for every method.
  onUpgrade(
    _statusCode: number,
    _headers: IncomingHttpHeaders | Buffer[] | string[] | null,
    socket: unknown,
  ) {
    (socket as { destroy(): void }).destroy();
  }
}

export class UndiciOp implements PreparedOp {
  readonly expected: Uint8Array;
  readonly #clients: UndiciClients;
  readonly #plan: RequestPlan;
  readonly #free: RequestHandler[] = [];
  /** Indexes into the headers array whose values are templates, and their parts. */
  readonly #dynamicHeaderIndex: number[] = [];
  readonly #dynamicHeaderPart: Part[] = [];
  readonly #headerTemplate: string[] = [];
  readonly #constantBody: Buffer | null;

  constructor(clients: UndiciClients, plan: RequestPlan) {
    this.#clients = clients;
    this.#plan = plan;
    this.expected = plan.expected;
    for (const [name, value] of plan.headers) {
      this.#headerTemplate.push(name, typeof value === 'string' ? value : '');
      if (typeof value !== 'string') {
        this.#dynamicHeaderIndex.push(this.#headerTemplate.length - 1);
        this.#dynamicHeaderPart.push(value);
      }
    }
    // A constant body is encoded once; undici would otherwise Buffer.from() it per request.
    this.#constantBody = typeof plan.body === 'string' ? Buffer.from(plan.body) : null;
  }

  execute(cycle: number, slot: OpCompletion): void {
    const handler = this.#free.pop() ?? this.#newHandler();
    handler.slot = slot;
    if (!this.#plan.constant) this.#fill(handler.opts, cycle);
    this.#clients.dispatch(handler);
  }

  release(handler: RequestHandler): void {
    const client = handler.client;
    handler.slot = null;
    handler.client = null;
    this.#free.push(handler);
    if (client !== null) this.#clients.release(client);
  }

  #fill(opts: RequestOptions, cycle: number): void {
    const plan = this.#plan;
    if (typeof plan.path !== 'string') opts.path = plan.path.render(cycle);
    const headers = opts.headers;
    for (let i = 0; i < this.#dynamicHeaderIndex.length; i++) {
      headers[this.#dynamicHeaderIndex[i]!] = render(this.#dynamicHeaderPart[i]!, cycle);
    }
    if (plan.body !== undefined && typeof plan.body !== 'string') opts.body = plan.body.render(cycle);
  }

  #newHandler(): RequestHandler {
    const plan = this.#plan;
    const opts: RequestOptions = {
      path: isConstant(plan.path) ? (plan.path as string) : '/',
      method: plan.method,
      // each handler owns its array: undici may queue the options until a connection is free
      headers: this.#headerTemplate.slice(),
      body: this.#constantBody,
      blocking: false,
    };
    return new RequestHandler(this, opts);
  }
}
