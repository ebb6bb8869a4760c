import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../db-schema.js';
import { addMonths, monthLabel, monthOf, monthRange, type MonthKey } from '../time-partitions.js';

/**
 * Monthly range partitions of the three tables that grow with traffic, all on t(M) so one month is one
 * partition of each and retention drops whole tables (migrations/0006-time-partitions.ts):
 *   messages        by `time` (t(M));
 *   message_devices by `time` (the message's t(M), already in its key);
 *   xml_chunks      by `time`, the greatest t(M) of the chunk's messages, so a chunk's partition expires no
 *                   earlier than the last message that points into it.
 * A partition is named `<table>_p<yyyymm>` in the store's schema.
 */
export const PARTITIONED_TABLES = ['messages', 'message_devices', 'xml_chunks'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** Months created ahead of the current one, so the month rollover never waits on DDL. */
export const MONTHS_AHEAD = 2;

const PARTITION_NAME = /^(messages|message_devices|xml_chunks)_p(\d{6})$/;

export function partitionName(table: PartitionedTable, month: MonthKey): string {
  return `${table}_p${month}`;
}

/** One partition as it exists in the database. */
export interface PartitionInfo {
  table: PartitionedTable;
  name: string;
  month: MonthKey;
  /** The planner's row estimate (`pg_class.reltuples`; -1 before the first ANALYZE). */
  estimatedRows: number;
  bytes: number;
}

/** Every monthly partition of the partitioned tables in the current schema, oldest month first. */
export async function listPartitions(db: Kysely<Db>): Promise<PartitionInfo[]> {
  const rows = await sql<{ name: string; reltuples: number; bytes: string }>`
    SELECT c.relname AS name, c.reltuples, pg_total_relation_size(c.oid) AS bytes
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relnamespace = current_schema()::regnamespace
      AND p.relname IN ('messages', 'message_devices', 'xml_chunks')`.execute(db);
  const out: PartitionInfo[] = [];
  for (const r of rows.rows) {
    const m = PARTITION_NAME.exec(r.name);
    if (!m) continue;
    out.push({ table: m[1] as PartitionedTable, name: r.name, month: Number(m[2]), estimatedRows: Number(r.reltuples), bytes: Number(r.bytes) });
  }
  return out.sort((a, b) => a.month - b.month || PARTITIONED_TABLES.indexOf(a.table) - PARTITIONED_TABLES.indexOf(b.table));
}

/**
 * Creates the partitions of `months` that do not exist yet, for all three tables, in its own short
 * transaction. Never call it inside an ingest transaction: creating a partition locks the parent table
 * exclusively until commit. Several processes may race here: an advisory lock serialises the creators and
 * `IF NOT EXISTS` makes the loser's statements no-ops.
 */
export async function createPartitions(db: Kysely<Db>, months: readonly MonthKey[]): Promise<void> {
  if (months.length === 0) return;
  await db.transaction().execute(async (trx) => {
    // Waiting behind a long query for the parent's lock would stall every writer queued behind us.
    await sql`SET LOCAL lock_timeout = '10s'`.execute(trx);
    await createPartitionsIn(trx, months);
  });
}

/** {@link createPartitions} inside a transaction the caller holds (migrations). */
export async function createPartitionsIn(trx: Transaction<any>, months: readonly MonthKey[]): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.srvv_partitions'))`.execute(trx);
  for (const month of months) {
    const { from, to } = monthRange(month);
    for (const table of PARTITIONED_TABLES) {
      const name = partitionName(table, month);
      // Names and bounds are built from integers only: safe to splice.
      await sql.raw(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM (${from}) TO (${to})`).execute(trx);
      // Chunks are compressed already: skip TOAST's futile compression attempt (per partition: the
      // parent's setting is not inherited by partitions created later).
      if (table === 'xml_chunks') await sql.raw(`ALTER TABLE ${name} ALTER COLUMN data SET STORAGE EXTERNAL`).execute(trx);
    }
  }
}

/**
 * Remembers which months have partitions, so the write path checks a set instead of the catalogue. Only
 * months this process created or saw are remembered; a partition dropped by retention in another process is
 * recreated on demand if an old message arrives (it expires again at the next retention run).
 */
export class PartitionCache {
  readonly #known = new Set<MonthKey>();

  /** Reads the existing partitions and creates the current month and {@link MONTHS_AHEAD} after it. */
  async load(db: Kysely<Db>, now = Date.now()): Promise<void> {
    const current = monthOf(now);
    const wanted = Array.from({ length: MONTHS_AHEAD + 1 }, (_, i) => addMonths(current, i));
    const complete = await completeMonths(db);
    await createPartitions(db, wanted.filter((m) => !complete.has(m)));
    for (const m of complete) this.#known.add(m);
    for (const m of wanted) this.#known.add(m);
  }

  /** Makes sure the months holding `times` have partitions, creating the missing ones. */
  async ensure(db: Kysely<Db>, times: Iterable<number>): Promise<void> {
    const missing = new Set<MonthKey>();
    for (const t of times) {
      const m = monthOf(t);
      if (!this.#known.has(m)) missing.add(m);
    }
    if (missing.size === 0) return;
    const months = [...missing].sort((a, b) => a - b);
    await createPartitions(db, months);
    for (const m of months) this.#known.add(m);
  }

  /** Forgets months (after they were dropped), so a late message recreates them. */
  forget(months: Iterable<MonthKey>): void {
    for (const m of months) this.#known.delete(m);
  }
}

/** Months that have a partition of every partitioned table. */
async function completeMonths(db: Kysely<Db>): Promise<Set<MonthKey>> {
  const count = new Map<MonthKey, number>();
  for (const p of await listPartitions(db)) count.set(p.month, (count.get(p.month) ?? 0) + 1);
  return new Set([...count].filter(([, n]) => n === PARTITIONED_TABLES.length).map(([m]) => m));
}

/** What retention removed (or, in a dry run, would remove). */
export interface PartitionDrop {
  month: MonthKey;
  label: string;
  partitions: PartitionInfo[];
}

/**
 * Drops every month whose whole range lies before `boundary` (an instant that starts a month), one month per
 * transaction, oldest first. Returns the months dropped.
 */
export async function dropPartitionsBefore(db: Kysely<Db>, boundary: number, dryRun: boolean): Promise<PartitionDrop[]> {
  const byMonth = new Map<MonthKey, PartitionInfo[]>();
  for (const p of await listPartitions(db)) {
    if (monthRange(p.month).to > boundary) continue;
    byMonth.set(p.month, [...(byMonth.get(p.month) ?? []), p]);
  }
  const drops = [...byMonth].map(([month, partitions]) => ({ month, label: monthLabel(month), partitions }));
  if (dryRun) return drops;
  for (const drop of drops) {
    await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL lock_timeout = '30s'`.execute(trx);
      for (const p of drop.partitions) await sql.raw(`DROP TABLE IF EXISTS ${p.name}`).execute(trx);
    });
  }
  return drops;
}
