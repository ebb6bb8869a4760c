import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { MESSAGE_KINDS } from '../duis/duis-message.js';
import { normaliseEui64 } from '../duis/eui64.js';
import { canonicalRequestId, threadKeyOf } from '../threads/thread-key.js';
import type { Db } from './db-schema.js';
import { KIND_CODES } from './kind-codes.js';
import type { MessageCursor } from './message-cursor.js';
import { CANDIDATE_COLUMNS, MESSAGE_COLUMNS, type CandidateRow } from './message-row.js';
import type { MessageQuery } from './message-store.js';
import { paddedChunks, paddedList } from './sql-helpers.js';

/**
 * Candidate rows for message listings, always newest first by (t(M), id), each source an index range scan that
 * resumes after the last row it returned (keyset), so a listing reads only as far as its page needs:
 * - `timeSource`: every message (`messages_time`);
 * - `deviceSource`: messages with one of some devices in S(M) (`message_devices` primary key);
 * - `userSource`: messages whose U(M) is one User ID (`messages_user`).
 * `MergedCandidates` merges several sources into one ordered stream without duplicates. Row filters that do not
 * depend on who is looking (kind, SRV, RequestID, time range, ...) are compiled once into SQL conditions.
 */

/** SQL conditions of a query's row filters, or `null` when the query cannot match anything. */
export interface RowFilter {
  /** Conditions on the `m` alias, given the columns that carry time and id in the driving index. */
  conditions(time: RawBuilder<unknown>, id: RawBuilder<unknown>): RawBuilder<unknown>[];
  /** Only the `from` / `to` conditions, on the given time column (for index-only scans). */
  timeRange(time: RawBuilder<unknown>): RawBuilder<unknown>[];
}

/** Extra user-dependent restrictions compiled by the caller. */
export interface RowFilterOptions {
  /** Only messages whose U(M) is not one of these User ID keys (`othersOnly`). */
  excludeUserKeys?: readonly bigint[];
  /** Only messages whose RequestID originator is one of these User IDs (`originatorRole`); empty = none. */
  originatorIn?: readonly string[];
}

/** Compiles the row filters of `query` (all but deviceId / mpxn, which choose sources), or `null` for "no match". */
export function compileRowFilter(query: MessageQuery, options: RowFilterOptions = {}): RowFilter | null {
  const fixed: RawBuilder<unknown>[] = [];
  if (query.requestId !== undefined) {
    const text = canonicalRequestId(query.requestId);
    if (text === undefined) return null;
    fixed.push(sql`m.thread_key = ${threadKeyOf(text)}`, sql`m.request_id = ${text}`);
  }
  if (query.kind !== undefined) {
    if (!MESSAGE_KINDS.includes(query.kind)) return null;
    fixed.push(sql`m.kind = ${KIND_CODES[query.kind]}`);
  }
  if (query.srv !== undefined) fixed.push(sql`m.srv = ${query.srv}`);
  if (query.responseCode !== undefined) fixed.push(sql`m.response_code = ${query.responseCode}`);
  if (query.originatorId !== undefined) {
    const id = normaliseEui64(query.originatorId);
    if (!id) return null;
    // The canonical RequestID text starts with the originator's 23 characters.
    fixed.push(sql`substr(m.request_id, 1, 23) = ${id}`);
  }
  if (options.originatorIn !== undefined) {
    if (options.originatorIn.length === 0) return null;
    fixed.push(sql`substr(m.request_id, 1, 23) in (${sql.join(options.originatorIn)})`);
  }
  if (options.excludeUserKeys?.length) {
    fixed.push(sql`(m.user_id is null or m.user_id not in (${sql.join(options.excludeUserKeys)}))`);
  }
  const { from, to } = query;
  const timeRange = (time: RawBuilder<unknown>) => [
    ...(from !== undefined ? [sql`${time} >= ${from.getTime()}`] : []),
    ...(to !== undefined ? [sql`${time} < ${to.getTime()}`] : []),
  ];
  return { conditions: (time) => [...fixed, ...timeRange(time)], timeRange };
}

/** An ordered stream of candidate rows; `next` returns up to `n` rows after the previous ones, [] only at the end. */
export interface CandidateSource {
  next(n: number): Promise<CandidateRow[]>;
}

/** One slice of a scan: the rows that passed, where the scan stopped, and whether it reached its end. */
interface ScanSlice {
  rows: CandidateRow[];
  /** The scan position after this slice (its last index entry), `undefined` when it read nothing. */
  last: MessageCursor | undefined;
  exhausted: boolean;
}

/** A source over one SQL scan, resuming after its last index entry (or after `start`, a page cursor). */
class KeysetSource implements CandidateSource {
  #after: MessageCursor | undefined;
  #done = false;
  readonly #scan: (after: MessageCursor | undefined, n: number) => Promise<ScanSlice>;

  constructor(start: MessageCursor | undefined, scan: (after: MessageCursor | undefined, n: number) => Promise<ScanSlice>) {
    this.#after = start;
    this.#scan = scan;
  }

  async next(n: number): Promise<CandidateRow[]> {
    for (;;) {
      if (this.#done) return [];
      const slice = await this.#scan(this.#after, n);
      this.#done = slice.exhausted;
      if (slice.last) this.#after = slice.last;
      // A slice whose entries were all filtered out is not the end: read on.
      if (slice.rows.length > 0 || this.#done) return slice.rows;
    }
  }
}

/** A slice from a scan that returns whole rows: it stops at its last row. */
function rowSlice(rows: CandidateRow[], n: number): ScanSlice {
  const last = rows.at(-1);
  return { rows, last: last && { time: Number(last.time), id: Number(last.id) }, exhausted: rows.length < n };
}

/** Keyset condition "(time, id) < after", spelt so both planners see a plain range on time. */
function keyset(time: RawBuilder<unknown>, id: RawBuilder<unknown>, after: MessageCursor | undefined): RawBuilder<unknown>[] {
  return after ? [sql`${time} <= ${after.time} and (${time} < ${after.time} or ${id} < ${after.id})`] : [];
}

function whereAll(conds: RawBuilder<unknown>[]): RawBuilder<SqlBool> {
  return conds.length ? sql<SqlBool>`${sql.join(conds, sql` and `)}` : sql<SqlBool>`1 = 1`;
}

/** Every message matching `filter`, newest first. */
export function timeSource(db: Kysely<Db>, filter: RowFilter, start: MessageCursor | undefined): CandidateSource {
  return messagesSource(db, [], filter, start);
}

/** Messages whose U(M) is `userKey`, newest first (the `messages_user` index). */
export function userSource(db: Kysely<Db>, userKey: bigint, filter: RowFilter, start: MessageCursor | undefined): CandidateSource {
  return messagesSource(db, [sql`m.user_id = ${userKey}`], filter, start);
}

/** A newest-first scan of `messages` under `extra` conditions and the row filters. */
function messagesSource(db: Kysely<Db>, extra: RawBuilder<unknown>[], filter: RowFilter, start: MessageCursor | undefined): CandidateSource {
  const time = sql.ref('m.time');
  const id = sql.ref('m.id');
  return new KeysetSource(start, async (after, n) =>
    rowSlice(
      await db
        .selectFrom('messages as m')
        .select(CANDIDATE_COLUMNS)
        .where(whereAll([...extra, ...filter.conditions(time, id), ...keyset(time, id, after)]))
        .orderBy('m.time', 'desc')
        .orderBy('m.id', 'desc')
        .limit(n)
        .execute(),
      n,
    ),
  );
}

/**
 * What a source's rows hold: the candidate columns, or whole rows (`MESSAGE_COLUMNS`) where nearly every
 * candidate ends up on the page anyway — one device's history, as its supplier sees it — so the page needs no
 * second read. Only the single-device scan honours `full`; a merge of several keeps to the candidate columns.
 */
export type SourceColumns = 'candidate' | 'full';

/**
 * Messages with one of `devices` in S(M), newest first. A message on several of them comes once per device.
 *
 * One device: a single ordered walk of its index range joined to the rows, stopping at the LIMIT. Several:
 * the database must merge their ranges with a sort, so it first sorts only index entries (index-only, no row
 * reads) and then reads the rows of the n newest, applying the row filters to those (two statements).
 */
export function deviceSource(
  db: Kysely<Db>,
  devices: readonly bigint[],
  filter: RowFilter,
  start: MessageCursor | undefined,
  columns: SourceColumns = 'candidate',
): CandidateSource {
  const time = sql.ref('x.time');
  const id = sql.ref('x.message_id');
  if (devices.length === 1) {
    return new KeysetSource(start, async (after, n) =>
      rowSlice(
        await db
          .selectFrom('message_devices as x')
          .innerJoin('messages as m', (join) => join.onRef('m.id', '=', 'x.message_id').onRef('m.time', '=', 'x.time'))
          .select(columns === 'full' ? MESSAGE_COLUMNS : CANDIDATE_COLUMNS)
          .where('x.device', '=', devices[0]!)
          .where(whereAll([...filter.conditions(time, id), ...keyset(time, id, after)]))
          .orderBy('x.time', 'desc')
          .orderBy('x.message_id', 'desc')
          .limit(n)
          .execute(),
        n,
      ),
    );
  }
  const range = filter.timeRange(time);
  return new KeysetSource(start, async (after, n) => {
    const keys = await db
      .selectFrom('message_devices as x')
      .select(['x.time', 'x.message_id'])
      .where(sql<SqlBool>`x.device in (${sql.join([...devices])})`)
      .where(whereAll([...range, ...keyset(time, id, after)]))
      .orderBy('x.time', 'desc')
      .orderBy('x.message_id', 'desc')
      .limit(n)
      .execute();
    const lastKey = keys.at(-1);
    const last = lastKey && { time: Number(lastKey.time), id: Number(lastKey.message_id) };
    if (keys.length === 0) return { rows: [], last, exhausted: true };
    const mt = sql.ref('m.time');
    const mid = sql.ref('m.id');
    const rows = await db
      .selectFrom('messages as m')
      .select(CANDIDATE_COLUMNS)
      .where('m.id', 'in', paddedList([...new Set(keys.map((k) => Number(k.message_id)))]))
      // Bounds from the keys themselves: only the months they fall in are read.
      .where('m.time', '>=', Number(keys.at(-1)!.time))
      .where('m.time', '<=', Number(keys[0]!.time))
      .where(whereAll(filter.conditions(mt, mid)))
      .orderBy('m.time', 'desc')
      .orderBy('m.id', 'desc')
      .execute();
    return { rows, last, exhausted: keys.length < n };
  });
}

/** Device sources for any number of devices: one scan per {@link IN_LIST_SIZE}-sized group. */
export function deviceSources(
  db: Kysely<Db>,
  devices: readonly bigint[],
  filter: RowFilter,
  start: MessageCursor | undefined,
  columns: SourceColumns = 'candidate',
): CandidateSource[] {
  // Padded: the IN lists' texts repeat, so PostgreSQL keeps them prepared (prepared-reads.ts).
  return paddedChunks([...new Set(devices)]).map((group) => deviceSource(db, group, filter, start, columns));
}

/**
 * Several sources merged into one stream ordered by (time, id) descending, each message once. Sources are read
 * in growing slices (`FIRST_SLICE` doubling to `MAX_SLICE`): a first page costs one small query per source, a
 * long scan few round trips.
 */
export class MergedCandidates {
  static readonly FIRST_SLICE = 64;
  static readonly MAX_SLICE = 4096;
  readonly #sources: SourceState[];
  #last: MessageCursor | undefined;

  constructor(sources: readonly CandidateSource[]) {
    this.#sources = sources.map((source) => ({ source, buffer: [], at: 0, slice: MergedCandidates.FIRST_SLICE, done: false }));
  }

  /** Up to `n` next candidates (fewer only at the end). */
  async take(n: number): Promise<CandidateRow[]> {
    const out: CandidateRow[] = [];
    while (out.length < n) {
      await this.#fill();
      let best: SourceState | undefined;
      for (const s of this.#sources) {
        if (s.at >= s.buffer.length) continue;
        if (!best || before(s.buffer[s.at]!, best.buffer[best.at]!)) best = s;
      }
      if (!best) break;
      const row = best.buffer[best.at++]!;
      const key = { time: Number(row.time), id: Number(row.id) };
      if (this.#last && this.#last.time === key.time && this.#last.id === key.id) continue; // same message via another source
      this.#last = key;
      out.push(row);
    }
    return out;
  }

  async #fill(): Promise<void> {
    await Promise.all(
      this.#sources.map(async (s) => {
        if (s.at < s.buffer.length || s.done) return;
        s.buffer = await s.source.next(s.slice);
        s.at = 0;
        // Fewer rows than asked is not the end (row filters drop some); only an empty answer is.
        if (s.buffer.length === 0) s.done = true;
        s.slice = Math.min(MergedCandidates.MAX_SLICE, s.slice * 2);
      }),
    );
  }
}

interface SourceState {
  source: CandidateSource;
  buffer: CandidateRow[];
  at: number;
  slice: number;
  done: boolean;
}

/** Whether `a` comes before `b` newest first: later time, or same time and higher id. */
function before(a: CandidateRow, b: CandidateRow): boolean {
  const ta = Number(a.time);
  const tb = Number(b.time);
  return ta !== tb ? ta > tb : Number(a.id) > Number(b.id);
}
