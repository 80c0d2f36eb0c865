/**
 * The opt-in raw transport (`transport: raw`): HTTP/1.1 keep-alive sockets written with
 * request bytes built once per op (or one string per cycle for templated ops), and a minimal
 * response parse. FACTS.md measured this shape at 1.4-1.6x autocannon where undici's dispatch is
 * ~1.0x. It does not follow redirects, retry, or decompress; see docs/drivers/http.md.
 */
import type { OpCompletion, PreparedOp } from '../../engine/driver.js';
import type { CompiledTemplate } from '../../engine/template.js';
import { type ConnectionOwner, type Endpoint, RawConnection, type RawRequestOp } from './raw-connection.js';
import { type Part, type RequestPlan, render } from './request-plan.js';
import { FreeSlots, fillFreeSlots } from './ring.js';

/** Requests waiting for a free slot (more ops in flight than connections x pipelining). */
class WaitQueue {
  #payloads: (Buffer | string | null)[] = new Array(64).fill(null);
  #ops: (RawRequestOp | null)[] = new Array(64).fill(null);
  #slots: (OpCompletion | null)[] = new Array(64).fill(null);
  #head = 0;
  size = 0;

  push(payload: Buffer | string, op: RawRequestOp, slot: OpCompletion): void {
    if (this.size === this.#payloads.length) this.#grow();
    const index = (this.#head + this.size) % this.#payloads.length;
    this.#payloads[index] = payload;
    this.#ops[index] = op;
    this.#slots[index] = slot;
    this.size++;
  }

  /** Send the oldest waiting request on `conn`. */
  sendFirst(conn: RawConnection): void {
    const index = this.#head;
    const payload = this.#payloads[index]!;
    const op = this.#ops[index]!;
    const slot = this.#slots[index]!;
    this.#payloads[index] = null;
    this.#ops[index] = null;
    this.#slots[index] = null;
    this.#head = (index + 1) % this.#payloads.length;
    this.size--;
    conn.send(payload, op, slot);
  }

  /** Remove every waiting request and return its slots. */
  drain(): OpCompletion[] {
    const slots: OpCompletion[] = [];
    while (this.size > 0) {
      slots.push(this.#slots[this.#head]!);
      this.#payloads[this.#head] = null;
      this.#ops[this.#head] = null;
      this.#slots[this.#head] = null;
      this.#head = (this.#head + 1) % this.#payloads.length;
      this.size--;
    }
    return slots;
  }

  #grow(): void {
    const order = (arr: unknown[]) => [...arr.slice(this.#head), ...arr.slice(0, this.#head)];
    const length = this.#payloads.length;
    this.#payloads = [...order(this.#payloads), ...new Array(length).fill(null)] as (
      | Buffer
      | string
      | null
    )[];
    this.#ops = [...order(this.#ops), ...new Array(length).fill(null)] as (RawRequestOp | null)[];
    this.#slots = [...order(this.#slots), ...new Array(length).fill(null)] as (OpCompletion | null)[];
    this.#head = 0;
  }
}

export interface RawClientSettings {
  readonly endpoint: Endpoint;
  readonly connections: number;
  readonly pipelining: number;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
}

export class RawClient implements ConnectionOwner {
  tick = 0;
  readonly #connections: RawConnection[] = [];
  /** Free request slots, a FIFO of connections: taking from the front spreads load round-robin. */
  readonly #free: FreeSlots<RawConnection>;
  readonly #waiting = new WaitQueue();
  readonly #settings: RawClientSettings;
  readonly #timeoutTicks: number;
  readonly #tickMs: number;
  #ticker: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(settings: RawClientSettings) {
    this.#settings = settings;
    this.#free = new FreeSlots(settings.pipelining === 1, settings.connections * settings.pipelining);
    for (let i = 0; i < settings.connections; i++) {
      this.#connections.push(new RawConnection(this, settings.endpoint, settings.pipelining));
    }
    fillFreeSlots(this.#free, this.#connections, settings.pipelining);
    // One coarse shared timer instead of a timer per request: a request times out between
    // timeout and timeout + one tick (a quarter of the timeout, at most 1 s).
    this.#tickMs = Math.min(1000, Math.max(10, Math.floor(settings.timeoutMs / 4)));
    this.#timeoutTicks = Math.ceil(settings.timeoutMs / this.#tickMs);
  }

  /** Open every connection; rejects with the first socket error. */
  async open(): Promise<void> {
    this.#startTicker();
    await Promise.all(this.#connections.map((conn) => conn.open(this.#settings.connectTimeoutMs)));
  }

  send(payload: Buffer | string, op: RawRequestOp, slot: OpCompletion): void {
    if (this.#closed) {
      slot.done('cancelled', 'driver closed');
      return;
    }
    if (this.#ticker === null) this.#startTicker();
    if (this.#free.size > 0) this.#free.take().send(payload, op, slot);
    else this.#waiting.push(payload, op, slot);
  }

  release(conn: RawConnection): void {
    if (this.#waiting.size > 0 && !this.#closed) this.#waiting.sendFirst(conn);
    else this.#free.push(conn);
  }

  close(): void {
    this.#closed = true;
    if (this.#ticker !== null) clearInterval(this.#ticker);
    this.#ticker = null;
    for (const slot of this.#waiting.drain()) slot.done('cancelled', 'driver closed');
    for (const conn of this.#connections) conn.fail('cancelled', 'driver closed');
  }

  #startTicker(): void {
    if (this.#ticker !== null || this.#closed) return;
    this.#ticker = setInterval(() => this.#onTick(), this.#tickMs);
    this.#ticker.unref();
  }

  #onTick(): void {
    this.tick++;
    for (const conn of this.#connections) {
      if (conn.inFlight > 0 && this.tick - conn.progressTick > this.#timeoutTicks) {
        conn.fail('timeout', 'response timeout');
      }
    }
  }
}

const UNSAFE_PATH = /\s/;
const UNSAFE_VALUE = /[\r\n]/;

/** One op on the raw transport: the request head compiled into literal text and rendered parts. */
export class RawOp implements PreparedOp, RawRequestOp {
  readonly expected: Uint8Array;
  readonly isHead: boolean;
  readonly #client: RawClient;
  /** The whole request, when nothing in it is a template. */
  readonly #bytes: Buffer | null;
  /** Head text: literals[0] + render(parts[0]) + literals[1] + ... (constant headers merged). */
  readonly #literals: string[] = [''];
  readonly #parts: CompiledTemplate[] = [];
  /** Per part: true for the path (no whitespace allowed), false for a header value (no CR/LF). */
  readonly #isPath: boolean[] = [];
  readonly #body: Part | undefined;
  readonly #emptyBodyTail: string;

  constructor(client: RawClient, plan: RequestPlan, hostHeader: string) {
    this.#client = client;
    this.expected = plan.expected;
    this.isHead = plan.isHead;
    this.#add(`${plan.method} `);
    this.#add(plan.path, true);
    this.#add(` HTTP/1.1\r\nhost: ${hostHeader}\r\n`);
    for (const [name, value] of plan.headers) {
      this.#add(`${name}: `);
      this.#add(value, false);
      this.#add('\r\n');
    }
    this.#body = plan.body;
    const sendsBody = plan.method === 'POST' || plan.method === 'PUT' || plan.method === 'PATCH';
    this.#emptyBodyTail = sendsBody ? 'content-length: 0\r\n\r\n' : '\r\n';
    this.#bytes = plan.constant ? Buffer.from(this.#build(0)) : null;
  }

  execute(cycle: number, slot: OpCompletion): void {
    if (this.#bytes !== null) {
      this.#client.send(this.#bytes, this, slot);
      return;
    }
    const text = this.#build(cycle);
    if (text === '') {
      slot.done('request', 'rendered path or header has a space or line break');
      return;
    }
    this.#client.send(text, this, slot);
  }

  #add(part: Part, isPath = false): void {
    if (typeof part === 'string') {
      this.#literals[this.#literals.length - 1] += part;
    } else {
      this.#parts.push(part);
      this.#isPath.push(isPath);
      this.#literals.push('');
    }
  }

  /** The request text for one cycle, or '' when a rendered part would break the framing. */
  #build(cycle: number): string {
    const parts = this.#parts;
    const literals = this.#literals;
    let text = literals[0]!;
    for (let i = 0; i < parts.length; i++) {
      const value = parts[i]!.render(cycle);
      if ((this.#isPath[i] ? UNSAFE_PATH : UNSAFE_VALUE).test(value)) return '';
      text += value + literals[i + 1]!;
    }
    const body = this.#body === undefined ? undefined : render(this.#body, cycle);
    if (body === undefined || body === '') return text + this.#emptyBodyTail;
    return text + 'content-length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body;
  }
}
