import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageKind } from '../../src/duis/duis-message.js';
import { computeThreadStatus, type ThreadMemberFacts } from '../../src/threads/thread-status.js';
import { canonicalRequestId, threadKeyOf } from '../../src/threads/thread-key.js';

let n = 0;
const m = (kind: MessageKind, code: string | null, t: number, received = t): ThreadMemberFacts => ({
  id: String(++n),
  kind,
  responseCode: code,
  time: new Date(t),
  receivedAt: new Date(received),
});

describe('computeThreadStatus (pure)', () => {
  it('is pending with nothing but a request or alerts', () => {
    assert.equal(computeThreadStatus([m('request', null, 0)]).status, 'pending');
    assert.equal(computeThreadStatus([m('device-alert', 'I0', 5)]).status, 'pending');
    assert.equal(computeThreadStatus([]).status, 'pending');
  });

  it('classifies acknowledgements and responses', () => {
    assert.equal(computeThreadStatus([m('request', null, 0), m('acknowledgement', 'I99', 1)]).status, 'acknowledged');
    assert.equal(computeThreadStatus([m('acknowledgement', 'E3', 1)]).status, 'rejected');
    assert.equal(computeThreadStatus([m('acknowledgement', 'I99', 1), m('response', 'I0', 2)]).status, 'responded-success');
    assert.equal(computeThreadStatus([m('response', 'E50', 2)]).status, 'responded-error');
    // An unknown code is no evidence of success.
    assert.equal(computeThreadStatus([m('response', 'I42', 2)]).status, 'responded-error');
  });

  it('uses the latest response by time whatever the input order', () => {
    const members = [m('response', 'I0', 10), m('response', 'E1', 30), m('request', null, 0), m('device-alert', 'I0', 40)];
    const { status, timings } = computeThreadStatus(members);
    assert.equal(status, 'responded-error');
    assert.deepEqual(timings, {
      requestAt: new Date(0),
      acknowledgedAt: null,
      firstResponseAt: new Date(10),
      lastResponseAt: new Date(30),
      requestToAcknowledgementMs: null,
      requestToFirstResponseMs: 10,
    });
  });

  it('measures from the request receipt time', () => {
    const { timings } = computeThreadStatus([m('request', null, 100, 100), m('acknowledgement', 'I99', 350)]);
    assert.equal(timings.requestToAcknowledgementMs, 250);
    assert.equal(timings.requestToFirstResponseMs, null);
  });
});

describe('thread keys', () => {
  it('are stable safe integers (persisted: a change needs a migration that recomputes stored keys)', () => {
    const key = threadKeyOf('90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000');
    assert.ok(Number.isSafeInteger(key) && key >= 0);
    assert.equal(key, threadKeyOf('90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000'));
    assert.notEqual(key, threadKeyOf('90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1001'));
    assert.equal(key, KEY_1000);
  });

  it("follow an originator's counter, so new threads' index entries sit next to each other", () => {
    const pair = '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0';
    for (const start of [1, 1_000_000_000_000, 9_223_372_036_854_775_000n, 18_446_744_073_709_551_000n]) {
      const keys = Array.from({ length: 500 }, (_, i) => threadKeyOf(`${pair}:${BigInt(start) + BigInt(i)}`));
      for (const k of keys) assert.ok(Number.isSafeInteger(k) && k >= 0, String(k));
      // Increasing in steps of 2^13 (the pair hash below): 500 consecutive requests span 500 × 8,192 keys.
      for (let i = 1; i < keys.length; i++) assert.equal(keys[i]! - keys[i - 1]!, 8192, `${start} + ${i}`);
    }
    // Other pairs at the same counter spread over the 2^13 slots instead of piling onto one key.
    const slots = new Set<number>();
    for (let t = 0; t < 200; t++) slots.add(threadKeyOf(`${pair.slice(0, 24)}00-DB-12-34-56-78-${(t >> 8).toString(16).padStart(2, '0').toUpperCase()}-${(t & 255).toString(16).padStart(2, '0').toUpperCase()}:7`) % 8192);
    assert.ok(slots.size > 190, `${slots.size} distinct slots of 200`);
  });

  it('canonicalises RequestIDs and rejects junk', () => {
    assert.equal(
      canonicalRequestId(' 90b3d51f30010000:00-db-12-34-56-78-90-a0:00042 '),
      '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:42',
    );
    for (const junk of ['', 'a:b:c', '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0', '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:-1',
      '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:18446744073709551616']) {
      assert.equal(canonicalRequestId(junk), undefined, junk);
    }
  });
});

// Pinned so an accidental change to threadKeyOf (which would orphan every stored key) fails here; migration 0009
// recomputed the keys of the layout before this one.
const KEY_1000 = 8195404;
