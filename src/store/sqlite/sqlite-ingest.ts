import { chunkTime, hashBuffer, planMessage, type PlannedMessage } from '../ingest-plan.js';
import { packDeviceKeys, unpackDeviceKeys } from '../device-set.js';
import { KIND_CODES } from '../kind-codes.js';
import type { IngestOutcome, PreparedBatch } from '../prepared-batch.js';
import { linkThreads, type StoredThreadRow } from '../thread-linker.js';
import type { SqliteStoreDatabase, SqliteStoreStatement } from './sqlite-config.js';

const INSERT_MESSAGE = `INSERT INTO messages (
  id, thread_key, kind, time, device_ids, request_id, hash, received_at, response_id, response_code, srv,
  service_reference, command_variant, response_date_time, alert_code, dcc_alert_code,
  throttled_alert_sequence_id, throttled_alert_count, body_element, schema_version, has_gbcs_payload,
  chunk_id, xml_offset, xml_length, user_id
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

type ProbeRow = [id: number, kind: number, requestId: string | null, time: number, devices: Uint8Array | null, hash: Uint8Array];

/**
 * The SQLite write path: better-sqlite3 prepared statements (compiled once; Kysely would compile every row)
 * inside one `BEGIN IMMEDIATE` transaction per batch, synchronous from BEGIN to COMMIT.
 *
 * Every message has a link key (ingest-plan.ts) stored in `thread_key`. One probe of the thread index per
 * distinct link key returns the stored rows of that thread: a row with the same hash makes the message a
 * duplicate, and the rows give the request's devices or the answers to back-fill. Checking and then
 * inserting is race-free because `BEGIN IMMEDIATE` takes SQLite's single write lock (other processes wait,
 * see busy_timeout) and the whole batch runs synchronously on this connection. Ids are allocated here
 * (max(id) + 1..n) under the same lock. Why not a unique hash index: see migrations/0001-initial.ts.
 */
export class SqliteIngestWriter {
  readonly #db: SqliteStoreDatabase;
  readonly #begin: SqliteStoreStatement;
  readonly #commit: SqliteStoreStatement;
  readonly #rollback: SqliteStoreStatement;
  readonly #maxId: SqliteStoreStatement;
  readonly #insertChunk: SqliteStoreStatement;
  readonly #probe: SqliteStoreStatement;
  readonly #insertMessage: SqliteStoreStatement;
  readonly #insertDevice: SqliteStoreStatement;
  readonly #updateDevices: SqliteStoreStatement;
  readonly #moveFeedHead: SqliteStoreStatement;
  readonly #insertFeed: SqliteStoreStatement;

  constructor(db: SqliteStoreDatabase) {
    this.#db = db;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#maxId = db.prepare('SELECT coalesce(max(id), 0) FROM messages').pluck();
    this.#insertChunk = db.prepare('INSERT INTO xml_chunks (codec, raw_length, stored_length, data, time) VALUES (?, ?, ?, ?, ?)');
    this.#probe = db.prepare('SELECT id, kind, request_id, time, device_ids, hash FROM messages WHERE thread_key = ?').raw();
    this.#insertMessage = db.prepare(INSERT_MESSAGE);
    this.#insertDevice = db.prepare('INSERT INTO message_devices (device, time, message_id) VALUES (?, ?, ?)');
    this.#updateDevices = db.prepare('UPDATE messages SET device_ids = ? WHERE id = ?');
    this.#moveFeedHead = db.prepare('UPDATE message_feed_head SET seq = seq + ? WHERE id = 1 RETURNING seq').pluck();
    this.#insertFeed = db.prepare('INSERT INTO message_feed (seq, message_id, time) VALUES (?, ?, ?)');
  }

  /** Writes the batch in one transaction; rolls back and rethrows on any error. */
  write(batch: PreparedBatch): IngestOutcome[] {
    this.#begin.run();
    try {
      const outcomes = this.#writeInTransaction(batch);
      this.#commit.run();
      return outcomes;
    } catch (err) {
      if (this.#db.inTransaction) this.#rollback.run();
      throw err;
    }
  }

  #writeInTransaction(batch: PreparedBatch): IngestOutcome[] {
    const planned = batch.messages.map(planMessage);
    const { rows, storedIdByHash } = this.#probeLinks(planned);

    const outcomes: IngestOutcome[] = [];
    const fresh: PlannedMessage[] = [];
    let nextId = Number(this.#maxId.get()) + 1;
    for (const m of planned) {
      const hash = hashBuffer(m.prepared.hash).toString('latin1');
      const storedId = storedIdByHash.get(hash);
      if (storedId !== undefined) {
        outcomes.push({ id: String(storedId), kind: m.kind, duplicate: true });
        continue;
      }
      m.id = nextId++;
      storedIdByHash.set(hash, m.id); // a later copy in this batch is a duplicate of this one
      fresh.push(m);
      outcomes.push({ id: String(m.id), kind: m.kind, duplicate: false });
    }
    if (fresh.length === 0) return outcomes;

    const { chunk } = batch;
    const chunkId = this.#insertChunk.run(chunk.codec, chunk.rawLength, chunk.data.length, chunk.data, chunkTime(fresh)).lastInsertRowid;
    const backfills = linkThreads(fresh, rows);

    for (const m of fresh) {
      const p = m.prepared;
      const d = p.message;
      this.#insertMessage.run(
        m.id, m.linkKey, m.kindCode, p.time, m.devices.length ? packDeviceKeys(m.devices) : null, m.requestId,
        hashBuffer(p.hash), p.receivedAt, m.responseId, d.responseCode, d.serviceReferenceVariant, d.serviceReference,
        d.commandVariant, d.responseDateTime, d.alertCode, d.dccAlertCode, d.throttledAlertSequenceId,
        d.throttledAlertCount, d.bodyElement, d.schemaVersion, d.hasGbcsPayload ? 1 : 0, chunkId, p.xmlOffset,
        p.xmlLength, m.userKey,
      );
      for (const device of m.devices) this.#insertDevice.run(device, p.time, m.id);
    }
    for (const b of backfills) {
      this.#updateDevices.run(packDeviceKeys(b.devices), b.id);
      for (const device of b.added) this.#insertDevice.run(device, b.time, b.id);
    }
    // The feed positions of the new messages, in batch order (migrations/0007-message-feed.ts). One writer at a
    // time holds the write lock, so positions follow commit order here without further care.
    let seq = Number(this.#moveFeedHead.get(fresh.length)) - fresh.length;
    for (const m of fresh) this.#insertFeed.run(++seq, m.id, m.prepared.time);
    return outcomes;
  }

  /** Stored rows sharing a link key with the batch (read before anything is inserted), and their hashes. */
  #probeLinks(planned: readonly PlannedMessage[]): { rows: StoredThreadRow[]; storedIdByHash: Map<string, number> } {
    const rows: StoredThreadRow[] = [];
    const storedIdByHash = new Map<string, number>();
    const seen = new Set<number>();
    for (const m of planned) {
      if (seen.has(m.linkKey)) continue;
      seen.add(m.linkKey);
      for (const r of this.#probe.all(m.linkKey) as ProbeRow[]) {
        storedIdByHash.set(hashBuffer(r[5]).toString('latin1'), r[0]);
        rows.push({ id: r[0], isRequest: r[1] === KIND_CODES.request, requestId: r[2], time: r[3], devices: unpackDeviceKeys(r[4]) });
      }
    }
    return { rows, storedIdByHash };
  }
}
