import type { MessageKind } from '../duis/duis-message.js';
import type { Eui64 } from '../duis/eui64.js';
import type { Period, RegistrationRole } from '../reference/reference-document.js';
import type { ReferenceFacts } from './reference-facts.js';
import type { Viewer } from './viewer.js';

/**
 * A device as one party sees it (`PartyView.deviceSummary`, `GET /api/v1/devices/{deviceId}`). Everything in it
 * about who was responsible and where the device was installed is clipped to the party's own **windows** on the
 * device: a supplier learns neither who supplied the meter before or after it, nor where it hung then.
 */
export interface DeviceSummary {
  /** Normalised EUI-64. */
  deviceId: Eui64;
  /** Device type from the reference data; `null` when the device is not in it. */
  type: string | null;
  /** MPxN links, clipped to the party's windows, by `from` then MPxN. */
  links: DeviceLinkPeriod[];
  /** Responsible Suppliers and Relevant Network Operators of the device, clipped to the party's windows, by `from`. */
  responsible: ResponsibleParty[];
  /** The party's own windows on the device, by `from`; empty when it sees the device's messages only by rules 1 and 4. */
  windows: DeviceWindow[];
  /** Exactly the messages `listMessages({ deviceId })` returns to the party. */
  counts: DeviceMessageCounts;
}

/**
 * A period in which rule 2 or 3 grants the party the device's traffic, merged per basis (adjacent or overlapping
 * periods of one basis are one window). `operator`: a DCC operator's one window over all time.
 */
export interface DeviceWindow {
  basis: 'responsible-supplier' | 'network-operator' | 'operator';
  from: Date;
  /** `null`: still open. */
  to: Date | null;
}

export interface DeviceLinkPeriod {
  mpxn: string;
  from: Date;
  to: Date | null;
}

/**
 * Who was responsible for the device, and when, by the same facts rules 2 and 3 read: the IS / GS registration of
 * an MPxN while the device was linked to it (`responsible-supplier`, period = link ∩ registration), and the holder
 * of the device's network-operator certificate when it has an ED or GT User ID (`network-operator`, `mpxn: null`,
 * role = its ED User ID's role, else GT). A certificate held by a party without such a User ID grants nothing
 * (rule 3) and is not listed.
 */
export interface ResponsibleParty {
  partyId: string;
  basis: 'responsible-supplier' | 'network-operator';
  role: RegistrationRole;
  mpxn: string | null;
  from: Date;
  to: Date | null;
}

export interface DeviceMessageCounts {
  total: number;
  /** Every kind present, zeros included. */
  byKind: Record<MessageKind, number>;
  /**
   * By the User Role (reference data, `party_user_ids`) of the RequestID's originator, only the roles that occur:
   * `unknown` when the originator's User ID is not in the reference data, `none` for messages without a RequestID.
   */
  byOriginatorRole: Record<string, number>;
}

/** A window in epoch ms. */
export interface WindowPeriod extends Period {
  basis: DeviceWindow['basis'];
}

/** The earliest instant a `Date` can hold: where an operator's window starts. */
export const ALL_TIME_FROM = -8_640_000_000_000_000;

/**
 * The viewer's windows on `device`: rules 2 and 3 of `deviceReasons` (visibility-rules.ts) as periods, from the
 * same facts. Responsible Supplier: a link of the device to an MPxN intersected with one of the viewer's IS / GS
 * registrations of that MPxN. Relevant Network Operator: a certificate of the viewer on the device, when the
 * viewer has an ED or GT User ID. So t lies in a window exactly when `deviceReasons([device], t, ...)` is not
 * empty. `facts` must hold `device`.
 */
export function deviceWindows(device: bigint, viewer: Viewer, facts: Pick<ReferenceFacts, 'links' | 'supply' | 'certificates'>): WindowPeriod[] {
  if (viewer.operator) return [{ basis: 'operator', from: ALL_TIME_FROM, to: null }];
  const supplier: Period[] = [];
  for (const link of facts.links.get(device) ?? []) {
    for (const reg of facts.supply.get(link.mpxn) ?? []) {
      const both = intersect(link, reg);
      if (both) supplier.push(both);
    }
  }
  const operator = viewer.networkOperatorUser ? (facts.certificates.get(device) ?? []) : [];
  return [
    ...mergePeriods(supplier).map((p) => ({ basis: 'responsible-supplier' as const, ...p })),
    ...mergePeriods(operator).map((p) => ({ basis: 'network-operator' as const, ...p })),
  ].sort((a, b) => a.from - b.from);
}

/** The periods as disjoint, non-adjacent periods covering the same instants, by `from`. */
export function mergePeriods(periods: readonly Period[]): Period[] {
  const sorted = [...periods].sort((a, b) => a.from - b.from);
  const out: Period[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last && (last.to === null || p.from <= last.to)) {
      if (last.to !== null && (p.to === null || p.to > last.to)) last.to = p.to;
    } else {
      out.push({ from: p.from, to: p.to });
    }
  }
  return out;
}

/** The parts of each item inside `cover` (disjoint periods, as `mergePeriods` gives), each clipped to it. */
export function clipToPeriods<T extends Period>(items: readonly T[], cover: readonly Period[]): T[] {
  const out: T[] = [];
  for (const item of items) {
    for (const c of cover) {
      const both = intersect(item, c);
      if (both) out.push({ ...item, ...both });
    }
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The common part of two half-open periods, or `undefined` when they do not overlap. */
export function intersect(a: Period, b: Period): Period | undefined {
  const from = Math.max(a.from, b.from);
  const to = a.to === null ? b.to : b.to === null ? a.to : Math.min(a.to, b.to);
  return to === null || from < to ? { from, to } : undefined;
}
