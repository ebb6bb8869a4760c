import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DuisParseError, type ErrorCode } from '../../src/errors.js';
import { parseDuis } from '../../src/duis/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'duis');
const REQUEST = readFileSync(join(fixtures, 'request-4.1.1-read-instantaneous-import-registers.xml'), 'utf8');
const RESPONSE = readFileSync(join(fixtures, 'response-4.1.1-gbcs-success.xml'), 'utf8');
const NS = 'http://www.dccinterface.co.uk/ServiceUserGateway';
const RID = '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000';

/** Asserts `parseDuis(input)` throws a DuisParseError with `code` whose detail mentions every string in `mentions`. */
function rejects(input: string | Buffer, code: ErrorCode, mentions: (string | RegExp)[], options?: Parameters<typeof parseDuis>[1]): void {
  assert.throws(
    () => parseDuis(input, options),
    (err: unknown) => {
      assert.ok(err instanceof DuisParseError, `expected a DuisParseError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      for (const m of mentions) {
        if (typeof m === 'string') assert.ok(err.detail.includes(m), `detail ${JSON.stringify(err.detail)} mentions ${m}`);
        else assert.match(err.detail, m);
      }
      return true;
    },
  );
}

/** A request whose header and body are replaced. */
function request(header: string, body = '<sr:Body><sr:ReadInstantaneousImportRegisters/></sr:Body>'): string {
  return `<?xml version="1.0"?><sr:Request xmlns:sr="${NS}" schemaVersion="5.2"><sr:Header>${header}</sr:Header>${body}</sr:Request>`;
}
const HEADER = `<sr:RequestID>${RID}</sr:RequestID><sr:CommandVariant>1</sr:CommandVariant><sr:ServiceReference>4.1</sr:ServiceReference><sr:ServiceReferenceVariant>4.1.1</sr:ServiceReferenceVariant>`;

describe('hostile and broken input', () => {
  it('XXE: an external entity to file:///etc/passwd is refused, never resolved', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE sr:Request [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${REQUEST.slice(REQUEST.indexOf('<sr:Request')).replace('1000</sr:RequestID>', '&xxe;</sr:RequestID>')}`;
    rejects(xxe, 'DUIS_DTD_FORBIDDEN', ['<!DOCTYPE', 'line 1']);
  });

  it('billion laughs is refused before any expansion', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
      ']>',
      `<sr:Request xmlns:sr="${NS}">&lol9;</sr:Request>`,
    ].join('\n');
    rejects(lol, 'DUIS_DTD_FORBIDDEN', ['<!DOCTYPE']);
  });

  it('an entity declaration anywhere is refused', () => {
    rejects(request(HEADER, '<!ENTITY x "y"><sr:Body><sr:A/></sr:Body>'), 'DUIS_DTD_FORBIDDEN', ['<!ENTITY']);
  });

  it('entity references other than the predefined five and character references are refused', () => {
    rejects(request(HEADER.replace('1000<', '&xxe;<')), 'DUIS_ENTITY_FORBIDDEN', ['&xxe;']);
    rejects(request(HEADER).replace('schemaVersion="5.2"', 'schemaVersion="&v;"'), 'DUIS_ENTITY_FORBIDDEN', ['&v;']);
    rejects(request(HEADER.replace('1000<', '10&00<')), 'DUIS_MALFORMED', ['"&"']);
    rejects(request(HEADER.replace('1000<', '&#0;<')), 'DUIS_MALFORMED', ['&#0;']);
  });

  it('predefined entities, character references and CDATA are decoded', () => {
    const header = HEADER.replace('1000<', '&#49;&#x30;<![CDATA[0]]>0<').replace('>4.1.1<', '> 4.1.1&#x20;<');
    const m = parseDuis(request(header).replace('schemaVersion="5.2"', 'schemaVersion="5&#46;2"'));
    assert.equal(m.requestId?.counter, '1000');
    assert.equal(m.serviceReferenceVariant, '4.1.1');
    assert.equal(m.schemaVersion, '5.2');
  });

  it('oversized: a custom limit, and the default 4 MiB + 1 byte, are refused before parsing', () => {
    rejects(REQUEST, 'DUIS_TOO_LARGE', [`${Buffer.byteLength(REQUEST)} bytes`, 'limit of 100 bytes'], { maxBytes: 100 });
    rejects(Buffer.alloc(4 * 1024 * 1024 + 1, 0x78), 'DUIS_TOO_LARGE', ['4194305 bytes', '4194304 bytes']);
    // Counted in UTF-8 bytes, not UTF-16 units: 2 MiB of "é" is 4 MiB of UTF-8, plus the document.
    rejects(REQUEST.replace('<sr:Header>', `<!--${'é'.repeat(2 * 1024 * 1024)}--><sr:Header>`), 'DUIS_TOO_LARGE', ['4194304 bytes']);
  });

  it('a document of exactly the limit is accepted', () => {
    const padded = REQUEST + ' '.repeat(4 * 1024 * 1024 - Buffer.byteLength(REQUEST));
    assert.equal(Buffer.byteLength(padded), 4 * 1024 * 1024);
    assert.equal(parseDuis(Buffer.from(padded)).kind, 'request');
  });

  it('truncated documents are malformed, with a position', () => {
    rejects(REQUEST.slice(0, REQUEST.length >> 1), 'DUIS_MALFORMED', ['unexpected end of document', /line \d+, column \d+/]);
    rejects(RESPONSE.slice(0, RESPONSE.indexOf('</sr:GBCSPayload>') + 5), 'DUIS_MALFORMED', ['unexpected end of document']);
  });

  it('every truncation of a request and a response is DUIS_MALFORMED', () => {
    for (const doc of [REQUEST.trimEnd(), RESPONSE.trimEnd()]) {
      for (let n = 1; n < doc.length; n++) rejects(doc.slice(0, n), 'DUIS_MALFORMED', [/line \d+, column \d+/]);
    }
  });

  it('mismatched tags, two roots, text after the root are malformed', () => {
    rejects(REQUEST.replace('</sr:Header>', '</sr:Heading>'), 'DUIS_MALFORMED', ['</sr:Heading>', '<sr:Header>', /line \d+/]);
    rejects(`${REQUEST}<sr:Request xmlns:sr="${NS}"/>`, 'DUIS_MALFORMED', ['second root element']);
    rejects(`${REQUEST}trailing`, 'DUIS_MALFORMED', ['"trailing"', 'after the root element']);
    rejects(REQUEST.replace('schemaVersion="5.2"', 'schemaVersion="5.2" schemaVersion="5.3"'), 'DUIS_MALFORMED', ['duplicate attribute schemaVersion']);
    rejects(REQUEST.replace('<sr:Body>', '<sr:Body x=1>'), 'DUIS_MALFORMED', ['not quoted']);
    rejects(request(HEADER).replace('<sr:Header>', '<sr:Header><!-- open'), 'DUIS_MALFORMED', ['unterminated comment']);
    rejects(REQUEST.replace('<sr:Header>', '<sr:Header><?xml version="1.0"?>'), 'DUIS_MALFORMED', ['XML declaration']);
  });

  it('a root outside the DUIS namespace is refused', () => {
    rejects(REQUEST.replace(`xmlns:sr="${NS}"`, 'xmlns:sr="http://example.com/other"'), 'DUIS_WRONG_NAMESPACE', ['http://example.com/other']);
    rejects('<Request><Header/></Request>', 'DUIS_WRONG_NAMESPACE', ['no namespace']);
    rejects(REQUEST.replace(`xmlns:sr="${NS}"`, ''), 'DUIS_WRONG_NAMESPACE', ['prefix "sr"', 'not declared']);
  });

  it('a root in the namespace that is neither Request nor Response is unknown', () => {
    rejects(`<sr:Notification xmlns:sr="${NS}"/>`, 'DUIS_UNKNOWN_ROOT', ['sr:Notification']);
  });

  it('input that is not XML at all', () => {
    rejects('{"receivedAt":"2026-01-01T00:00:00Z","xml":"<sr:Request/>"}', 'DUIS_NOT_XML', ['{']);
    rejects('Hello, this is plain text.', 'DUIS_NOT_XML', ['Hello']);
    rejects(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]), 'DUIS_NOT_XML', ['not with "<"']);
    rejects(Buffer.concat([Buffer.from('<sr:Request>'), Buffer.from([0x00, 0xff, 0x10, 0x00])]), 'DUIS_NOT_XML', ['U+0000']);
  });

  it('empty and whitespace-only input', () => {
    rejects('', 'DUIS_EMPTY', ['empty']);
    rejects(Buffer.alloc(0), 'DUIS_EMPTY', ['empty']);
    rejects(' \n\t\r\n ', 'DUIS_EMPTY', ['only whitespace']);
    rejects(Buffer.from('\ufeff  \n'), 'DUIS_EMPTY', ['only whitespace']);
  });

  it('a request with an empty Body, no Body, no Header', () => {
    rejects(request(HEADER, '<sr:Body>\n  </sr:Body>'), 'DUIS_MISSING_FIELD', ['sr:Request/sr:Body', 'empty']);
    rejects(request(HEADER, '<sr:Body/>'), 'DUIS_MISSING_FIELD', ['sr:Request/sr:Body']);
    rejects(request(HEADER, ''), 'DUIS_MISSING_FIELD', ['sr:Request/sr:Body']);
    rejects(`<sr:Request xmlns:sr="${NS}"><sr:Body><sr:A/></sr:Body></sr:Request>`, 'DUIS_MISSING_FIELD', ['sr:Request/sr:Header']);
  });

  it('missing header fields are named by path', () => {
    rejects(request(HEADER.replace(`<sr:RequestID>${RID}</sr:RequestID>`, '')), 'DUIS_MISSING_FIELD', ['sr:Request/sr:Header/sr:RequestID']);
    rejects(request(HEADER.replace('<sr:CommandVariant>1</sr:CommandVariant>', '')), 'DUIS_MISSING_FIELD', ['sr:CommandVariant']);
    rejects(RESPONSE.replace('<sr:ResponseCode>I0</sr:ResponseCode>', ''), 'DUIS_MISSING_FIELD', ['sr:Response/sr:Header/sr:ResponseCode']);
    rejects(RESPONSE.replace(/<sr:ServiceReferenceVariant>.*<\/sr:ServiceReferenceVariant>/, ''), 'DUIS_MISSING_FIELD', ['sr:ResponseMessage/sr:ServiceReferenceVariant']);
  });

  it('bad counters', () => {
    rejects(request(HEADER.replace(':1000<', ':abc<')), 'DUIS_INVALID_FIELD', ['"abc"', 'sr:RequestID']);
    rejects(request(HEADER.replace(':1000<', ':-1<')), 'DUIS_INVALID_FIELD', ['"-1"']);
    rejects(request(HEADER.replace(':1000<', ':18446744073709551616<')), 'DUIS_INVALID_FIELD', ['18446744073709551616', '2^64-1']);
    assert.equal(parseDuis(request(HEADER.replace(':1000<', ':18446744073709551615<'))).requestId?.counter, '18446744073709551615');
    assert.equal(parseDuis(request(HEADER.replace(':1000<', ':000<'))).requestId?.counter, '0');
    assert.equal(parseDuis(request(HEADER.replace(':1000<', ':00018446744073709551615<'))).requestId?.counter, '18446744073709551615');
  });

  it('bad RequestIDs and EUI-64s', () => {
    rejects(request(HEADER.replace(RID, 'abc')), 'DUIS_INVALID_FIELD', ['sr:Header/sr:RequestID: "abc" is not originator:target:counter']);
    rejects(request(HEADER.replace('00-DB-12-34-56-78-90-A0', '00-DB-12-34-56-78-90')), 'DUIS_INVALID_FIELD', ['target "00-DB-12-34-56-78-90"']);
    rejects(request(HEADER.replace('90-B3-D5-1F-30-01-00-00', '90-B3-D5-1F-30-01-00-0G')), 'DUIS_INVALID_FIELD', ['originator "90-B3-D5-1F-30-01-00-0G"']);
    const body = '<sr:Body><sr:ReadInventory><sr:DeviceID>not-a-device</sr:DeviceID></sr:ReadInventory></sr:Body>';
    rejects(request(HEADER, body), 'DUIS_INVALID_FIELD', ['sr:Request/sr:Body/sr:ReadInventory/sr:DeviceID', '"not-a-device"']);
    rejects(RESPONSE.replace('<sr:ResponseID>00-DB', '<sr:ResponseID>zz-DB'), 'DUIS_INVALID_FIELD', ['sr:ResponseID', 'responder "zz-DB-12-34-56-78-90-A0"']);
  });

  it('bad command variants, alert codes, counts, and element content where text belongs', () => {
    for (const cv of ['0', '9', 'x', '1.0', '']) {
      rejects(request(HEADER.replace('>1</sr:CommandVariant>', `>${cv}</sr:CommandVariant>`)), 'DUIS_INVALID_FIELD', ['sr:CommandVariant', `"${cv}"`]);
    }
    const alert = readFileSync(join(fixtures, 'device-alert-8F66-no-requestid.xml'), 'utf8');
    rejects(alert.replace('>8F66<', '>8G66<'), 'DUIS_INVALID_FIELD', ['sr:AlertCode', '"8G66"']);
    const dcc = readFileSync(join(fixtures, 'dcc-alert-throttled.xml'), 'utf8');
    rejects(dcc.replace('>17<', '>many<'), 'DUIS_INVALID_FIELD', ['sr:ThrottledAlertCount', '"many"']);
    rejects(request(HEADER.replace(`${RID}<`, `${RID}<sr:X/><`)), 'DUIS_INVALID_FIELD', ['sr:RequestID', 'expected a text value']);
    rejects(request(HEADER.replace('>4.1<', '>4.\u00011<')), 'DUIS_INVALID_FIELD', ['control character']);
  });

  it('answers: an acknowledgement needs a RequestID, a response or alert a ResponseID', () => {
    const ack = readFileSync(join(fixtures, 'ack-4.1.1-accepted.xml'), 'utf8');
    rejects(ack.replace(/<sr:RequestID>.*<\/sr:RequestID>/, ''), 'DUIS_MISSING_FIELD', ['sr:Response/sr:Header/sr:RequestID']);
    rejects(RESPONSE.replace(/<sr:ResponseID>.*<\/sr:ResponseID>/, ''), 'DUIS_MISSING_FIELD', ['sr:ResponseID', 'response']);
    const alert = readFileSync(join(fixtures, 'device-alert-8F66-no-requestid.xml'), 'utf8');
    rejects(alert.replace(/<sr:ResponseID>.*<\/sr:ResponseID>/, ''), 'DUIS_MISSING_FIELD', ['sr:ResponseID', 'device-alert']);
    rejects(RESPONSE.replace('<sr:ResponseMessage>', '<sr:Surprise>').replace('</sr:ResponseMessage>', '</sr:Surprise>'), 'DUIS_INVALID_FIELD', ['sr:Surprise']);
  });

  it('deep nesting does not overflow the stack', () => {
    const depth = 200_000;
    const deep = `<sr:X>`.repeat(depth) + `</sr:X>`.repeat(depth);
    const m = parseDuis(request(HEADER, `<sr:Body><sr:ReadInventory>${deep}<sr:DeviceID>00-DB-12-34-56-78-90-A2</sr:DeviceID></sr:ReadInventory></sr:Body>`));
    assert.deepEqual(m.deviceIds, ['00-DB-12-34-56-78-90-A0', '00-DB-12-34-56-78-90-A2']);
    rejects(request(HEADER, `<sr:Body><sr:A>${'<sr:X>'.repeat(depth)}</sr:A></sr:Body>`), 'DUIS_MALFORMED', ['does not match']);
  });

  it('random corruption only ever yields a DuisParseError or a message (fuzz)', () => {
    const bytes = Buffer.from(REQUEST + RESPONSE.slice(RESPONSE.indexOf('?>') + 2));
    const docs = [Buffer.from(REQUEST), Buffer.from(RESPONSE), bytes];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: docs.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x3c, 0x3e, 0x2f, 0x26, 0x3a, 0x22, 0x21, 0x3f, 0x20, 0x00, 0x41, 0xc3)), { minLength: 1, maxLength: 6 }),
        (which, edits) => {
          const doc = Buffer.from(docs[which]!);
          for (const [at, byte] of edits) doc[at % doc.length] = byte;
          try {
            parseDuis(doc);
          } catch (err) {
            if (!(err instanceof DuisParseError)) throw err;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
