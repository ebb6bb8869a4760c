import { sql, type Kysely, type SqlBool } from 'kysely';
import { MESSAGE_KINDS, type MessageKind } from '../duis/duis-message.js';
import { bigIntToEui64, eui64ToBigInt, normaliseEui64, type Eui64 } from '../duis/eui64.js';
import { SUPPLIER_REGISTRATION_ROLES, type Period } from '../reference/reference-document.js';
import type { Db } from '../store/db-schema.js';
import { unpackDeviceKeys } from '../store/device-set.js';
import { KIND_CODES, kindOfCode } from '../store/kind-codes.js';
import { decodeCursor, encodeCursor } from '../store/message-cursor.js';
import { CANDIDATE_COLUMNS, MESSAGE_COLUMNS, parseMessageId, toStoredMessage, type CandidateRow, type MessageRow } from '../store/message-row.js';
import {
  compileRowFilter,
  deviceSources,
  MergedCandidates,
  timeSource,
  userSource,
  type CandidateSource,
  type RowFilter,
} from '../store/message-sources.js';
import { withCatalogueFilters } from '../store/catalogue-filter.js';
import type { FeedPage, FeedQuery, MessagePage, PartyMessageQuery, PartyView, VisibleMessage } from '../store/message-store.js';
import { chunked, keyText, paddedChunks, paddedList } from '../store/sql-helpers.js';
import type { StoredMessage, Thread } from '../store/stored-message.js';
import { computeThreadStatus } from '../threads/thread-status.js';
import { threadKeyOf } from '../threads/thread-key.js';
import { clipToPeriods, deviceWindows, mergePeriods, type DeviceMessageCounts, type DeviceSummary } from './device-summary.js';
import { ReferenceFacts, within } from './reference-facts.js';
import { loadResponsibleParties } from './responsible-parties.js';
import type { Viewer } from './viewer.js';
import { messageUser, visibilityReasons, type RuleMessage } from './visibility-rules.js';
import type { VisibilityReason } from './visibility-reason.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const MPXN = /^(?:[0-9]{13}|[0-9]{6,10})$/;
/** Open periods compare as ending at the last instant a JS Date can hold. */
const OPEN_END = 8_640_000_000_000_000;

/** Feed positions one `watchPage` examines: default and most. */
const DEFAULT_FEED_SLICE = 1000;
const MAX_FEED_SLICE = 4096;

/** A query compiled for candidates (see `#plan`). */
interface QueryPlan {
  filter: RowFilter;
  /** `deviceId` as a key: the listing's source, the feed's check on S(M). */
  device?: bigint;
  /** `mpxn`: the link periods of every device ever linked to it. */
  mpxnLinks?: Map<bigint, Array<{ from: number; to: number | null }>>;
}

/**
 * Above this many supply points plus certificates a party's listings scan by time instead of walking its
 * devices (see `strategyFor` and docs/architecture.md, "Visibility queries").
 */
export const BY_TIME_THRESHOLD = 2000;

/** The base reads a view filters (the unscoped store). */
export interface UnscopedReads {
  getThread(requestId: string): Promise<Thread | undefined>;
  getOriginalXml(id: string): Promise<Buffer | undefined>;
}

/**
 * {@link PartyView} over the Kysely store. Visibility is evaluated at read time against the reference data as
 * stored now (so corrections apply to the next read, with nothing to recompute), by one rule function
 * (`visibilityReasons`) for listings, single messages, threads and explanations alike. SQL narrows the candidates
 * (index scans, row filters); the rules decide.
 */
export class KyselyPartyView implements PartyView {
  readonly partyId: string;
  readonly operator: boolean;
  readonly #db: Kysely<Db>;
  readonly #viewer: Viewer;
  readonly #base: UnscopedReads;

  constructor(db: Kysely<Db>, viewer: Viewer, base: UnscopedReads) {
    this.#db = db;
    this.#viewer = viewer;
    this.#base = base;
    this.partyId = viewer.partyId;
    this.operator = viewer.operator;
  }

  async listMessages(query: PartyMessageQuery): Promise<MessagePage> {
    const limit = Math.min(MAX_LIMIT, Math.max(1, Math.trunc(query.limit ?? DEFAULT_LIMIT) || DEFAULT_LIMIT));
    const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const empty: MessagePage = { items: [], nextCursor: null };
    const viewer = this.#viewer;
    const plan = await this.#plan(query);
    if (!plan) return empty;
    const { filter } = plan;

    // Where the candidates come from: the device index for a device or supply point, else by the party's size.
    let sources: CandidateSource[];
    if (plan.device !== undefined) {
      sources = deviceSources(this.#db, [plan.device], filter, start, 'full');
    } else if (plan.mpxnLinks) {
      sources = deviceSources(this.#db, [...plan.mpxnLinks.keys()], filter, start);
    } else if (viewer.operator) {
      sources = [timeSource(this.#db, filter, start)];
    } else {
      sources = await this.#partySources(query, filter, start);
    }

    const candidates = new MergedCandidates(sources);
    const facts = new ReferenceFacts(this.#db, viewer);
    const picked: CandidateRow[] = [];
    let slice = limit + 1;
    let examined = 0;
    while (picked.length <= limit) {
      const rows = await candidates.take(slice);
      if (rows.length === 0) break;
      const keep = await this.#judge(rows, facts, plan);
      for (let i = 0; i < rows.length && picked.length <= limit; i++) if (keep[i]) picked.push(rows[i]!);
      examined += rows.length;
      slice = nextSlice(limit + 1 - picked.length, picked.length / examined, slice);
    }
    const page = picked.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.#fullRows(page),
      nextCursor: picked.length > limit && last ? encodeCursor({ time: Number(last.time), id: Number(last.id) }) : null,
    };
  }

  /**
   * The feed's slice after `after`, judged exactly as a listing judges its candidates: the same row filters in
   * SQL (`#plan`), then the same `#judge`. The device and supply-point filters, which choose a listing's
   * sources, are checked on S(M) as stored on the row (the device index holds the same set).
   */
  async watchPage(after: number, query: FeedQuery, limit = DEFAULT_FEED_SLICE): Promise<FeedPage> {
    const from = Math.max(0, Math.trunc(after) || 0);
    const n = Math.min(MAX_FEED_SLICE, Math.max(1, Math.trunc(limit) || DEFAULT_FEED_SLICE));
    const slice = await this.#db
      .selectFrom('message_feed')
      .select(['seq', 'message_id', 'time'])
      .where('seq', '>', from)
      .orderBy('seq')
      .limit(n)
      .execute();
    if (slice.length === 0) return { items: [], last: from };
    const last = Number(slice.at(-1)!.seq);
    const plan = await this.#plan(query);
    if (!plan) return { items: [], last };

    // The feed's rows: by (id, time), the messages' key on PostgreSQL; a row whose message is gone (retention) is skipped.
    const byKey = new Map<string, MessageRow>();
    const conditions = plan.filter.conditions(sql.ref('m.time'), sql.ref('m.id'));
    for (const group of paddedChunks(slice)) {
      const times = group.map((r) => Number(r.time));
      let q = this.#db
        .selectFrom('messages as m')
        .select(MESSAGE_COLUMNS)
        .where('m.id', 'in', group.map((r) => Number(r.message_id)))
        .where('m.time', '>=', Math.min(...times))
        .where('m.time', '<=', Math.max(...times));
      if (conditions.length) q = q.where(sql<SqlBool>`${sql.join(conditions, sql` and `)}`);
      for (const row of await q.execute()) byKey.set(`${Number(row.id)}@${Number(row.time)}`, row);
    }
    const found: Array<{ seq: number; row: MessageRow }> = [];
    for (const f of slice) {
      const row = byKey.get(`${Number(f.message_id)}@${Number(f.time)}`);
      if (!row) continue;
      if (plan.device !== undefined && !unpackDeviceKeys(row.device_ids).includes(plan.device)) continue;
      found.push({ seq: Number(f.seq), row });
    }
    const keep = await this.#judge(
      found.map((x) => x.row),
      new ReferenceFacts(this.#db, this.#viewer),
      plan,
    );
    return { items: found.filter((_, i) => keep[i]).map((x) => ({ seq: x.seq, message: toStoredMessage(x.row) })), last };
  }

  /**
   * What a query asks of every candidate, compiled once: the row filters as SQL (with `originatorRole` resolved
   * to User IDs, `othersOnly` to the party's own, the catalogue flags to SRV lists), the device as a key, the
   * supply point's link periods. `undefined` when nothing can match.
   */
  async #plan(query: FeedQuery): Promise<QueryPlan | undefined> {
    let originatorIn: string[] | undefined;
    if (query.originatorRole !== undefined) {
      const rows = await this.#db.selectFrom('party_user_ids').select(keyText('user_id').as('user_id')).where('role', '=', query.originatorRole).execute();
      originatorIn = rows.map((r) => bigIntToEui64(BigInt(r.user_id)));
    }
    const excludeUserKeys = query.othersOnly ? [...this.#viewer.userIds.keys()].map(eui64ToBigInt) : undefined;
    const rowFilter = compileRowFilter(query, { ...(originatorIn ? { originatorIn } : {}), ...(excludeUserKeys ? { excludeUserKeys } : {}) });
    if (!rowFilter) return undefined;
    const plan: QueryPlan = { filter: withCatalogueFilters(rowFilter, query) };
    if (query.mpxn !== undefined) {
      if (!MPXN.test(query.mpxn)) return undefined;
      plan.mpxnLinks = await this.#linksOf(query.mpxn);
      if (plan.mpxnLinks.size === 0) return undefined;
    }
    if (query.deviceId !== undefined) {
      const id = normaliseEui64(query.deviceId);
      if (!id) return undefined;
      plan.device = eui64ToBigInt(id);
    }
    return plan;
  }

  /** Which candidates the party sees and that lie on the plan's supply point: the one judgement of every listing and feed read. */
  async #judge(rows: readonly CandidateRow[], facts: ReferenceFacts, plan: QueryPlan): Promise<boolean[]> {
    if (rows.length === 0) return [];
    const verdicts = this.#viewer.operator ? undefined : await this.#evaluate(rows, facts, false);
    const links = plan.mpxnLinks;
    return rows.map((row, i) => (!verdicts || verdicts[i]!.length > 0) && (!links || onSupplyPoint(row, links)));
  }

  isOwn(message: Pick<StoredMessage, 'kind' | 'requestId' | 'responseId'>): boolean {
    const user = messageUser(message);
    return user !== undefined && this.#viewer.userIds.has(user.userId as Eui64);
  }

  async getMessage(id: string): Promise<VisibleMessage | undefined> {
    const row = await this.#row(id);
    if (!row) return undefined;
    const [reasons] = await this.#evaluate([row], new ReferenceFacts(this.#db, this.#viewer), true);
    return reasons!.length ? { message: toStoredMessage(row), reasons: reasons! } : undefined;
  }

  async explain(id: string): Promise<VisibilityReason[]> {
    return (await this.getMessage(id))?.reasons ?? [];
  }

  async getOriginalXml(id: string): Promise<Buffer | undefined> {
    return (await this.getMessage(id)) ? this.#base.getOriginalXml(id) : undefined;
  }

  async getThread(requestId: string): Promise<Thread | undefined> {
    const thread = await this.#base.getThread(requestId);
    if (!thread) return undefined;
    // The members already carry what the rules read: no second read of their rows.
    const verdicts = await this.#evaluateRules(thread.members.map(storedRuleMessage), new ReferenceFacts(this.#db, this.#viewer), false);
    const members = thread.members.filter((_, i) => verdicts[i]!.length > 0);
    if (members.length === 0) return undefined;
    const { status, timings } = computeThreadStatus(members);
    return { requestId: thread.requestId, request: members.find((m) => m.kind === 'request') ?? null, members, status, timings };
  }

  /**
   * Windows from the same facts and rules as every listing (`deviceWindows`); links and responsible parties
   * clipped to their union; counts from the very scan `listMessages({ deviceId })` makes, read to its end.
   */
  async deviceSummary(deviceId: string): Promise<DeviceSummary | undefined> {
    const id = typeof deviceId === 'string' ? normaliseEui64(deviceId) : undefined;
    if (!id) return undefined;
    const key = eui64ToBigInt(id);
    const viewer = this.#viewer;
    const facts = new ReferenceFacts(this.#db, viewer);
    await facts.ensure([key]);
    const windows = deviceWindows(key, viewer, facts);
    const links = facts.links.get(key) ?? [];
    const counts = await this.#deviceCounts(key, facts);
    // No window and nothing visible: exactly as a device that does not exist.
    if (!viewer.operator && windows.length === 0 && counts.total === 0) return undefined;
    const device = await this.#db.selectFrom('devices').select('type').where('device', '=', key).executeTakeFirst();
    const responsible = windows.length > 0 ? await loadResponsibleParties(this.#db, key, links) : [];
    if (viewer.operator && !device && links.length === 0 && counts.total === 0 && !(await this.#hasCertificate(key))) return undefined;
    // An operator sees everything unclipped; anyone else only inside its windows.
    const cover = viewer.operator ? undefined : mergePeriods(windows);
    const clip = <T extends Period>(items: readonly T[]): T[] => (cover ? clipToPeriods(items, cover) : [...items].sort((a, b) => a.from - b.from));
    return {
      deviceId: id,
      type: device?.type ?? null,
      links: clip(links)
        .sort((a, b) => a.from - b.from || a.mpxn.localeCompare(b.mpxn))
        .map((l) => ({ mpxn: l.mpxn, from: new Date(l.from), to: toDate(l.to) })),
      responsible: clip(responsible)
        .sort((a, b) => a.from - b.from || a.basis.localeCompare(b.basis) || (a.mpxn ?? '').localeCompare(b.mpxn ?? '') || a.partyId.localeCompare(b.partyId))
        .map((r) => ({ partyId: r.partyId, basis: r.basis, role: r.role, mpxn: r.mpxn, from: new Date(r.from), to: toDate(r.to) })),
      windows: windows.map((w) => ({ basis: w.basis, from: new Date(w.from), to: toDate(w.to) })),
      counts,
    };
  }

  /**
   * Counts of exactly what `listMessages({ deviceId })` returns: the same candidates (the device index, no row
   * filter) judged by the same `#evaluate`, in slices of up to {@link MergedCandidates.MAX_SLICE} to the end,
   * reading only the candidate columns. The originator is the RequestID's first part, its role the reference data's.
   */
  async #deviceCounts(key: bigint, facts: ReferenceFacts): Promise<DeviceMessageCounts> {
    const candidates = new MergedCandidates(deviceSources(this.#db, [key], compileRowFilter({})!, undefined));
    const byKind = Object.fromEntries(MESSAGE_KINDS.map((k) => [k, 0])) as Record<MessageKind, number>;
    const byOriginator = new Map<string, number>();
    let total = 0;
    let withoutRequestId = 0;
    for (;;) {
      const rows = await candidates.take(MergedCandidates.MAX_SLICE);
      if (rows.length === 0) break;
      const verdicts = this.#viewer.operator ? undefined : await this.#evaluate(rows, facts, false);
      rows.forEach((row, i) => {
        if (verdicts && verdicts[i]!.length === 0) return;
        total++;
        byKind[kindOfCode(row.kind)]++;
        if (row.request_id === null) withoutRequestId++;
        else {
          const originator = row.request_id.split(':')[0]!;
          byOriginator.set(originator, (byOriginator.get(originator) ?? 0) + 1);
        }
      });
    }
    const roles = await this.userRoles([...byOriginator.keys()]);
    const byOriginatorRole: Record<string, number> = {};
    for (const [originator, n] of byOriginator) {
      const role = roles.get(originator) ?? 'unknown';
      byOriginatorRole[role] = (byOriginatorRole[role] ?? 0) + n;
    }
    if (withoutRequestId > 0) byOriginatorRole.none = withoutRequestId;
    return { total, byKind, byOriginatorRole };
  }

  /** The User Role of each of `userIds` the reference data knows (keyed by the text as given). */
  async userRoles(userIds: readonly string[]): Promise<Map<string, string>> {
    const byKey = new Map<bigint, string[]>();
    for (const u of userIds) {
      const id = normaliseEui64(u);
      if (!id) continue;
      const key = eui64ToBigInt(id);
      byKey.set(key, [...(byKey.get(key) ?? []), u]);
    }
    const out = new Map<string, string>();
    for (const group of chunked([...byKey.keys()])) {
      const rows = await this.#db.selectFrom('party_user_ids').select([keyText('user_id').as('user_id'), 'role']).where('user_id', 'in', group).execute();
      for (const r of rows) for (const u of byKey.get(BigInt(r.user_id)) ?? []) out.set(u, r.role);
    }
    return out;
  }

  /** Whether any network-operator certificate (of any party) names the device. */
  async #hasCertificate(key: bigint): Promise<boolean> {
    return (await this.#db.selectFrom('certificates').select('party_id').where('device', '=', key).limit(1).executeTakeFirst()) !== undefined;
  }

  /**
   * Reasons for each row (empty: invisible), loading the reference facts they need. Rule 4 needs the captured
   * request, an extra lookup: it is made only for answers that rules 1-3 leave invisible (or for every answer
   * when `allReasons`, for explanations) and on whose devices the party has some window at all. That is
   * exact: the store keeps the request's devices in the answer's S(M), so a party with no window on any device
   * of S(M) cannot see the request by rule 2 or 3.
   */
  #evaluate(rows: readonly CandidateRow[], facts: ReferenceFacts, allReasons: boolean): Promise<VisibilityReason[][]> {
    return this.#evaluateRules(rows.map(ruleMessage), facts, allReasons);
  }

  async #evaluateRules(messages: readonly RuleMessage[], facts: ReferenceFacts, allReasons: boolean): Promise<VisibilityReason[][]> {
    await facts.ensure(messages.flatMap((m) => m.devices));
    const reasons = messages.map((m) => visibilityReasons(m, [], this.#viewer, facts));
    const answers = messages.filter(
      (m, i) => m.kind !== 'request' && m.requestId !== null && (allReasons || reasons[i]!.length === 0) && hasAnyWindow(m.devices, this.#viewer, facts),
    );
    if (answers.length === 0) return reasons;
    const requests = await this.#capturedRequests(answers);
    await facts.ensure([...requests.values()].flatMap((list) => list.flatMap((r) => r.devices)));
    const rechecked = new Set(answers);
    return messages.map((m, i) =>
      rechecked.has(m) && requests.has(m.requestId!) ? visibilityReasons(m, requests.get(m.requestId!)!, this.#viewer, facts) : reasons[i]!,
    );
  }

  /** The full rows of a page's candidates, in the page's order. */
  async #fullRows(page: readonly CandidateRow[]): Promise<StoredMessage[]> {
    if (page.length === 0) return [];
    if (page.every(isMessageRow)) return page.map(toStoredMessage);
    const times = page.map((r) => Number(r.time));
    const rows = await this.#db
      .selectFrom('messages as m')
      .select(MESSAGE_COLUMNS)
      // Padded so the statement's text repeats across pages and stays prepared (a page holds at most MAX_LIMIT).
      .where('m.id', 'in', paddedList(page.map((r) => Number(r.id))))
      // Bounds only the partitions read on PostgreSQL (a page spans a few months at most).
      .where('m.time', '>=', Math.min(...times))
      .where('m.time', '<=', Math.max(...times))
      .execute();
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return page.map((r) => toStoredMessage(byId.get(Number(r.id))!));
  }

  /** The captured requests (rule 4) for the answers among `messages`, by RequestID text. */
  async #capturedRequests(messages: readonly RuleMessage[]): Promise<Map<string, RuleMessage[]>> {
    const wanted = new Set<string>();
    for (const m of messages) if (m.kind !== 'request' && m.requestId !== null) wanted.add(m.requestId);
    const out = new Map<string, RuleMessage[]>();
    for (const keys of paddedChunks([...new Set([...wanted].map(threadKeyOf))])) {
      const rows = await this.#db
        .selectFrom('messages as m')
        .select(CANDIDATE_COLUMNS)
        .where('m.thread_key', 'in', keys)
        .where('m.kind', '=', KIND_CODES.request)
        .execute();
      for (const row of rows) {
        const r = ruleMessage(row);
        if (r.requestId === null || !wanted.has(r.requestId)) continue; // a thread-key collision
        out.set(r.requestId, [...(out.get(r.requestId) ?? []), r]);
      }
    }
    return out;
  }

  /**
   * Sources for a party-wide listing. `by-device`: the device index for every device the party has ever had a
   * supplier or network-operator window on, plus (unless `othersOnly`) its own traffic by User ID; exact and
   * cheap for a party with few devices, but a million-device supplier would have a million-entry IN list.
   * `by-time`: newest first over everything, filtered; cheap when the party sees a fair share of all traffic.
   */
  async #partySources(query: PartyMessageQuery, filter: RowFilter, start: ReturnType<typeof decodeCursor> | undefined): Promise<CandidateSource[]> {
    const strategy = query.strategy === undefined || query.strategy === 'auto' ? await this.#strategyFor() : query.strategy;
    if (strategy === 'by-time') return [timeSource(this.#db, filter, start)];
    const devices = await this.#partyDevices();
    const sources = devices.length ? deviceSources(this.#db, devices, filter, start) : [];
    if (!query.othersOnly) for (const userId of this.#viewer.userIds.keys()) sources.push(userSource(this.#db, eui64ToBigInt(userId), filter, start));
    return sources;
  }

  /** `by-time` for parties with at least {@link BY_TIME_THRESHOLD} supply points and certificates, else `by-device`. */
  async #strategyFor(): Promise<'by-device' | 'by-time'> {
    const partyId = this.#viewer.partyId;
    const registrations = await sql<{ n: number | string }>`
      SELECT count(*) AS n FROM (SELECT 1 FROM registrations WHERE party_id = ${partyId}
        AND role IN (${sql.join([...SUPPLIER_REGISTRATION_ROLES])}) LIMIT ${BY_TIME_THRESHOLD}) AS r`.execute(this.#db);
    let n = Number(registrations.rows[0]?.n ?? 0);
    if (n < BY_TIME_THRESHOLD && this.#viewer.networkOperatorUser) {
      const certificates = await sql<{ n: number | string }>`
        SELECT count(*) AS n FROM (SELECT 1 FROM certificates WHERE party_id = ${partyId} LIMIT ${BY_TIME_THRESHOLD}) AS c`.execute(this.#db);
      n += Number(certificates.rows[0]?.n ?? 0);
    }
    return n >= BY_TIME_THRESHOLD ? 'by-time' : 'by-device';
  }

  /** Every device on which the party has (had) a supplier window (link and registration overlap) or a certificate. */
  async #partyDevices(): Promise<bigint[]> {
    const partyId = this.#viewer.partyId;
    const supplied = await sql<{ device: string }>`
      SELECT DISTINCT cast(l.device AS text) AS device
      FROM registrations r JOIN device_links l ON l.mpxn = r.mpxn
      WHERE r.party_id = ${partyId} AND r.role IN (${sql.join([...SUPPLIER_REGISTRATION_ROLES])})
        AND l.valid_from < coalesce(r.valid_to, ${OPEN_END}) AND r.valid_from < coalesce(l.valid_to, ${OPEN_END})`.execute(this.#db);
    const devices = new Set(supplied.rows.map((r) => BigInt(r.device)));
    if (this.#viewer.networkOperatorUser) {
      const certified = await this.#db.selectFrom('certificates').select(keyText('device').as('device')).where('party_id', '=', partyId).execute();
      for (const r of certified) devices.add(BigInt(r.device));
    }
    return [...devices];
  }

  /** Link periods of every device ever linked to the MPxN. */
  async #linksOf(mpxn: string): Promise<Map<bigint, Array<{ from: number; to: number | null }>>> {
    const rows = await this.#db
      .selectFrom('device_links')
      .select([keyText('device').as('device'), 'valid_from', 'valid_to'])
      .where('mpxn', '=', mpxn)
      .execute();
    const out = new Map<bigint, Array<{ from: number; to: number | null }>>();
    for (const r of rows) {
      const key = BigInt(r.device);
      out.set(key, [...(out.get(key) ?? []), { from: Number(r.valid_from), to: r.valid_to === null ? null : Number(r.valid_to) }]);
    }
    return out;
  }

  async #row(id: string): Promise<MessageRow | undefined> {
    const n = parseMessageId(id);
    if (n === undefined) return undefined;
    return this.#db.selectFrom('messages as m').select(MESSAGE_COLUMNS).where('m.id', '=', n).executeTakeFirst();
  }
}

/**
 * Candidates to read next when `wanted` more visible ones are needed and `share` of those examined so far were
 * visible. Sized from the share (with a quarter to spare) rather than doubled blindly: a large party's
 * newest-first scan, where perhaps one candidate in twelve is visible, then takes three round trips of candidates
 * and reference facts instead of four. At most four times the previous slice: an estimate from the first
 * few dozen candidates is rough, and reading thousands on a low one made the slowest pages slower. Nothing
 * visible yet: double, as the share says nothing.
 */
export function nextSlice(wanted: number, share: number, previous: number): number {
  if (wanted <= 0) return 0;
  const estimate = share > 0 ? Math.min(Math.ceil((wanted / share) * 1.25), previous * 4) : previous * 2;
  return Math.min(MergedCandidates.MAX_SLICE, Math.max(wanted, estimate));
}

/** Whether a candidate was read with every column (`SourceColumns` 'full'). */
function isMessageRow(row: CandidateRow): row is MessageRow {
  return 'received_at' in row;
}

/** Whether a device of S(M) was linked to the supply point at t(M). */
function onSupplyPoint(row: CandidateRow, links: ReadonlyMap<bigint, ReadonlyArray<{ from: number; to: number | null }>>): boolean {
  const t = Number(row.time);
  return unpackDeviceKeys(row.device_ids).some((d) => links.get(d)?.some((p) => within(p, t)) ?? false);
}

/** Whether the party has any supplier window (a link overlapping its registration) or certificate on a device. */
function hasAnyWindow(devices: readonly bigint[], viewer: Viewer, facts: ReferenceFacts): boolean {
  for (const d of devices) {
    if (viewer.networkOperatorUser && (facts.certificates.get(d)?.length ?? 0) > 0) return true;
    for (const link of facts.links.get(d) ?? []) {
      for (const reg of facts.supply.get(link.mpxn) ?? []) if (overlaps(link, reg)) return true;
    }
  }
  return false;
}

function overlaps(a: { from: number; to: number | null }, b: { from: number; to: number | null }): boolean {
  return (a.to === null || b.from < a.to) && (b.to === null || a.from < b.to);
}

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function storedRuleMessage(m: StoredMessage): RuleMessage {
  return { id: m.id, kind: m.kind, time: m.time.getTime(), requestId: m.requestId, responseId: m.responseId, devices: m.deviceIds.map(eui64ToBigInt) };
}

function ruleMessage(row: CandidateRow): RuleMessage {
  return {
    id: String(row.id),
    kind: kindOfCode(row.kind),
    time: Number(row.time),
    requestId: row.request_id,
    responseId: row.response_id,
    devices: unpackDeviceKeys(row.device_ids),
  };
}
