import { DuisParseError } from '../errors.js';
import type { RequestId, ResponseId } from './duis-message.js';
import { normaliseEui64, type Eui64 } from './eui64.js';
import { FORBIDDEN_CHAR, quote } from './xml-text.js';

/**
 * Readers for the values of DUIS header and body fields. Each takes the element text and the element's path
 * (for the error detail) and throws DUIS_INVALID_FIELD naming the path and the offending value.
 */

const MAX_U64 = '18446744073709551615';

function invalid(path: string, value: string, why: string): never {
  throw new DuisParseError('DUIS_INVALID_FIELD', `${path}: ${quote(value)} ${why}`);
}

/** A non-empty value, trimmed (DUIS values are XML Schema tokens: surrounding whitespace is not significant). */
export function readToken(text: string, path: string): string {
  const v = text.trim();
  if (v === '') throw new DuisParseError('DUIS_INVALID_FIELD', `${path}: empty value`);
  if (FORBIDDEN_CHAR.test(v)) invalid(path, v, 'contains a control character XML does not allow');
  return v;
}

/** An unsigned 64-bit decimal counter, as a string without leading zeros. */
export function readCounter(text: string, path: string): string {
  if (!/^[0-9]+$/.test(text)) invalid(path, text, 'is not an unsigned decimal counter');
  const v = text.replace(/^0+(?=.)/, '');
  if (v.length > MAX_U64.length || (v.length === MAX_U64.length && v > MAX_U64)) invalid(path, text, 'exceeds 2^64-1');
  return v;
}

/** An EUI-64 in canonical form (lower case and unhyphenated input accepted). */
export function readEui64(text: string, path: string): Eui64 {
  return normaliseEui64(text) ?? invalid(path, text, 'is not an EUI-64 (eight hex bytes)');
}

function readTriple(text: string, path: string, shape: string, names: readonly [string, string]): [Eui64, Eui64, string] {
  const v = text.trim();
  const parts = v.split(':');
  if (parts.length !== 3) invalid(path, v, `is not ${shape}`);
  const [a, b, counter] = parts as [string, string, string];
  return [
    normaliseEui64(a) ?? invalid(path, v, `has an invalid ${names[0]} ${quote(a)} (not an EUI-64)`),
    normaliseEui64(b) ?? invalid(path, v, `has an invalid ${names[1]} ${quote(b)} (not an EUI-64)`),
    readCounter(counter, `${path} (counter)`),
  ];
}

/** `RequestID` = `originator:target:counter`. */
export function readRequestId(text: string, path: string): RequestId {
  const [originator, target, counter] = readTriple(text, path, 'originator:target:counter', ['originator', 'target']);
  return { originator, target, counter };
}

/** `ResponseID` = `responder:recipient:counter`. */
export function readResponseId(text: string, path: string): ResponseId {
  const [responder, recipient, counter] = readTriple(text, path, 'responder:recipient:counter', ['responder', 'recipient']);
  return { responder, recipient, counter };
}

/** `CommandVariant`: an integer 1..8. */
export function readCommandVariant(text: string, path: string): number {
  const v = text.trim();
  if (!/^[1-8]$/.test(v)) invalid(path, v, 'is not a command variant (1..8)');
  return Number(v);
}

/** Device alert `AlertCode`: two bytes in hex, returned upper-case. */
export function readAlertCode(text: string, path: string): string {
  const v = text.trim();
  if (!/^[0-9A-Fa-f]{4}$/.test(v)) invalid(path, v, 'is not a 4-digit hex alert code');
  return v.toUpperCase();
}

/** `ThrottledAlertCount`: a non-negative integer. */
export function readCount(text: string, path: string): number {
  const v = text.trim();
  if (!/^[0-9]{1,15}$/.test(v)) invalid(path, v, 'is not a non-negative integer');
  return Number(v);
}
