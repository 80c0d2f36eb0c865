/**
 * WebSocket subscribers of /api/v1/events. Each subscribes to `runs` and to one or two runs;
 * during the measuring window they record how late each snapshot arrives (receive time minus
 * the point's `t`, the end of its interval; same machine, same clock).
 */
import WebSocket from 'ws';

const SNAPSHOT_PREFIX = '{"type":"snapshot"';

export class Subscribers {
  readonly #sockets: WebSocket[] = [];
  #windowStart = Number.POSITIVE_INFINITY;
  #windowEnd = Number.POSITIVE_INFINITY;
  /** Snapshot lag in ms, one entry per snapshot received inside the window. */
  readonly lagsMs: number[] = [];
  /** Run-to-subscriber pairs: the snapshots per second to expect. */
  subscriptions = 0;
  runMessages = 0;
  closedEarly = 0;

  /** Connects `count` clients; client i follows run i mod n and, for odd i, also the run halfway round. */
  async connect(wsUrl: string, runIds: readonly string[], count: number, timeoutMs: number): Promise<void> {
    const opened = Array.from({ length: count }, (_, i) => {
      const runs = [runIds[i % runIds.length]!];
      if (i % 2 === 1) runs.push(runIds[(i + (runIds.length >> 1)) % runIds.length]!);
      this.subscriptions += runs.length;
      return this.#open(wsUrl, ['runs', ...runs.map((id) => `run:${id}`)], timeoutMs);
    });
    await Promise.all(opened);
  }

  #open(wsUrl: string, topics: string[], timeoutMs: number): Promise<void> {
    const socket = new WebSocket(wsUrl);
    this.#sockets.push(socket);
    socket.on('message', (data: Buffer) => this.#receive(data.toString('utf8')));
    socket.on('close', () => {
      if (Date.now() < this.#windowEnd) this.closedEarly++;
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`WebSocket not open after ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('open', () => {
        clearTimeout(timer);
        socket.send(JSON.stringify({ type: 'subscribe', topics }));
        resolve();
      });
    });
  }

  #receive(text: string): void {
    const now = Date.now();
    if (now < this.#windowStart || now > this.#windowEnd) return;
    // Only snapshots are parsed: the `runs` topic is far chattier and needs just a count.
    if (!text.startsWith(SNAPSHOT_PREFIX)) {
      if (text.startsWith('{"type":"run"')) this.runMessages++;
      return;
    }
    const t = (JSON.parse(text) as { point?: { t?: number } }).point?.t;
    if (typeof t === 'number') this.lagsMs.push(now - t);
  }

  startWindow(): void {
    this.#windowStart = Date.now();
    this.#windowEnd = Number.POSITIVE_INFINITY;
  }

  endWindow(): void {
    this.#windowEnd = Date.now();
  }

  close(): void {
    for (const socket of this.#sockets) socket.terminate();
  }
}
