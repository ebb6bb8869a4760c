import { createWorld, generateTraffic } from '../../src/synth/index.js';
import { hashKey, type Outgoing } from './jetstream-env.js';

/** Invalid messages a feed may carry, each with the rejection code the consumer must report. */
export const INVALID: ReadonlyArray<Outgoing & { code: string }> = [
  { data: 'not xml', receivedAt: '2025-01-06T00:00:00.000Z', code: 'DUIS_NOT_XML' },
  { data: '<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:Header>', receivedAt: '2025-01-06T00:00:00.000Z', code: 'DUIS_MALFORMED' },
  { data: JSON.stringify({ receivedAt: 'last tuesday', xml: '<x/>' }), code: 'INGEST_INVALID_RECEIVED_AT' },
  { data: '{"xml": 5}', code: 'INGEST_INVALID_LINE' },
];

/** What a generated feed should leave in the store. */
export interface FeedExpectation {
  /** Idempotency keys of every valid distinct document. */
  keys: Set<string>;
  /** Messages published (valid, duplicate and invalid). */
  published: number;
  /** Invalid messages published, by expected rejection code. */
  invalid: Map<string, number>;
}

/**
 * Synthetic DUIS traffic as a capture feed would publish it: alternately the bare document with a Received-At header
 * and one NDJSON object; the generator's own re-deliveries (same bytes, later time), an exact re-publish of every
 * `republishEvery`-th message, and one invalid message every `invalidEvery` messages. Lazy: `expect` fills as the
 * messages are taken.
 */
export function* mixedFeed(
  count: number,
  expect: FeedExpectation,
  options: { seed?: number; invalidEvery?: number; republishEvery?: number } = {},
): Generator<Outgoing> {
  const { seed = 7, invalidEvery = 10_000, republishEvery = 5_000 } = options;
  const world = createWorld({ seed, devices: 1000 });
  let i = 0;
  for (const r of generateTraffic(world, { count, seed, duplicateRate: 0.002 })) {
    const out: Outgoing = i % 2 === 0 ? { data: r.xml, receivedAt: r.receivedAt } : { data: JSON.stringify({ receivedAt: r.receivedAt, xml: r.xml }) };
    expect.keys.add(hashKey(r.xml));
    expect.published++;
    yield out;
    if (i % republishEvery === republishEvery - 1) {
      expect.published++;
      yield out;
    }
    if (i % invalidEvery === invalidEvery - 1) {
      const bad = INVALID[Math.floor(i / invalidEvery) % INVALID.length]!;
      expect.published++;
      expect.invalid.set(bad.code, (expect.invalid.get(bad.code) ?? 0) + 1);
      yield bad;
    }
    i++;
  }
}

export function emptyExpectation(): FeedExpectation {
  return { keys: new Set(), published: 0, invalid: new Map() };
}
