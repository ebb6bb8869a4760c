import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nextSlice } from '../../src/visibility/party-view.js';

// How many candidates a listing reads in its next round. Results never depend on it (the property test compares
// listings with the reference rules whatever the slices); the cost does, so these pin its shape.
describe('nextSlice', () => {
  it('sizes the next read from the visible share, with a quarter to spare', () => {
    // 46 wanted, 1 visible in 10 so far: 46 / 0.1 * 1.25 = 575 candidates, one more round trip.
    assert.equal(nextSlice(46, 0.1, 200), 575);
    // ... but never more than four times the previous slice, however low the first estimate.
    assert.equal(nextSlice(51, 0.01, 64), 256);
    // Nearly everything visible (one device's history): just what is missing, plus the spare.
    assert.equal(nextSlice(10, 1, 51), 13);
  });

  it('doubles while nothing has been visible, and stops when nothing more is wanted', () => {
    assert.equal(nextSlice(51, 0, 51), 102);
    assert.equal(nextSlice(0, 0.5, 51), 0);
    assert.equal(nextSlice(-1, 0.5, 51), 0);
  });

  it('always asks for at least what is wanted and never more than 4,096', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1001 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 4096 }), (wanted, share, previous) => {
        const n = nextSlice(wanted, share, previous);
        assert.ok(n >= Math.min(wanted, 4096) && n <= 4096, `${n} for ${wanted} wanted at share ${share}`);
      }),
    );
  });
});
