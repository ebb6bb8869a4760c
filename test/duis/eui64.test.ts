import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { bigIntToEui64, eui64ToBigInt, isEui64, normaliseEui64 } from '../../src/duis/eui64.js';

describe('normaliseEui64', () => {
  it('keeps the canonical form', () => {
    assert.equal(normaliseEui64('90-B3-D5-1F-30-01-00-00'), '90-B3-D5-1F-30-01-00-00');
  });

  it('accepts lower case, unhyphenated, and surrounding whitespace', () => {
    assert.equal(normaliseEui64('00-db-12-34-56-78-90-a0'), '00-DB-12-34-56-78-90-A0');
    assert.equal(normaliseEui64('00DB1234567890A0'), '00-DB-12-34-56-78-90-A0');
    assert.equal(normaliseEui64('00db1234567890a0'), '00-DB-12-34-56-78-90-A0');
    assert.equal(normaliseEui64(' \t00-DB-12-34-56-78-90-A0\n'), '00-DB-12-34-56-78-90-A0');
  });

  it('refuses junk', () => {
    const junk = [
      '',
      ' ',
      '00-DB-12-34-56-78-90',
      '00-DB-12-34-56-78-90-A0-11',
      '00-DB-12-34-56-78-90-AG',
      '00:DB:12:34:56:78:90:A0',
      '00DB-1234-5678-90A0',
      '00-DB-12-34-56-78-90A0',
      '00DB1234567890A',
      '00DB1234567890A0F',
      '0x00DB1234567890A0',
      '00-DB-12-34-56-78-90-A0\u0000',
      '００DB1234567890A0',
      'null',
      '{}',
    ];
    for (const value of junk) assert.equal(normaliseEui64(value), undefined, JSON.stringify(value));
  });
});

describe('isEui64', () => {
  it('accepts only the canonical form', () => {
    assert.equal(isEui64('00-DB-12-34-56-78-90-A0'), true);
    for (const value of ['00-db-12-34-56-78-90-a0', '00DB1234567890A0', ' 00-DB-12-34-56-78-90-A0', '', 'x']) {
      assert.equal(isEui64(value), false, value);
    }
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 0, 0x00db1234567890a0n, {}, [], ['00-DB-12-34-56-78-90-A0'], new String('00-DB-12-34-56-78-90-A0')]) {
      assert.equal(isEui64(value), false, String(value));
    }
  });
});

describe('eui64ToBigInt / bigIntToEui64', () => {
  it('round-trips, signed 64-bit', () => {
    for (const id of ['00-00-00-00-00-00-00-00', '00-DB-12-34-56-78-90-A0', '90-B3-D5-1F-30-01-00-00', 'FF-FF-FF-FF-FF-FF-FF-FF', '80-00-00-00-00-00-00-00']) {
      const n = eui64ToBigInt(id);
      assert.ok(n >= -(2n ** 63n) && n < 2n ** 63n);
      assert.equal(bigIntToEui64(n), id);
    }
    assert.equal(eui64ToBigInt('FF-FF-FF-FF-FF-FF-FF-FF'), -1n);
    assert.equal(eui64ToBigInt('00-00-00-00-00-00-00-01'), 1n);
  });

  it('agrees with plain hex parsing for any 64 bits, in either case', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.boolean(), (bits, lower) => {
        const id = bigIntToEui64(bits);
        const expected = BigInt.asIntN(64, BigInt('0x' + id.replaceAll('-', '')));
        assert.equal(eui64ToBigInt(lower ? id.toLowerCase() : id), expected);
        assert.equal(eui64ToBigInt(id.replaceAll('-', '')), expected);
      }),
      { numRuns: 2000 },
    );
  });
});
