import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeChunk, encodeChunk, encodeChunkAs, sliceChunk, XML_CODECS } from '../../src/store/xml-chunk.js';

const doc = (i: number) =>
  Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.2">` +
    `<sr:Header><sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:${1000 + i}</sr:RequestID></sr:Header></sr:Request>`);

describe('XML chunks', () => {
  it('compresses a single message with the preset dictionary and gives back the exact bytes', () => {
    const chunk = encodeChunk([doc(1)]);
    assert.equal(chunk.codec, XML_CODECS.deflateDictV1);
    assert.ok(chunk.data.length < doc(1).length);
    assert.deepEqual(decodeChunk(chunk.codec, chunk.data), doc(1));
  });

  it('compresses an ingest-sized chunk with brotli, and every message slices back byte for byte', () => {
    const parts = Array.from({ length: 600 }, (_, i) => doc(i));
    const chunk = encodeChunk(parts);
    assert.equal(chunk.codec, XML_CODECS.brotli);
    assert.equal(chunk.rawLength, parts.reduce((n, p) => n + p.length, 0));
    assert.ok(chunk.data.length * 5 < chunk.rawLength, `ratio ${chunk.rawLength / chunk.data.length}`);
    let offset = 0;
    for (const part of parts) {
      assert.deepEqual(sliceChunk(chunk.codec, chunk.data, offset, part.length), part);
      offset += part.length;
    }
  });

  it('keeps chunks written by earlier versions readable (codec 1 at any size)', () => {
    const parts = Array.from({ length: 600 }, (_, i) => doc(i));
    const old = encodeChunkAs(XML_CODECS.deflateDictV1, Buffer.concat(parts)); // as versions before brotli wrote ingest chunks
    assert.equal(old.codec, XML_CODECS.deflateDictV1);
    assert.deepEqual(sliceChunk(old.codec, old.data, doc(0).length, doc(1).length), doc(1));
    assert.deepEqual(decodeChunk(old.codec, old.data), Buffer.concat(parts));
  });

  it('stores incompressible bytes as they are', () => {
    const noise = randomBytes(64 * 1024);
    const chunk = encodeChunk([noise]);
    assert.equal(chunk.codec, XML_CODECS.stored);
    assert.deepEqual(decodeChunk(chunk.codec, chunk.data), noise);
  });

  it('refuses a codec it does not know', () => {
    assert.throws(() => decodeChunk(9, Buffer.alloc(1)), /unknown XML chunk codec 9/);
  });
});
