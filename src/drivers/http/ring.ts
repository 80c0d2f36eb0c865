/** A growable FIFO with index cursors (no Array#shift on the hot path). */
export class Ring<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(capacity = 16) {
    this.#items = new Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size++;
  }

  /** The oldest item; the caller checks `size` first. */
  shift(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head = this.#head + 1 === this.#items.length ? 0 : this.#head + 1;
    this.#size--;
    return item;
  }

  #grow(): void {
    const items = this.#items;
    this.#items = [...items.slice(this.#head), ...items.slice(0, this.#head), ...new Array(items.length)];
    this.#head = 0;
  }
}

/**
 * Free request slots of a set of connections. With one request per connection it is a stack:
 * the connection freed last is reused first, so a light load keeps to a few warm connections
 * (undici opens the others only when needed). With pipelining it is a FIFO, spreading requests
 * round-robin instead of queueing them behind each other on one connection.
 */
export class FreeSlots<T> {
  readonly #stack: T[] | null;
  readonly #ring: Ring<T> | null;

  constructor(lifo: boolean, capacity: number) {
    this.#stack = lifo ? [] : null;
    this.#ring = lifo ? null : new Ring(capacity);
  }

  get size(): number {
    return this.#stack !== null ? this.#stack.length : this.#ring!.size;
  }

  push(item: T): void {
    if (this.#stack !== null) this.#stack.push(item);
    else this.#ring!.push(item);
  }

  /** A free slot; the caller checks `size` first. */
  take(): T {
    return this.#stack !== null ? this.#stack.pop()! : this.#ring!.shift();
  }
}

/** Fill `free` with `pipelining` slots per connection, in the order they should be taken. */
export function fillFreeSlots<T>(free: FreeSlots<T>, connections: readonly T[], pipelining: number): void {
  if (pipelining === 1) {
    for (let i = connections.length - 1; i >= 0; i--) free.push(connections[i]!);
    return;
  }
  for (let round = 0; round < pipelining; round++) for (const conn of connections) free.push(conn);
}
