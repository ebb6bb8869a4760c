import assert from 'node:assert/strict';
import type { MessageKind } from '../../src/duis/duis-message.js';
import type { DeviceSummary, PartyView } from '../../src/store/message-store.js';
import {
  networkOperator,
  responsibleSupplier,
  subjectsOf,
  validAt,
  type CapturedMessage,
  type PlainWorld,
} from './plain-rules.js';
import { BOUNDS, TIMES } from './world-constants.js';

/*
 * The device summary against the plain rules. Windows, links and responsible parties are periods; the plain rules
 * only judge instants, so they are compared at every instant messages use (each period boundary -1 ms, exactly,
 * +1 ms, half a day later, and one before all history): every period of a random world starts and ends on a
 * boundary, so these instants see every piece of every period.
 */

const KINDS: MessageKind[] = ['request', 'acknowledgement', 'response', 'device-alert', 'dcc-alert'];

/**
 * `view.deviceSummary(deviceId)` says exactly what the plain rules say: counts (total, by kind, by originator
 * role) of the visible messages with the device in S(M); windows (per basis) covering exactly the instants at
 * which rule 2 or 3 holds for the device alone; links and responsible parties present at an instant exactly when
 * it lies in a window (always, for an operator) and then exactly those of the reference data; `undefined` exactly
 * when the party has no window and sees none of the device's messages (an operator: never, for a device in
 * the reference data). Returns whether there was a summary.
 */
export async function expectDeviceSummary(
  view: PartyView,
  world: PlainWorld,
  all: readonly CapturedMessage[],
  visible: readonly CapturedMessage[],
  deviceId: string,
  type: string | null,
  label: string,
): Promise<boolean> {
  const party = world.parties.find((p) => p.id === view.partyId)!;
  const supplierAt = (t: number) => !party.operator && responsibleSupplier(world, party.id, [deviceId], t);
  const operatorAt = (t: number) => !party.operator && networkOperator(world, party.id, [deviceId], t);
  const onDevice = visible.filter((m) => subjectsOf(m, all).includes(deviceId));
  const anyWindow = party.operator || BOUNDS.some((t) => supplierAt(t) || operatorAt(t));
  const summary = await view.deviceSummary(deviceId);
  const what = `${label}: deviceSummary(${deviceId})`;
  if (!anyWindow && onDevice.length === 0) {
    assert.equal(summary, undefined, `${what}: no window and nothing visible, but a summary ${JSON.stringify(summary)}`);
    return false;
  }
  assert.ok(summary, `${what} is undefined, but ${onDevice.length} messages are visible${anyWindow ? ' and the party has a window' : ''}`);
  assert.equal(summary.deviceId, deviceId, `${what}.deviceId`);
  assert.equal(summary.type, type, `${what}.type`);
  expectCounts(summary, world, onDevice, what);

  if (party.operator) {
    assert.deepEqual(summary.windows, [{ basis: 'operator', from: new Date(-8_640_000_000_000_000), to: null }], `${what}.windows`);
  }
  for (const p of [...summary.windows, ...summary.links, ...summary.responsible]) {
    assert.ok(p.to === null || p.from < p.to, `${what}: an empty period ${JSON.stringify(p)}`);
  }
  for (const t of TIMES) {
    const at = `${what} at ${new Date(t).toISOString()}`;
    const covers = (p: { from: Date; to: Date | null }) => validAt({ from: p.from.getTime(), to: p.to === null ? null : p.to.getTime() }, t);
    if (!party.operator) {
      const bases: string[] = summary.windows.filter(covers).map((w) => w.basis);
      assert.equal(bases.includes('responsible-supplier'), supplierAt(t), `${at}: responsible-supplier window [${bases}]`);
      assert.equal(bases.includes('network-operator'), operatorAt(t), `${at}: network-operator window [${bases}]`);
      assert.equal(new Set(bases).size, bases.length, `${at}: overlapping windows of one basis [${bases}]`);
    }
    const inWindow = party.operator || supplierAt(t) || operatorAt(t);
    const links = summary.links.filter(covers).map((l) => l.mpxn).sort();
    const wantLinks = inWindow ? world.links.filter((l) => l.deviceId === deviceId && validAt(l, t)).map((l) => l.mpxn).sort() : [];
    assert.deepEqual(links, wantLinks, `${at}: links (actual) against the reference data in the party's windows (expected)`);
    const responsible = summary.responsible.filter(covers).map((r) => `${r.basis} ${r.partyId} ${r.role} ${r.mpxn}`).sort();
    const wantResponsible = inWindow ? responsibleAt(world, deviceId, t).sort() : [];
    assert.deepEqual(responsible, wantResponsible, `${at}: responsible (actual) against the reference data in the party's windows (expected)`);
  }
  return true;
}

function expectCounts(summary: DeviceSummary, world: PlainWorld, onDevice: readonly CapturedMessage[], what: string): void {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, onDevice.filter((m) => m.message.kind === k).length]));
  const byOriginatorRole: Record<string, number> = {};
  for (const m of onDevice) {
    const originator = m.message.requestId?.originator;
    const role =
      originator === undefined ? 'none' : (world.parties.flatMap((p) => p.userIds).find((u) => u.userId === originator)?.role ?? 'unknown');
    byOriginatorRole[role] = (byOriginatorRole[role] ?? 0) + 1;
  }
  assert.deepEqual(summary.counts, { total: onDevice.length, byKind, byOriginatorRole }, `${what}.counts (actual) against the plain rules (expected)`);
}

/**
 * Who is responsible for the device at t, plainly: the IS / GS registered for an MPxN the device is linked to at t,
 * and the holder of a certificate on it at t when that holder has an ED or GT User ID (its role: ED if it has one).
 */
function responsibleAt(world: PlainWorld, deviceId: string, t: number): string[] {
  const out: string[] = [];
  for (const link of world.links) {
    if (link.deviceId !== deviceId || !validAt(link, t)) continue;
    for (const reg of world.registrations) {
      if (reg.mpxn === link.mpxn && (reg.role === 'IS' || reg.role === 'GS') && validAt(reg, t)) {
        out.push(`responsible-supplier ${reg.partyId} ${reg.role} ${reg.mpxn}`);
      }
    }
  }
  for (const cert of world.certificates) {
    if (cert.deviceId !== deviceId || !validAt(cert, t)) continue;
    const roles = world.parties.find((p) => p.id === cert.partyId)?.userIds.map((u) => u.role) ?? [];
    const role = roles.includes('ED') ? 'ED' : roles.includes('GT') ? 'GT' : undefined;
    if (role) out.push(`network-operator ${cert.partyId} ${role} null`);
  }
  return out;
}
