const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/**
 * The in-scope namespace declarations of a scanner, innermost last. Each remembers the element depth that
 * declared it, so closing an element drops its declarations. The `xml` prefix is always bound.
 */
export class NamespaceScope {
  readonly #prefixes: string[] = ['xml'];
  readonly #uris: string[] = [XML_NS];
  readonly #depths: number[] = [0];

  /** Binds `prefix` (`''` for the default namespace) to `uri` for the element at `depth`; returns an error or `undefined`. */
  declare(prefix: string, uri: string, depth: number): string | undefined {
    if (prefix !== '' && (uri === '' || prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NS))) {
      return `invalid namespace declaration xmlns:${prefix}=${JSON.stringify(uri)}`;
    }
    this.#prefixes.push(prefix);
    this.#uris.push(uri);
    this.#depths.push(depth);
    return undefined;
  }

  /**
   * The URI bound to the prefix written at `src[start, start + length)` (`length` 0: the default namespace,
   * `''` when none is declared); `undefined` for an undeclared prefix.
   */
  lookup(src: string, start: number, length: number): string | undefined {
    for (let k = this.#prefixes.length - 1; k >= 0; k--) {
      const p = this.#prefixes[k]!;
      if (p.length === length && (length === 0 || src.startsWith(p, start))) return this.#uris[k];
    }
    return length === 0 ? '' : undefined;
  }

  /** Drops the declarations made at `depth` or deeper (the element at `depth` is closing). */
  close(depth: number): void {
    for (let k = this.#depths.length - 1; this.#depths[k]! >= depth; k--) {
      this.#prefixes.pop();
      this.#uris.pop();
      this.#depths.pop();
    }
  }
}
