import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuisParseError } from '../../src/errors.js';
import { DEFAULT_DCC_USER_IDS, parseDuis } from '../../src/duis/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'duis');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const NS = 'http://www.dccinterface.co.uk/ServiceUserGateway';
const USER = '90-B3-D5-1F-30-01-00-00';
const ESME = '00-DB-12-34-56-78-90-A0';
const DCC = '90-B3-D5-1F-30-00-00-02';

function request(cv: number, target: string, srv: string, body: string, prefix = 'sr'): string {
  const p = prefix ? `${prefix}:` : '';
  const decl = prefix ? `xmlns:${prefix}="${NS}"` : `xmlns="${NS}"`;
  return (
    `<${p}Request ${decl}><${p}Header><${p}RequestID>${USER}:${target}:7</${p}RequestID><${p}CommandVariant>${cv}</${p}CommandVariant>` +
    `<${p}ServiceReference>${srv.split('.').slice(0, 2).join('.')}</${p}ServiceReference><${p}ServiceReferenceVariant>${srv}</${p}ServiceReferenceVariant>` +
    `</${p}Header><${p}Body>${body}</${p}Body></${p}Request>`
  );
}

describe('parseDuis: subject devices', () => {
  it('items of a DeviceIDList (11.1 Update Firmware, non-device), deduplicated', () => {
    const body =
      '<sr:UpdateFirmware><sr:DeviceIDList><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID>' +
      '<sr:DeviceID>00db1234567890a1</sr:DeviceID><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID></sr:DeviceIDList>' +
      '<sr:FirmwareImage>AAAA</sr:FirmwareImage></sr:UpdateFirmware>';
    assert.deepEqual(parseDuis(request(8, DCC, '11.1', body)).deviceIds, [ESME, '00-DB-12-34-56-78-90-A1']);
  });

  it('a non-device request never counts its target, even when it is not a known DCC ID', () => {
    const m = parseDuis(request(8, '90-B3-D5-1F-30-00-00-09', '8.2', `<sr:ReadInventory><sr:DeviceID>${ESME}</sr:DeviceID></sr:ReadInventory>`));
    assert.deepEqual(m.deviceIds, [ESME]);
  });

  it('only DUIS-namespace elements name devices', () => {
    const body = `<sr:ReadInventory xmlns:x="urn:other"><x:DeviceID>00-DB-12-34-56-78-90-B9</x:DeviceID><sr:DeviceID>${ESME}</sr:DeviceID></sr:ReadInventory>`;
    assert.deepEqual(parseDuis(request(8, DCC, '8.2', body)).deviceIds, [ESME]);
    // A prefix re-bound inside the body is followed.
    const rebound = `<sr:ReadInventory><sr:DeviceID xmlns:sr="urn:other">00-DB-12-34-56-78-90-B9</sr:DeviceID><sr:DeviceID>${ESME}</sr:DeviceID></sr:ReadInventory>`;
    assert.deepEqual(parseDuis(request(8, DCC, '8.2', rebound)).deviceIds, [ESME]);
  });

  it('any prefix, or none, for the DUIS namespace', () => {
    const body = (p: string) => `<${p}ReadInventory><${p}DeviceID>${ESME}</${p}DeviceID></${p}ReadInventory>`;
    assert.deepEqual(parseDuis(request(8, DCC, '8.2', body('duis:'), 'duis')).deviceIds, [ESME]);
    assert.deepEqual(parseDuis(request(8, DCC, '8.2', body(''), '')).deviceIds, [ESME]);
  });

  it('dccUserIds: custom IDs (any spelling) are never devices', () => {
    const custom = new Set(['90b3d51f30000009']);
    const m = parseDuis(request(1, '90-B3-D5-1F-30-00-00-09', '4.1.1', '<sr:ReadInstantaneousImportRegisters/>'), { dccUserIds: custom });
    assert.deepEqual(m.deviceIds, []);
    assert.equal(m.requestId?.target, '90-B3-D5-1F-30-00-00-09');
    assert.deepEqual([...DEFAULT_DCC_USER_IDS], [DCC]);
    // With a custom set, the default DCC ID is an ordinary EUI-64 again.
    const e50 = parseDuis(fixture('response-error-E50.xml'), { dccUserIds: custom });
    assert.deepEqual(e50.deviceIds, [ESME, DCC]);
  });

  it('an answer to a non-device SRV does not count its RequestID target (catalogue lookup)', () => {
    const rejected = fixture('ack-7.1-rejected-E3.xml')
      .replaceAll('>7.1<', '>11.1<')
      .replace(`${USER}:${ESME}:1001`, `${USER}:90-B3-D5-1F-30-00-00-09:1001`);
    assert.deepEqual(parseDuis(rejected).deviceIds, []);
  });

  it('the responder counts when it wrote the answer, never for DCC-built XML or DCC alerts', () => {
    const dccXml = fixture('response-8.2-read-inventory-dcc-xml.xml').replaceAll(`${DCC}:${USER}:1000`, `00-DB-12-34-56-78-90-B1:${USER}:1000`);
    assert.deepEqual(parseDuis(dccXml).deviceIds, []);
    const alert = fixture('dcc-alert-throttled.xml').replace(`${DCC}:${USER}`, `00-DB-12-34-56-78-90-B1:${USER}`);
    assert.deepEqual(parseDuis(alert).deviceIds, []);
    const gbcs = fixture('response-4.1.1-gbcs-success.xml').replace(`<sr:ResponseID>${ESME}`, '<sr:ResponseID>00-DB-12-34-56-78-90-B1');
    assert.deepEqual(parseDuis(gbcs).deviceIds, [ESME, '00-DB-12-34-56-78-90-B1']);
  });
});

describe('parseDuis: input handling', () => {
  it('Buffers are UTF-8, with or without a BOM; strings may carry a BOM too', () => {
    const xml = fixture('request-4.1.1-read-instantaneous-import-registers.xml');
    const expected = parseDuis(xml);
    assert.deepEqual(parseDuis(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)])), expected);
    assert.deepEqual(parseDuis(`\ufeff${xml}`), expected);
    // A plain Uint8Array (a Buffer after a worker-thread hop) is read like a Buffer.
    const bytes = new Uint8Array(Buffer.from(xml));
    assert.deepEqual(parseDuis(bytes as Buffer), expected);
  });

  it('comments, processing instructions and whitespace around the root are fine', () => {
    const xml = fixture('ack-4.1.1-accepted.xml').replace('<sr:Response', '<!-- captured --><?capture seq="1"?>\n<sr:Response');
    assert.equal(parseDuis(`\n  ${xml}<!-- end -->\n`).kind, 'acknowledgement');
  });

  it('header fields in any order; a repeated field is refused', () => {
    const xml = fixture('ack-4.1.1-accepted.xml');
    const swapped = xml.replace(/(<sr:RequestID>.*<\/sr:RequestID>)(\s*)(<sr:ResponseCode>.*<\/sr:ResponseCode>)/, '$3$2$1');
    assert.deepEqual(parseDuis(swapped), parseDuis(xml));
    assert.throws(
      () => parseDuis(xml.replace('<sr:ResponseCode>', '<sr:ResponseCode>I0</sr:ResponseCode><sr:ResponseCode>')),
      (e: unknown) => e instanceof DuisParseError && e.code === 'DUIS_INVALID_FIELD' && e.detail.includes('more than once'),
    );
  });

  it('the Signature is skipped whatever it holds (but must be well-formed)', () => {
    const xml = fixture('request-4.1.1-read-instantaneous-import-registers.xml');
    const odd = xml.replace('<ds:SignedInfo>', `<ds:Object><sr:DeviceID xmlns:sr="${NS}">00-DB-12-34-56-78-90-B9</sr:DeviceID><undeclared:x/></ds:Object><ds:SignedInfo>`);
    assert.deepEqual(parseDuis(odd).deviceIds, [ESME]);
    assert.throws(() => parseDuis(xml.replace('</ds:SignedInfo>', '</ds:SignedInf>')), (e: unknown) => e instanceof DuisParseError && e.code === 'DUIS_MALFORMED');
  });
});
