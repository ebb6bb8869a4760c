import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IsoTimeFormatter } from '../../src/synth/iso-time.js';
import { Prng, WeightedChoice } from '../../src/synth/prng.js';

describe('Prng', () => {
  test('is deterministic per seed and stream', () => {
    const draw = (p: Prng): number[] => Array.from({ length: 5 }, () => p.uint32());
    assert.deepEqual(draw(new Prng(1)), draw(new Prng(1)));
    assert.notDeepEqual(draw(new Prng(1)), draw(new Prng(2)));
    assert.deepEqual(draw(Prng.derive(9, 1)), draw(Prng.derive(9, 1)));
    assert.notDeepEqual(draw(Prng.derive(9, 1)), draw(Prng.derive(9, 2)));
  });

  test('fillWords gives the same sequence as uint32', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const words = new Uint32Array(10);
    a.fillWords(words, 10);
    assert.deepEqual([...words], Array.from({ length: 10 }, () => b.uint32()));
    assert.equal(a.uint32(), b.uint32());
  });

  test('draws stay in range', () => {
    const p = new Prng(3);
    for (let i = 0; i < 10_000; i++) {
      const f = p.float();
      assert.ok(f >= 0 && f < 1);
      const r = p.range(5, 9);
      assert.ok(Number.isInteger(r) && r >= 5 && r <= 9);
      assert.ok(p.exponential(10) >= 0 && p.logNormal(100, 1) > 0);
    }
  });

  test('WeightedChoice follows the weights', () => {
    const choice = new WeightedChoice([['a', 1], ['b', 3], ['never', 0]] as const);
    const p = new Prng(8);
    let b = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = choice.pick(p);
      assert.notEqual(x, 'never');
      if (x === 'b') b++;
    }
    assert.ok(Math.abs(b / 20_000 - 0.75) < 0.02);
    assert.throws(() => new WeightedChoice([['x', 0]]), /positive weight/);
  });
});

describe('IsoTimeFormatter', () => {
  test('formats like Date.prototype.toISOString', () => {
    const f = new IsoTimeFormatter();
    const p = new Prng(5);
    let t = Date.parse('2024-12-31T23:58:00.000Z');
    for (let i = 0; i < 20_000; i++) {
      t += p.range(-2000, 9000);
      assert.equal(f.format(t), new Date(t).toISOString());
    }
    for (const ms of [0, 999, 1000, 59_999, 60_000, Date.parse('2026-02-28T23:59:59.999Z')]) assert.equal(f.format(ms), new Date(ms).toISOString());
  });
});
