/**
 * A first-in first-out hand-over between one producer and one consumer with room for `capacity` items: `push`
 * waits while it is full (the backpressure on the producer), `shift` waits while it is empty and answers
 * `undefined` once it is closed and empty.
 */
export class BatchQueue<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;
  #closed = false;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`queue capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** The items waiting, oldest first (read-only view). */
  get items(): readonly T[] {
    return this.#items;
  }

  async push(item: T): Promise<void> {
    while (this.#items.length >= this.#capacity) await new Promise<void>((resolve) => (this.#wakeProducer = resolve));
    this.#items.push(item);
    this.#wake('consumer');
  }

  async shift(): Promise<T | undefined> {
    for (;;) {
      if (this.#items.length > 0) {
        const item = this.#items.shift()!;
        this.#wake('producer');
        return item;
      }
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => (this.#wakeConsumer = resolve));
    }
  }

  /** No more items will be pushed; `shift` drains what is left, then answers `undefined`. */
  close(): void {
    this.#closed = true;
    this.#wake('consumer');
  }

  #wake(who: 'consumer' | 'producer'): void {
    const wake = who === 'consumer' ? this.#wakeConsumer : this.#wakeProducer;
    if (who === 'consumer') this.#wakeConsumer = undefined;
    else this.#wakeProducer = undefined;
    wake?.();
  }
}
