import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AckPolicy } from '@nats-io/jetstream';
import { decodePayload } from '../../src/ingest/jetstream/message-payload.js';
import {
  hashKey,
  jetstreamSkipReason,
  logLines,
  NATS_URL,
  publishAll,
  startConsume,
  summaryOf,
  useJetstreamSpec,
} from './jetstream-env.js';

const TEMPLATES = 'node_modules/@smartdcc/duis-templates/templates';
const doc = (name: string) => readFileSync(`${TEMPLATES}/${name}`, 'utf8');
const READ = doc('ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML');
const AT = '2025-03-01T12:00:00.250Z';

describe('JetStream payloads', () => {
  it('takes the document and its receipt time from a bare payload with a header, an NDJSON object, or the stream time', () => {
    const bytes = Buffer.from(READ);
    assert.deepEqual(decodePayload(bytes, AT, 1), { ok: true, doc: bytes, receivedAt: Date.parse(AT) });
    assert.deepEqual(decodePayload(bytes, undefined, 1234), { ok: true, doc: bytes, receivedAt: 1234 });
    const line = decodePayload(Buffer.from(`  \n${JSON.stringify({ receivedAt: AT, xml: READ })}`), '2020-01-01T00:00:00Z', 1);
    assert.ok(line.ok);
    assert.equal(Buffer.from(line.doc).toString('utf8'), READ);
    assert.equal(line.receivedAt, Date.parse(AT), 'NDJSON carries its own time; a header is ignored');
    assert.deepEqual(decodePayload(bytes, 'yesterday', 1), {
      ok: false,
      code: 'INGEST_INVALID_RECEIVED_AT',
      detail: 'Received-At header: "yesterday" is not an ISO-8601 date-time with a zone',
    });
    assert.equal((decodePayload(Buffer.from('{"receivedAt": 1'), undefined, 1) as { code: string }).code, 'INGEST_INVALID_LINE');
  });
});

const skip = await jetstreamSkipReason();

describe('srvv consume payload handling', { skip }, () => {
  const spec = useJetstreamSpec('payloads');

  it('stores header and NDJSON payloads at their times, headerless ones at the stream time (stable on redelivery), and rejects a bad Received-At', { timeout: 60_000 }, async () => {
    const { nats, db, names } = spec;
    const [withHeader, ndjson, headerless, badHeader] = [
      'ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML',
      'CCS01_8.11_SUCCESS_REQUEST_DUIS.XML',
      'CCS03_8.12.1_SUCCESS_REQUEST_DUIS.XML',
      'CS01a_2.2_SUCCESS_REQUEST_DUIS.XML',
    ].map(doc) as [string, string, string, string];
    await nats.jsm.streams.add({ name: names.stream, subjects: [`${names.subject}.>`] });
    const seqs = await publishAll(nats.js, `${names.subject}.capture`, [
      { data: withHeader, receivedAt: AT },
      { data: JSON.stringify({ receivedAt: '2025-03-02T00:00:00+01:00', xml: ndjson }) },
      { data: headerless },
      { data: badHeader, receivedAt: '01/03/2025 12:00' },
    ]);
    const streamTime = (await nats.jsm.streams.getMessage(names.stream, { seq: seqs[2]! }))!.timestamp;

    // Deliver the headerless message once and hand it back, so srvv consume gets a redelivery, well after it was
    // published: its receipt time must still be the stream's, not the consumer's clock.
    await nats.jsm.consumers.add(names.stream, { durable_name: names.durable, ack_policy: AckPolicy.Explicit });
    const consumer = await nats.js.consumers.get(names.stream, names.durable);
    for await (const m of await consumer.fetch({ max_messages: 4, expires: 2000 })) m.nak();
    await new Promise((r) => setTimeout(r, 1100));

    const run = startConsume(['--nats', NATS_URL, '--stream', names.stream, '--durable', names.durable, '--db', db.url, '--max-messages', '4', '--json']);
    assert.equal(await run.exited, 0, run.stderr());
    const summary = summaryOf(run);
    assert.equal(summary.read, 4);
    assert.equal(summary.ingested, 3);
    assert.deepEqual(summary.rejectedByReason, { INGEST_INVALID_RECEIVED_AT: 1 });
    assert.deepEqual(summary.rejections[0]?.detail, 'Received-At header: "01/03/2025 12:00" is not an ISO-8601 date-time with a zone');
    const log = logLines(run).find((l) => l.msg === 'message rejected and terminated');
    assert.deepEqual(
      { seq: log?.seq, subject: log?.subject, code: log?.code },
      { seq: seqs[3], subject: `${names.subject}.capture`, code: 'INGEST_INVALID_RECEIVED_AT' },
    );

    const rows = await db.query<{ k: string; received_at: string }>(
      `SELECT replace(h.hash::text, '-', '') AS k, m.received_at FROM messages m JOIN message_hashes h ON h.message_id = m.id`,
    );
    const at = new Map(rows.map((r) => [r.k, Number(r.received_at)]));
    assert.equal(at.size, 3);
    assert.equal(at.get(hashKey(withHeader)), Date.parse(AT));
    assert.equal(at.get(hashKey(ndjson)), Date.parse('2025-03-01T23:00:00Z'));
    assert.equal(at.get(hashKey(headerless)), Math.floor(Date.parse(streamTime)), 'the stream time, not when it was consumed');
    assert.ok(!at.has(hashKey(badHeader)));

    // A replay of the stream through another durable into the same store finds the same bytes: all duplicates.
    const replay = startConsume(['--nats', NATS_URL, '--stream', names.stream, '--durable', `${names.durable}_replay`, '--db', db.url, '--max-messages', '4', '--json']);
    assert.equal(await replay.exited, 0, replay.stderr());
    assert.deepEqual([summaryOf(replay).ingested, summaryOf(replay).duplicates, summaryOf(replay).rejected], [0, 3, 1]);
    const info = await nats.jsm.consumers.info(names.stream, names.durable);
    assert.equal(info.num_pending + info.num_ack_pending, 0, 'the rejected message was terminated, not left to redeliver');
  });
});
