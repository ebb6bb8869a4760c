import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createWorld, DCC_USER_ID } from '../../src/synth/index.js';
import { EUI64 } from './synth-helpers.js';

const MPAN_PRIMES = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43];

describe('createWorld', () => {
  test('is deterministic for a seed and plain JSON data', () => {
    const a = createWorld({ seed: 7, devices: 500 });
    assert.deepEqual(createWorld({ seed: 7, devices: 500 }), a);
    assert.notDeepEqual(createWorld({ seed: 8, devices: 500 }).devices, a.devices);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  });

  test('has exactly the requested devices, with unique canonical IDs', () => {
    for (const n of [1, 2, 999, 10_000]) {
      const w = createWorld({ seed: 1, devices: n });
      assert.equal(w.devices.length, n);
      assert.equal(new Set(w.devices.map((d) => d.deviceId)).size, n);
      for (const d of w.devices) assert.match(d.deviceId, /^00-DB(?:-[0-9A-F]{2}){6}$/);
    }
    assert.throws(() => createWorld({ devices: 0 }), /devices/);
  });

  test('has Users of every role, the DCC apart, and consistent links', () => {
    const w = createWorld({ seed: 3, devices: 2000 });
    assert.equal(w.dccUserId, DCC_USER_ID);
    const roles = new Map(w.users.map((u) => [u.userId, u.role]));
    assert.deepEqual(new Set(roles.values()), new Set(['IS', 'GS', 'ED', 'GT', 'OU']));
    for (const u of w.users) {
      assert.match(u.userId, /^90-B3-D5-1F-30-0[0-9A-F](?:-[0-9A-F]{2}){2}$/);
      assert.ok(w.parties.find((p) => p.partyId === u.partyId)?.userIds.includes(u.userId));
    }
    assert.ok(!roles.has(DCC_USER_ID));
    const points = new Map(w.supplyPoints.map((s) => [s.mpxn, s]));
    for (const sp of w.supplyPoints) {
      assert.equal(roles.get(sp.supplierUserId), sp.fuel === 'electricity' ? 'IS' : 'GS');
      assert.equal(roles.get(sp.networkOperatorUserId), sp.fuel === 'electricity' ? 'ED' : 'GT');
      if (sp.fuel === 'electricity') {
        assert.match(sp.mpxn, /^\d{13}$/);
        const sum = MPAN_PRIMES.reduce((s, p, i) => s + p * Number(sp.mpxn[i]), 0);
        assert.equal(Number(sp.mpxn[12]), (sum % 11) % 10, `MPAN check digit of ${sp.mpxn}`);
      } else assert.match(sp.mpxn, /^[1-9]\d{9}$/);
    }
    assert.equal(points.size, w.supplyPoints.length, 'MPxNs are unique');
    const types = new Set(w.devices.map((d) => d.deviceType));
    for (const t of ['ESME', 'GSME', 'CHF', 'GPF', 'PPMID', 'HCALCS', 'IHD']) assert.ok(types.has(t as never), t);
    for (const d of w.devices) {
      assert.match(d.deviceId, EUI64);
      assert.ok(['IS', 'GS'].includes(roles.get(d.supplierUserId)!));
      for (const m of d.mpxns) assert.ok(points.has(m));
      if (d.deviceType === 'ESME') assert.equal(points.get(d.mpxns[0]!)?.supplierUserId, d.supplierUserId);
      for (const no of d.networkOperatorUserIds) assert.ok(['ED', 'GT'].includes(roles.get(no)!));
    }
    assert.ok(w.premises.every((p) => p.deviceIds.length > 0));
  });
});
