import { DuisParseError, type ErrorCode } from '../errors.js';

/**
 * Character-level helpers for the XML scanner: name characters, entity references, positions.
 * XML 1.0 + Namespaces, restricted to what a DUIS document may contain: no DTD, so the only entities are the
 * five predefined ones and numeric character references.
 */

/** Bit 1: may start a name; bit 2: may continue a name. Code points >= 128 are accepted as both. */
const NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) NAME[c] = 3;
  else if (/[0-9.:-]/.test(ch)) NAME[c] = 2;
}
// A leading colon is legal XML 1.0 but never namespace-well-formed; treat it as a continue-only character.

export function isNameStart(c: number): boolean {
  return c >= 128 ? c !== 0xfffe && c !== 0xffff : (NAME[c]! & 1) === 1;
}

export function isNameChar(c: number): boolean {
  return c >= 128 ? c !== 0xfffe && c !== 0xffff : (NAME[c]! & 2) === 2;
}

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Characters XML 1.0 forbids anywhere (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF). */
export const FORBIDDEN_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;

// Null prototype, so `in` never finds `constructor` or `toString`.
const PREDEFINED: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
});

/** `line L, column C` of a string offset (1-based), for error details. */
export function positionOf(src: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = src.indexOf('\n'); i !== -1 && i < offset; i = src.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** A short, quoted excerpt of a value for error details (values can be megabytes long). */
export function quote(value: string, max = 60): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}...` : value);
}

/** Throws a {@link DuisParseError} whose detail ends with the position of `offset`. */
export function failAt(code: ErrorCode, src: string, offset: number, detail: string): never {
  throw new DuisParseError(code, `${detail} at ${positionOf(src, offset)}`);
}

/**
 * Checks the reference starting with `&` at `at` and returns the offset just after its `;`.
 * Custom entities are refused (there is no DTD to define them, and we would never expand one anyway).
 */
export function checkReference(src: string, at: number, limit: number): number {
  const semi = src.indexOf(';', at + 1);
  if (semi === -1 || semi >= limit || semi - at > 40) failAt('DUIS_MALFORMED', src, at, 'bare "&" (not a reference)');
  const name = src.slice(at + 1, semi);
  if (name in PREDEFINED) return semi + 1;
  if (name.charCodeAt(0) === 0x23 /* # */) {
    const cp = /^#x[0-9A-Fa-f]+$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]+$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
    if (!isXmlChar(cp)) failAt('DUIS_MALFORMED', src, at, `invalid character reference &${name};`);
    return semi + 1;
  }
  if (name.length > 0 && isNameStart(name.charCodeAt(0))) {
    failAt('DUIS_ENTITY_FORBIDDEN', src, at, `entity reference &${name}; (only &lt; &gt; &amp; &quot; &apos; and &#...; are allowed)`);
  }
  return failAt('DUIS_MALFORMED', src, at, 'bare "&" (not a reference)');
}

function isXmlChar(cp: number): boolean {
  if (!(cp >= 0 && cp <= 0x10ffff)) return false;
  if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d;
  return !(cp >= 0xd800 && cp <= 0xdfff) && cp !== 0xfffe && cp !== 0xffff;
}

/** Replaces the (already validated) references in `text`. */
export function decodeReferences(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);/g, (_, ref: string) => {
    if (ref.charCodeAt(0) !== 0x23) return PREDEFINED[ref] ?? '';
    return String.fromCodePoint(ref.charCodeAt(1) === 0x78 ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
  });
}
