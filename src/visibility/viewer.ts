import { bigIntToEui64, type Eui64 } from '../duis/eui64.js';
import type { Kysely } from 'kysely';
import type { UserRole } from '../reference/reference-document.js';
import type { Db } from '../store/db-schema.js';
import { keyText } from '../store/sql-helpers.js';

/** Who is looking: a party with its User IDs as the reference data knows them now. */
export interface Viewer {
  partyId: string;
  /** A DCC operator party sees everything. */
  operator: boolean;
  /** The party's User IDs and their roles. */
  userIds: ReadonlyMap<Eui64, UserRole>;
  /** The party's first ED or GT User ID: what makes it a Network Operator for rule 3 (`undefined`: it is not one). */
  networkOperatorUser: { userId: Eui64; role: 'ED' | 'GT' } | undefined;
}

/** The viewer for `partyId`, or `undefined` when no such party is stored. */
export async function loadViewer(db: Kysely<Db>, partyId: string): Promise<Viewer | undefined> {
  const party = await db.selectFrom('parties').select(['id', 'operator']).where('id', '=', partyId).executeTakeFirst();
  if (!party) return undefined;
  const rows = await db
    .selectFrom('party_user_ids')
    .select([keyText('user_id').as('user_id'), 'role'])
    .where('party_id', '=', partyId)
    .orderBy('role')
    .orderBy('user_id')
    .execute();
  const userIds = new Map<Eui64, UserRole>();
  let networkOperatorUser: Viewer['networkOperatorUser'];
  for (const r of rows) {
    const userId = bigIntToEui64(BigInt(r.user_id));
    const role = r.role as UserRole;
    userIds.set(userId, role);
    if (!networkOperatorUser && (role === 'ED' || role === 'GT')) networkOperatorUser = { userId, role };
  }
  return { partyId: party.id, operator: Boolean(party.operator), userIds, networkOperatorUser };
}
