import type { Kysely } from 'kysely';
import type { LinkPeriod, Period, RegistrationRole } from '../reference/reference-document.js';
import { NETWORK_OPERATOR_ROLES, SUPPLIER_REGISTRATION_ROLES } from '../reference/reference-document.js';
import type { Db } from '../store/db-schema.js';
import { chunked } from '../store/sql-helpers.js';
import { intersect, type ResponsibleParty } from './device-summary.js';

/** A {@link ResponsibleParty} in epoch ms. */
export interface ResponsiblePeriod extends Period {
  partyId: string;
  basis: ResponsibleParty['basis'];
  role: RegistrationRole;
  mpxn: string | null;
}

/**
 * Every party responsible for `device` over time, whoever it is (the caller clips to the viewer's windows):
 * each IS / GS registration of an MPxN in `links` (the device's link history) for as long as it overlaps the
 * link, and each network-operator certificate on the device whose holder has an ED or GT User ID (role: ED if it
 * has one, else GT, as `loadViewer` picks). The same facts rules 2 and 3 read, for every party instead of one.
 */
export async function loadResponsibleParties(db: Kysely<Db>, device: bigint, links: readonly LinkPeriod[]): Promise<ResponsiblePeriod[]> {
  const out: ResponsiblePeriod[] = [];
  const mpxns = [...new Set(links.map((l) => l.mpxn))];
  for (const group of chunked(mpxns)) {
    const regs = await db
      .selectFrom('registrations')
      .select(['mpxn', 'role', 'party_id', 'valid_from', 'valid_to'])
      .where('role', 'in', [...SUPPLIER_REGISTRATION_ROLES])
      .where('mpxn', 'in', group)
      .execute();
    for (const r of regs) {
      const reg = { from: Number(r.valid_from), to: toMs(r.valid_to) };
      for (const link of links) {
        if (link.mpxn !== r.mpxn) continue;
        const both = intersect(link, reg);
        if (both) out.push({ partyId: r.party_id, basis: 'responsible-supplier', role: r.role as RegistrationRole, mpxn: r.mpxn, ...both });
      }
    }
  }
  const certs = await db.selectFrom('certificates').select(['party_id', 'valid_from', 'valid_to']).where('device', '=', device).execute();
  const holders = [...new Set(certs.map((c) => c.party_id))];
  const roles = new Map<string, RegistrationRole>();
  for (const group of chunked(holders)) {
    const rows = await db
      .selectFrom('party_user_ids')
      .select(['party_id', 'role'])
      .where('party_id', 'in', group)
      .where('role', 'in', [...NETWORK_OPERATOR_ROLES])
      .execute();
    // ED before GT, as loadViewer orders a party's User IDs by role.
    for (const r of rows) if (roles.get(r.party_id) !== 'ED') roles.set(r.party_id, r.role as RegistrationRole);
  }
  for (const c of certs) {
    const role = roles.get(c.party_id);
    if (role) out.push({ partyId: c.party_id, basis: 'network-operator', role, mpxn: null, from: Number(c.valid_from), to: toMs(c.valid_to) });
  }
  return out;
}

function toMs(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
