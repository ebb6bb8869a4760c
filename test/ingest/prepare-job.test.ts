import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runPrepareJob, transferables } from '../../src/ingest/prepare-job.js';
import { decodeChunk } from '../../src/store/xml-chunk.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/duis/${name}`, import.meta.url), 'utf8');
const docs = [
  fixture('response-4.1.1-gbcs-success.xml'),
  fixture('device-alert-answering-request.xml').replace('?>', '?><!-- é -->'), // a multi-byte character
  fixture('response-unknown-code-I42.xml'),
];
const line = (xml: string) => JSON.stringify({ receivedAt: '2026-03-02T09:00:00Z', xml });
const sha16 = (b: Buffer) => createHash('sha256').update(b).digest().subarray(0, 16);

describe('runPrepareJob (NDJSON)', () => {
  it('stores each accepted document byte for byte, with its own hash, around rejected lines', () => {
    // Line 2 is not JSON (never reaches the slab); line 4 is JSON but not DUIS (encoded, then rejected by the parser).
    const text = [line(docs[0]!), '{not json', line(docs[1]!), line('<a>not duis</a>'), line(docs[2]!)].join('\n') + '\n';
    const data = Buffer.from(text);
    const job = runPrepareJob({ type: 'ndjson', source: 'x.ndjson', firstLine: 1, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    assert.equal(job.inputs, 5);
    assert.deepEqual(job.rejections.map((r) => r.origin.line), [2, 4]);
    assert.deepEqual(job.origins.map((o) => o.line), [1, 3, 5]);
    const decoded = decodeChunk(job.batch.chunk.codec, job.batch.chunk.data);
    assert.equal(decoded.length, job.batch.chunk.rawLength);
    job.batch.messages.forEach((m, i) => {
      const expected = Buffer.from([docs[0], docs[1], docs[2]][i]!, 'utf8');
      const bytes = decoded.subarray(m.xmlOffset, m.xmlOffset + m.xmlLength);
      assert.deepEqual(bytes, expected);
      assert.deepEqual(Buffer.from(m.hash), sha16(expected));
    });
  });

  it('hands the chunk and the hash slab over for transfer, each once', () => {
    const data = Buffer.from(docs.map(line).join('\n'));
    const job = runPrepareJob({ type: 'ndjson', source: 'x.ndjson', firstLine: 1, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    const transfer = transferables(job);
    assert.equal(new Set(transfer).size, transfer.length);
    assert.ok(transfer.includes(job.batch.messages[0]!.hash.buffer as ArrayBuffer));
    // Structured clone with the transfer list keeps every hash a view of the same (moved) slab.
    const copy = structuredClone(job, { transfer });
    assert.equal(job.batch.messages[0]!.hash.byteLength, 0, 'the slab moved');
    copy.batch.messages.forEach((m, i) => assert.deepEqual(Buffer.from(m.hash), sha16(Buffer.from(docs[i]!, 'utf8'))));
  });
});
