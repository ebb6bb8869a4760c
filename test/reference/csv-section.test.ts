import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReferenceCsv } from '../../src/reference/csv-section.js';
import type { ReferenceDocument, ReferenceProblem, ReferenceSection } from '../../src/reference/reference-document.js';
import { MAX_REFERENCE_PROBLEMS, OMITTED_PROBLEMS_MESSAGE } from '../../src/reference/validate-document.js';

const MPAN = '1200012345678';
const MPRN = '7412345';
const ESME = '00-DB-12-34-56-78-90-A0';
const CHF = '00-DB-12-34-56-78-90-A2';
const JAN = '2024-01-01T00:00:00Z';
const MAR = '2024-03-01T00:00:00Z';
const JUN = '2024-06-01T00:00:00Z';
const ms = (iso: string): number => Date.parse(iso);

const ISO_MESSAGE = 'not an ISO-8601 date-time with a time zone (e.g. 2024-01-01T00:00:00Z)';

const csv = (...lines: string[]): string => `${lines.join('\n')}\n`;

function valid(section: ReferenceSection, text: string): ReferenceDocument {
  const result = parseReferenceCsv(section, text);
  if (!result.ok) assert.fail(`unexpected problems: ${JSON.stringify(result.errors)}`);
  return result.document;
}

function problems(section: ReferenceSection, text: string): ReferenceProblem[] {
  const result = parseReferenceCsv(section, text);
  if (result.ok) assert.fail('expected problems, got a valid document');
  return result.errors;
}

describe('parseReferenceCsv: parties', () => {
  it('makes one party of the rows sharing an id, with one User ID per row', () => {
    const document = valid(
      'parties',
      csv(
        'id,name,operator,userId,role',
        'supplier-a,Supplier A,false,90b3d51f30010000,IS',
        'dcc,DCC service desk,TRUE,,',
        'supplier-a,Supplier A,,90-B3-D5-1F-30-01-00-01,GS',
        '"dno",  "Northern DNO, Ltd" ,,90-B3-D5-1F-30-02-00-00,ED',
      ),
    );
    assert.deepEqual(document.parties, [
      {
        id: 'supplier-a',
        name: 'Supplier A',
        operator: false,
        userIds: [
          { userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' },
          { userId: '90-B3-D5-1F-30-01-00-01', role: 'GS' },
        ],
      },
      { id: 'dcc', name: 'DCC service desk', operator: true, userIds: [] },
      { id: 'dno', name: 'Northern DNO, Ltd', operator: false, userIds: [{ userId: '90-B3-D5-1F-30-02-00-00', role: 'ED' }] },
    ]);
    assert.deepEqual(document.devices, []);
    assert.deepEqual(document.registrations, []);
  });

  it('matches columns by name, in any order', () => {
    const document = valid('parties', csv('role,userId,name,id,operator', 'IS,90-B3-D5-1F-30-01-00-00,Supplier A,a,true'));
    assert.deepEqual(document.parties, [{ id: 'a', name: 'Supplier A', operator: true, userIds: [{ userId: '90-B3-D5-1F-30-01-00-00', role: 'IS' }] }]);
  });

  it('wants name and operator to agree across a party’s rows', () => {
    assert.deepEqual(
      problems(
        'parties',
        csv(
          'id,name,operator,userId,role',
          'a,Supplier A,,90-B3-D5-1F-30-01-00-00,IS',
          'a,Supplier A Ltd,true,90-B3-D5-1F-30-01-00-01,GS',
          'a,Supplier A,FALSE,90-B3-D5-1F-30-01-00-02,ES',
        ),
      ),
      [
        { path: 'line 3 (name)', message: 'differs from line 2 ("Supplier A")' },
        { path: 'line 3 (operator)', message: 'differs from line 2 ("")' },
      ],
    );
  });

  it('reports bad values on the row holding them', () => {
    assert.deepEqual(
      problems(
        'parties',
        csv('id,name,operator,userId,role', 'a b,A,yes,90-B3-D5-1F-30-01-00-00,IS', 'c,C,,90-B3-D5-1F-30-01-00-01,XX', 'c,C,,not-an-id,', 'd,,,,'),
      ),
      [
        { path: 'line 2 (id)', message: "may contain only letters, digits, '_', '.' and '-'" },
        { path: 'line 2 (operator)', message: 'must be true or false' },
        { path: 'line 3 (role)', message: 'must be one of IS, ES, GS, ED, GT, OU, RSA' },
        { path: 'line 4 (userId)', message: 'not an EUI-64 (e.g. 90-B3-D5-1F-30-01-00-00)' },
        { path: 'line 4 (role)', message: 'must be one of IS, ES, GS, ED, GT, OU, RSA' },
        { path: 'line 5 (name)', message: 'must not be empty' },
      ],
    );
  });

  it('refuses a User ID listed twice, naming both lines', () => {
    assert.deepEqual(
      problems('parties', csv('id,name,operator,userId,role', 'a,A,,90-B3-D5-1F-30-01-00-00,IS', 'b,B,,90b3d51f30010000,GS')),
      [{ path: 'line 3 (userId)', message: 'User ID already listed at line 2' }],
    );
  });
});

describe('parseReferenceCsv: devices', () => {
  it('reads one device per row', () => {
    assert.deepEqual(valid('devices', csv('type,deviceId', 'ESME,00db1234567890a0', 'CHF,' + CHF)).devices, [
      { deviceId: ESME, type: 'ESME' },
      { deviceId: CHF, type: 'CHF' },
    ]);
  });

  it('refuses a device listed twice', () => {
    assert.deepEqual(problems('devices', csv('deviceId,type', `${ESME},ESME`, `${CHF},CHF`, '00db1234567890a0,ESME')), [
      { path: 'line 4 (deviceId)', message: 'duplicate: line 2 has the same deviceId' },
    ]);
  });
});

describe('parseReferenceCsv: histories', () => {
  it('groups link rows by device, whatever the spelling, into sorted histories', () => {
    const document = valid(
      'links',
      csv(
        'deviceId,mpxn,from,to',
        `${CHF},${MPRN},${JAN},`,
        `00db1234567890a0,${MPAN},${JUN},`,
        `${CHF},${MPAN},${JAN},`,
        `00-db-12-34-56-78-90-a0,${MPAN},${JAN},${JUN}`,
      ),
    );
    assert.deepEqual(document.links, [
      {
        deviceId: CHF,
        history: [
          { mpxn: MPRN, from: ms(JAN), to: null },
          { mpxn: MPAN, from: ms(JAN), to: null },
        ],
      },
      {
        deviceId: ESME,
        history: [
          { mpxn: MPAN, from: ms(JAN), to: ms(JUN) },
          { mpxn: MPAN, from: ms(JUN), to: null },
        ],
      },
    ]);
  });

  it('groups registration rows by MPxN and role', () => {
    const document = valid(
      'registrations',
      csv(
        'mpxn,role,partyId,from,to',
        `${MPAN},IS,supplier-b,${JUN},`,
        `${MPAN},ED,dno,${JAN},`,
        `${MPAN},IS,supplier-a,${JAN},${JUN}`,
        `${MPRN},GS,gas-supplier,${MAR},`,
      ),
    );
    assert.deepEqual(document.registrations, [
      {
        mpxn: MPAN,
        role: 'IS',
        history: [
          { partyId: 'supplier-a', from: ms(JAN), to: ms(JUN) },
          { partyId: 'supplier-b', from: ms(JUN), to: null },
        ],
      },
      { mpxn: MPAN, role: 'ED', history: [{ partyId: 'dno', from: ms(JAN), to: null }] },
      { mpxn: MPRN, role: 'GS', history: [{ partyId: 'gas-supplier', from: ms(MAR), to: null }] },
    ]);
  });

  it('groups certificate rows by device', () => {
    const document = valid('certificates', csv('deviceId,partyId,from,to', `${ESME},dno-a,${JAN},${JUN}`, `${ESME},dno-b,${JUN},`));
    assert.deepEqual(document.certificates, [
      {
        deviceId: ESME,
        history: [
          { partyId: 'dno-a', from: ms(JAN), to: ms(JUN) },
          { partyId: 'dno-b', from: ms(JUN), to: null },
        ],
      },
    ]);
  });

  it('reads a row with empty period columns as an empty history (erasing the stored one)', () => {
    assert.deepEqual(valid('registrations', csv('mpxn,role,partyId,from,to', `${MPAN},IS,,,`)).registrations, [{ mpxn: MPAN, role: 'IS', history: [] }]);
    assert.deepEqual(valid('links', csv('deviceId,mpxn,from,to', `${ESME},,,`)).links, [{ deviceId: ESME, history: [] }]);
  });

  it('maps period problems to the row and column', () => {
    assert.deepEqual(
      problems(
        'registrations',
        csv(
          'mpxn,role,partyId,from,to',
          `${MPAN},IS,supplier-a,${JAN},${MAR}`,
          `${MPRN},GS,gas-supplier,2024-01-01,`,
          `${MPAN},IS,supplier-b,,`,
          `${MPAN},IS,supplier-c,${JUN},${MAR}`,
        ),
      ),
      [
        { path: 'line 3 (from)', message: ISO_MESSAGE },
        { path: 'line 4 (from)', message: 'required' },
        { path: 'line 5 (to)', message: 'must be after from (2024-06-01T00:00:00Z)' },
      ],
    );
  });

  it('names the first row of the group for problems of the whole entry', () => {
    assert.deepEqual(
      problems('registrations', csv('mpxn,role,partyId,from,to', `${MPRN},IS,a,${JAN},${MAR}`, `${MPAN},IS,a,${JAN},`, `${MPRN},IS,b,${MAR},`)),
      [{ path: 'line 2 (role)', message: 'IS needs an MPAN (13 digits), but mpxn is an MPRN' }],
    );
    assert.deepEqual(problems('links', csv('deviceId,mpxn,from,to', `meter-1,${MPAN},${JAN},${JUN}`, `meter-1,${MPAN},${JUN},`)), [
      { path: 'line 2 (deviceId)', message: 'not an EUI-64 (e.g. 90-B3-D5-1F-30-01-00-00)' },
    ]);
  });

  it('names the lines of overlapping periods', () => {
    assert.deepEqual(
      problems(
        'certificates',
        csv('deviceId,partyId,from,to', `${ESME},dno-a,${JAN},${JUN}`, `${CHF},dno-a,${JAN},`, `${ESME},dno-b,${MAR},`),
      ),
      [{ path: 'line 4', message: 'overlaps line 2 (2024-01-01T00:00:00Z to 2024-06-01T00:00:00Z)' }],
    );
    // Touching periods are fine.
    valid('certificates', csv('deviceId,partyId,from,to', `${ESME},dno-a,${JAN},${JUN}`, `${ESME},dno-b,${JUN},`));
  });
});

describe('parseReferenceCsv: header', () => {
  it('wants a header row', () => {
    for (const text of ['', '\n\n', '\uFEFF']) {
      assert.deepEqual(problems('devices', text), [{ path: 'line 1', message: 'missing header row; expected deviceId, type' }], JSON.stringify(text));
    }
  });

  it('accepts a header with no rows', () => {
    assert.deepEqual(valid('links', 'deviceId,mpxn,from,to').links, []);
  });

  it('names unknown, missing and repeated columns', () => {
    assert.deepEqual(problems('links', csv('deviceId,mpan,form,to,to', `${ESME},${MPAN},${JAN},,`)), [
      { path: 'line 1', message: 'unknown columns "mpan", "form"; expected deviceId, mpxn, from, to' },
      { path: 'line 1', message: 'missing columns mpxn, from' },
      { path: 'line 1', message: 'repeated column to' },
    ]);
    assert.deepEqual(problems('devices', csv('deviceId,type,', `${ESME},ESME,`)), [
      { path: 'line 1', message: 'unknown column ""; expected deviceId, type' },
    ]);
    assert.deepEqual(problems('devices', csv('deviceId')), [{ path: 'line 1', message: 'missing column type' }]);
  });
});

describe('parseReferenceCsv: lines', () => {
  it('counts lines across CRLF, blank lines, quoted line breaks and a byte-order mark', () => {
    const text =
      '\uFEFFmpxn,role,partyId,from,to\r\n' + // line 1
      `${MPAN},IS,"supplier\r\na",${JAN},${MAR}\r\n` + // lines 2-3
      '\r\n' + // line 4
      '   \r\n' + // line 5
      `${MPAN},IS,b,${MAR},\r\n` + // line 6
      `${MPAN},IS,c,yesterday,\r\n` + // line 7
      '\r\n\r\n';
    assert.deepEqual(problems('registrations', text), [
      { path: 'line 2 (partyId)', message: "may contain only letters, digits, '_', '.' and '-'" },
      { path: 'line 7 (from)', message: ISO_MESSAGE },
    ]);
  });

  it('counts lines in files with lone CR line ends', () => {
    assert.deepEqual(problems('devices', `deviceId,type\r${ESME},ESME\r${CHF},HUB\r`), [
      { path: 'line 3 (type)', message: 'must be one of ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD, CAD, SAPC, TYPE2' },
    ]);
  });

  it('ignores trailing blank lines', () => {
    assert.equal(valid('devices', `deviceId,type\n${ESME},ESME\n\n\n  \n`).devices.length, 1);
  });

  it('reports rows with the wrong number of fields and checks the others', () => {
    assert.deepEqual(problems('devices', csv('deviceId,type', `${ESME},ESME,extra`, `${CHF},HUB`, 'lonely')), [
      { path: 'line 2', message: 'has 3 fields; the header has 2' },
      { path: 'line 3 (type)', message: 'must be one of ESME, GSME, CHF, GPF, PPMID, HCALCS, IHD, CAD, SAPC, TYPE2' },
      { path: 'line 4', message: 'has 1 field; the header has 2' },
    ]);
  });

  it('lists problems in line order', () => {
    const found = problems(
      'parties',
      csv('id,name,operator,userId,role', 'a,A,,90-B3-D5-1F-30-01-00-00,IS', 'b,B,,,', 'a,Other,,90-B3-D5-1F-30-01-00-01,XX'),
    );
    assert.deepEqual(found.map((p) => p.path), ['line 4 (name)', 'line 4 (role)']);
  });
});

describe('parseReferenceCsv: malformed CSV', () => {
  it('names the row where an unclosed quote starts', () => {
    assert.deepEqual(problems('devices', csv('deviceId,type', `${ESME},ESME`, `${CHF},"CHF`, `${ESME},ESME`)), [
      { path: 'line 3', message: 'malformed CSV: a quoted field starting in this row is never closed' },
    ]);
  });

  it('reports stray quotes', () => {
    assert.deepEqual(problems('devices', csv('deviceId,type', `${ESME},ESME`, `${CHF},C"HF`)), [
      { path: 'line 3', message: 'malformed CSV: a quote inside an unquoted field (quote the whole field and double the quotes inside it)' },
    ]);
    assert.deepEqual(problems('devices', csv('deviceId,type', `${ESME},"ESME"x`)), [
      { path: 'line 2', message: 'malformed CSV: unexpected character after a closing quote' },
    ]);
  });

  it('accepts doubled quotes inside a quoted field', () => {
    const document = valid('parties', csv('id,name,operator,userId,role', 'a,"The ""A"" Company",,,'));
    assert.equal(document.parties[0]!.name, 'The "A" Company');
  });
});

describe('parseReferenceCsv: collecting problems', () => {
  it(`stops at ${MAX_REFERENCE_PROBLEMS} problems and says more were omitted`, () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `bad-${i},ESME`);
    const found = problems('devices', csv('deviceId,type', ...rows));
    assert.equal(found.length, MAX_REFERENCE_PROBLEMS + 1);
    assert.deepEqual(found[0], { path: 'line 2 (deviceId)', message: 'not an EUI-64 (e.g. 90-B3-D5-1F-30-01-00-00)' });
    assert.deepEqual(found.at(-1), { path: '', message: OMITTED_PROBLEMS_MESSAGE });
  });

  it('caps the CSV problems and the document problems together, keeping the earliest lines', () => {
    const rows = Array.from({ length: 1200 }, (_, i) => (i % 2 === 0 ? 'x,y,z' : `bad-${i},ESME`));
    const found = problems('devices', csv('deviceId,type', ...rows));
    assert.equal(found.length, MAX_REFERENCE_PROBLEMS + 1);
    assert.deepEqual(found.slice(0, 2), [
      { path: 'line 2', message: 'has 3 fields; the header has 2' },
      { path: 'line 3 (deviceId)', message: 'not an EUI-64 (e.g. 90-B3-D5-1F-30-01-00-00)' },
    ]);
    assert.equal(found[MAX_REFERENCE_PROBLEMS - 1]!.path, `line ${MAX_REFERENCE_PROBLEMS + 1} (deviceId)`);
    assert.deepEqual(found.at(-1), { path: '', message: OMITTED_PROBLEMS_MESSAGE });
  });
});
