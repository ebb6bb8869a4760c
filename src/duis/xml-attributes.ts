import { decodeReferences, failAt, isNameChar, isNameStart, isSpace, quote } from './xml-text.js';
import type { ReferenceChecker } from './xml-references.js';

/**
 * The attributes of the start tag a scanner read last, kept as offsets into the document (four per
 * attribute: name start/end, value start/end), so reading them allocates nothing.
 */
export class AttributeList {
  readonly #at: number[] = [];
  /** Number of attributes. */
  count = 0;
  /** The tag ended with `/>`. */
  selfClosing = false;

  /**
   * Reads the attributes of the start tag whose name is `src[tagStart, from)`, up to and including its `>` or `/>`;
   * returns the offset after it. Checks syntax, quoting, `<` in values, references and uniqueness.
   */
  read(src: string, tagStart: number, from: number, refs: ReferenceChecker): number {
    const a = this.#at;
    let n = 0;
    let i = from;
    this.selfClosing = false;
    for (;;) {
      let c = src.charCodeAt(i);
      const spaced = isSpace(c);
      while (isSpace(c)) c = src.charCodeAt(++i);
      if (c === 0x3e /* > */) break;
      if (c === 0x2f /* / */ && src.charCodeAt(i + 1) === 0x3e) {
        this.selfClosing = true;
        i++;
        break;
      }
      if (i >= src.length) failAt('DUIS_MALFORMED', src, i, `unexpected end of document (truncated?) in start tag <${src.slice(tagStart, from)}>`);
      if (!spaced || !isNameStart(c)) failAt('DUIS_MALFORMED', src, i, `unexpected ${quote(src.charAt(i))} in start tag <${src.slice(tagStart, from)}>`);
      const nameStart = i;
      while (isNameChar(src.charCodeAt(++i)));
      const nameEnd = i;
      while (isSpace(src.charCodeAt(i))) i++;
      if (i >= src.length) failAt('DUIS_MALFORMED', src, i, `unexpected end of document (truncated?) in start tag <${src.slice(tagStart, from)}>`);
      if (src.charCodeAt(i++) !== 0x3d /* = */) failAt('DUIS_MALFORMED', src, nameStart, `attribute ${src.slice(nameStart, nameEnd)} has no value`);
      while (isSpace(src.charCodeAt(i))) i++;
      const q = src.charCodeAt(i);
      if (i >= src.length) failAt('DUIS_MALFORMED', src, i, `unexpected end of document (truncated?) in start tag <${src.slice(tagStart, from)}>`);
      if (q !== 0x22 && q !== 0x27) failAt('DUIS_MALFORMED', src, i, `value of attribute ${src.slice(nameStart, nameEnd)} is not quoted`);
      const valueEnd = src.indexOf(q === 0x22 ? '"' : "'", i + 1);
      if (valueEnd === -1) failAt('DUIS_MALFORMED', src, src.length, `unexpected end of document (truncated?) in attribute ${src.slice(nameStart, nameEnd)}`);
      const lt = src.indexOf('<', i + 1);
      if (lt !== -1 && lt < valueEnd) failAt('DUIS_MALFORMED', src, lt, `"<" in the value of attribute ${src.slice(nameStart, nameEnd)}`);
      refs.check(i + 1, valueEnd);
      for (let k = 0; k < n * 4; k += 4) {
        if (sameText(src, a[k]!, a[k + 1]!, nameStart, nameEnd)) failAt('DUIS_MALFORMED', src, nameStart, `duplicate attribute ${src.slice(nameStart, nameEnd)}`);
      }
      a[n * 4] = nameStart;
      a[n * 4 + 1] = nameEnd;
      a[n * 4 + 2] = i + 1;
      a[n * 4 + 3] = valueEnd;
      n++;
      i = valueEnd + 1;
    }
    this.count = n;
    return i + 1;
  }

  nameStart(k: number): number {
    return this.#at[k * 4]!;
  }

  nameEnd(k: number): number {
    return this.#at[k * 4 + 1]!;
  }

  /** The value of attribute `k`, references decoded. */
  value(src: string, k: number): string {
    const v = src.slice(this.#at[k * 4 + 2]!, this.#at[k * 4 + 3]!);
    return v.includes('&') ? decodeReferences(v) : v;
  }

  /** The value of the attribute written exactly `name` (no prefix resolution), or `undefined`. */
  find(src: string, name: string): string | undefined {
    for (let k = 0; k < this.count; k++) {
      if (this.nameEnd(k) - this.nameStart(k) === name.length && src.startsWith(name, this.nameStart(k))) return this.value(src, k);
    }
    return undefined;
  }
}

function sameText(src: string, a0: number, a1: number, b0: number, b1: number): boolean {
  if (a1 - a0 !== b1 - b0) return false;
  for (let k = 0; k < a1 - a0; k++) if (src.charCodeAt(a0 + k) !== src.charCodeAt(b0 + k)) return false;
  return true;
}
