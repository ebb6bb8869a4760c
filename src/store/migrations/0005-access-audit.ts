import type { Kysely } from 'kysely';
import type { StoreBackend } from '../message-store.js';

// Placeholder: the access audit's tables are written by the audit work (issue 4).
export async function up(_db: Kysely<unknown>, _backend: StoreBackend): Promise<void> {}
