import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filtersFromQuery, filtersToQuery, isoToLocalInput, localInputToIso, resolveSrv } from '../../web/src/filters.js';
import { isValidReason, matchPath, safeNext } from '../../web/src/paths.js';

const CATALOGUE = [
  { variant: '7.2', name: 'Disable Supply' },
  { variant: '4.1.1', name: 'Read Instantaneous Import Registers' },
];

describe('portal filters <-> URL query', () => {
  it('reads the API-named filters and drops unknown, blank and non-true othersOnly', () => {
    assert.deepEqual(filtersFromQuery('?deviceId=00-DB-12-34-56-78-90-A0&srv=7.2&limit=5&mpxn=%20&othersOnly=true&x=1'), {
      deviceId: '00-DB-12-34-56-78-90-A0',
      srv: '7.2',
      othersOnly: 'true',
    });
    assert.deepEqual(filtersFromQuery(new URLSearchParams('othersOnly=false&kind=%20request%20')), { kind: 'request' });
  });

  it('writes filters in a stable order, with extras, and round-trips', () => {
    const filters = { to: '2026-03-03T00:00:00.000Z', deviceId: 'AA', othersOnly: 'true', mpxn: '' };
    const q = filtersToQuery(filters, { limit: '50', cursor: undefined });
    assert.equal(q, 'deviceId=AA&to=2026-03-03T00%3A00%3A00.000Z&othersOnly=true&limit=50');
    assert.deepEqual(filtersFromQuery(q), { deviceId: 'AA', to: '2026-03-03T00:00:00.000Z', othersOnly: 'true' });
    assert.equal(filtersToQuery({}), '');
  });

  it('reads datetime-local values as UTC and writes them back', () => {
    assert.equal(localInputToIso('2026-03-02T09:00'), '2026-03-02T09:00:00.000Z');
    assert.equal(localInputToIso('2026-03-02T09:00:30'), '2026-03-02T09:00:30.000Z');
    assert.equal(localInputToIso('2026-03-02'), undefined);
    assert.equal(localInputToIso('2026-13-40T99:00'), undefined);
    assert.equal(localInputToIso(''), undefined);
    assert.equal(isoToLocalInput('2026-03-02T09:00:00.000Z'), '2026-03-02T09:00');
    assert.equal(isoToLocalInput('2026-03-02T10:00:00+01:00'), '2026-03-02T09:00');
    assert.equal(isoToLocalInput('yesterday'), '');
  });

  it('resolves an SRV typed as a number, a name or a suggestion', () => {
    assert.equal(resolveSrv('7.2', CATALOGUE), '7.2');
    assert.equal(resolveSrv(' 99.1 ', CATALOGUE), '99.1', 'unknown numbers go to the API as they are');
    assert.equal(resolveSrv('disable supply', CATALOGUE), '7.2');
    assert.equal(resolveSrv('4.1.1 — Read Instantaneous Import Registers', CATALOGUE), '4.1.1');
    assert.equal(resolveSrv('Disable', CATALOGUE), undefined);
    assert.equal(resolveSrv('', CATALOGUE), undefined);
  });
});

describe('portal paths', () => {
  it('matches page patterns and decodes parameters', () => {
    assert.deepEqual(matchPath('/', '/'), {});
    assert.deepEqual(matchPath('/search', '/search'), {});
    assert.deepEqual(matchPath('/search', '/search/'), {});
    assert.deepEqual(matchPath('/devices/:deviceId', '/devices/00-DB-12'), { deviceId: '00-DB-12' });
    assert.deepEqual(matchPath('/messages/:id', '/messages/a%20b'), { id: 'a b' });
    assert.equal(matchPath('/messages/:id', '/messages/'), undefined);
    assert.equal(matchPath('/messages/:id', '/messages/1/2'), undefined);
    assert.equal(matchPath('/messages/:id', '/messages/%E0%A4%A'), undefined);
    assert.equal(matchPath('/', '/search'), undefined);
  });

  it('only follows ?next= to a path on this site', () => {
    assert.equal(safeNext('/devices/1?x=2'), '/devices/1?x=2');
    for (const bad of [null, '', 'https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)', '/a\nb']) {
      assert.equal(safeNext(bad), '/search', String(bad));
    }
    assert.equal(safeNext(undefined, '/admin/audit'), '/admin/audit');
  });

  it('holds operator reasons to the API rule', () => {
    assert.equal(isValidReason('INC-42'), true);
    assert.equal(isValidReason('  ab  '), false);
    assert.equal(isValidReason('x'.repeat(501)), false);
    assert.equal(isValidReason('two\nlines'), false);
  });
});
