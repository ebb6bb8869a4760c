import { failAt, quote } from './xml-text.js';
import type { ReferenceChecker } from './xml-references.js';

const DECLARATIONS = ['<!DOCTYPE', '<!ENTITY', '<!ELEMENT', '<!ATTLIST', '<!NOTATION'];

/**
 * At `<!`: returns the offset after a comment, or after a CDATA section when `inElement` (its content is
 * `src.slice(at + 9, end - 3)`). DTD declarations are refused outright (XXE, entity expansion): nothing
 * in a DUIS document needs one, so none is ever read, let alone processed.
 */
export function skipMarkup(src: string, at: number, inElement: boolean, refs: ReferenceChecker): number {
  if (src.startsWith('<!--', at)) return closeAt(src, '-->', at, 4, 'comment', refs);
  if (inElement && src.startsWith('<![CDATA[', at)) return closeAt(src, ']]>', at, 9, 'CDATA section', refs);
  const word = src.slice(at, at + 10);
  const declaration = DECLARATIONS.find((d) => word.toUpperCase().startsWith(d));
  if (declaration) {
    failAt('DUIS_DTD_FORBIDDEN', src, at, `${word.slice(0, declaration.length)} declaration (DTDs and entity declarations are refused, never processed)`);
  }
  return failAt('DUIS_MALFORMED', src, at, `unexpected ${quote(word)}`);
}

/** At `<?`: returns the offset after a processing instruction. An XML declaration is only allowed first. */
export function skipInstruction(src: string, at: number, refs: ReferenceChecker): number {
  if (/^xml[\s?]/i.test(src.slice(at + 2, at + 6))) failAt('DUIS_MALFORMED', src, at, 'XML declaration not at the start of the document');
  return closeAt(src, '?>', at, 2, 'processing instruction', refs);
}

function closeAt(src: string, close: string, at: number, open: number, what: string, refs: ReferenceChecker): number {
  const end = src.indexOf(close, at + open);
  if (end === -1) failAt('DUIS_MALFORMED', src, at, `unterminated ${what}`);
  refs.passOver(end + close.length);
  return end + close.length;
}
