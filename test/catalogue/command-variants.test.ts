import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCommandVariantNumber, listCommandVariants, lookupCommandVariant } from '../../src/catalogue/index.js';

describe('command variants', () => {
  it('lists 1..8 in order, frozen', () => {
    const all = listCommandVariants();
    assert.deepEqual(all.map((v) => v.number), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(Object.isFrozen(all) && all.every((v) => Object.isFrozen(v)));
  });

  it('carries the DUIS meanings', () => {
    assert.match(lookupCommandVariant(1)!.description, /^Non Critical Service Request .* via the SM WAN$/);
    assert.equal(lookupCommandVariant(4)?.webService, 'Transform Service');
    assert.equal(lookupCommandVariant(4)?.output, 'Pre-Command');
    assert.equal(lookupCommandVariant(8)?.description, 'Request a Non-Device Service');
    assert.equal(lookupCommandVariant(8)?.nonDevice, true);
    assert.deepEqual(listCommandVariants().filter((v) => v.nonDevice).map((v) => v.number), [8]);
    assert.deepEqual(listCommandVariants().filter((v) => v.signedPreCommand).map((v) => v.number), [5, 6, 7]);
    assert.deepEqual(listCommandVariants().filter((v) => v.forCriticalSrv).map((v) => v.number), [4, 5, 6, 7]);
    assert.deepEqual(listCommandVariants().filter((v) => v.localDelivery).map((v) => v.number), [2, 3, 6, 7]);
    assert.deepEqual(listCommandVariants().filter((v) => v.viaSmWan).map((v) => v.number), [1, 3, 5, 7]);
  });

  it('accepts numbers and their XML text, nothing else', () => {
    assert.equal(lookupCommandVariant('8')?.number, 8);
    assert.equal(lookupCommandVariant(' 3 ')?.number, 3);
    for (const j of [0, 9, -1, 1.5, NaN, '', 'x', '08', '1.0', null, undefined, {}]) {
      assert.equal(lookupCommandVariant(j as number), undefined, String(j));
      assert.equal(isCommandVariantNumber(j), false, String(j));
    }
    assert.ok(isCommandVariantNumber(1));
    assert.equal(isCommandVariantNumber('1'), false);
  });
});
