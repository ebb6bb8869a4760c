import { parseIsoInstant } from '../reference/iso-instant.js';

/** The instant a `--from` / `--to` style flag names; throws naming the flag for anything but ISO-8601 with a zone. */
export function instantFlag(text: string, flag: string): Date {
  const ms = parseIsoInstant(text);
  if (ms === undefined) throw new Error(`${flag}: ${JSON.stringify(text)} is not an ISO-8601 date-time with a time zone`);
  return new Date(ms);
}

/** A `--limit` page size, 1..1000 like the API's. */
export function limitFlag(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`--limit: ${text} is not an integer from 1 to 1000`);
  return limit;
}

/** A whole-number flag (`--workers`, `--batch`, …): decimal digits only, at least `min`; throws naming the flag. */
export function integerFlag(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new Error(`${flag}: ${JSON.stringify(value)} is not an integer >= ${min}`);
  return n;
}
