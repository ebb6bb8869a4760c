import type { Eui64 } from '../duis/eui64.js';
import type { PartyPeriod, ReferenceDocument } from '../reference/reference-document.js';
import type { SynthRole, SynthWorld } from './synth-types.js';
import type { DeviceInfo } from './world-index.js';

/**
 * Who holds each role for a device at a given time, according to a reference document built from the same world
 * ({@link referenceDocument}): the Responsible Supplier through the registrations of the premises' MPAN (IS) or
 * MPRN (GS), the network operator through the device's certificate (ED / GT) or, without one, the supply
 * point's registration. Lets the traffic follow Changes of Supplier and certificate changes (the `reference`
 * option of the traffic generator). Answers User IDs: the party's User ID of the asked role.
 */
export class ReferenceTimeline {
  readonly #premisesOf = new Map<Eui64, { mpan: string | null; mprn: string | null }>();
  readonly #registrations = new Map<string, PartyPeriod[]>();
  readonly #certificates = new Map<Eui64, PartyPeriod[]>();
  /** `${partyId} ${role}` → the party's User ID of that role. */
  readonly #userOf = new Map<string, Eui64>();
  readonly #roleOf = new Map<Eui64, SynthRole>();

  constructor(world: SynthWorld, doc: ReferenceDocument) {
    const premises = new Map(world.premises.map((p) => [p.premisesId, { mpan: p.mpan, mprn: p.mprn }]));
    for (const d of world.devices) this.#premisesOf.set(d.deviceId, premises.get(d.premisesId)!);
    for (const r of doc.registrations) this.#registrations.set(`${r.mpxn} ${r.role}`, r.history);
    for (const c of doc.certificates) this.#certificates.set(c.deviceId, c.history);
    for (const p of doc.parties) {
      for (const u of p.userIds) {
        const key = `${p.id} ${u.role}`;
        if (!this.#userOf.has(key)) this.#userOf.set(key, u.userId);
      }
    }
    for (const u of world.users) this.#roleOf.set(u.userId, u.role);
  }

  /** The User ID holding `role` (IS, GS, ED, GT) for the device at `t`, or `undefined` when nobody does. */
  userAt(device: DeviceInfo, role: SynthRole, t: number): Eui64 | undefined {
    if (role === 'ED' || role === 'GT') {
      const holder = at(this.#certificates.get(device.id), t);
      const user = holder === undefined ? undefined : this.#userOf.get(`${holder} ${role}`);
      if (user !== undefined) return user;
    }
    const party = this.#registeredAt(device, role, t);
    return party === undefined ? undefined : this.#userOf.get(`${party} ${role}`);
  }

  /** The supplier the device's alerts go to at `t` (the world's `supplier` follows its registration). */
  supplierAt(device: DeviceInfo, t: number): Eui64 {
    return this.userAt(device, this.#roleOf.get(device.supplier)!, t) ?? device.supplier;
  }

  /** The network operator the device's network alerts go to at `t`. */
  networkOperatorAt(device: DeviceInfo, t: number): Eui64 {
    const role = this.#roleOf.get(device.networkOperator);
    if (role !== 'ED' && role !== 'GT') return device.networkOperator;
    return this.userAt(device, role, t) ?? device.networkOperator;
  }

  /** The supplier (IS / GS User ID) that lost the device's supply point in a Change of Supplier before `t`, if any. */
  previousSupplier(device: DeviceInfo, role: 'IS' | 'GS', t: number): Eui64 | undefined {
    const history = this.#registrationHistory(device, role);
    if (!history) return undefined;
    let previous: string | undefined;
    for (const p of history) {
      if (p.from > t) break;
      if (p.to !== null && p.to <= t) previous = p.partyId;
    }
    return previous === undefined ? undefined : this.#userOf.get(`${previous} ${role}`);
  }

  /** When the device's supply point of `role` (IS / GS) first changed supplier, or `undefined`. */
  supplierChangeAt(device: DeviceInfo, role: 'IS' | 'GS'): number | undefined {
    const first = this.#registrationHistory(device, role)?.[0];
    return first?.to ?? undefined;
  }

  #registeredAt(device: DeviceInfo, role: SynthRole, t: number): string | undefined {
    return at(this.#registrationHistory(device, role), t);
  }

  #registrationHistory(device: DeviceInfo, role: SynthRole): PartyPeriod[] | undefined {
    const home = this.#premisesOf.get(device.id);
    const mpxn = role === 'IS' || role === 'ED' ? home?.mpan : role === 'GS' || role === 'GT' ? home?.mprn : null;
    return mpxn ? this.#registrations.get(`${mpxn} ${role}`) : undefined;
  }
}

function at(history: readonly PartyPeriod[] | undefined, t: number): string | undefined {
  if (!history) return undefined;
  for (const p of history) if (p.from <= t && (p.to === null || t < p.to)) return p.partyId;
  return undefined;
}
