/**
 * A fixed set of pg connections with a free stack and a FIFO of waiting operations.
 * Our own (not pg.Pool) so the hot path is one array pop and one call, with no promise or
 * closure per operation, and so every connection has an id to name its prepared statements:
 * PGlite multiplexes all connections onto one backend session, where statement names must be
 * unique across connections (and across drivers, hence the random `tag`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { OpCompletion } from '../../engine/driver.js';
import { connectError, describeError } from './errors.js';
import type { PostgresAddress, PostgresTarget } from './options.js';

/** A statement as the pool's connections know it: its index names it on every connection. */
export interface StatementConfig {
  readonly name: string | undefined;
  readonly text: string;
  readonly rowMode: 'array';
  readonly types: typeof RAW_TYPES;
}

const asText = (value: string) => value;
/** Rows are not inspected: return every column as the server's text, skipping type parsing. */
const RAW_TYPES = { getTypeParser: () => asText };

type QueryCallback = (err: Error | null) => void;
/** pg's callback form of query, typed for what we pass (its overloads do not cover rowMode + types). */
type QueryFn = (config: object, values: unknown[] | undefined, callback: QueryCallback) => void;

export class PooledClient {
  alive = true;
  /** Sends one query; the callback runs once, with null on success. */
  readonly query: QueryFn;
  /** Per statement index, the query config (with this connection's statement name). */
  readonly #configs: StatementConfig[] = [];

  constructor(
    readonly id: number,
    readonly connection: pg.Client,
    readonly tag: string,
  ) {
    this.query = (connection.query as unknown as QueryFn).bind(connection);
  }

  config(statement: number, text: string, prepared: boolean): StatementConfig {
    let config = this.#configs[statement];
    if (config === undefined) {
      const name = prepared ? `bp${this.tag}_${statement}_${this.id}` : undefined;
      config = { name, text, rowMode: 'array', types: RAW_TYPES };
      this.#configs[statement] = config;
    }
    return config;
  }
}

/** What waits for a connection: an op that runs `cycle` on it and reports to `slot`. */
export interface ClientUser {
  run(client: PooledClient, cycle: number, slot: OpCompletion): void;
}

const RECONNECT_BACKOFF_MS = [100, 500, 1000, 2000, 5000];

export class ClientPool {
  readonly #target: PostgresTarget;
  readonly #address: PostgresAddress;
  readonly #size: number;
  readonly #tag = randomBytes(4).toString('hex');
  readonly #clients = new Set<PooledClient>();
  readonly #free: PooledClient[] = [];
  #nextId = 0;
  // Waiting operations: a ring of three parallel arrays (no object per wait).
  #waitUsers: (ClientUser | undefined)[] = new Array(64);
  #waitCycles: number[] = new Array(64).fill(0);
  #waitSlots: (OpCompletion | undefined)[] = new Array(64);
  #waitHead = 0;
  #waitCount = 0;
  #closing = false;
  #reconnectAttempt = 0;

  constructor(target: PostgresTarget, address: PostgresAddress, size: number) {
    this.#target = target;
    this.#address = address;
    this.#size = size;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Opens every connection; throws BP_TARGET_UNREACHABLE / BP_TARGET_AUTH. */
  async open(): Promise<void> {
    const results = await Promise.allSettled(Array.from({ length: this.#size }, () => this.#connectOne()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw connectError(failed.reason, this.#address, this.#target.password);
    }
    for (const r of results) if (r.status === 'fulfilled') this.#free.push(r.value);
    const probe = this.#free[0]!;
    try {
      await probe.connection.query('SELECT 1');
    } catch (err) {
      await this.close();
      throw connectError(err, this.#address, this.#target.password);
    }
  }

  async #connectOne(): Promise<PooledClient> {
    const target = this.#target;
    const client = new pg.Client({
      host: this.#address.host,
      port: this.#address.port,
      user: this.#address.user,
      database: this.#address.database,
      // A function, so pg never falls back to PGPASSWORD or ~/.pgpass: secrets come from target.password
      // only ('' from an unset ${VAR:-} counts as none). pg accepts undefined from it, which its types do not say.
      password: (async () => target.password || undefined) as () => Promise<string>,
      ssl: target.ssl === false ? false : { rejectUnauthorized: target.ssl === true },
      application_name: target.applicationName,
      connectionTimeoutMillis: Math.max(1, Math.round(target.connectTimeout * 1000)),
    });
    const pooled = new PooledClient(this.#nextId++, client, this.#tag);
    client.on('error', () => {
      pooled.alive = false;
    });
    client.on('end', () => {
      pooled.alive = false;
    });
    try {
      await client.connect();
      // Sent as SET, not as a startup parameter, so servers that ignore those (PGlite) apply it too.
      if (target.statementTimeout !== undefined) {
        await client.query(`SET statement_timeout = ${Math.round(target.statementTimeout * 1000)}`);
      }
    } catch (err) {
      client.end().catch(() => {});
      throw err;
    }
    this.#clients.add(pooled);
    return pooled;
  }

  /** Runs `user` on a free connection now, or when one is released. */
  acquire(user: ClientUser, cycle: number, slot: OpCompletion): void {
    if (this.#closing) {
      slot.done('cancelled', 'the driver was closed');
      return;
    }
    const client = this.#free.pop();
    if (client !== undefined) {
      user.run(client, cycle, slot);
      return;
    }
    if (this.#waitCount === this.#waitUsers.length) this.#growWaitRing();
    const at = (this.#waitHead + this.#waitCount) & (this.#waitUsers.length - 1);
    this.#waitUsers[at] = user;
    this.#waitCycles[at] = cycle;
    this.#waitSlots[at] = slot;
    this.#waitCount++;
  }

  /** Returns a connection after an operation; a lost one is replaced in the background. */
  release(client: PooledClient): void {
    if (!client.alive || this.#closing) {
      this.#drop(client);
      return;
    }
    if (this.#waitCount > 0) {
      const at = this.#waitHead;
      const user = this.#waitUsers[at]!;
      const slot = this.#waitSlots[at]!;
      const cycle = this.#waitCycles[at]!;
      this.#waitUsers[at] = undefined;
      this.#waitSlots[at] = undefined;
      this.#waitHead = (at + 1) & (this.#waitUsers.length - 1);
      this.#waitCount--;
      user.run(client, cycle, slot);
      return;
    }
    this.#free.push(client);
  }

  #growWaitRing(): void {
    const size = this.#waitUsers.length;
    const users: (ClientUser | undefined)[] = new Array(size * 2);
    const cycles: number[] = new Array(size * 2).fill(0);
    const slots: (OpCompletion | undefined)[] = new Array(size * 2);
    for (let i = 0; i < this.#waitCount; i++) {
      const from = (this.#waitHead + i) & (size - 1);
      users[i] = this.#waitUsers[from];
      cycles[i] = this.#waitCycles[from]!;
      slots[i] = this.#waitSlots[from];
    }
    this.#waitUsers = users;
    this.#waitCycles = cycles;
    this.#waitSlots = slots;
    this.#waitHead = 0;
  }

  #failWaiting(errorClass: string, message: string): void {
    while (this.#waitCount > 0) {
      const at = this.#waitHead;
      const slot = this.#waitSlots[at]!;
      this.#waitUsers[at] = undefined;
      this.#waitSlots[at] = undefined;
      this.#waitHead = (at + 1) & (this.#waitUsers.length - 1);
      this.#waitCount--;
      slot.done(errorClass, message);
    }
  }

  #drop(client: PooledClient): void {
    if (!this.#clients.delete(client)) return;
    client.connection.end().catch(() => {});
    if (!this.#closing) this.#replace();
  }

  /** Opens a connection in place of a lost one; while that fails, waiting operations fail as connection errors. */
  #replace(): void {
    this.#connectOne().then(
      (client) => {
        this.#reconnectAttempt = 0;
        if (this.#closing) {
          this.#clients.delete(client);
          client.connection.end().catch(() => {});
          return;
        }
        this.release(client);
      },
      (err: unknown) => {
        if (this.#closing) return;
        if (this.#free.length === 0)
          this.#failWaiting('connection', `reconnect failed: ${describeError(err)}`);
        const delay =
          RECONNECT_BACKOFF_MS[Math.min(this.#reconnectAttempt++, RECONNECT_BACKOFF_MS.length - 1)]!;
        setTimeout(() => {
          if (!this.#closing) this.#replace();
        }, delay).unref();
      },
    );
  }

  /** Ends every connection; waiting operations complete as cancelled, running ones fail and report cancelled. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#failWaiting('cancelled', 'the driver was closed');
    const clients = [...this.#clients];
    this.#clients.clear();
    this.#free.length = 0;
    await Promise.all(clients.map((c) => c.connection.end().catch(() => {})));
  }
}
