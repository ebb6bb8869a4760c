import { sql, type Kysely, type Transaction } from 'kysely';
import { bigIntToEui64, eui64ToBigInt, normaliseEui64, type Eui64 } from '../duis/eui64.js';
import { ReferenceError } from '../errors.js';
import type { Db } from '../store/db-schema.js';
import type { StoreBackend } from '../store/message-store.js';
import { chunked, keyText } from '../store/sql-helpers.js';
import {
  NETWORK_OPERATOR_ROLES,
  type CertificateHistory,
  type DeviceRecord,
  type DeviceType,
  type LinkHistory,
  type PartyPeriod,
  type PartyRecord,
  type ReferenceDocument,
  type ReferenceProblem,
  type RegistrationHistory,
  type RegistrationRole,
  type UserRole,
} from './reference-document.js';
import type { HistoryChanges, ReferenceImportResult, ReferenceStore } from './reference-store.js';

// Rows per multi-row INSERT: 4–5 columns each stays far below SQLite's and PostgreSQL's parameter limits.
const INSERT_ROWS = 400;

/**
 * Devices and histories an import must replace before PostgreSQL's statistics of the reference tables are
 * refreshed at once. Bulk loads outrun autovacuum's analyze (and some servers run without autovacuum): with
 * statistics of a near-empty table, the planner scanned all of `device_links` for each later slice's lookups
 * (484 s instead of 153 s to load 1,000,000 devices in 50 slices). ANALYZE samples a fixed number of
 * rows, so it costs well under a second however large the tables are.
 */
const ANALYZE_AFTER_CHANGES = 10_000;

/** {@link ReferenceStore} on the message store's database (both backends through Kysely). */
export class KyselyReferenceStore implements ReferenceStore {
  readonly #db: Kysely<Db>;
  readonly #backend: StoreBackend;

  constructor(db: Kysely<Db>, backend: StoreBackend) {
    this.#db = db;
    this.#backend = backend;
  }

  async apply(doc: ReferenceDocument): Promise<ReferenceImportResult> {
    const result = await this.#applyInTransaction(doc);
    if (this.#backend === 'postgres' && changedRows(result) >= ANALYZE_AFTER_CHANGES) {
      // The import is committed by now: a failed ANALYZE (the connection lost, say) must not report it as failed.
      // The statistics then wait for autovacuum or the next large import.
      await sql`ANALYZE devices, device_links, registrations, certificates`.execute(this.#db).catch(() => {});
    }
    return result;
  }

  #applyInTransaction(doc: ReferenceDocument): Promise<ReferenceImportResult> {
    return this.#db.transaction().execute(async (trx) => {
      const problems = [...(await this.#checkParties(trx, doc)), ...(await this.#checkUserIds(trx, doc))];
      if (problems.length) throw new ReferenceError('REFERENCE_INVALID', problems);
      const parties = await applyParties(trx, doc.parties);
      const devices = await applyDevices(trx, doc.devices);
      const links = await applyLinks(trx, doc.links);
      const registrations = await applyRegistrations(trx, doc.registrations);
      const certificates = await applyCertificates(trx, doc.certificates);
      const warnings = await certificateWarnings(trx, doc.certificates);
      return { parties, devices, links, registrations, certificates, warnings };
    });
  }

  async getParty(id: string): Promise<PartyRecord | undefined> {
    return (await readParties(this.#db, [id]))[0];
  }

  async listParties(): Promise<PartyRecord[]> {
    const ids = await this.#db.selectFrom('parties').select('id').orderBy('id').execute();
    return readParties(this.#db, ids.map((r) => r.id));
  }

  async userIdOwner(userId: Eui64): Promise<{ partyId: string; role: UserRole } | undefined> {
    const id = normaliseEui64(userId);
    if (!id) return undefined;
    const row = await this.#db
      .selectFrom('party_user_ids')
      .select(['party_id', 'role'])
      .where('user_id', '=', eui64ToBigInt(id))
      .executeTakeFirst();
    return row && { partyId: row.party_id, role: row.role as UserRole };
  }

  async getDevice(deviceId: Eui64): Promise<{ device: DeviceRecord | undefined; links: LinkHistory; certificates: CertificateHistory }> {
    const id = normaliseEui64(deviceId);
    const empty = { device: undefined, links: { deviceId, history: [] }, certificates: { deviceId, history: [] } };
    if (!id) return empty;
    const key = eui64ToBigInt(id);
    const device = await this.#db.selectFrom('devices').select('type').where('device', '=', key).executeTakeFirst();
    return {
      device: device && { deviceId: id, type: device.type as DeviceType },
      links: (await readLinks(this.#db, [key])).get(id) ?? { deviceId: id, history: [] },
      certificates: (await readCertificates(this.#db, [key])).get(id) ?? { deviceId: id, history: [] },
    };
  }

  async getRegistrations(mpxn: string): Promise<RegistrationHistory[]> {
    return [...(await readRegistrations(this.#db, [mpxn])).values()];
  }

  /** Every `partyId` of a registration or certificate must name a party in the document or already stored. */
  async #checkParties(trx: Transaction<Db>, doc: ReferenceDocument): Promise<ReferenceProblem[]> {
    const inDocument = new Set(doc.parties.map((p) => p.id));
    const uses: Array<{ path: string; partyId: string }> = [];
    doc.registrations.forEach((r, i) => r.history.forEach((h, j) => uses.push({ path: `registrations[${i}].history[${j}].partyId`, partyId: h.partyId })));
    doc.certificates.forEach((c, i) => c.history.forEach((h, j) => uses.push({ path: `certificates[${i}].history[${j}].partyId`, partyId: h.partyId })));
    const wanted = [...new Set(uses.map((u) => u.partyId).filter((id) => !inDocument.has(id)))];
    const stored = new Set<string>();
    for (const ids of chunked(wanted)) {
      for (const r of await trx.selectFrom('parties').select('id').where('id', 'in', ids).execute()) stored.add(r.id);
    }
    return uses
      .filter((u) => !inDocument.has(u.partyId) && !stored.has(u.partyId))
      .map((u) => ({ path: u.path, message: `unknown party ${JSON.stringify(u.partyId)} (not stored and not in this document)` }));
  }

  /** A User ID belongs to one party: one stored under another party must be released by this document. */
  async #checkUserIds(trx: Transaction<Db>, doc: ReferenceDocument): Promise<ReferenceProblem[]> {
    const claims = new Map<string, { partyId: string; path: string }>();
    doc.parties.forEach((p, i) => p.userIds.forEach((u, j) => claims.set(u.userId, { partyId: p.id, path: `parties[${i}].userIds[${j}].userId` })));
    const replaced = new Set(doc.parties.map((p) => p.id));
    const problems: ReferenceProblem[] = [];
    for (const ids of chunked([...claims.keys()])) {
      const rows = await trx
        .selectFrom('party_user_ids')
        .select([keyText('user_id').as('user_id'), 'party_id'])
        .where('user_id', 'in', ids.map(eui64ToBigInt))
        .execute();
      for (const r of rows) {
        const userId = bigIntToEui64(BigInt(r.user_id));
        const claim = claims.get(userId)!;
        // Held by another party that this document does not replace (a replaced party gives up what it omits).
        if (r.party_id !== claim.partyId && !replaced.has(r.party_id)) {
          problems.push({ path: claim.path, message: `User ID ${userId} is held by party ${JSON.stringify(r.party_id)}` });
        }
      }
    }
    return problems;
  }
}

function changedRows(r: ReferenceImportResult): number {
  const histories = [r.links, r.registrations, r.certificates].reduce((n, h) => n + h.replaced + h.erased, 0);
  return r.devices.created + r.devices.updated + histories;
}

async function applyParties(trx: Transaction<Db>, parties: readonly PartyRecord[]): Promise<ReferenceImportResult['parties']> {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  if (parties.length === 0) return counts;
  const before = new Map((await readParties(trx, parties.map((p) => p.id))).map((p) => [p.id, p]));
  for (const p of parties) {
    const old = before.get(p.id);
    if (!old) counts.created++;
    else if (sameParty(old, p)) counts.unchanged++;
    else counts.updated++;
  }
  for (const ids of chunked(parties.map((p) => p.id))) {
    await trx.deleteFrom('party_user_ids').where('party_id', 'in', ids).execute();
  }
  for (const rows of chunked(parties, INSERT_ROWS)) {
    await trx
      .insertInto('parties')
      .values(rows.map((p) => ({ id: p.id, name: p.name, operator: p.operator ? 1 : 0 })))
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), operator: eb.ref('excluded.operator') })))
      .execute();
  }
  const userRows = parties.flatMap((p) => p.userIds.map((u) => ({ user_id: eui64ToBigInt(u.userId), party_id: p.id, role: u.role })));
  for (const rows of chunked(userRows, INSERT_ROWS)) await trx.insertInto('party_user_ids').values(rows).execute();
  return counts;
}

function sameParty(a: PartyRecord, b: PartyRecord): boolean {
  const users = (p: PartyRecord): string => p.userIds.map((u) => `${u.userId}/${u.role}`).sort().join(',');
  return a.name === b.name && a.operator === b.operator && users(a) === users(b);
}

async function applyDevices(trx: Transaction<Db>, devices: readonly DeviceRecord[]): Promise<ReferenceImportResult['devices']> {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  if (devices.length === 0) return counts;
  const before = new Map<string, string>();
  for (const ids of chunked(devices.map((d) => eui64ToBigInt(d.deviceId)))) {
    const rows = await trx.selectFrom('devices').select([keyText('device').as('device'), 'type']).where('device', 'in', ids).execute();
    for (const r of rows) before.set(bigIntToEui64(BigInt(r.device)), r.type);
  }
  for (const d of devices) {
    const old = before.get(d.deviceId);
    if (old === undefined) counts.created++;
    else if (old === d.type) counts.unchanged++;
    else counts.updated++;
  }
  for (const rows of chunked(devices, INSERT_ROWS)) {
    await trx
      .insertInto('devices')
      .values(rows.map((d) => ({ device: eui64ToBigInt(d.deviceId), type: d.type })))
      .onConflict((oc) => oc.column('device').doUpdateSet((eb) => ({ type: eb.ref('excluded.type') })))
      .execute();
  }
  return counts;
}

async function applyLinks(trx: Transaction<Db>, links: readonly LinkHistory[]): Promise<HistoryChanges> {
  const keys = links.map((l) => eui64ToBigInt(l.deviceId));
  const before = await readLinks(trx, keys);
  const counts = countChanges(links, (l) => historyText(before.get(l.deviceId)?.history ?? [], (h) => h.mpxn), (l) => historyText(l.history, (h) => h.mpxn));
  for (const ids of chunked(keys)) await trx.deleteFrom('device_links').where('device', 'in', ids).execute();
  const rows = links.flatMap((l, i) => l.history.map((h) => ({ device: keys[i]!, mpxn: h.mpxn, valid_from: h.from, valid_to: h.to })));
  for (const chunk of chunked(rows, INSERT_ROWS)) await trx.insertInto('device_links').values(chunk).execute();
  return counts;
}

async function applyRegistrations(trx: Transaction<Db>, registrations: readonly RegistrationHistory[]): Promise<HistoryChanges> {
  const before = await readRegistrations(trx, [...new Set(registrations.map((r) => r.mpxn))]);
  const counts = countChanges(
    registrations,
    (r) => historyText(before.get(`${r.mpxn}/${r.role}`)?.history ?? [], (h) => h.partyId),
    (r) => historyText(r.history, (h) => h.partyId),
  );
  const byRole = new Map<RegistrationRole, string[]>();
  for (const r of registrations) byRole.set(r.role, [...(byRole.get(r.role) ?? []), r.mpxn]);
  for (const [role, mpxns] of byRole) {
    for (const ids of chunked(mpxns)) await trx.deleteFrom('registrations').where('role', '=', role).where('mpxn', 'in', ids).execute();
  }
  const rows = registrations.flatMap((r) =>
    r.history.map((h) => ({ mpxn: r.mpxn, role: r.role, party_id: h.partyId, valid_from: h.from, valid_to: h.to })),
  );
  for (const chunk of chunked(rows, INSERT_ROWS)) await trx.insertInto('registrations').values(chunk).execute();
  return counts;
}

async function applyCertificates(trx: Transaction<Db>, certificates: readonly CertificateHistory[]): Promise<HistoryChanges> {
  const keys = certificates.map((c) => eui64ToBigInt(c.deviceId));
  const before = await readCertificates(trx, keys);
  const counts = countChanges(certificates, (c) => historyText(before.get(c.deviceId)?.history ?? [], (h) => h.partyId), (c) => historyText(c.history, (h) => h.partyId));
  for (const ids of chunked(keys)) await trx.deleteFrom('certificates').where('device', 'in', ids).execute();
  const rows = certificates.flatMap((c, i) => c.history.map((h) => ({ device: keys[i]!, party_id: h.partyId, valid_from: h.from, valid_to: h.to })));
  for (const chunk of chunked(rows, INSERT_ROWS)) await trx.insertInto('certificates').values(chunk).execute();
  return counts;
}

/** A certificate held by a party without an ED or GT User ID grants nothing (rule 3): worth telling the importer. */
async function certificateWarnings(trx: Transaction<Db>, certificates: readonly CertificateHistory[]): Promise<ReferenceProblem[]> {
  const holders = [...new Set(certificates.flatMap((c) => c.history.map((h) => h.partyId)))];
  const operators = new Set<string>();
  for (const ids of chunked(holders)) {
    const rows = await trx
      .selectFrom('party_user_ids')
      .select('party_id')
      .distinct()
      .where('party_id', 'in', ids)
      .where('role', 'in', [...NETWORK_OPERATOR_ROLES])
      .execute();
    for (const r of rows) operators.add(r.party_id);
  }
  const warnings: ReferenceProblem[] = [];
  certificates.forEach((c, i) =>
    c.history.forEach((h, j) => {
      if (!operators.has(h.partyId)) {
        warnings.push({
          path: `certificates[${i}].history[${j}].partyId`,
          message: `party ${JSON.stringify(h.partyId)} holds no ED or GT User ID: this certificate grants no visibility`,
        });
      }
    }),
  );
  return warnings;
}

function countChanges<T extends { history: readonly unknown[] }>(entries: readonly T[], before: (e: T) => string, after: (e: T) => string): HistoryChanges {
  const counts = { replaced: 0, erased: 0, unchanged: 0 };
  for (const e of entries) {
    const old = before(e);
    if (old === after(e)) counts.unchanged++;
    else if (e.history.length === 0) counts.erased++;
    else counts.replaced++;
  }
  return counts;
}

function historyText<H extends { from: number; to: number | null }>(history: readonly H[], name: (h: H) => string): string {
  return history.map((h) => `${name(h)}@${h.from}-${h.to ?? ''}`).sort().join(',');
}

type Reader = Kysely<Db> | Transaction<Db>;

async function readParties(db: Reader, ids: readonly string[]): Promise<PartyRecord[]> {
  const parties = new Map<string, PartyRecord>();
  for (const chunk of chunked([...ids])) {
    for (const r of await db.selectFrom('parties').select(['id', 'name', 'operator']).where('id', 'in', chunk).execute()) {
      parties.set(r.id, { id: r.id, name: r.name, operator: Boolean(r.operator), userIds: [] });
    }
    const users = await db
      .selectFrom('party_user_ids')
      .select([keyText('user_id').as('user_id'), 'party_id', 'role'])
      .where('party_id', 'in', chunk)
      .orderBy('user_id')
      .execute();
    for (const u of users) parties.get(u.party_id)?.userIds.push({ userId: bigIntToEui64(BigInt(u.user_id)), role: u.role as UserRole });
  }
  return ids.flatMap((id) => parties.get(id) ?? []);
}

async function readLinks(db: Reader, keys: readonly bigint[]): Promise<Map<Eui64, LinkHistory>> {
  return readDeviceHistories(
    keys,
    (chunk) =>
      db.selectFrom('device_links').select([keyText('device').as('device'), 'mpxn', 'valid_from', 'valid_to']).where('device', 'in', chunk).orderBy('valid_from').execute(),
    (r) => ({ mpxn: r.mpxn, from: Number(r.valid_from), to: r.valid_to === null ? null : Number(r.valid_to) }),
  );
}

async function readCertificates(db: Reader, keys: readonly bigint[]): Promise<Map<Eui64, CertificateHistory>> {
  return readDeviceHistories(
    keys,
    (chunk) =>
      db.selectFrom('certificates').select([keyText('device').as('device'), 'party_id', 'valid_from', 'valid_to']).where('device', 'in', chunk).orderBy('valid_from').execute(),
    (r) => partyPeriod(r),
  );
}

/** Per-device histories from rows read in IN-list chunks, each row turned into a period by `period`. */
async function readDeviceHistories<R extends { device: string }, P>(
  keys: readonly bigint[],
  read: (chunk: bigint[]) => Promise<R[]>,
  period: (row: R) => P,
): Promise<Map<Eui64, { deviceId: Eui64; history: P[] }>> {
  const out = new Map<Eui64, { deviceId: Eui64; history: P[] }>();
  for (const chunk of chunked([...keys])) {
    for (const r of await read(chunk)) {
      const deviceId = bigIntToEui64(BigInt(r.device));
      let entry = out.get(deviceId);
      if (!entry) out.set(deviceId, (entry = { deviceId, history: [] }));
      entry.history.push(period(r));
    }
  }
  return out;
}

/** Registration histories of the MPxNs, keyed `mpxn/role`. */
async function readRegistrations(db: Reader, mpxns: readonly string[]): Promise<Map<string, RegistrationHistory>> {
  const out = new Map<string, RegistrationHistory>();
  for (const chunk of chunked([...mpxns])) {
    const rows = await db
      .selectFrom('registrations')
      .select(['mpxn', 'role', 'party_id', 'valid_from', 'valid_to'])
      .where('mpxn', 'in', chunk)
      .orderBy('valid_from')
      .execute();
    for (const r of rows) {
      const key = `${r.mpxn}/${r.role}`;
      let entry = out.get(key);
      if (!entry) out.set(key, (entry = { mpxn: r.mpxn, role: r.role as RegistrationRole, history: [] }));
      entry.history.push(partyPeriod(r));
    }
  }
  return out;
}

function partyPeriod(r: { party_id: string; valid_from: unknown; valid_to: unknown }): PartyPeriod {
  return { partyId: r.party_id, from: Number(r.valid_from), to: r.valid_to === null ? null : Number(r.valid_to) };
}
