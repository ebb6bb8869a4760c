import { checkReference } from './xml-text.js';

const NONE = Number.MAX_SAFE_INTEGER;

/**
 * Checks the `&` references of a document's text and attribute values in one forward sweep. It remembers where
 * the next `&` is, so documents without any (nearly all DUIS) pay one `indexOf` in total, not one per segment.
 */
export class ReferenceChecker {
  readonly #src: string;
  /** Offset of the next `&` not yet checked or passed over; NONE when there is none. */
  #next: number;

  constructor(src: string) {
    this.#src = src;
    this.#next = this.#find(0);
  }

  /** Checks every `&` in [from, to) is an allowed reference; returns whether there was any. */
  check(from: number, to: number): boolean {
    let a = this.#next;
    if (a >= to) return false;
    if (a < from) a = this.#find(from);
    const found = a < to;
    while (a < to) a = this.#find(checkReference(this.#src, a, to));
    this.#next = a;
    return found;
  }

  /** Passes over a region that is not checked (comment, CDATA section, processing instruction) ending before `to`. */
  passOver(to: number): void {
    if (this.#next < to) this.#next = this.#find(to);
  }

  #find(from: number): number {
    const i = this.#src.indexOf('&', from);
    return i === -1 ? NONE : i;
  }
}
