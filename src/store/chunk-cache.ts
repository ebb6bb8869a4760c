/**
 * A small LRU of decoded XML chunks: reading the messages of one batch one after another (a thread, a page of
 * originals) then inflates the chunk once. Bounded by total decoded bytes, so a few 8 MiB chunks cannot grow
 * the heap beyond `maxBytes`.
 */
export class ChunkCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;

  constructor(maxBytes = 32 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  get(id: string): Buffer | undefined {
    const hit = this.#entries.get(id);
    if (hit) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.#entries.delete(id);
      this.#entries.set(id, hit);
    }
    return hit;
  }

  set(id: string, decoded: Buffer): void {
    if (decoded.length > this.#maxBytes) return;
    const old = this.#entries.get(id);
    if (old) (this.#bytes -= old.length, this.#entries.delete(id));
    this.#entries.set(id, decoded);
    this.#bytes += decoded.length;
    for (const [key, value] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(key);
      this.#bytes -= value.length;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
