import type { MessageStore } from '../../../store/message-store.js';

/**
 * One poller per process for every live feed: reads the feed's head (one indexed row) every `pollMs` while at
 * least one watch is open, and wakes the watches when it moved. Idle cost is one tiny query per interval
 * whatever the number of connections; the work per new message is then each watch's own read of the new slice
 * (its party and filters differ, so that part cannot be shared). With no watch open the timer stops.
 *
 * The head is read from the database, not learnt from this process's own ingests, so messages stored by any
 * process (`srvv consume`, other servers) reach every watch within one interval.
 */
export class FeedPoller {
  readonly #store: MessageStore;
  readonly #pollMs: number;
  readonly #listeners = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  #head = 0;
  #polling = false;
  #stopped = false;

  constructor(store: MessageStore, pollMs: number) {
    this.#store = store;
    this.#pollMs = pollMs;
  }

  /** The newest head seen (never moves backwards). */
  get head(): number {
    return this.#head;
  }

  /** Records a head read elsewhere (a watch opening reads it itself). */
  noteHead(head: number): void {
    if (head > this.#head) this.#head = head;
  }

  /** Calls `listener` whenever the head moves; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (!this.#timer && !this.#stopped) {
      this.#timer = setInterval(() => void this.#tick(), this.#pollMs);
      this.#timer.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  async #tick(): Promise<void> {
    if (this.#polling) return; // a slow database: never pile up reads
    this.#polling = true;
    try {
      const head = await this.#store.feedHead();
      if (head > this.#head) {
        this.#head = head;
        for (const listener of [...this.#listeners]) listener();
      }
    } catch {
      // The store is unavailable: the watches keep their cursors and catch up once it answers again.
    } finally {
      this.#polling = false;
    }
  }
}
