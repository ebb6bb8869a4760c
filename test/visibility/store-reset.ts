import { sql } from 'kysely';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';

// Messages first, then reference data (party_user_ids before parties: foreign key).
const TABLES = {
  sqlite: ['message_devices', 'messages', 'xml_chunks', 'message_feed'],
  postgres: ['message_devices', 'message_hashes', 'messages', 'xml_chunks', 'threads', 'message_feed'],
} as const;
const REFERENCE_TABLES = ['party_user_ids', 'parties', 'devices', 'device_links', 'registrations', 'certificates'] as const;

/**
 * Empties every message and reference table, so the next property run starts from nothing (an operator sees
 * the whole store). DELETE, not TRUNCATE: on tables of a few rows it is several times cheaper on PostgreSQL.
 */
export async function resetStore(store: KyselyMessageStore): Promise<void> {
  const tables = [...TABLES[store.backend], ...REFERENCE_TABLES];
  // The feed restarts at position 1, so a run's positions are exactly 1..(its new messages).
  const statements = [...tables.map((t) => `DELETE FROM ${t}`), 'UPDATE message_feed_head SET seq = 0'];
  if (store.backend === 'postgres') {
    // One round trip: without parameters pg sends the simple protocol, which runs several statements.
    await sql.raw(statements.join('; ')).execute(store.db);
  } else {
    for (const s of statements) await sql.raw(s).execute(store.db);
  }
}
