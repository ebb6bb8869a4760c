import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { PartyPeriod } from '../../src/reference/reference-document.js';
import { createWorld, generateTraffic, referenceDocument, type TrafficOptions } from '../../src/synth/index.js';
import { type Classified, classifyAll } from './synth-helpers.js';

// The traffic generator's `reference` option (what `npm run demo` uses): traffic that follows the reference
// data's Changes of Supplier and certificate changes, plus other users' security-relevant requests.
const START = new Date('2025-03-03T00:00:00.000Z');
const DAYS = 20;
const END = new Date(START.getTime() + DAYS * 86_400_000);
const COUNT = 40_000;

describe('generateTraffic following reference data', () => {
  const world = createWorld({ seed: 9, devices: 3000, start: START });
  // Many changes, so that plenty of traffic falls on both sides of one.
  const reference = referenceDocument(world, { start: START, end: END, seed: 9, changeOfSupplierRate: 0.3, certificateChangeRate: 0.3 });
  const opts: TrafficOptions = { seed: 9, count: COUNT, start: START, messagesPerSecond: COUNT / (DAYS * 86_400), reference, otherUserSecurityRate: 0.02 };
  const roleOf = new Map(world.users.map((u) => [u.userId, u.role]));
  const userOf = new Map(world.users.map((u) => [`${u.partyId} ${u.role}`, u.userId]));
  const deviceOf = new Map(world.devices.map((d) => [d.deviceId, d]));
  const premisesOf = new Map(world.premises.map((p) => [p.premisesId, p]));
  const registrations = new Map(reference.registrations.map((r) => [`${r.mpxn} ${r.role}`, r.history]));
  const at = (history: readonly PartyPeriod[] | undefined, t: number): string | undefined =>
    history?.find((p) => p.from <= t && (p.to === null || t < p.to))?.partyId;
  /** The supplier User ID registered for the device's fuel `role` at `t`. */
  const supplierAt = (deviceId: string, role: string, t: number): string | undefined => {
    const home = premisesOf.get(deviceOf.get(deviceId)!.premisesId)!;
    const party = at(registrations.get(`${role === 'IS' ? home.mpan : home.mprn} ${role}`), t);
    return party === undefined ? undefined : userOf.get(`${party} ${role}`);
  };
  let all: Array<Classified & { receivedAt: string; xml: string }>;
  let acks: Map<string, string>;
  before(() => {
    all = classifyAll([...generateTraffic(world, opts)]);
    acks = new Map(all.filter((m) => m.kind === 'acknowledgement').map((m) => [m.requestId!, m.responseCode!]));
  });

  test('does not change the traffic of the static world (the benchmarks)', () => {
    const digest = (o: TrafficOptions): string => {
      const h = createHash('sha256');
      for (const r of generateTraffic(world, o)) h.update(r.receivedAt).update(r.xml);
      return h.digest('hex');
    };
    const plain: TrafficOptions = { seed: 9, count: 3000, start: START };
    assert.equal(digest({ ...plain, otherUserSecurityRate: 0 }), digest(plain));
    assert.notEqual(digest({ ...plain, reference }), digest(plain));
    assert.throws(() => [...generateTraffic(world, { ...plain, otherUserSecurityRate: 0.1 })], /needs reference/);
  });

  test("suppliers' requests come from the supplier registered at the time", () => {
    let checked = 0;
    let afterChange = 0;
    const changed = new Set(reference.registrations.filter((r) => r.history.length > 1).map((r) => `${r.mpxn} ${r.role}`));
    for (const m of all) {
      if (m.kind !== 'request') continue;
      const [originator, device] = m.requestId!.split(':') as [string, string];
      const role = roleOf.get(originator);
      if ((role !== 'IS' && role !== 'GS') || !deviceOf.has(device) || m.srv === '8.2') continue; // 8.2: prospective suppliers
      if (acks.get(m.requestId!) === 'E4') continue; // a previous supplier's command, rejected
      // Sent up to 90 s before capture (late capture): either end of that interval.
      const t = Date.parse(m.receivedAt);
      const expected = [supplierAt(device, role, t), supplierAt(device, role, t - 91_000)];
      assert.ok(expected.includes(originator), `${m.srv} ${m.requestId} at ${m.receivedAt}: registered ${expected.join(' / ')}`);
      checked++;
      const home = premisesOf.get(deviceOf.get(device)!.premisesId)!;
      if (changed.has(`${role === 'IS' ? home.mpan : home.mprn} ${role}`)) afterChange++;
    }
    assert.ok(checked > 4000, `only ${checked} supplier requests`);
    assert.ok(afterChange > 500, `only ${afterChange} requests to supply points that change supplier`);
  });

  test("unsolicited supplier alerts go to the supplier registered at the time", () => {
    let checked = 0;
    for (const m of all) {
      if (m.kind !== 'device-alert' || m.requestId !== null) continue;
      const [device, recipient] = m.responseId!.split(':') as [string, string];
      const role = roleOf.get(recipient);
      if (role !== 'IS' && role !== 'GS') continue;
      assert.equal(recipient, supplierAt(device, role, Date.parse(m.responseDateTime!)), `${m.responseId} at ${m.responseDateTime}`);
      checked++;
    }
    assert.ok(checked > 3000, `only ${checked} supplier alerts`);
  });

  test("other users send security-relevant requests; the DCC rejects the ineligible ones; alerts answer other users' requests", () => {
    const requests = all.filter((m) => m.kind === 'request');
    const by = (m: Classified): string => roleOf.get(m.requestId!.split(':')[0]!)!;
    const count = (p: (m: Classified) => boolean): number => requests.filter(p).length;
    assert.ok(count((m) => by(m) === 'OU' && (m.srv === '8.7.2' || m.srv === '8.11')) > 20, 'Other Users join HAN devices');
    assert.ok(count((m) => (by(m) === 'ED' || by(m) === 'GT') && m.srv === '6.15.1') > 20, 'network operators update credentials');
    const ouDisable = requests.filter((m) => by(m) === 'OU' && m.srv === '7.2');
    assert.ok(ouDisable.length > 10 && ouDisable.every((m) => acks.get(m.requestId!) === 'E2'), 'Other Users may not disable supply (E2)');
    // (Every other supplier request comes from the registered supplier: see above. Some E4s are the DCC's
    // ordinary rejections of the registered supplier's requests.)
    const stray = requests.filter((m) => {
      const [originator, device] = m.requestId!.split(':') as [string, string];
      const role = roleOf.get(originator)!;
      return (m.srv === '7.2' || m.srv === '11.3') && (role === 'IS' || role === 'GS') && originator !== supplierAt(device, role, Date.parse(m.receivedAt));
    });
    assert.ok(stray.length > 10, `only ${stray.length} commands by a supplier not registered`);
    assert.ok(stray.every((m) => acks.get(m.requestId!) === undefined || acks.get(m.requestId!) === 'E4'), "another supplier's commands are rejected (E4)");
    const ouRequests = new Set(requests.filter((m) => by(m) === 'OU').map((m) => m.requestId));
    const answering = all.filter((m) => (m.kind === 'device-alert' || m.kind === 'dcc-alert') && ouRequests.has(m.requestId));
    assert.ok(answering.length > 5, `only ${answering.length} alerts answer Other Users' requests`);
  });
});
