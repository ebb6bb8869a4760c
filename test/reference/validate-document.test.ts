import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReferenceDocument, ReferenceProblem } from '../../src/reference/reference-document.js';
import { MAX_REFERENCE_PROBLEMS, OMITTED_PROBLEMS_MESSAGE, validateReferenceDocument } from '../../src/reference/validate-document.js';

const MPAN = '1200012345678';
const MPAN_2 = '1200087654321';
const MPRN = '7412345';
const ESME = '00-DB-12-34-56-78-90-A0';
const GSME = '00-DB-12-34-56-78-90-A1';
const SUPPLIER_USER = '90-B3-D5-1F-30-01-00-00';
const DNO_USER = '90-B3-D5-1F-30-02-00-00';

const JAN = '2024-01-01T00:00:00Z';
const MAR = '2024-03-01T00:00:00Z';
const JUN = '2024-06-01T00:00:00Z';
const SEP = '2024-09-01T00:00:00Z';
const ms = (iso: string): number => Date.parse(iso);

const ISO_MESSAGE = 'not an ISO-8601 date-time with a time zone (e.g. 2024-01-01T00:00:00Z)';
const EUI_MESSAGE = 'not an EUI-64 (e.g. 90-B3-D5-1F-30-01-00-00)';
const MPXN_MESSAGE = 'must be a string of digits: an MPAN (13 digits) or an MPRN (6 to 10 digits)';

function valid(input: unknown): ReferenceDocument {
  const result = validateReferenceDocument(input);
  if (!result.ok) assert.fail(`unexpected problems: ${JSON.stringify(result.errors)}`);
  return result.document;
}

function problems(input: unknown): ReferenceProblem[] {
  const result = validateReferenceDocument(input);
  if (result.ok) assert.fail('expected problems, got a valid document');
  return result.errors;
}

/** The single problem of a document that should have exactly one. */
function problem(input: unknown): ReferenceProblem {
  const found = problems(input);
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0]!;
}

const link = (...history: unknown[]) => ({ links: [{ deviceId: ESME, history }] });
const registration = (mpxn: string, role: string, ...history: unknown[]) => ({ registrations: [{ mpxn, role, history }] });
const certificate = (...history: unknown[]) => ({ certificates: [{ deviceId: ESME, history }] });

describe('validateReferenceDocument: a valid document', () => {
  it('normalises EUI-64s, times, defaults and history order', () => {
    const input = {
      parties: [
        { id: 'supplier-a', name: 'Supplier A', userIds: [{ userId: '90b3d51f30010000', role: 'IS' }] },
        { id: 'DNO_1.north', name: 'Northern DNO', operator: false, userIds: [{ userId: '90-b3-d5-1f-30-02-00-00', role: 'ED' }] },
        { id: 'dcc', name: 'DCC service desk', operator: true },
      ],
      devices: [
        { deviceId: '00db1234567890a0', type: 'ESME' },
        { deviceId: GSME, type: 'GSME' },
      ],
      links: [
        {
          deviceId: '00-db-12-34-56-78-90-a0',
          history: [
            { mpxn: MPAN, from: JUN, to: null },
            { mpxn: MPAN, from: JAN, to: JUN },
          ],
        },
      ],
      registrations: [
        {
          mpxn: MPAN,
          role: 'IS',
          history: [
            { partyId: 'supplier-b', from: '2024-06-01T01:00:00+01:00' },
            { partyId: 'supplier-a', from: JAN, to: JUN },
          ],
        },
        { mpxn: MPRN, role: 'GT', history: [] },
      ],
      certificates: [{ deviceId: '00DB1234567890A0', history: [{ partyId: 'DNO_1.north', from: '2024-01-01T00:00:00.250Z' }] }],
    };
    const before = structuredClone(input);
    const document = valid(input);
    assert.deepEqual(input, before, 'the input is not modified');
    assert.deepEqual(document, {
      parties: [
        { id: 'supplier-a', name: 'Supplier A', operator: false, userIds: [{ userId: SUPPLIER_USER, role: 'IS' }] },
        { id: 'DNO_1.north', name: 'Northern DNO', operator: false, userIds: [{ userId: DNO_USER, role: 'ED' }] },
        { id: 'dcc', name: 'DCC service desk', operator: true, userIds: [] },
      ],
      devices: [
        { deviceId: ESME, type: 'ESME' },
        { deviceId: GSME, type: 'GSME' },
      ],
      links: [
        {
          deviceId: ESME,
          history: [
            { mpxn: MPAN, from: ms(JAN), to: ms(JUN) },
            { mpxn: MPAN, from: ms(JUN), to: null },
          ],
        },
      ],
      registrations: [
        {
          mpxn: MPAN,
          role: 'IS',
          history: [
            { partyId: 'supplier-a', from: ms(JAN), to: ms(JUN) },
            { partyId: 'supplier-b', from: ms(JUN), to: null },
          ],
        },
        { mpxn: MPRN, role: 'GT', history: [] },
      ],
      certificates: [{ deviceId: ESME, history: [{ partyId: 'DNO_1.north', from: ms(JAN) + 250, to: null }] }],
    });
  });

  it('fills in every missing section', () => {
    assert.deepEqual(valid({}), { parties: [], devices: [], links: [], registrations: [], certificates: [] });
    assert.deepEqual(valid({ devices: [{ deviceId: ESME, type: 'CHF' }] }).links, []);
  });

  it('accepts the longest id and name', () => {
    const id = 'a'.repeat(64);
    const name = 'n'.repeat(200);
    assert.deepEqual(valid({ parties: [{ id, name }] }).parties, [{ id, name, operator: false, userIds: [] }]);
  });

  it('accepts MPRNs of 6 to 10 digits and 13-digit MPANs', () => {
    for (const mpxn of ['123456', '1234567890', MPAN]) valid(link({ mpxn, from: JAN }));
  });

  it('accepts every registration role with a fitting MPxN', () => {
    valid({
      registrations: [
        { mpxn: MPAN, role: 'IS', history: [] },
        { mpxn: MPAN, role: 'ED', history: [] },
        { mpxn: MPRN, role: 'GS', history: [] },
        { mpxn: MPRN, role: 'GT', history: [] },
      ],
    });
  });

  it('does not check that parties named by histories exist', () => {
    valid(registration(MPAN, 'IS', { partyId: 'nobody-we-know', from: JAN }));
  });
});

describe('validateReferenceDocument: document shape', () => {
  it('wants a JSON object at the root', () => {
    for (const input of [null, undefined, [], 'parties', 42, true]) {
      assert.deepEqual(problems(input), [{ path: '', message: 'must be a JSON object' }], String(input));
    }
  });

  it('reports unknown sections by key', () => {
    assert.deepEqual(problems({ partys: [], 'odd key': 1, devices: [] }), [
      { path: 'partys', message: 'unknown section; expected parties, devices, links, registrations, certificates' },
      { path: '["odd key"]', message: 'unknown section; expected parties, devices, links, registrations, certificates' },
    ]);
  });

  it('wants each present section to be an array', () => {
    assert.deepEqual(problems({ parties: {}, devices: null, links: 'x' }), [
      { path: 'parties', message: 'must be an array' },
      { path: 'devices', message: 'must be an array' },
      { path: 'links', message: 'must be an array' },
    ]);
  });

  it('wants every record to be an object', () => {
    assert.deepEqual(problems({ devices: [null, [], 'x'] }), [
      { path: 'devices[0]', message: 'must be an object' },
      { path: 'devices[1]', message: 'must be an object' },
      { path: 'devices[2]', message: 'must be an object' },
    ]);
    assert.deepEqual(problem(link(7)), { path: 'links[0].history[0]', message: 'must be an object' });
  });

  it('reports unknown keys inside records, catching typos', () => {
    assert.deepEqual(problems(registration(MPAN, 'IS', { partyId: 'a', form: JAN })), [
      { path: 'registrations[0].history[0].form', message: 'unknown field; expected partyId, from, to' },
      { path: 'registrations[0].history[0].from', message: 'required' },
    ]);
    assert.deepEqual(problem({ devices: [{ deviceId: ESME, type: 'ESME', tpye: 'ESME' }] }), {
      path: 'devices[0].tpye',
      message: 'unknown field; expected deviceId, type',
    });
    assert.deepEqual(problem({ parties: [{ id: 'a', name: 'A', userIds: [{ userId: SUPPLIER_USER, role: 'IS', party: 'a' }] }] }), {
      path: 'parties[0].userIds[0].party',
      message: 'unknown field; expected userId, role',
    });
    assert.deepEqual(problem({ links: [{ deviceId: ESME, history: [], 'device id': 1 }] }), {
      path: 'links[0]["device id"]',
      message: 'unknown field; expected deviceId, history',
    });
  });

  it('wants a history array in every history entry', () => {
    assert.deepEqual(problem({ links: [{ deviceId: ESME }] }), { path: 'links[0].history', message: 'required' });
    assert.deepEqual(problem({ certificates: [{ deviceId: ESME, history: {} }] }), { path: 'certificates[0].history', message: 'must be an array' });
  });
});

describe('validateReferenceDocument: parties', () => {
  const party = (fields: Record<string, unknown>) => ({ parties: [{ id: 'a', name: 'A', ...fields }] });

  it('checks the id', () => {
    assert.deepEqual(problem(party({ id: undefined })), { path: 'parties[0].id', message: 'required' });
    assert.deepEqual(problem(party({ id: '' })), { path: 'parties[0].id', message: 'must not be empty' });
    assert.deepEqual(problem(party({ id: 7 })), { path: 'parties[0].id', message: 'must be a string' });
    assert.deepEqual(problem(party({ id: 'a'.repeat(65) })), { path: 'parties[0].id', message: 'must be at most 64 characters' });
    for (const id of ['a b', 'a/b', 'é', 'a:b']) {
      assert.deepEqual(problem(party({ id })), { path: 'parties[0].id', message: "may contain only letters, digits, '_', '.' and '-'" }, id);
    }
  });

  it('checks the name', () => {
    assert.deepEqual(problem(party({ name: undefined })), { path: 'parties[0].name', message: 'required' });
    assert.deepEqual(problem(party({ name: '' })), { path: 'parties[0].name', message: 'must not be empty' });
    assert.deepEqual(problem(party({ name: '   ' })), { path: 'parties[0].name', message: 'must not be empty' });
    assert.deepEqual(problem(party({ name: 1 })), { path: 'parties[0].name', message: 'must be a string' });
    assert.deepEqual(problem(party({ name: 'n'.repeat(201) })), { path: 'parties[0].name', message: 'must be at most 200 characters' });
  });

  it('wants operator to be a boolean', () => {
    for (const operator of ['true', 1, null]) {
      assert.deepEqual(problem(party({ operator })), { path: 'parties[0].operator', message: 'must be true or false' }, String(operator));
    }
  });

  it('checks User IDs and roles', () => {
    assert.deepEqual(problem(party({ userIds: {} })), { path: 'parties[0].userIds', message: 'must be an array' });
    assert.deepEqual(problems(party({ userIds: [{ userId: '90-B3-D5', role: 'XX' }, { role: 'IS' }, { userId: 5, role: 'is' }] })), [
      { path: 'parties[0].userIds[0].userId', message: EUI_MESSAGE },
      { path: 'parties[0].userIds[0].role', message: 'must be one of IS, ES, GS, ED, GT, OU, RSA' },
      { path: 'parties[0].userIds[1].userId', message: 'required' },
      { path: 'parties[0].userIds[2].userId', message: EUI_MESSAGE },
      { path: 'parties[0].userIds[2].role', message: 'must be one of IS, ES, GS, ED, GT, OU, RSA' },
    ]);
  });

  it('refuses the same party id twice, on the second', () => {
    assert.deepEqual(problem({ parties: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, { id: 'a', name: 'A again' }] }), {
      path: 'parties[2].id',
      message: 'duplicate: parties[0] has the same id',
    });
  });

  it('refuses the same User ID twice, within a party or across parties, whatever its spelling', () => {
    assert.deepEqual(
      problem({
        parties: [
          { id: 'a', name: 'A', userIds: [{ userId: SUPPLIER_USER, role: 'IS' }, { userId: '90b3d51f30010000', role: 'ES' }] },
        ],
      }),
      { path: 'parties[0].userIds[1].userId', message: 'User ID already listed at parties[0].userIds[0]' },
    );
    assert.deepEqual(
      problem({
        parties: [
          { id: 'a', name: 'A', userIds: [{ userId: DNO_USER, role: 'ED' }, { userId: SUPPLIER_USER, role: 'IS' }] },
          { id: 'b', name: 'B', userIds: [{ userId: '90-b3-d5-1f-30-01-00-00', role: 'GS' }] },
        ],
      }),
      { path: 'parties[1].userIds[0].userId', message: 'User ID already listed at parties[0].userIds[1]' },
    );
  });
});

describe('validateReferenceDocument: devices', () => {
  it('checks the device id and type', () => {
    assert.deepEqual(problems({ devices: [{ deviceId: 'ESME-1', type: 'METER' }, {}] }), [
      { path: 'devices[0].deviceId', message: EUI_MESSAGE },
      { path: 'devices[0].type', message: 'must be one of ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD, CAD, SAPC, TYPE2' },
      { path: 'devices[1].deviceId', message: 'required' },
      { path: 'devices[1].type', message: 'required' },
    ]);
  });

  it('refuses the same device twice, whatever its spelling', () => {
    assert.deepEqual(
      problem({
        devices: [
          { deviceId: ESME, type: 'ESME' },
          { deviceId: GSME, type: 'GSME' },
          { deviceId: '00db1234567890a0', type: 'ESME' },
        ],
      }),
      { path: 'devices[2].deviceId', message: 'duplicate: devices[0] has the same deviceId' },
    );
  });
});

describe('validateReferenceDocument: links', () => {
  it('checks the device id', () => {
    assert.deepEqual(problem({ links: [{ deviceId: '', history: [] }] }), { path: 'links[0].deviceId', message: EUI_MESSAGE });
  });

  it('wants the MPxN as a string of 13 or 6 to 10 digits', () => {
    for (const mpxn of ['12345', '12345678901', '123456789012', '12345678901234', '12345a7', ' 1234567', 1234567, '١٢٣٤٥٦٧']) {
      assert.deepEqual(problem(link({ mpxn, from: JAN })), { path: 'links[0].history[0].mpxn', message: MPXN_MESSAGE }, String(mpxn));
    }
    assert.deepEqual(problem(link({ from: JAN })), { path: 'links[0].history[0].mpxn', message: 'required' });
  });

  it('wants from as an instant with a time zone', () => {
    assert.deepEqual(problem(link({ mpxn: MPAN })), { path: 'links[0].history[0].from', message: 'required' });
    for (const from of ['2024-01-01', '2024-01-01T00:00:00', '2024-02-30T00:00:00Z', ms(JAN), null]) {
      assert.deepEqual(problem(link({ mpxn: MPAN, from })), { path: 'links[0].history[0].from', message: ISO_MESSAGE }, String(from));
    }
  });

  it('reads a missing or null to as still valid, and wants any other to after from', () => {
    assert.deepEqual(valid(link({ mpxn: MPAN, from: JAN })).links[0]!.history, [{ mpxn: MPAN, from: ms(JAN), to: null }]);
    assert.deepEqual(valid(link({ mpxn: MPAN, from: JAN, to: null })).links[0]!.history, [{ mpxn: MPAN, from: ms(JAN), to: null }]);
    assert.deepEqual(problem(link({ mpxn: MPAN, from: JAN, to: '2024-06' })), { path: 'links[0].history[0].to', message: ISO_MESSAGE });
    assert.deepEqual(problem(link({ mpxn: MPAN, from: JUN, to: JUN })), {
      path: 'links[0].history[0].to',
      message: 'must be after from (2024-06-01T00:00:00Z)',
    });
    assert.deepEqual(problem(link({ mpxn: MPAN, from: JUN, to: JAN })), {
      path: 'links[0].history[0].to',
      message: 'must be after from (2024-06-01T00:00:00Z)',
    });
    // The same instant written in another zone is still not after.
    assert.deepEqual(problem(link({ mpxn: MPAN, from: JUN, to: '2024-06-01T01:00:00+01:00' })).path, 'links[0].history[0].to');
  });

  it('refuses overlapping periods of one MPxN', () => {
    assert.deepEqual(problem(link({ mpxn: MPAN, from: JAN, to: JUN }, { mpxn: MPAN, from: MAR, to: SEP })), {
      path: 'links[0].history[1]',
      message: 'overlaps history[0] (2024-01-01T00:00:00Z to 2024-06-01T00:00:00Z)',
    });
  });

  it('lets periods of different MPxNs overlap (a CHF serves an MPAN and an MPRN)', () => {
    valid(link({ mpxn: MPAN, from: JAN }, { mpxn: MPRN, from: MAR }, { mpxn: MPAN_2, from: JAN, to: SEP }));
  });

  it('lets touching periods follow each other', () => {
    valid(link({ mpxn: MPAN, from: JUN, to: SEP }, { mpxn: MPAN, from: JAN, to: JUN }, { mpxn: MPAN, from: SEP }));
  });

  it('refuses a duplicate device', () => {
    assert.deepEqual(problem({ links: [{ deviceId: ESME, history: [] }, { deviceId: '00DB1234567890A0', history: [] }] }), {
      path: 'links[1].deviceId',
      message: 'duplicate: links[0] has the same deviceId',
    });
  });
});

describe('validateReferenceDocument: registrations', () => {
  it('checks the MPxN and role', () => {
    assert.deepEqual(problems({ registrations: [{ mpxn: '12', role: 'ES', history: [] }, { history: [] }] }), [
      { path: 'registrations[0].mpxn', message: MPXN_MESSAGE },
      { path: 'registrations[0].role', message: 'must be one of IS, GS, ED, GT' },
      { path: 'registrations[1].mpxn', message: 'required' },
      { path: 'registrations[1].role', message: 'required' },
    ]);
  });

  it('wants an MPAN for IS and ED, an MPRN for GS and GT', () => {
    assert.deepEqual(problem(registration(MPRN, 'IS')), { path: 'registrations[0].role', message: 'IS needs an MPAN (13 digits), but mpxn is an MPRN' });
    assert.deepEqual(problem(registration(MPRN, 'ED')), { path: 'registrations[0].role', message: 'ED needs an MPAN (13 digits), but mpxn is an MPRN' });
    assert.deepEqual(problem(registration(MPAN, 'GS')), { path: 'registrations[0].role', message: 'GS needs an MPRN (6 to 10 digits), but mpxn is an MPAN' });
    assert.deepEqual(problem(registration(MPAN, 'GT')), { path: 'registrations[0].role', message: 'GT needs an MPRN (6 to 10 digits), but mpxn is an MPAN' });
  });

  it('checks party ids syntactically', () => {
    assert.deepEqual(problems(registration(MPAN, 'IS', { from: JAN }, { partyId: 'a b', from: MAR })), [
      { path: 'registrations[0].history[0].partyId', message: 'required' },
      { path: 'registrations[0].history[1].partyId', message: "may contain only letters, digits, '_', '.' and '-'" },
    ]);
  });

  it('allows one party at a time, whoever the parties are', () => {
    assert.deepEqual(problem(registration(MPAN, 'IS', { partyId: 'a', from: JAN, to: JUN }, { partyId: 'b', from: MAR, to: SEP })), {
      path: 'registrations[0].history[1]',
      message: 'overlaps history[0] (2024-01-01T00:00:00Z to 2024-06-01T00:00:00Z)',
    });
    assert.deepEqual(problem(registration(MPAN, 'IS', { partyId: 'a', from: JAN, to: JUN }, { partyId: 'a', from: MAR, to: SEP })).path, 'registrations[0].history[1]');
  });

  it('sees overlaps with open-ended periods', () => {
    // An open period before a closed one swallows it.
    assert.deepEqual(problem(registration(MPAN, 'IS', { partyId: 'a', from: JAN }, { partyId: 'b', from: MAR, to: JUN })), {
      path: 'registrations[0].history[1]',
      message: 'overlaps history[0] (2024-01-01T00:00:00Z onwards)',
    });
    // An open period starting inside a closed one.
    assert.deepEqual(problem(registration(MPAN, 'IS', { partyId: 'a', from: JAN, to: JUN }, { partyId: 'b', from: MAR })), {
      path: 'registrations[0].history[1]',
      message: 'overlaps history[0] (2024-01-01T00:00:00Z to 2024-06-01T00:00:00Z)',
    });
    // Two open periods.
    assert.deepEqual(problem(registration(MPAN, 'IS', { partyId: 'a', from: JUN, to: null }, { partyId: 'b', from: JAN })), {
      path: 'registrations[0].history[0]',
      message: 'overlaps history[1] (2024-01-01T00:00:00Z onwards)',
    });
    // An open period starting exactly when a closed one ends is fine.
    valid(registration(MPAN, 'IS', { partyId: 'a', from: JAN, to: JUN }, { partyId: 'b', from: JUN }));
  });

  it('names positions as written, not as sorted', () => {
    assert.deepEqual(problem(registration(MPAN, 'IS', { partyId: 'b', from: MAR, to: SEP }, { partyId: 'a', from: JAN, to: JUN })), {
      path: 'registrations[0].history[0]',
      message: 'overlaps history[1] (2024-01-01T00:00:00Z to 2024-06-01T00:00:00Z)',
    });
  });

  it('reports each period that overlaps an earlier one', () => {
    assert.deepEqual(
      problems(
        registration(
          MPAN,
          'IS',
          { partyId: 'a', from: JAN, to: SEP },
          { partyId: 'b', from: MAR, to: JUN },
          { partyId: 'c', from: JUN, to: '2024-07-01T00:00:00Z' },
          { partyId: 'd', from: SEP },
        ),
      ),
      [
        { path: 'registrations[0].history[1]', message: 'overlaps history[0] (2024-01-01T00:00:00Z to 2024-09-01T00:00:00Z)' },
        { path: 'registrations[0].history[2]', message: 'overlaps history[0] (2024-01-01T00:00:00Z to 2024-09-01T00:00:00Z)' },
      ],
    );
  });

  it('refuses a duplicate (MPxN, role) but not the same MPxN with another role', () => {
    valid({ registrations: [{ mpxn: MPAN, role: 'IS', history: [] }, { mpxn: MPAN, role: 'ED', history: [] }] });
    assert.deepEqual(
      problem({
        registrations: [
          { mpxn: MPAN, role: 'IS', history: [] },
          { mpxn: MPAN, role: 'ED', history: [] },
          { mpxn: MPAN, role: 'IS', history: [] },
        ],
      }),
      { path: 'registrations[2]', message: 'duplicate: registrations[0] has the same mpxn and role' },
    );
  });

  it('sorts each history by from', () => {
    const history = valid(
      registration(MPAN, 'IS', { partyId: 'c', from: SEP }, { partyId: 'a', from: JAN, to: MAR }, { partyId: 'b', from: MAR, to: SEP }),
    ).registrations[0]!.history;
    assert.deepEqual(history.map((p) => p.partyId), ['a', 'b', 'c']);
  });
});

describe('validateReferenceDocument: certificates', () => {
  it('checks the device, party ids and periods', () => {
    assert.deepEqual(problems({ certificates: [{ deviceId: 'x', history: [{ partyId: '', from: 'today', to: 'tomorrow' }] }] }), [
      { path: 'certificates[0].deviceId', message: EUI_MESSAGE },
      { path: 'certificates[0].history[0].partyId', message: 'must not be empty' },
      { path: 'certificates[0].history[0].from', message: ISO_MESSAGE },
      { path: 'certificates[0].history[0].to', message: ISO_MESSAGE },
    ]);
  });

  it('allows one network operator certificate at a time', () => {
    valid(certificate({ partyId: 'dno-a', from: JAN, to: JUN }, { partyId: 'dno-b', from: JUN }));
    assert.deepEqual(problem(certificate({ partyId: 'dno-a', from: JAN }, { partyId: 'dno-b', from: JUN })), {
      path: 'certificates[0].history[1]',
      message: 'overlaps history[0] (2024-01-01T00:00:00Z onwards)',
    });
  });

  it('refuses a duplicate device', () => {
    assert.deepEqual(problem({ certificates: [{ deviceId: GSME, history: [] }, { deviceId: GSME.toLowerCase(), history: [] }] }), {
      path: 'certificates[1].deviceId',
      message: 'duplicate: certificates[0] has the same deviceId',
    });
  });
});

describe('validateReferenceDocument: collecting problems', () => {
  it('reports every problem in every section at once', () => {
    assert.deepEqual(
      problems({
        extra: true,
        parties: [{ id: '', name: 'A' }],
        devices: [{ deviceId: ESME, type: 'METER' }],
        links: [{ deviceId: ESME, history: [{ mpxn: '1', from: JAN }] }],
        registrations: [{ mpxn: MPAN, role: 'IS', history: [{ partyId: 'a', from: JAN, to: 'later' }] }],
        certificates: [{ deviceId: ESME, history: [{ partyId: 'a', from: JAN }, { partyId: 'b', from: MAR }] }],
      }).map((p) => p.path),
      [
        'extra',
        'parties[0].id',
        'devices[0].type',
        'links[0].history[0].mpxn',
        'registrations[0].history[0].to',
        'certificates[0].history[1]',
      ],
    );
  });

  it(`stops at ${MAX_REFERENCE_PROBLEMS} problems and says more were omitted`, () => {
    const devices = Array.from({ length: 1500 }, (_, i) => ({ deviceId: `bad-${i}`, type: 'ESME' }));
    const found = problems({ devices });
    assert.equal(found.length, MAX_REFERENCE_PROBLEMS + 1);
    assert.deepEqual(found[MAX_REFERENCE_PROBLEMS - 1], { path: `devices[${MAX_REFERENCE_PROBLEMS - 1}].deviceId`, message: EUI_MESSAGE });
    assert.deepEqual(found[MAX_REFERENCE_PROBLEMS], { path: '', message: OMITTED_PROBLEMS_MESSAGE });
  });

  it(`lists exactly ${MAX_REFERENCE_PROBLEMS} problems without the notice`, () => {
    const devices = Array.from({ length: MAX_REFERENCE_PROBLEMS }, (_, i) => ({ deviceId: `bad-${i}`, type: 'ESME' }));
    const found = problems({ devices });
    assert.equal(found.length, MAX_REFERENCE_PROBLEMS);
    assert.notEqual(found.at(-1)!.path, '');
  });
});
