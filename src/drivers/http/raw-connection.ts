/**
 * One keep-alive HTTP/1.1 connection of the raw transport: writes prebuilt request bytes and
 * matches responses to requests in order (pipelining) through a fixed ring of slots.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { OpCompletion } from '../../engine/driver.js';
import { statusClass, statusMessage } from './errors.js';
import { type ResponseListener, ResponseParser } from './response-parser.js';

/** What a connection needs to know about the op of a request in flight. */
export interface RawRequestOp {
  readonly expected: Uint8Array;
  readonly isHead: boolean;
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: { rejectUnauthorized: boolean; servername?: string | undefined } | null;
}

/** Callbacks into the client that owns the connection. */
export interface ConnectionOwner {
  /** The coarse clock of the timeout ticker. */
  readonly tick: number;
  /** A request slot on `conn` is free again. */
  release(conn: RawConnection): void;
}

/** Called with each read in a buffer that is reused for the next read; true keeps reading. */
export type OnRead = (length: number, buffer: Uint8Array) => boolean;

/** One read buffer for every plain-TCP connection of this thread: reads are handled one at a time. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Opens a socket. With `onRead` (plain TCP only), reads go into a shared reused buffer and skip
 * the stream machinery; TLS sockets deliver 'data' events instead.
 */
export function openSocket(endpoint: Endpoint, onRead?: OnRead): Socket {
  const socket = endpoint.tls
    ? tlsConnect({
        host: endpoint.host,
        port: endpoint.port,
        rejectUnauthorized: endpoint.tls.rejectUnauthorized,
        servername: endpoint.tls.servername ?? (isIp(endpoint.host) ? undefined : endpoint.host),
      })
    : netConnect({
        host: endpoint.host,
        port: endpoint.port,
        ...(onRead ? { onread: { buffer: READ_BUFFER, callback: onRead } } : {}),
      });
  socket.setNoDelay(true);
  return socket;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

export class RawConnection implements ResponseListener {
  /** Ticks of the owner's clock at the last progress (a send on an idle connection, a response). */
  progressTick = 0;
  #socket: Socket | null = null;
  #lastErrorCode = '';
  readonly #owner: ConnectionOwner;
  readonly #endpoint: Endpoint;
  readonly #parser = new ResponseParser(this);
  readonly #slots: (OpCompletion | null)[];
  readonly #ops: (RawRequestOp | null)[];
  #head = 0;
  #count = 0;

  constructor(owner: ConnectionOwner, endpoint: Endpoint, pipelining: number) {
    this.#owner = owner;
    this.#endpoint = endpoint;
    this.#slots = new Array(pipelining).fill(null);
    this.#ops = new Array(pipelining).fill(null);
  }

  get inFlight(): number {
    return this.#count;
  }

  /** Open the socket now and resolve once connected (used by connect() to check the target). */
  open(timeoutMs: number): Promise<void> {
    const socket = this.#ensureSocket();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      const ready = () => {
        clearTimeout(timer);
        socket.off('error', failed);
        resolve();
      };
      const failed = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once(this.#endpoint.tls ? 'secureConnect' : 'connect', ready);
      socket.once('error', failed);
    });
  }

  /** Write one request; the caller has checked that a slot is free. */
  send(payload: Buffer | string, op: RawRequestOp, slot: OpCompletion): void {
    const socket = this.#socket ?? this.#ensureSocket();
    const capacity = this.#slots.length;
    const index = (this.#head + this.#count) % capacity;
    this.#slots[index] = slot;
    this.#ops[index] = op;
    if (this.#count === 0) this.progressTick = this.#owner.tick;
    this.#count++;
    socket.write(payload);
  }

  responseHasNoBody(): boolean {
    return this.#ops[this.#head]?.isHead === true;
  }

  onResponse(status: number, close: boolean): void {
    const head = this.#head;
    const slot = this.#slots[head];
    const op = this.#ops[head];
    if (slot == null || op == null) {
      this.onParseError('response without a request');
      return;
    }
    this.#slots[head] = null;
    this.#ops[head] = null;
    this.#head = head + 1 === this.#slots.length ? 0 : head + 1;
    this.#count--;
    this.progressTick = this.#owner.tick;
    // the server will close: the requests behind this one are lost
    if (close) this.fail('connection', 'server closed the connection');
    this.#owner.release(this);
    if (op.expected[status] === 1) slot.done(null);
    else slot.done(statusClass(status), statusMessage(status));
  }

  onParseError(reason: string): void {
    this.fail('protocol', reason);
  }

  /** Drop the socket and fail every request in flight; the next send reconnects. */
  fail(errorClass: string, message: string): void {
    const socket = this.#socket;
    if (socket !== null) {
      this.#socket = null;
      socket.destroy();
    }
    this.#parser.reset();
    const count = this.#count;
    if (count === 0) return;
    // detach the ring first: done() may send again on this connection
    const failed: OpCompletion[] = [];
    for (let i = 0; i < count; i++) {
      const index = (this.#head + i) % this.#slots.length;
      failed.push(this.#slots[index]!);
      this.#slots[index] = null;
      this.#ops[index] = null;
    }
    this.#head = 0;
    this.#count = 0;
    for (const slot of failed) {
      this.#owner.release(this);
      slot.done(errorClass, message);
    }
  }

  #ensureSocket(): Socket {
    const socket: Socket = openSocket(this.#endpoint, (length, buffer) => {
      if (this.#socket === socket) this.#parser.feed(buffer as Buffer, length);
      return true;
    });
    this.#socket = socket;
    this.#lastErrorCode = '';
    if (this.#endpoint.tls) {
      socket.on('data', (chunk: Buffer) => {
        if (this.#socket === socket) this.#parser.feed(chunk);
      });
    }
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.#socket === socket) this.#lastErrorCode = err.code ?? 'socket error';
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#parser.end();
      if (this.#socket === socket) this.fail('connection', this.#lastErrorCode || 'socket closed');
    });
    return socket;
  }
}
