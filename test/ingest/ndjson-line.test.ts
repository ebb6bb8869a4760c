import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNdjsonLine, parseReceivedAt, splitLines } from '../../src/ingest/ndjson-line.js';
import { IngestInputError } from '../../src/errors.js';

describe('parseReceivedAt', () => {
  it('accepts ISO-8601 date-times with a zone', () => {
    assert.equal(parseReceivedAt('2024-01-01T00:00:00Z'), Date.UTC(2024, 0, 1));
    assert.equal(parseReceivedAt('2024-01-01T01:00:00.123+01:00'), Date.UTC(2024, 0, 1) + 123);
    assert.equal(parseReceivedAt('2024-01-01T00:00Z'), Date.UTC(2024, 0, 1));
  });
  for (const junk of ['', 'yesterday', '2024-01-01', '2024-01-01T00:00:00', '2024-13-01T00:00:00Z', 1704067200000, null]) {
    it(`rejects ${JSON.stringify(junk)}`, () => {
      assert.throws(() => parseReceivedAt(junk), (e: unknown) => e instanceof IngestInputError && e.code === 'INGEST_INVALID_RECEIVED_AT');
    });
  }
});

describe('parseNdjsonLine', () => {
  it('returns the UTF-8 bytes of xml and the receipt time', () => {
    const m = parseNdjsonLine(JSON.stringify({ receivedAt: '2024-05-01T10:00:00Z', xml: '<a>é</a>' }));
    assert.deepEqual(m.xml, Buffer.from('<a>é</a>', 'utf8'));
    assert.equal(m.receivedAt, Date.UTC(2024, 4, 1, 10));
  });
  const bad: [string, string][] = [
    ['{not json', 'not JSON'],
    ['[1,2]', 'JSON object'],
    ['"x"', 'JSON object'],
    ['{"receivedAt":"2024-05-01T10:00:00Z"}', '"xml" must be a string'],
    ['{"receivedAt":"2024-05-01T10:00:00Z","xml":42}', '"xml" must be a string'],
  ];
  for (const [line, expected] of bad) {
    it(`rejects ${line}`, () => {
      assert.throws(() => parseNdjsonLine(line), (e: unknown) => e instanceof IngestInputError && e.code === 'INGEST_INVALID_LINE' && e.detail.includes(expected));
    });
  }
  it('names a missing receivedAt', () => {
    assert.throws(() => parseNdjsonLine('{"xml":"<a/>"}'), (e: unknown) => e instanceof IngestInputError && e.code === 'INGEST_INVALID_RECEIVED_AT');
  });
});

describe('splitLines', () => {
  it('keeps line numbers across blank lines and CRLF', () => {
    const lines = [...splitLines(Buffer.from('a\r\n\nb\n  \nc'), 10)];
    assert.deepEqual(lines, [
      { line: 10, text: 'a' },
      { line: 12, text: 'b' },
      { line: 14, text: 'c' },
    ]);
  });
});
