import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import duisParser from '@smartdcc/duis-parser';
import { normaliseEui64 } from '../../src/duis/eui64.js';
import { parseDuis } from '../../src/duis/index.js';

const root = join(import.meta.dirname, '..', '..');
const templatesDir = join(root, 'node_modules/@smartdcc/duis-templates/templates');
const files = readdirSync(templatesDir).filter((f) => f.toUpperCase().endsWith('.XML')).sort();

describe('RTDS templates (@smartdcc/duis-templates)', () => {
  it('ships the expected number of templates', () => {
    assert.ok(files.length >= 290, `${files.length} templates`);
  });

  for (const file of files) {
    it(`${file} parses as @smartdcc/duis-parser reads it`, () => {
      const xml = readFileSync(join(templatesDir, file));
      const ours = parseDuis(xml);
      const theirs = duisParser.parseDuis('simplified', xml);
      assert.ok('commandVariant' in theirs.header, 'reference parser saw a request');
      const { requestId, commandVariant, serviceReference, serviceReferenceVariant } = theirs.header;
      assert.equal(ours.kind, 'request');
      assert.equal(ours.requestId?.originator, normaliseEui64(requestId.originatorId));
      assert.equal(ours.requestId?.target, normaliseEui64(requestId.targetId));
      assert.equal(ours.requestId?.counter, requestId.counter.toString());
      assert.equal(ours.commandVariant, commandVariant.number);
      assert.equal(ours.serviceReference, serviceReference);
      assert.equal(ours.serviceReferenceVariant, serviceReferenceVariant['Service Reference Variant']);
      assert.equal(ours.bodyElement, Object.keys(theirs.body)[0]);
      assert.equal(ours.schemaVersion, '5.2');
      assert.ok(ours.deviceIds.length > 0, 'every template names at least one subject device');
      assert.equal(new Set(ours.deviceIds).size, ours.deviceIds.length, 'deduplicated');
      // A Buffer and its string parse alike.
      assert.deepEqual(parseDuis(xml.toString('utf8')), ours);
    });
  }
});

describe('subject devices of the templates', () => {
  const parse = (name: string) => parseDuis(readFileSync(join(templatesDir, name)));

  it('a device request names its target; a non-device request (CV 8) only its body devices', () => {
    assert.deepEqual(parse('ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A0']);
    assert.deepEqual(parse('8.2_READ_INVENTORY_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A2']);
    assert.deepEqual(parse('8.3_DECOMMISSION_DEVICE_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A0']);
  });

  it('body device elements: OtherDeviceID, OldCHFID/OldGPFID, HCALCS, DeviceID of 8.11, OriginalRequestID target', () => {
    assert.deepEqual(parse('CS03A1_8.7.1_SUCCESS_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A0', '00-DB-12-34-56-78-90-9A']);
    assert.deepEqual(parse('8.14.3_COMMUNICATIONS_HUB_STATUS_UPDATE_FAULT_RETURN_REQUEST_DUIS.XML').deviceIds, [
      '00-DB-12-34-56-78-90-A2',
      '00-DB-12-34-56-78-90-A0',
    ]);
    assert.deepEqual(parse('CCS03_8.12.1_SUCCESS_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A2', '00-DB-12-34-56-78-90-95']);
    assert.deepEqual(parse('GCS59_8.12.2_SUCCESS_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A3', '00-DB-12-34-56-78-90-B3']);
    assert.deepEqual(parse('ECS46c_6.14.2_IMMEDIATE_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML').deviceIds, [
      '00-DB-12-34-56-78-90-A0',
      '00-DB-12-34-56-78-90-97',
    ]);
    assert.deepEqual(parse('CCS01_8.11_SUCCESS_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A2', '00-DB-12-34-56-78-90-A0']);
    assert.deepEqual(parse('8.13_RETURN_LOCAL_COMMAND_RESPONSE_CS06_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A0']);
  });

  it('MPxNs are not devices: 8.6 Service Opt-In names only its DeviceID', () => {
    assert.deepEqual(parse('8.6_SERVICE_OPTIN_REQUEST_DUIS.XML').deviceIds, ['00-DB-12-34-56-78-90-A0']);
  });
});
