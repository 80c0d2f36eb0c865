/**
 * Live events to WebSocket clients by topic. Back-pressure safe: a client whose socket buffer
 * is full misses snapshot and log messages (they are per-second and the next one supersedes
 * them) but still gets state changes; the producer (a run) never waits for a client.
 */
import type { Role, ServerMessage } from '../protocol/api.js';

/** The part of a WebSocket the hub uses (ws's WebSocket satisfies it). */
export interface HubSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
}

const OPEN = 1;
/** Above this many buffered bytes a client skips droppable messages. */
const MAX_BUFFERED_BYTES = 1 << 20;

interface Client {
  readonly socket: HubSocket;
  readonly role: Role;
  readonly topics: Set<string>;
  dropped: number;
}

export class EventHub {
  readonly #clients = new Set<Client>();
  sent = 0;
  dropped = 0;

  add(socket: HubSocket, role: Role): Client {
    const client: Client = { socket, role, topics: new Set(), dropped: 0 };
    this.#clients.add(client);
    this.#send(client, { type: 'hello', role, serverTime: Date.now() }, false);
    return client;
  }

  remove(client: Client): void {
    this.#clients.delete(client);
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Publishes to every client subscribed to `topic`. Snapshots and logs may be dropped for slow clients. */
  publish(topic: string, message: ServerMessage): void {
    const droppable = message.type === 'snapshot' || message.type === 'log';
    let data: string | null = null;
    for (const client of this.#clients) {
      if (!client.topics.has(topic)) continue;
      data ??= JSON.stringify(message);
      this.#sendRaw(client, data, droppable);
    }
  }

  #send(client: Client, message: ServerMessage, droppable: boolean): void {
    this.#sendRaw(client, JSON.stringify(message), droppable);
  }

  #sendRaw(client: Client, data: string, droppable: boolean): void {
    if (client.socket.readyState !== OPEN) return;
    if (droppable && client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      client.dropped++;
      this.dropped++;
      return;
    }
    client.socket.send(data);
    this.sent++;
  }
}

export type HubClient = ReturnType<EventHub['add']>;
