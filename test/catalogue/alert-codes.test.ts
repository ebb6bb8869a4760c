import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  listDccAlertCodes,
  listDeviceAlertCodes,
  lookupDccAlertCode,
  lookupDeviceAlertCode,
  normaliseDeviceAlertCode,
} from '../../src/catalogue/index.js';

describe('device alert codes', () => {
  it('knows the documented alerts and keeps their entries tidy', () => {
    assert.equal(lookupDeviceAlertCode('811A')?.meaning, 'Failure in changing or maintaining HCALCS or ALCS state');
    assert.ok(listDeviceAlertCodes().length >= 1);
    for (const a of listDeviceAlertCodes()) {
      assert.match(a.code, /^[0-9A-F]{4}$/);
      assert.ok(a.meaning.trim() === a.meaning && !a.meaning.includes('  '), a.code);
    }
  });

  it('normalises case and 0x, undefined on a miss', () => {
    assert.equal(lookupDeviceAlertCode('811a')?.code, '811A');
    assert.equal(lookupDeviceAlertCode('0x811A')?.code, '811A');
    assert.equal(lookupDeviceAlertCode('8F66'), undefined, 'not in any source we may commit: shown raw');
    assert.equal(normaliseDeviceAlertCode(' 0x8f1c '), '8F1C');
    assert.equal(normaliseDeviceAlertCode('8F6'), undefined);
    for (const j of ['', 'x', 'FFFF', '8F666', '0x', 'N24', null, undefined, 0x8f66]) {
      assert.equal(lookupDeviceAlertCode(j as string), undefined, String(j));
    }
  });
});

describe('DCC alert codes', () => {
  it('knows N24 and says how its meaning was found', () => {
    const n24 = lookupDccAlertCode('N24');
    assert.equal(n24?.basis, 'inferred');
    assert.equal(lookupDccAlertCode(' n24 ')?.code, 'N24');
    assert.ok(listDccAlertCodes().every((a) => /^[A-Z]+\d+$/.test(a.code)));
  });

  it('returns undefined on unknown codes', () => {
    for (const j of ['', 'N', 'N9999', 'Z99', '8F66', null, undefined, 24]) {
      assert.equal(lookupDccAlertCode(j as string), undefined, String(j));
    }
  });
});
