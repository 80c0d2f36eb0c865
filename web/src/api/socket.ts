/**
 * The one WebSocket of the app (`/api/v1/events`): topics are reference-counted across the
 * components that want them and re-sent after every reconnect; the socket reconnects with
 * capped exponential backoff (with jitter) when it drops.
 */
import type { ClientMessage, ServerMessage } from '../../../src/protocol/api';
import { API_PREFIX } from './client';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveSocketOptions {
  readonly token: string;
  readonly onMessage: (message: ServerMessage) => void;
  /** Called when the socket is open again after a drop: messages may have been missed. */
  readonly onReconnected?: () => void;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export function eventsUrl(token: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${API_PREFIX}/events?access_token=${encodeURIComponent(token)}`;
}

export class LiveSocket {
  readonly #options: LiveSocketOptions;
  readonly #topics = new Map<string, number>();
  readonly #statusListeners = new Set<() => void>();
  #socket: WebSocket | null = null;
  #status: ConnectionStatus = 'connecting';
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #wasOpen = false;
  #closed = false;

  constructor(options: LiveSocketOptions) {
    this.#options = options;
  }

  start(): void {
    this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#socket?.close(1000, 'client closed');
    this.#socket = null;
    this.#setStatus('closed');
  }

  /** Adds interest in the topics; the returned function removes it. */
  subscribe(topics: readonly string[]): () => void {
    const added = topics.filter((topic) => {
      const count = this.#topics.get(topic) ?? 0;
      this.#topics.set(topic, count + 1);
      return count === 0;
    });
    for (const topic of added) this.#send({ type: 'subscribe', topics: [topic] });
    return () => {
      const removed = topics.filter((topic) => {
        const count = (this.#topics.get(topic) ?? 1) - 1;
        if (count <= 0) this.#topics.delete(topic);
        else this.#topics.set(topic, count);
        return count <= 0;
      });
      for (const topic of removed) this.#send({ type: 'unsubscribe', topics: [topic] });
    };
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  onStatus(listener: () => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  #connect(): void {
    if (this.#closed) return;
    const socket = new WebSocket(eventsUrl(this.#options.token, window.location));
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.#setStatus('open');
      // One message per topic: the server rejects a whole message for one unknown topic.
      for (const topic of this.#topics.keys()) this.#send({ type: 'subscribe', topics: [topic] });
      if (this.#wasOpen) this.#options.onReconnected?.();
      this.#wasOpen = true;
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      this.#options.onMessage(message);
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#closed) return;
      this.#setStatus('reconnecting');
      this.#retryTimer = setTimeout(() => this.#connect(), this.#nextDelay());
    };
  }

  #nextDelay(): number {
    const base = this.#options.baseDelayMs ?? 500;
    const max = this.#options.maxDelayMs ?? 10_000;
    const delay = Math.min(max, base * 2 ** this.#attempt);
    this.#attempt++;
    return delay * (0.8 + Math.random() * 0.4);
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener();
  }
}
