import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDuis, type DuisMessage } from '../../src/duis/index.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'duis');
const USER = '90-B3-D5-1F-30-01-00-00';
const ESME = '00-DB-12-34-56-78-90-A0';
const CHF = '00-DB-12-34-56-78-90-A2';
const DCC = '90-B3-D5-1F-30-00-00-02';

const NONE = {
  schemaVersion: '5.2',
  requestId: null,
  responseId: null,
  commandVariant: null,
  serviceReference: null,
  serviceReferenceVariant: null,
  responseCode: null,
  responseDateTime: null,
  alertCode: null,
  dccAlertCode: null,
  throttledAlertSequenceId: null,
  throttledAlertCount: null,
  bodyElement: null,
  hasGbcsPayload: false,
} as const;
const rid = (target: string, counter: string) => ({ originator: USER, target, counter });

/** Every fixture with the complete message it must parse to. */
const EXPECTED: Record<string, DuisMessage> = {
  'request-4.1.1-read-instantaneous-import-registers.xml': {
    ...NONE,
    kind: 'request',
    requestId: rid(ESME, '1000'),
    commandVariant: 1,
    serviceReference: '4.1',
    serviceReferenceVariant: '4.1.1',
    bodyElement: 'ReadInstantaneousImportRegisters',
    deviceIds: [ESME],
  },
  'ack-4.1.1-accepted.xml': {
    ...NONE,
    kind: 'acknowledgement',
    requestId: rid(ESME, '1000'),
    responseCode: 'I99',
    responseDateTime: '2026-03-02T10:15:00.412Z',
    deviceIds: [ESME],
  },
  'response-4.1.1-gbcs-success.xml': {
    ...NONE,
    kind: 'response',
    requestId: rid(ESME, '1000'),
    responseId: { responder: ESME, recipient: USER, counter: '1000' },
    serviceReference: '4.1',
    serviceReferenceVariant: '4.1.1',
    responseCode: 'I0',
    responseDateTime: '2026-03-02T10:15:07.918Z',
    bodyElement: 'ResponseMessage',
    hasGbcsPayload: true,
    deviceIds: [ESME],
  },
  'request-7.1-enable-supply.xml': {
    ...NONE,
    kind: 'request',
    requestId: rid(ESME, '1001'),
    commandVariant: 4,
    serviceReference: '7.1',
    serviceReferenceVariant: '7.1',
    bodyElement: 'EnableSupply',
    deviceIds: [ESME],
  },
  'ack-7.1-rejected-E3.xml': {
    ...NONE,
    kind: 'acknowledgement',
    requestId: rid(ESME, '1001'),
    serviceReference: '7.1',
    serviceReferenceVariant: '7.1',
    responseCode: 'E3',
    responseDateTime: '2026-03-02T11:00:00.050Z',
    bodyElement: 'ResponseMessage',
    deviceIds: [ESME],
  },
  'request-8.2-read-inventory.xml': {
    ...NONE,
    kind: 'request',
    requestId: rid(DCC, '1000'),
    commandVariant: 8,
    serviceReference: '8.2',
    serviceReferenceVariant: '8.2',
    bodyElement: 'ReadInventory',
    deviceIds: [CHF],
  },
  'response-8.2-read-inventory-dcc-xml.xml': {
    ...NONE,
    kind: 'response',
    requestId: rid(DCC, '1000'),
    responseId: { responder: DCC, recipient: USER, counter: '1000' },
    serviceReference: '8.2',
    serviceReferenceVariant: '8.2',
    responseCode: 'I0',
    responseDateTime: '2026-03-02T12:00:01.200Z',
    bodyElement: 'ResponseMessage',
    deviceIds: [],
  },
  'request-1.1.1-future-dated-tariff.xml': {
    ...NONE,
    kind: 'request',
    requestId: rid(ESME, '1008'),
    commandVariant: 4,
    serviceReference: '1.1',
    serviceReferenceVariant: '1.1.1',
    bodyElement: 'UpdateImportTariffPrimaryElement',
    deviceIds: [ESME],
  },
  'device-alert-answering-request.xml': {
    ...NONE,
    kind: 'device-alert',
    requestId: rid(ESME, '1008'),
    responseId: { responder: ESME, recipient: USER, counter: '7001' },
    responseCode: 'I0',
    responseDateTime: '2030-01-15T09:00:02.000Z',
    alertCode: '8F1C',
    bodyElement: 'DeviceAlertMessage',
    deviceIds: [ESME],
  },
  'response-1.1.1-future-dated-outcome.xml': {
    ...NONE,
    kind: 'response',
    requestId: rid(ESME, '1008'),
    responseId: { responder: ESME, recipient: USER, counter: '7002' },
    serviceReference: '1.1',
    serviceReferenceVariant: '1.1.1',
    responseCode: 'I0',
    responseDateTime: '2030-01-15T09:00:03.000Z',
    bodyElement: 'ResponseMessage',
    hasGbcsPayload: true,
    deviceIds: [ESME],
  },
  'response-error-E50.xml': {
    ...NONE,
    kind: 'response',
    requestId: rid(ESME, '1002'),
    responseId: { responder: DCC, recipient: USER, counter: '1002' },
    serviceReference: '4.1',
    serviceReferenceVariant: '4.1.1',
    responseCode: 'E50',
    responseDateTime: '2026-03-02T13:00:00.000Z',
    bodyElement: 'ResponseMessage',
    deviceIds: [ESME],
  },
  'response-unknown-code-I42.xml': {
    ...NONE,
    kind: 'response',
    requestId: rid(ESME, '1006'),
    responseId: { responder: ESME, recipient: USER, counter: '1006' },
    serviceReference: '4.1',
    serviceReferenceVariant: '4.1.1',
    responseCode: 'I42',
    responseDateTime: '2026-03-02T13:30:00.000Z',
    bodyElement: 'ResponseMessage',
    hasGbcsPayload: true,
    deviceIds: [ESME],
  },
  'device-alert-8F66-no-requestid.xml': {
    ...NONE,
    kind: 'device-alert',
    responseId: { responder: ESME, recipient: USER, counter: '7000' },
    responseCode: 'I0',
    responseDateTime: '2026-03-02T14:00:00.000Z',
    alertCode: '8F66',
    bodyElement: 'DeviceAlertMessage',
    deviceIds: [ESME],
  },
  'dcc-alert-N24.xml': {
    ...NONE,
    kind: 'dcc-alert',
    requestId: rid(CHF, '1002'),
    responseId: { responder: DCC, recipient: USER, counter: '8000' },
    responseCode: 'I0',
    responseDateTime: '2026-03-02T15:00:00.000Z',
    dccAlertCode: 'N24',
    bodyElement: 'DCCAlertMessage',
    deviceIds: [CHF],
  },
  'dcc-alert-throttled.xml': {
    ...NONE,
    kind: 'dcc-alert',
    responseId: { responder: DCC, recipient: USER, counter: '8001' },
    responseCode: 'I0',
    responseDateTime: '2026-03-02T15:30:00.000Z',
    dccAlertCode: 'N58',
    throttledAlertSequenceId: '42',
    throttledAlertCount: 17,
    bodyElement: 'DCCAlertMessage',
    deviceIds: [],
  },
  'request-4.1.1-lowercase-unhyphenated-ids.xml': {
    ...NONE,
    kind: 'request',
    requestId: rid(ESME, '1003'),
    commandVariant: 1,
    serviceReference: '4.1',
    serviceReferenceVariant: '4.1.1',
    bodyElement: 'ReadInstantaneousImportRegisters',
    deviceIds: [ESME],
  },
  'request-4.1.1-default-namespace.xml': {
    ...NONE,
    kind: 'request',
    requestId: rid(ESME, '1004'),
    commandVariant: 1,
    serviceReference: '4.1',
    serviceReferenceVariant: '4.1.1',
    bodyElement: 'ReadInstantaneousImportRegisters',
    deviceIds: [ESME],
  },
  'request-unknown-srv-99.9.9.xml': {
    ...NONE,
    kind: 'request',
    requestId: rid(ESME, '1005'),
    commandVariant: 1,
    serviceReference: '99.9',
    serviceReferenceVariant: '99.9.9',
    bodyElement: 'ReadQuantumRegisters',
    deviceIds: [ESME],
  },
};

describe('DUIS fixtures (test/fixtures/duis)', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();

  it('every fixture has an expectation, and the README lists it', () => {
    assert.deepEqual(files, Object.keys(EXPECTED).sort());
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const f of files) assert.ok(readme.includes(`\`${f}\``), `README.md lists ${f}`);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, () => {
      assert.deepEqual(parseDuis(readFileSync(join(dir, file))), expected);
    });
  }

  it('each thread has a request and answers with the same RequestID', () => {
    const parsed = files.map((f) => parseDuis(readFileSync(join(dir, f))));
    const key = (m: DuisMessage) => (m.requestId ? `${m.requestId.originator}:${m.requestId.target}:${m.requestId.counter}` : '');
    const requests = parsed.filter((m) => m.kind === 'request').map(key);
    assert.equal(new Set(requests).size, requests.length, 'no two fixture requests share a RequestID');
    for (const thread of [`${USER}:${ESME}:1000`, `${USER}:${ESME}:1001`, `${USER}:${DCC}:1000`, `${USER}:${ESME}:1008`]) {
      const kinds = parsed.filter((m) => key(m) === thread).map((m) => m.kind);
      assert.ok(kinds.includes('request') && kinds.length >= 2, `${thread}: ${kinds.join(', ')}`);
    }
  });
});
