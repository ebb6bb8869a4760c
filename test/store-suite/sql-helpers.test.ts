import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chunked, paddedChunks, paddedList } from '../../src/store/sql-helpers.js';

// IN lists are padded so statement texts repeat (prepared statements on PostgreSQL, the statement cache on
// SQLite). Padding must never change what an IN list matches.
describe('IN-list padding', () => {
  it('pads to the next power of two by repeating the last value, keeping the list as its prefix', () => {
    assert.deepEqual(paddedList([7]), [7]);
    assert.deepEqual(paddedList([1, 2, 3]), [1, 2, 3, 3]);
    assert.deepEqual(paddedList([1, 2, 3, 4, 5]), [1, 2, 3, 4, 5, 5, 5, 5]);
  });

  it('keeps every chunk the same set of values, within the chunk size rounded up to a power of two', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 1200 }), fc.integer({ min: 1, max: 600 }), (values, size) => {
        const plain = chunked(values, size);
        const padded = paddedChunks(values, size);
        assert.equal(padded.length, plain.length);
        padded.forEach((chunk, i) => {
          const n = chunk.length;
          assert.equal(n & (n - 1), 0, `length ${n} is a power of two`);
          assert.ok(n < 2 * plain[i]!.length || n === 1);
          assert.deepEqual(chunk.slice(0, plain[i]!.length), plain[i]);
          assert.deepEqual(new Set(chunk), new Set(plain[i]));
        });
      }),
    );
  });
});
