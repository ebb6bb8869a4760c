/**
 * Micro-benchmark of the store's write path alone: synthetic PreparedBatches built outside the timed section
 * (no parsing, random 16-byte hashes, pre-encoded chunks), ingested round after round; reports store-only
 * messages/s per round (time inside `ingest` only) and the process's peak RSS.
 *
 *   npm run build && node dist/bench/store-bench.js --url sqlite:/tmp/srvv-bench/store.db --count 1000000 --rounds 2
 *   node dist/bench/store-bench.js --url postgres://postgres@127.0.0.1:5432/bench --count 1000000 --rounds 2
 *
 * (`npx tsx src/bench/store-bench.ts ...` works too; tsx adds ~80 MB of RSS.) Start from an empty store: round 2
 * then measures the second million on top of the first.
 *
 * Traffic: ~35% requests (5% of them non-device with 1-3 body DeviceIDs), acknowledgements, responses and
 * alerts; ~60% of answers answer a recent captured request, a few arrive before their request; --devices
 * distinct devices; ~1.4 KB documents with a random base64 payload (~2:1 compression).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { DuisMessage, RequestId } from '../duis/duis-message.js';
import { formatRequestId } from '../duis/duis-message.js';
import { openStore } from '../store/open-store.js';
import type { PreparedBatch, PreparedMessage } from '../store/prepared-batch.js';
import { prepareMessage } from '../store/ingest-plan.js';
import { messageTime } from '../ingest/prepare-batch.js';
import { encodeChunk } from '../store/xml-chunk.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'sqlite:/tmp/srvv-bench/store.db' },
    count: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '2' },
    batch: { type: 'string', default: '5000' }, // ~8 MiB of input, the ingest pipeline's job size
    devices: { type: 'string', default: '50000' },
    'cache-kib': { type: 'string' },
  },
});
const COUNT = Number(args.count);
const ROUNDS = Number(args.rounds);
const BATCH = Number(args.batch);
const DEVICES = Number(args.devices);

let seed = 42;
const rnd = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
const eui = (prefix: number, n: number): string =>
  (BigInt(prefix) << 32n | BigInt(n)).toString(16).toUpperCase().padStart(16, '0').match(/../g)!.join('-');

const devices = Array.from({ length: DEVICES }, (_, i) => eui(0x00db1234, i * 7919 + 13));
const users = Array.from({ length: 40 }, (_, i) => eui(0x90b3d51f, 0x30010000 + i));
const DCC = '90-B3-D5-1F-30-00-00-02';
const SRVS = ['4.1.1', '4.1.2', '4.4.2', '4.6.1', '7.2', '6.15.1', '11.2', '8.11'];
let counter = 1_000_000n;
const recent: RequestId[] = [];
const held: DuisMessage[] = []; // requests whose answer was emitted first

const BASE = {
  schemaVersion: '5.2', requestId: null, responseId: null, commandVariant: null, serviceReference: null,
  serviceReferenceVariant: null, responseCode: null, responseDateTime: null, alertCode: null, dccAlertCode: null,
  throttledAlertSequenceId: null, throttledAlertCount: null, bodyElement: null, hasGbcsPayload: false, deviceIds: [],
} satisfies Omit<DuisMessage, 'kind'>;

function newRequest(): DuisMessage {
  const originator = pick(users);
  const nonDevice = rnd() < 0.05;
  const body = nonDevice ? Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(devices)) : [];
  const id: RequestId = { originator, target: nonDevice ? DCC : pick(devices), counter: String(counter++) };
  const srv = nonDevice ? '8.2' : pick(SRVS);
  const deviceIds = nonDevice ? [...new Set(body)] : [id.target];
  recent.push(id);
  if (recent.length > 20000) recent.splice(0, 5000);
  return {
    ...BASE, kind: 'request', requestId: id, commandVariant: nonDevice ? 8 : 1, serviceReference: srv.split('.').slice(0, 2).join('.'),
    serviceReferenceVariant: srv, bodyElement: nonDevice ? 'ReadInventory' : 'ReadInstantaneousImportRegisters', deviceIds,
  };
}

function answer(id: RequestId | null, at: string): DuisMessage {
  const r = rnd();
  const own = id && id.target !== DCC ? [id.target] : [];
  if (r < 0.38 && id) return { ...BASE, kind: 'acknowledgement', requestId: id, responseCode: rnd() < 0.03 ? 'E3' : 'I99', deviceIds: own };
  const responder = id && id.target !== DCC ? id.target : pick(devices);
  const responseId = { responder, recipient: id?.originator ?? pick(users), counter: String(counter++) };
  if (r < 0.8) {
    return { ...BASE, kind: 'response', requestId: id, responseId, responseCode: rnd() < 0.05 ? 'E1' : 'I0', responseDateTime: at,
      serviceReference: '4.1', serviceReferenceVariant: '4.1.1', bodyElement: 'ResponseMessage', hasGbcsPayload: true,
      deviceIds: [...new Set([responder, ...own])] };
  }
  if (r < 0.97) {
    return { ...BASE, kind: 'device-alert', requestId: id, responseId, responseCode: 'I0', responseDateTime: at, alertCode: '8F66',
      bodyElement: 'DeviceAlertMessage', hasGbcsPayload: true, deviceIds: [...new Set([responder, ...own])] };
  }
  return { ...BASE, kind: 'dcc-alert', responseId: { ...responseId, responder: DCC }, responseCode: 'I0', responseDateTime: at,
    dccAlertCode: 'N24', bodyElement: 'DCCAlertMessage' };
}

function nextMessage(now: number): DuisMessage {
  if (held.length && rnd() < 0.05) return held.shift()!;
  const at = new Date(now).toISOString();
  if (rnd() < 0.35) return newRequest();
  if (rnd() < 0.6 && recent.length) return answer(pick(recent), at);
  if (rnd() < 0.05) {
    const req = newRequest(); // answered before it is captured
    held.push(req);
    return answer(req.requestId, at);
  }
  const stray: RequestId = { originator: pick(users), target: pick(devices), counter: String(counter++) };
  return answer(rnd() < 0.8 ? stray : null, at);
}

const SIG = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>...</ds:SignedInfo><ds:SignatureValue>';
function xmlOf(m: DuisMessage): Buffer {
  const payload = randomBytes(600).toString('base64');
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<sr:${m.kind === 'request' ? 'Request' : 'Response'} xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.2">` +
      `<sr:Header><sr:RequestID>${m.requestId ? formatRequestId(m.requestId) : ''}</sr:RequestID><sr:ResponseCode>${m.responseCode ?? ''}</sr:ResponseCode>` +
      `<sr:ServiceReferenceVariant>${m.serviceReferenceVariant ?? ''}</sr:ServiceReferenceVariant></sr:Header><sr:Body><sr:GBCSPayload>${payload}</sr:GBCSPayload></sr:Body>` +
      `${SIG}${randomBytes(48).toString('base64')}</ds:SignatureValue></ds:Signature></sr:Request>`,
  );
}

// Chunks are pre-encoded once and reused: their content does not matter to the store, only their size, and
// compressing ~7 MB per batch here would dominate the run. Each message points into its batch's chunk.
const CHUNKS = Array.from({ length: 4 }, () => {
  const parts = Array.from({ length: BATCH }, () => xmlOf(newRequest()));
  recent.length = 0;
  let offset = 0;
  const spans = parts.map((p) => ({ offset: (offset += p.length) - p.length, length: p.length }));
  return { chunk: encodeChunk(parts), spans };
});

let clock = Date.parse('2026-01-01T00:00:00Z');
let batchNo = 0;
function makeBatch(n: number): PreparedBatch {
  const { chunk, spans } = CHUNKS[batchNo++ % CHUNKS.length]!;
  const messages: PreparedMessage[] = [];
  for (let i = 0; i < n; i++) {
    clock += 5;
    const message = nextMessage(clock - 2000);
    // Unique bytes per message: a random hash stands in for SHA-256 of the document.
    const hash = randomBytes(16);
    const time = messageTime(message, clock);
    messages.push(prepareMessage(message, { receivedAt: clock, time, hash, xmlOffset: spans[i]!.offset, xmlLength: spans[i]!.length }));
  }
  return { messages, chunk };
}

const store = await openStore(args.url!, args['cache-kib'] ? { sqliteCacheSizeKiB: Number(args['cache-kib']) } : {});
let peakRss = 0;
console.log(
  `backend=${store.backend} batch=${BATCH} devices=${DEVICES} count/round=${COUNT} ` +
    `RSS before ingest ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
);
for (let round = 1; round <= ROUNDS; round++) {
  let storeMs = 0;
  const wall = performance.now();
  for (let done = 0; done < COUNT; done += BATCH) {
    const batch = makeBatch(Math.min(BATCH, COUNT - done));
    const t = performance.now();
    await store.ingest(batch);
    storeMs += performance.now() - t;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  console.log(
    `round ${round}: store-only ${Math.round(COUNT / (storeMs / 1000))} msg/s (${(storeMs / 1000).toFixed(1)} s in ingest), ` +
      `wall ${((performance.now() - wall) / 1000).toFixed(1)} s, peak RSS ${Math.round(peakRss / 2 ** 20)} MiB ` +
      `(heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB)`,
  );
}
console.log(await store.stats());
await store.close();
