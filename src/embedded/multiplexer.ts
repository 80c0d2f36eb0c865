/**
 * Runs the protocol messages of many client connections on PGlite's single backend, one at a
 * time, without letting one connection's messages land inside another's unit of work.
 *
 * pglite-socket's own queue switches connections between any two messages unless an explicit
 * transaction is open. A pg client's query with parameters is several messages (Bind, Describe,
 * Execute, Sync) that share the backend's unnamed portal and implicit transaction, so switching
 * inside them gives "portal does not exist" errors, answers meant for another connection, and,
 * with a BEGIN from another connection in between, a queue that never runs again (measured: 8
 * pg clients, half of them in BEGIN/COMMIT, hang within seconds). Here a connection owns the
 * backend from its first message of an extended-query batch until its Sync, and for the whole of
 * an explicit transaction. COPY FROM STDIN is not supported across connections.
 */
import type { PGlite } from '@electric-sql/pglite';

/** Frontend message types that continue a batch (Parse, Bind, Describe, Execute, Close, Flush, CopyData). */
const CONTINUES_BATCH = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48, 0x64]);
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message[0] = 0x51; // 'Q'
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}
const ROLLBACK = simpleQuery('ROLLBACK');

interface Pending {
  readonly handlerId: number;
  /** null: release whatever this handler holds (its connection closed). */
  readonly message: Uint8Array | null;
  readonly onData: (data: Uint8Array) => void;
  readonly resolve: (bytes: number) => void;
  readonly reject: (err: unknown) => void;
}

const ignore = () => {};

/** The queue object PGLiteSocketHandler expects (`queryQueue`), with batch-aware fairness. */
export class ConnectionMultiplexer {
  readonly #db: PGlite;
  #queue: Pending[] = [];
  #draining = false;
  /** The handler whose batch or transaction is open on the backend, or null. */
  #owner: number | null = null;

  constructor(db: PGlite) {
    this.#db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
      void this.#drain();
    });
  }

  getQueueLength(): number {
    return this.#queue.length;
  }

  /** The handler's connection closed: its queued messages will not run. */
  clearQueueForHandler(handlerId: number): void {
    const kept: Pending[] = [];
    for (const item of this.#queue) {
      if (item.handlerId === handlerId && item.message !== null)
        item.reject(new Error('Handler disconnected'));
      else kept.push(item);
    }
    this.#queue = kept;
  }

  /** Ends the batch or rolls back the transaction the closed connection left open, in queue order. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message: null, onData: ignore, resolve: () => resolve(), reject });
      void this.#drain();
    });
  }

  #next(): Pending | undefined {
    const owner = this.#owner;
    const index = owner === null ? 0 : this.#queue.findIndex((item) => item.handlerId === owner);
    if (index === -1) return undefined;
    return this.#queue.splice(index, 1)[0];
  }

  async #run(message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    let bytes = 0;
    await this.#db.runExclusive(() =>
      this.#db.execProtocolRawStream(message, {
        onRawData: (data) => {
          bytes += data.length;
          onData(data);
        },
      }),
    );
    return bytes;
  }

  async #release(handlerId: number): Promise<void> {
    if (this.#owner !== handlerId) return;
    this.#owner = null;
    await this.#run(SYNC, ignore); // ends a batch; inside a transaction block it only ends the batch
    if (this.#db.isInTransaction()) await this.#run(ROLLBACK, ignore);
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      // A closed connection's release item is queued after its last message, so it runs once
      // that message has, while the connection still owns the backend.
      for (let item = this.#next(); item !== undefined; item = this.#next()) {
        if (item.message === null) {
          try {
            await this.#release(item.handlerId);
            item.resolve(0);
          } catch (err) {
            item.reject(err);
          }
          continue;
        }
        try {
          const bytes = await this.#run(item.message, item.onData);
          this.#owner =
            CONTINUES_BATCH.has(item.message[0]!) || this.#db.isInTransaction() ? item.handlerId : null;
          item.resolve(bytes);
        } catch (err) {
          this.#owner = this.#db.isInTransaction() ? item.handlerId : null;
          item.reject(err);
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
