import { DuisParseError } from '../errors.js';
import { failAt, isSpace, quote } from './xml-text.js';
import { XmlScanner } from './xml-scanner.js';

/**
 * Opens a document: checks it is XML at all, reads the prolog (XML declaration, comments, processing
 * instructions; a DOCTYPE is refused) and the root start tag, and returns the scanner positioned inside the
 * root element, its namespace resolved.
 */
export function openDocument(src: string): XmlScanner {
  let p = 0;
  // Leading whitespace before the XML declaration is not strictly allowed; capture feeds add it, so accept it.
  while (isSpace(src.charCodeAt(p))) p++;
  if (src.charCodeAt(p) !== 0x3c /* < */) {
    throw new DuisParseError('DUIS_NOT_XML', `document starts with ${quote(src.slice(p, p + 24))}, not with "<"`);
  }
  // Binary data: a NUL is the tell-tale, and searching for one char is memchr-fast. Scanning every character
  // for the other forbidden C0 controls would cost a fifth of the parse; the field readers refuse them in
  // every value we extract (readToken, and the EUI-64 / counter / code formats), so none reaches the store's
  // columns, and skipped content (signatures, payloads) is kept verbatim.
  const nul = src.indexOf('\0');
  if (nul !== -1) throw new DuisParseError('DUIS_NOT_XML', `character U+0000 at offset ${nul}: binary data, not XML`);
  if (/^<\?xml[\s?]/.test(src.slice(p, p + 6))) {
    const end = src.indexOf('?>', p + 5);
    if (end === -1) failAt('DUIS_MALFORMED', src, p, 'unterminated XML declaration');
    p = end + 2;
  }
  const scanner = new XmlScanner(src);
  scanner.pos = p;
  for (;;) {
    const lt = src.indexOf('<', scanner.pos);
    outsideText(src, scanner.pos, lt === -1 ? src.length : lt, 'before the root element');
    if (lt === -1) failAt('DUIS_MALFORMED', src, src.length, 'no root element');
    scanner.pos = lt;
    const c = src.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */ || c === 0x3f /* ? */) scanner.skipOutside();
    else if (c === 0x2f /* / */) failAt('DUIS_MALFORMED', src, lt, 'end tag before the root element');
    else {
      scanner.startTag();
      return scanner;
    }
  }
}

/** After the root end tag: only whitespace, comments and processing instructions may follow. */
export function closeDocument(scanner: XmlScanner): void {
  const src = scanner.src;
  for (;;) {
    const lt = src.indexOf('<', scanner.pos);
    outsideText(src, scanner.pos, lt === -1 ? src.length : lt, 'after the root element');
    if (lt === -1) return;
    scanner.pos = lt;
    const c = src.charCodeAt(lt + 1);
    if (c === 0x21 || c === 0x3f) scanner.skipOutside();
    else if (c === 0x2f) failAt('DUIS_MALFORMED', src, lt, 'end tag after the root element');
    else failAt('DUIS_MALFORMED', src, lt, 'a second root element');
  }
}

function outsideText(src: string, from: number, to: number, where: string): void {
  for (let i = from; i < to; i++) {
    if (!isSpace(src.charCodeAt(i))) failAt('DUIS_MALFORMED', src, i, `text ${quote(src.slice(i, Math.min(to, i + 24)))} ${where}`);
  }
}
