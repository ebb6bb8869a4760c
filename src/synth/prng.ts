/**
 * A small, fast, seeded pseudo-random generator (mulberry32), so that a seed always yields the same world
 * and the same traffic. `Math.random` is never used by the generator.
 */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /**
   * A generator for an independent stream derived from `seed` and a stream number (world, traffic, ...), so
   * that adding draws to one stream never shifts the values of another.
   */
  static derive(seed: number, stream: number): Prng {
    let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    return new Prng((h ^ (h >>> 16)) >>> 0);
  }

  /** Next unsigned 32-bit integer. */
  uint32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max]. */
  range(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Exponentially distributed value with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Log-normally distributed value with the given median and shape (latencies: many fast, a long tail). */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.float();
    const v = this.float();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }

  /** Fills `words[0, count)` with random 32-bit words (the same sequence as `count` calls of {@link uint32}). */
  fillWords(words: Uint32Array, count: number): void {
    let s = this.#state;
    for (let i = 0; i < count; i++) {
      let t = (s = (s + 0x6d2b79f5) | 0);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      words[i] = t ^ (t >>> 14);
    }
    this.#state = s;
  }
}

/** Picks items by weight in O(log n): cumulative weights and a binary search. */
export class WeightedChoice<T> {
  readonly items: readonly T[];
  readonly #cumulative: Float64Array;
  readonly #total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    const kept = entries.filter(([, w]) => w > 0);
    if (kept.length === 0) throw new Error('WeightedChoice needs at least one positive weight');
    this.items = kept.map(([item]) => item);
    this.#cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach(([, w], i) => {
      sum += w;
      this.#cumulative[i] = sum;
    });
    this.#total = sum;
  }

  pick(prng: Prng): T {
    const x = prng.float() * this.#total;
    const c = this.#cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
