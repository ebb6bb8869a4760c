import fc from 'fast-check';
import type {
  CertificateHistory,
  DeviceType,
  LinkHistory,
  PartyRecord,
  ReferenceDocument,
  RegistrationHistory,
  RegistrationRole,
  UserRole,
} from '../../src/reference/reference-document.js';
import {
  BOUNDS,
  DEVICE_TYPES_USED,
  MAX_DEVICES,
  MAX_PARTIES,
  MPXNS,
  PARTY_ROLES,
  deviceIdOf,
  isMpan,
  partyId,
  userIdOf,
} from './world-constants.js';

/*
 * Random reference data, generated as small integers (indexes into the world's vocabulary) and resolved into a
 * valid ReferenceDocument afterwards: integers and arrays shrink well, so a failing world shrinks to a few rows.
 */

/** One raw period: starts on boundary `start`, lasts `span` boundaries (0: still valid), names value #`value`. */
export interface RawPeriod {
  start: number;
  span: number;
  value: number;
}

export interface RawParty {
  operator: boolean;
  roles: UserRole[];
}

export interface RawReference {
  links: Array<{ device: number; tracks: Array<{ mpxn: number; history: RawPeriod[] }> }>;
  registrations: Array<{ mpxn: number; role: number; history: RawPeriod[] }>;
  certificates: Array<{ device: number; history: RawPeriod[] }>;
}

export interface RawCorrection extends RawReference {
  /** New User ID lists (roles) for some parties, and rarely an operator flag flipped. */
  parties: Array<{ party: number; roles: UserRole[]; flipOperator: boolean }>;
}

/** True once in `oneIn`; shrinks to false. */
/** `null` or a value of `arb`, in the ratio `nullWeight` : `valueWeight`; shrinks to `null`. */
export function orNull<T>(arb: fc.Arbitrary<T>, nullWeight: number, valueWeight: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: nullWeight }, { arbitrary: arb, weight: valueWeight });
}

export const rarely = (oneIn: number) => fc.nat(oneIn - 1).map((n) => n === oneIn - 1);

export const partyArb: fc.Arbitrary<RawParty> = fc.record({
  operator: rarely(10),
  roles: fc.subarray([...PARTY_ROLES], { maxLength: 3 }),
});

export const devicesArb: fc.Arbitrary<DeviceType[]> = fc.array(fc.constantFrom(...DEVICE_TYPES_USED), {
  minLength: 1,
  maxLength: MAX_DEVICES,
});

const periodArb: fc.Arbitrary<RawPeriod> = fc.record({
  start: fc.nat(BOUNDS.length - 2),
  span: fc.nat(BOUNDS.length - 1),
  value: fc.nat(MAX_PARTIES - 1),
});
const historyArb = (minLength: number, maxLength: number) => fc.array(periodArb, { minLength, maxLength });
/** See `registrationRole`: the supplier role (0) twice as often as the network operator's (1). */
const registrationRoleArb = fc.nat(2).map((k) => (k === 2 ? 1 : 0));

/** `first`: the first document (every list and history non-empty); otherwise a correction (empty histories erase). */
function rawReferenceArb(max: number, first: boolean): fc.Arbitrary<RawReference> {
  const min = first ? 1 : 0;
  return fc.record({
    links: fc.array(
      fc.record({
        device: fc.nat(MAX_DEVICES - 1),
        // Two tracks: a CHF (or PPMID) linked to an MPAN and an MPRN at once.
        tracks: fc.array(fc.record({ mpxn: fc.nat(MPXNS.length - 1), history: historyArb(min, 3) }), { minLength: min, maxLength: 2 }),
      }),
      { minLength: min, maxLength: max },
    ),
    registrations: fc.array(
      fc.record({ mpxn: fc.nat(MPXNS.length - 1), role: registrationRoleArb, history: historyArb(min, 3) }),
      { minLength: min, maxLength: max },
    ),
    certificates: fc.array(fc.record({ device: fc.nat(MAX_DEVICES - 1), history: historyArb(min, 3) }), { maxLength: max }),
  });
}

export const referenceArb = rawReferenceArb(MAX_DEVICES, true);

export const correctionArb: fc.Arbitrary<RawCorrection> = fc
  .tuple(
    rawReferenceArb(3, false),
    fc.array(
      fc.record({ party: fc.nat(MAX_PARTIES - 1), roles: fc.subarray([...PARTY_ROLES], { maxLength: 3 }), flipOperator: rarely(6) }),
      { maxLength: 2 },
    ),
  )
  .map(([ref, parties]) => ({ ...ref, parties }));

/** Sorted, non-overlapping periods: a later start cuts the previous period short (an exchange, a CoS). */
export function resolveHistory<T>(raw: readonly RawPeriod[], values: readonly T[]): Array<{ from: number; to: number | null; value: T }> {
  const out: Array<{ from: number; to: number | null; value: T }> = [];
  for (const r of [...raw].sort((a, b) => a.start - b.start)) {
    const from = BOUNDS[r.start]!;
    const end = r.start + r.span;
    const to = r.span === 0 || end >= BOUNDS.length ? null : BOUNDS[end]!;
    const prev = out.at(-1);
    if (prev && prev.from === from) continue;
    if (prev && (prev.to === null || prev.to > from)) prev.to = from;
    out.push({ from, to, value: values[r.value % values.length]! });
  }
  return out;
}

/** Registration role #k of an MPxN: 0 its Responsible Supplier role (IS / GS), 1 its network operator role (ED / GT). */
function registrationRole(mpxn: string, k: number): RegistrationRole {
  const order: RegistrationRole[] = isMpan(mpxn) ? ['IS', 'ED'] : ['GS', 'GT'];
  return order[k % 2]!;
}

export function partyRecord(i: number, raw: RawParty): PartyRecord {
  const roles = [...new Set(raw.roles)];
  return { id: partyId(i), name: `Party ${i}`, operator: raw.operator, userIds: roles.map((role) => ({ userId: userIdOf(i, role), role })) };
}

/** The histories of `raw` over the world's parties and devices; a later entry for the same key is dropped. */
export function resolveHistories(raw: RawReference, partyCount: number, deviceCount: number): Omit<ReferenceDocument, 'parties' | 'devices'> {
  const partyIds = Array.from({ length: partyCount }, (_, i) => partyId(i));
  const links: LinkHistory[] = [];
  for (const entry of raw.links) {
    const deviceId = deviceIdOf(entry.device % deviceCount);
    if (links.some((l) => l.deviceId === deviceId)) continue;
    const seen = new Set<string>();
    const history: LinkHistory['history'] = [];
    for (const track of entry.tracks) {
      const mpxn = MPXNS[track.mpxn]!;
      if (seen.has(mpxn)) continue;
      seen.add(mpxn);
      for (const p of resolveHistory(track.history, [mpxn])) history.push({ mpxn, from: p.from, to: p.to });
    }
    links.push({ deviceId, history: history.sort((a, b) => a.from - b.from || a.mpxn.localeCompare(b.mpxn)) });
  }
  const registrations: RegistrationHistory[] = [];
  for (const entry of raw.registrations) {
    const mpxn = MPXNS[entry.mpxn]!;
    const role = registrationRole(mpxn, entry.role);
    if (registrations.some((r) => r.mpxn === mpxn && r.role === role)) continue;
    const history = resolveHistory(entry.history, partyIds).map((p) => ({ partyId: p.value, from: p.from, to: p.to }));
    registrations.push({ mpxn, role, history });
  }
  const certificates: CertificateHistory[] = [];
  for (const entry of raw.certificates) {
    const deviceId = deviceIdOf(entry.device % deviceCount);
    if (certificates.some((c) => c.deviceId === deviceId)) continue;
    const history = resolveHistory(entry.history, partyIds).map((p) => ({ partyId: p.value, from: p.from, to: p.to }));
    certificates.push({ deviceId, history });
  }
  return { links, registrations, certificates };
}

/** The first document: every party and device, and the histories. */
export function resolveReference(parties: readonly RawParty[], devices: readonly DeviceType[], raw: RawReference): ReferenceDocument {
  return {
    parties: parties.map((p, i) => partyRecord(i, p)),
    devices: devices.map((type, i) => ({ deviceId: deviceIdOf(i), type })),
    ...resolveHistories(raw, parties.length, devices.length),
  };
}

/** The correction: replaced histories (possibly empty: erased) and replaced User ID lists. */
export function resolveCorrection(parties: readonly RawParty[], devices: readonly DeviceType[], raw: RawCorrection): ReferenceDocument {
  const records: PartyRecord[] = [];
  for (const change of raw.parties) {
    const i = change.party % parties.length;
    if (records.some((r) => r.id === partyId(i))) continue;
    const before = parties[i]!;
    records.push(partyRecord(i, { operator: change.flipOperator ? !before.operator : before.operator, roles: change.roles }));
  }
  return { parties: records, devices: [], ...resolveHistories(raw, parties.length, devices.length) };
}
