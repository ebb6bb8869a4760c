import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIsoInstant, parseIsoInstant } from '../../src/reference/iso-instant.js';

const JAN_1_2024 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

describe('parseIsoInstant', () => {
  it('reads UTC instants, with or without seconds and fractions', () => {
    assert.equal(parseIsoInstant('2024-01-01T00:00:00Z'), JAN_1_2024);
    assert.equal(parseIsoInstant('2024-01-01T00:00Z'), JAN_1_2024);
    assert.equal(parseIsoInstant('2024-01-01T00:00:00.123Z'), JAN_1_2024 + 123);
    assert.equal(parseIsoInstant('2024-01-01T00:00:00.5Z'), JAN_1_2024 + 500);
    assert.equal(parseIsoInstant('2024-01-01T00:00:00.12Z'), JAN_1_2024 + 120);
    assert.equal(parseIsoInstant('2024-07-15T13:45:30Z'), Date.UTC(2024, 6, 15, 13, 45, 30));
  });

  it('truncates fractions finer than a millisecond', () => {
    assert.equal(parseIsoInstant('2024-01-01T00:00:00.123999999Z'), JAN_1_2024 + 123);
  });

  it('applies offsets written as ±hh:mm and ±hhmm', () => {
    assert.equal(parseIsoInstant('2024-01-01T01:00:00+01:00'), JAN_1_2024);
    assert.equal(parseIsoInstant('2024-01-01T01:00:00+0100'), JAN_1_2024);
    assert.equal(parseIsoInstant('2024-01-01T00:00:00.123+01:00'), JAN_1_2024 - HOUR + 123);
    assert.equal(parseIsoInstant('2023-12-31T18:30:00-05:30'), JAN_1_2024);
    assert.equal(parseIsoInstant('2024-01-01T00:00:00-00:00'), JAN_1_2024);
    assert.equal(parseIsoInstant('2024-01-01T00:00:00+23:59'), JAN_1_2024 - 23 * HOUR - 59 * 60_000);
  });

  it('knows leap years', () => {
    assert.equal(parseIsoInstant('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
    assert.equal(parseIsoInstant('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29));
    assert.equal(parseIsoInstant('2023-02-29T00:00:00Z'), undefined);
    assert.equal(parseIsoInstant('1900-02-29T00:00:00Z'), undefined);
  });

  it('keeps years below 100 as written', () => {
    assert.equal(parseIsoInstant('0050-03-01T00:00:00Z'), new Date('0050-03-01T00:00:00.000Z').getTime());
    assert.equal(new Date(parseIsoInstant('0050-03-01T00:00:00Z')!).getUTCFullYear(), 50);
  });

  it('refuses instants without a time zone, impossible dates and other formats', () => {
    const junk = [
      '',
      '2024-01-01',
      '2024-01-01T00:00:00',
      '2024-01-01T00:00',
      '2024-01-01 00:00:00Z',
      '2024-01-01t00:00:00z',
      '2024-01-01T00:00:00z',
      '2024-02-30T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-00-01T00:00:00Z',
      '2024-01-00T00:00:00Z',
      '2024-01-32T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:60:00Z',
      '2024-01-01T00:00:60Z',
      '2024-01-01T00:00:00+01',
      '2024-01-01T00:00:00+24:00',
      '2024-01-01T00:00:00+01:60',
      '2024-01-01T00:00:00+1:00',
      '2024-01-01T00:00:00.Z',
      '2024-01-01T00:00:00Z ',
      ' 2024-01-01T00:00:00Z',
      '2024-1-01T00:00:00Z',
      '24-01-01T00:00:00Z',
      '+002024-01-01T00:00:00Z',
      '2024-01-01T0:00:00Z',
      '2024-01-01T00:00:00ZZ',
      '２０２４-01-01T00:00:00Z',
      'Mon, 01 Jan 2024 00:00:00 GMT',
    ];
    for (const text of junk) assert.equal(parseIsoInstant(text), undefined, JSON.stringify(text));
  });

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 0, JAN_1_2024, true, {}, [], new Date(JAN_1_2024)]) {
      assert.equal(parseIsoInstant(value), undefined, String(value));
    }
  });
});

describe('formatIsoInstant', () => {
  it('drops zero milliseconds', () => {
    assert.equal(formatIsoInstant(JAN_1_2024), '2024-01-01T00:00:00Z');
  });

  it('keeps non-zero milliseconds', () => {
    assert.equal(formatIsoInstant(JAN_1_2024 + 123), '2024-01-01T00:00:00.123Z');
    assert.equal(formatIsoInstant(JAN_1_2024 + 100), '2024-01-01T00:00:00.100Z');
  });

  it('round-trips through parseIsoInstant', () => {
    for (const ms of [0, JAN_1_2024, JAN_1_2024 + 1, Date.UTC(2099, 11, 31, 23, 59, 59, 999)]) {
      assert.equal(parseIsoInstant(formatIsoInstant(ms)), ms);
    }
  });

  it('throws on NaN', () => {
    assert.throws(() => formatIsoInstant(Number.NaN), RangeError);
  });
});
