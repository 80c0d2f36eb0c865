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
