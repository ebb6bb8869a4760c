import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESPONSE_OUTCOMES, classifyResponseCode, listResponseCodes, lookupResponseCode } from '../../src/catalogue/index.js';

describe('response codes', () => {
  it('catalogues I0, I99 and the public E codes', () => {
    assert.equal(lookupResponseCode('I0')?.outcome, 'success');
    assert.equal(lookupResponseCode('I99')?.outcome, 'acknowledged');
    assert.equal(lookupResponseCode('E4')?.group, 'authorisation');
    assert.equal(lookupResponseCode('E21')?.group, 'communications');
    const codes = listResponseCodes();
    assert.ok(codes.length >= 10);
    for (const c of codes) {
      assert.ok(RESPONSE_OUTCOMES.includes(c.outcome) && c.meaning.length > 0, c.code);
      assert.equal(c.outcome, c.code.startsWith('E') ? 'error' : c.outcome, c.code);
      assert.ok(Object.isFrozen(c));
    }
  });

  it('normalises case and whitespace in look-ups, undefined on a miss', () => {
    assert.equal(lookupResponseCode(' i0 ')?.code, 'I0');
    for (const j of ['', 'x', 'E65', 'I1', 'N24', null, undefined, 0]) assert.equal(lookupResponseCode(j as string), undefined);
  });

  it('classifies catalogued codes', () => {
    assert.equal(classifyResponseCode('I0'), 'success');
    assert.equal(classifyResponseCode('I99'), 'acknowledged');
    assert.equal(classifyResponseCode('E1'), 'error');
    assert.equal(classifyResponseCode('e3'), 'error');
  });

  it('classifies unknown codes without throwing', () => {
    assert.equal(classifyResponseCode('E65'), 'error'); // seen in a public sample, meaning not public
    assert.equal(classifyResponseCode('E120201'), 'error'); // SRV-specific error code
    assert.equal(classifyResponseCode('E999'), 'error');
    assert.equal(classifyResponseCode('W1'), 'warning');
    assert.equal(classifyResponseCode('I1'), 'unknown');
    assert.equal(classifyResponseCode('I98'), 'unknown');
    assert.equal(classifyResponseCode('N24'), 'unknown');
    for (const j of ['', '   ', 'E', 'W', 'Error', 'OK', '0', '💥', null, undefined, 42, {}, []]) {
      assert.equal(classifyResponseCode(j as string), 'unknown', String(j));
    }
  });
});
