import { formatRequestId, type DuisMessage } from '../../src/duis/duis-message.js';
import type { PartyRecord, ReferenceDocument } from '../../src/reference/reference-document.js';

/*
 * A deliberately plain reference implementation of the visibility rules (DOMAIN.md, "The visibility rules"),
 * the oracle of the property test. It loops over the raw reference data and the raw messages for every single
 * judgement: no windows, no indexes, no SQL, nothing precomputed. Slow on purpose, so it is easy to check by
 * reading it next to DOMAIN.md.
 */

/** The reference data as currently known: one row per period, exactly as the applied documents said. */
export interface PlainWorld {
  parties: PartyRecord[];
  links: Array<{ deviceId: string; mpxn: string; from: number; to: number | null }>;
  registrations: Array<{ mpxn: string; role: string; partyId: string; from: number; to: number | null }>;
  certificates: Array<{ deviceId: string; partyId: string; from: number; to: number | null }>;
}

/** A distinct captured message: what was parsed, when the feed received it, and its store id. */
export interface CapturedMessage {
  id: string;
  message: DuisMessage;
  receivedAt: number;
}

export type PlainRule = 'own' | 'responsible-supplier' | 'network-operator' | 'thread' | 'operator';

export function emptyWorld(): PlainWorld {
  return { parties: [], links: [], registrations: [], certificates: [] };
}

/**
 * The world after applying `doc` (ReferenceDocument's replace semantics): parties upserted by id; each links or
 * certificates entry replaces that device's whole history; each registrations entry replaces that (MPxN, role)
 * history; an empty history erases.
 */
export function applyDocument(world: PlainWorld, doc: ReferenceDocument): PlainWorld {
  let parties = [...world.parties];
  for (const p of doc.parties) {
    parties = parties.filter((q) => q.id !== p.id);
    parties.push(p);
  }
  let links = [...world.links];
  for (const h of doc.links) {
    links = links.filter((l) => l.deviceId !== h.deviceId);
    for (const p of h.history) links.push({ deviceId: h.deviceId, mpxn: p.mpxn, from: p.from, to: p.to });
  }
  let registrations = [...world.registrations];
  for (const h of doc.registrations) {
    registrations = registrations.filter((r) => !(r.mpxn === h.mpxn && r.role === h.role));
    for (const p of h.history) registrations.push({ mpxn: h.mpxn, role: h.role, partyId: p.partyId, from: p.from, to: p.to });
  }
  let certificates = [...world.certificates];
  for (const h of doc.certificates) {
    certificates = certificates.filter((c) => c.deviceId !== h.deviceId);
    for (const p of h.history) certificates.push({ deviceId: h.deviceId, partyId: p.partyId, from: p.from, to: p.to });
  }
  return { parties, links, registrations, certificates };
}

/** Half-open `[from, to)`, `to: null` still valid. */
export function validAt(period: { from: number; to: number | null }, t: number): boolean {
  return period.from <= t && (period.to === null || t < period.to);
}

/**
 * t(M): a request's receipt time; an answer's ResponseDateTime, else its receipt time. Written here from
 * DOMAIN.md rather than imported from the pipeline, so the oracle shares no code with what it checks (the
 * generated ResponseDateTimes are always valid, so the pipeline's fallback for unreadable ones never applies).
 */
export function timeOf(m: Pick<CapturedMessage, 'message' | 'receivedAt'>): number {
  const { kind, responseDateTime } = m.message;
  return kind === 'request' || responseDateTime === null ? m.receivedAt : Date.parse(responseDateTime);
}

/** U(M): a request's or acknowledgement's RequestID originator; a response's or alert's ResponseID recipient. */
export function userOf(m: CapturedMessage): string | null {
  const msg = m.message;
  if (msg.kind === 'request' || msg.kind === 'acknowledgement') return msg.requestId ? msg.requestId.originator : null;
  return msg.responseId ? msg.responseId.recipient : null;
}

/** The captured requests carrying the same RequestID as `m` (several when different bytes share one). */
export function capturedRequestsOf(m: CapturedMessage, all: readonly CapturedMessage[]): CapturedMessage[] {
  if (m.message.kind === 'request' || m.message.requestId === null) return [];
  const text = formatRequestId(m.message.requestId);
  const out: CapturedMessage[] = [];
  for (const r of all) {
    if (r.message.kind === 'request' && r.message.requestId !== null && formatRequestId(r.message.requestId) === text) out.push(r);
  }
  return out;
}

/** S(M): the message's own devices plus, for an answer carrying a RequestID, every captured such request's devices. */
export function subjectsOf(m: CapturedMessage, all: readonly CapturedMessage[]): string[] {
  const out: string[] = [];
  for (const d of m.message.deviceIds) if (!out.includes(d)) out.push(d);
  for (const r of capturedRequestsOf(m, all)) for (const d of r.message.deviceIds) if (!out.includes(d)) out.push(d);
  return out;
}

/** Rule 2: some d in `devices` linked at t to an MPxN on which the party is registered IS or GS at t. */
export function responsibleSupplier(world: PlainWorld, partyId: string, devices: readonly string[], t: number): boolean {
  for (const d of devices) {
    for (const link of world.links) {
      if (link.deviceId !== d || !validAt(link, t)) continue;
      for (const reg of world.registrations) {
        if (reg.mpxn !== link.mpxn || (reg.role !== 'IS' && reg.role !== 'GS')) continue;
        if (reg.partyId === partyId && validAt(reg, t)) return true;
      }
    }
  }
  return false;
}

/** Rule 3: the party holds an ED or GT User ID and a certificate valid at t on some d in `devices`. */
export function networkOperator(world: PlainWorld, partyId: string, devices: readonly string[], t: number): boolean {
  const party = world.parties.find((p) => p.id === partyId);
  if (!party || !party.userIds.some((u) => u.role === 'ED' || u.role === 'GT')) return false;
  for (const d of devices) {
    for (const cert of world.certificates) {
      if (cert.deviceId === d && cert.partyId === partyId && validAt(cert, t)) return true;
    }
  }
  return false;
}

/** Every rule under which the party sees the message (empty: it does not see it). */
export function plainRules(world: PlainWorld, all: readonly CapturedMessage[], partyId: string, m: CapturedMessage): Set<PlainRule> {
  const rules = new Set<PlainRule>();
  const party = world.parties.find((p) => p.id === partyId);
  if (!party) return rules;
  if (party.operator) rules.add('operator');
  const t = timeOf(m);
  const user = userOf(m);
  if (user !== null && party.userIds.some((u) => u.userId === user)) rules.add('own');
  const devices = subjectsOf(m, all);
  if (responsibleSupplier(world, partyId, devices, t)) rules.add('responsible-supplier');
  if (networkOperator(world, partyId, devices, t)) rules.add('network-operator');
  for (const r of capturedRequestsOf(m, all)) {
    const tr = timeOf(r);
    const rd = subjectsOf(r, all);
    if (responsibleSupplier(world, partyId, rd, tr) || networkOperator(world, partyId, rd, tr)) rules.add('thread');
  }
  return rules;
}

export function plainVisible(world: PlainWorld, all: readonly CapturedMessage[], partyId: string, m: CapturedMessage): boolean {
  return plainRules(world, all, partyId, m).size > 0;
}

/** Whether U(M) is one of the party's own User IDs (what `othersOnly` leaves out). */
export function isOwnTraffic(world: PlainWorld, partyId: string, m: CapturedMessage): boolean {
  const party = world.parties.find((p) => p.id === partyId);
  const user = userOf(m);
  return party !== undefined && user !== null && party.userIds.some((u) => u.userId === user);
}

/** The `mpxn` listing filter: some device of `devices` linked to the MPxN at t. */
export function linkedAt(world: PlainWorld, devices: readonly string[], mpxn: string, t: number): boolean {
  for (const d of devices) {
    for (const link of world.links) {
      if (link.deviceId === d && link.mpxn === mpxn && validAt(link, t)) return true;
    }
  }
  return false;
}

/** Newest first by (t(M), id): the order every listing must return. */
export function newestFirst(a: CapturedMessage, b: CapturedMessage): number {
  const dt = timeOf(b) - timeOf(a);
  if (dt !== 0) return dt;
  const ia = BigInt(a.id);
  const ib = BigInt(b.id);
  return ib > ia ? 1 : ib < ia ? -1 : 0;
}
