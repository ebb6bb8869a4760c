import { normaliseEui64 } from '../duis/eui64.js';

/**
 * The thread key: a 53-bit hash of the canonical RequestID text (`originator:target:counter`), stored in an
 * indexed integer column so finding a thread is one probe of a small index instead of comparing ~70-byte
 * strings. 53 bits keep it a safe JS integer (no BigInt on the hot write path); collisions are harmless
 * because every lookup also compares the RequestID text kept beside the key.
 *
 * Persisted: never change this function (it would orphan every stored thread key).
 */
export function threadKeyOf(requestId: string): number {
  // cyrb53 (public domain, bryc): two 32-bit multiply-xorshift lanes folded into 53 bits.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < requestId.length; i++) {
    const c = requestId.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const COUNTER = /^[0-9]{1,20}$/;
const MAX_U64 = (1n << 64n) - 1n;

/**
 * Canonical text of a RequestID typed by a person or a URL (`originator:target:counter`, EUI-64s in any
 * accepted spelling, counter with or without leading zeros), or `undefined` when it is not one.
 */
export function canonicalRequestId(value: string): string | undefined {
  const parts = value.trim().split(':');
  if (parts.length !== 3) return undefined;
  const originator = normaliseEui64(parts[0]!);
  const target = normaliseEui64(parts[1]!);
  const counter = parts[2]!;
  if (!originator || !target || !COUNTER.test(counter)) return undefined;
  const n = BigInt(counter);
  if (n > MAX_U64) return undefined;
  return `${originator}:${target}:${n.toString()}`;
}
