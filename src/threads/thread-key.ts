import { normaliseEui64 } from '../duis/eui64.js';

/** 2^40: the counter's share of the key. */
const COUNTER_SPAN = 1_099_511_627_776;
/** 2^13: the share of the `originator:target` hash. */
const PAIR_SPAN = 8192;

/**
 * The thread key of a canonical RequestID (`originator:target:counter`; also applied to a ResponseID, which has
 * the same shape): a 53-bit integer, stored in an indexed column so finding a thread is one probe of a small
 * index instead of comparing ~70-byte strings. 53 bits keep it a safe JS integer (no BigInt on the hot write
 * path).
 *
 * Layout: the counter's low 40 bits (taken from its last 15 decimal digits) × 2^13, plus a 13-bit hash of
 * `originator:target`. An originator's counters are unique and in practice only grow (a device refuses a
 * command whose GBCS originator counter is not above the last it accepted), so the keys of new threads land
 * next to each other at the end of each originator's range of the index, and their answers probe the same few
 * pages. A plain hash of the whole text (cyrb53 before migration 0009) scattered every new key over the whole
 * index: each commit rewrote about one random index page per message. SQLite ingest of a second million is
 * 19-38% faster with this layout (docs/benchmarks.md, "Thread keys that follow the counter").
 *
 * Correctness never depends on the layout: keys collide more often than a full hash would (the same counter
 * and pair hash; a counter differing by a multiple of 2^40), and every lookup compares the RequestID text
 * kept beside the key, so a collision costs a row read, never a wrong link. A counter that does not grow only
 * loses the locality.
 *
 * Persisted: a change to this function needs a migration that recomputes every stored key (as 0009 did).
 */
export function threadKeyOf(requestId: string): number {
  const colon = requestId.lastIndexOf(':');
  const counter = Number(requestId.slice(Math.max(colon + 1, requestId.length - 15)));
  const low = Number.isSafeInteger(counter) && counter >= 0 ? counter % COUNTER_SPAN : 0;
  return low * PAIR_SPAN + (pairHash(colon < 0 ? requestId : requestId.slice(0, colon)) & (PAIR_SPAN - 1));
}

/** A 32-bit hash: a multiply-xor pass per character, then MurmurHash3's finaliser so the low bits mix too. */
function pairHash(text: string): number {
  let h = 0xdeadbeef;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 2654435761);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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
