import { DuisParseError } from '../errors.js';
import { NamespaceScope } from './namespace-scope.js';
import { AttributeList } from './xml-attributes.js';
import { skipInstruction, skipMarkup } from './xml-markup.js';
import { ReferenceChecker } from './xml-references.js';
import { decodeReferences, failAt, isNameChar, isSpace, quote } from './xml-text.js';

export const START = 1;
export const END = 2;
/** What {@link XmlScanner.next} read: a start tag or an end tag (a self-closing tag yields both). */
export type TagEvent = typeof START | typeof END;

/** What to do with a start tag's namespaces: resolve its name, only record its declarations, or neither (skipping). */
const RESOLVE = 0;
const DECLARE = 1;
const IGNORE = 2;
type Mode = typeof RESOLVE | typeof DECLARE | typeof IGNORE;

/** A qualified name: optional prefix, at most one colon (Namespaces in XML). Non-ASCII accepted as name characters. */
const QNAME = /[A-Za-z_\u0080-\uffff][\w.\u0080-\uffff-]*(?::[A-Za-z_\u0080-\uffff][\w.\u0080-\uffff-]*)?/y;

/**
 * A pull scanner over one XML document held in a string: the caller asks for the next tag and reads or skips
 * each element's content, so a DUIS reader walks the structure it expects without building a tree.
 *
 * Checks well-formedness as it goes: tag nesting and names, attributes, references (xml-references.ts),
 * markup (xml-markup.ts: no DTD, ever). Namespace declarations are always tracked; element names are resolved
 * by `next()`, or on demand after `next(false)`, and {@link skip} resolves none (an undeclared prefix is only
 * reported where a name is resolved). Text is found with `indexOf`, never walked character by character.
 */
export class XmlScanner {
  readonly src: string;
  /** Offset of the next unread character. */
  pos = 0;
  /** Number of open elements. */
  depth = 0;
  /** Namespace URI (`''` for none) and local name of the last start tag whose name was resolved. */
  ns = '';
  local = '';
  /** The last start tag's qualified name, as offsets into {@link src}. */
  #nameStart = 0;
  #nameEnd = 0;
  #pendingEnd = false;
  /** [nameStart, nameEnd) of each open element, two numbers per level. */
  readonly #open: number[] = [];
  readonly #attrs = new AttributeList();
  readonly #scope = new NamespaceScope();
  readonly #refs: ReferenceChecker;

  constructor(src: string) {
    this.src = src;
    this.#refs = new ReferenceChecker(src);
  }

  /**
   * Reads the next start or end tag of the current element, checking the text and markup before it. With
   * `resolve` false the start tag's name is left for {@link resolveName}.
   */
  next(resolve = true): TagEvent {
    return this.#next(resolve ? RESOLVE : DECLARE);
  }

  #next(mode: Mode): TagEvent {
    if (this.#pendingEnd) return this.#closeSelfClosing();
    const s = this.src;
    for (;;) {
      const lt = s.indexOf('<', this.pos);
      if (lt === -1) this.#unexpectedEnd();
      if (lt > this.pos) this.#refs.check(this.pos, lt);
      const c = s.charCodeAt(lt + 1);
      this.pos = lt;
      if (c === 0x2f /* / */) return this.#endTag();
      if (c === 0x21 /* ! */) this.pos = skipMarkup(s, lt, true, this.#refs);
      else if (c === 0x3f /* ? */) this.pos = skipInstruction(s, lt, this.#refs);
      else return this.#startTag(mode);
    }
  }

  /** After a start tag: the element's text content (references decoded, CDATA included). A child element is refused. */
  text(path: string, child?: string): string {
    if (this.#pendingEnd) {
      this.#closeSelfClosing();
      return '';
    }
    const s = this.src;
    let out = '';
    for (;;) {
      const lt = s.indexOf('<', this.pos);
      if (lt === -1) this.#unexpectedEnd();
      if (lt > this.pos) {
        const segment = s.slice(this.pos, lt);
        out += this.#refs.check(this.pos, lt) ? decodeReferences(segment) : segment;
      }
      const c = s.charCodeAt(lt + 1);
      this.pos = lt;
      if (c === 0x2f) {
        this.#endTag();
        return out;
      }
      if (c === 0x21) {
        this.pos = skipMarkup(s, lt, true, this.#refs);
        if (s.startsWith('<![CDATA[', lt)) out += s.slice(lt + 9, this.pos - 3);
      } else if (c === 0x3f) this.pos = skipInstruction(s, lt, this.#refs);
      else {
        this.#startTag(IGNORE);
        const where = child === undefined ? path : `${path}/sr:${child}`;
        throw new DuisParseError('DUIS_INVALID_FIELD', `${where}: expected a text value, found element <${this.qname()}>`);
      }
    }
  }

  /**
   * After a start tag: skips the element's content, checking that it is well-formed XML. Namespace
   * declarations inside are not even recorded: nothing in the subtree is resolved, and they end with it.
   */
  skip(): void {
    if (this.#pendingEnd) {
      this.#closeSelfClosing();
      return;
    }
    const depth = this.depth;
    while (this.depth >= depth) this.#next(IGNORE);
  }

  /** At `<!` or `<?` outside the root element (prolog, epilog): skips a comment or processing instruction. */
  skipOutside(): void {
    const s = this.src;
    const at = this.pos;
    this.pos = s.charCodeAt(at + 1) === 0x21 ? skipMarkup(s, at, false, this.#refs) : skipInstruction(s, at, this.#refs);
  }

  /** At `<` followed by a name (the prolog reader's root element): reads a start tag and its attributes. */
  startTag(): TagEvent {
    return this.#startTag(RESOLVE);
  }

  #startTag(mode: Mode): TagEvent {
    const s = this.src;
    const start = this.pos + 1;
    if (start >= s.length) this.#unexpectedEnd();
    // A native sticky regex finds the name several times faster than a charCodeAt loop, and names are most
    // of what the scanner reads outside text.
    QNAME.lastIndex = start;
    if (!QNAME.test(s)) failAt('DUIS_MALFORMED', s, this.pos, `${quote(s.slice(this.pos, this.pos + 2))} is not a tag`);
    const end = QNAME.lastIndex;
    if (isNameChar(s.charCodeAt(end))) failAt('DUIS_MALFORMED', s, start, `invalid name <${s.slice(start, end + 1)}`);
    this.#nameStart = start;
    this.#nameEnd = end;
    const attrs = this.#attrs;
    this.pos = attrs.read(s, start, end, this.#refs);
    this.#pendingEnd = attrs.selfClosing;
    const d = this.depth++;
    this.#open[2 * d] = start;
    this.#open[2 * d + 1] = end;
    if (attrs.count > 0 && mode !== IGNORE) this.#declare();
    if (mode === RESOLVE) this.resolveName();
    return START;
  }

  /** Resolves the last start tag's name to {@link ns} and {@link local} (`next()` does, unless told not to). */
  resolveName(): void {
    const s = this.src;
    const start = this.#nameStart;
    let colon = -1;
    for (let k = start + 1; k < this.#nameEnd; k++) if (s.charCodeAt(k) === 0x3a) colon = k;
    const prefixLength = colon === -1 ? 0 : colon - start;
    this.local = s.slice(colon === -1 ? start : colon + 1, this.#nameEnd);
    const ns = this.#scope.lookup(s, start, prefixLength);
    if (ns !== undefined) {
      this.ns = ns;
      return;
    }
    const detail = `namespace prefix "${s.slice(start, colon)}" of <${this.qname()}> is not declared`;
    failAt(this.depth === 1 ? 'DUIS_WRONG_NAMESPACE' : 'DUIS_MALFORMED', s, start, detail);
  }

  /** Last character of the last start tag's name: a cheap filter before {@link resolveName}. */
  lastNameChar(): number {
    return this.src.charCodeAt(this.#nameEnd - 1);
  }

  /** Qualified name of the last start tag, as written. */
  qname(): string {
    return this.src.slice(this.#nameStart, this.#nameEnd);
  }

  /** Value of the attribute written exactly `name` on the last start tag. */
  attribute(name: string): string | undefined {
    return this.#attrs.find(this.src, name);
  }

  /** Path of the open elements, each with the conventional `sr:` prefix (for error details). */
  path(): string {
    const parts: string[] = [];
    for (let d = 0; d < this.depth; d++) {
      const name = this.src.slice(this.#open[2 * d]!, this.#open[2 * d + 1]!);
      parts.push(`sr:${name.slice(name.indexOf(':') + 1)}`);
    }
    return parts.join('/');
  }

  #declare(): void {
    const s = this.src;
    const attrs = this.#attrs;
    for (let k = 0; k < attrs.count; k++) {
      const n0 = attrs.nameStart(k);
      const len = attrs.nameEnd(k) - n0;
      if (len < 5 || !s.startsWith('xmlns', n0) || (len > 5 && s.charCodeAt(n0 + 5) !== 0x3a)) continue;
      const error = this.#scope.declare(len === 5 ? '' : s.slice(n0 + 6, n0 + len), attrs.value(s, k), this.depth);
      if (error) failAt('DUIS_MALFORMED', s, n0, error);
    }
  }

  #endTag(): TagEvent {
    const s = this.src;
    const at = this.pos;
    if (this.depth === 0) failAt('DUIS_MALFORMED', s, at, 'end tag without a start tag');
    const d = this.depth - 1;
    const n0 = this.#open[2 * d]!;
    const nameEnd = at + 2 + (this.#open[2 * d + 1]! - n0);
    let i = at + 2;
    for (let k = n0; i < nameEnd && s.charCodeAt(i) === s.charCodeAt(k); k++) i++;
    if (i === nameEnd && s.charCodeAt(i) === 0x3e /* > */) {
      this.pos = i + 1;
      this.#pop();
      return END;
    }
    const expected = s.slice(n0, this.#open[2 * d + 1]!);
    if (i < nameEnd || isNameChar(s.charCodeAt(i))) {
      if (i >= s.length) this.#unexpectedEnd();
      let e = at + 2;
      while (isNameChar(s.charCodeAt(e))) e++;
      failAt('DUIS_MALFORMED', s, at, `end tag </${s.slice(at + 2, e)}> does not match <${expected}>`);
    }
    while (isSpace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x3e) {
      if (i >= s.length) this.#unexpectedEnd();
      failAt('DUIS_MALFORMED', s, i, `unexpected ${quote(s.charAt(i))} in end tag </${expected}>`);
    }
    this.pos = i + 1;
    this.#pop();
    return END;
  }

  #closeSelfClosing(): TagEvent {
    this.#pendingEnd = false;
    this.#pop();
    return END;
  }

  #pop(): void {
    this.#scope.close(this.depth);
    this.depth--;
  }

  #unexpectedEnd(): never {
    const d = this.depth - 1;
    const open = d >= 0 ? `: <${this.src.slice(this.#open[2 * d]!, this.#open[2 * d + 1]!)}> is not closed` : '';
    return failAt('DUIS_MALFORMED', this.src, this.src.length, `unexpected end of document (truncated?)${open}`);
  }
}
