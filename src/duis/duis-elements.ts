import { DuisParseError } from '../errors.js';
import { START, type XmlScanner } from './xml-scanner.js';

/** The DUIS namespace (SEC Appendix AD). Error paths write it with its conventional prefix `sr:`. */
export const DUIS_NS = 'http://www.dccinterface.co.uk/ServiceUserGateway';

/**
 * Reads the children of the open element: the DUIS-namespace elements named in `names` as text (each at most
 * once), every other child through `other` (skipped by default: signatures, extensions). Consumes the
 * element's end tag.
 */
export function readTexts<K extends string>(
  s: XmlScanner,
  path: string,
  names: readonly K[],
  other: () => void = () => s.skip(),
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  while (s.next() === START) {
    const name = s.ns === DUIS_NS && (names as readonly string[]).includes(s.local) ? (s.local as K) : undefined;
    if (name === undefined) {
      other();
      continue;
    }
    if (out[name] !== undefined) throw new DuisParseError('DUIS_INVALID_FIELD', `${path}/sr:${name}: appears more than once`);
    out[name] = s.text(path, name);
  }
  return out;
}

/** The value of a required field, or DUIS_MISSING_FIELD naming its path. */
export function required(value: string | undefined, path: string): string {
  if (value === undefined) throw new DuisParseError('DUIS_MISSING_FIELD', `${path} is missing`);
  return value;
}

/** Throws DUIS_MISSING_FIELD for `path` with an explanation. */
export function missing(path: string, why = 'is missing'): never {
  throw new DuisParseError('DUIS_MISSING_FIELD', `${path} ${why}`);
}
