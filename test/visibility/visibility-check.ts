import assert from 'node:assert/strict';
import { lookupSrv } from '../../src/catalogue/index.js';
import { formatRequestId } from '../../src/duis/duis-message.js';
import type { FeedQuery, PartyMessageQuery, PartyView, StoredMessage } from '../../src/store/message-store.js';
import { relTime } from './describe-case.js';
import { expectDeviceSummary } from './device-summary-check.js';
import {
  isOwnTraffic,
  linkedAt,
  newestFirst,
  plainRules,
  subjectsOf,
  timeOf,
  userOf,
  type CapturedMessage,
  type PlainRule,
  type PlainWorld,
} from './plain-rules.js';
import type { VisibilityCase } from './visibility-case.js';

/** What the property has compared so far, for the one summary line. */
export interface Tally {
  runs: number;
  /** (party, message) pairs whose visibility and rules were compared. */
  judgements: number;
  /** How many of those the plain rules found visible, by rule (a pair can count under several). */
  byRule: Record<PlainRule | 'invisible', number>;
  /** (party, device) summaries compared, and how many of them rightly were `undefined`. */
  summaries: number;
  summariesUndefined: number;
  /** Feed reads (`watchPage` from position 0 to the end) compared. */
  feeds: number;
}

export function newTally(): Tally {
  return {
    runs: 0,
    judgements: 0,
    byRule: { own: 0, 'responsible-supplier': 0, 'network-operator': 0, thread: 0, operator: 0, invisible: 0 },
    summaries: 0,
    summariesUndefined: 0,
    feeds: 0,
  };
}

/**
 * Runs `fn` on every item: one after the other, or all at once when `parallel` (PostgreSQL: the pool runs several
 * queries at a time). Parallel calls all finish (none left running into the next run) before the first failure
 * is rethrown. On SQLite queries run one at a time anyway, and sequential calls save the promise overhead.
 */
export async function forEach<T>(items: readonly T[], parallel: boolean, fn: (item: T) => Promise<void>): Promise<void> {
  if (!parallel) {
    for (const item of items) await fn(item);
    return;
  }
  const results = await Promise.allSettled(items.map(fn));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Every page of a listing, following `nextCursor`. */
async function listAll(view: PartyView, query: PartyMessageQuery): Promise<StoredMessage[][]> {
  const pages: StoredMessage[][] = [];
  let cursor: string | undefined;
  do {
    const page = await view.listMessages(cursor === undefined ? query : { ...query, cursor });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
    assert.ok(pages.length < 10_000, 'listing does not end');
  } while (cursor !== undefined);
  return pages;
}

/** The pages hold exactly `expected`, strictly newest first by (t(M), id), every page within the limit. */
async function expectListing(view: PartyView, query: PartyMessageQuery, expected: readonly CapturedMessage[], label: string): Promise<void> {
  const pages = await listAll(view, query);
  const limit = query.limit ?? 50;
  for (const p of pages) assert.ok(p.length <= limit, `${label}: a page of ${p.length} items over the limit ${limit}`);
  const items = pages.flat();
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1]!;
    const b = items[i]!;
    const ordered = a.time.getTime() > b.time.getTime() || (a.time.getTime() === b.time.getTime() && BigInt(a.id) > BigInt(b.id));
    assert.ok(ordered, `${label}: items ${a.id} and ${b.id} are not strictly newest first (duplicate or out of order)`);
  }
  assert.deepEqual(
    items.map((m) => `${m.id}@${relTime(m.time.getTime())}`),
    expected.map((m) => `${m.id}@${relTime(timeOf(m))}`),
    `${label}: listed ids (actual) differ from the plain rules (expected)`,
  );
}

/**
 * The live feed's read: `watchPage` from position 0, a few positions at a time, to the end. It must return exactly
 * `expected` in feed order, which is ingest order (`all` is in the order the store took the new messages), with
 * strictly increasing positions, and its cursor must reach the head.
 */
async function expectFeed(view: PartyView, query: FeedQuery, slice: number, expected: readonly CapturedMessage[], all: readonly CapturedMessage[], label: string): Promise<void> {
  const got: Array<{ seq: number; id: string }> = [];
  let cursor = 0;
  for (let calls = 0; ; calls++) {
    assert.ok(calls <= all.length + 1, `${label}: the feed does not end`);
    const page = await view.watchPage(cursor, query, slice);
    assert.ok(page.last >= cursor, `${label}: the cursor moved back from ${cursor} to ${page.last}`);
    assert.ok(page.last - cursor <= slice, `${label}: ${page.last - cursor} positions examined, more than ${slice}`);
    for (const item of page.items) assert.ok(item.seq > cursor && item.seq <= page.last, `${label}: position ${item.seq} outside (${cursor}, ${page.last}]`);
    got.push(...page.items.map((i) => ({ seq: i.seq, id: i.message.id })));
    if (page.last === cursor) break;
    cursor = page.last;
  }
  assert.equal(cursor, all.length, `${label}: the feed's cursor ends at ${cursor}, not at its ${all.length} messages`);
  for (let i = 1; i < got.length; i++) assert.ok(got[i]!.seq > got[i - 1]!.seq, `${label}: positions not strictly increasing`);
  const order = new Map(all.map((m, i) => [m.id, i]));
  const want = [...expected].sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  assert.deepEqual(got.map((g) => g.id), want.map((m) => m.id), `${label}: fed ids (actual) differ from the plain rules (expected)`);
}

/** The catalogue flags as the plain rules read them: the SRV the message names, looked up. */
function catalogueFlag(m: CapturedMessage, flag: 'critical' | 'securityRelevant'): boolean {
  const srv = m.message.serviceReferenceVariant;
  return srv !== null && (lookupSrv(srv)?.[flag] ?? false);
}

/** getThread of each RequestID: exactly the visible members, by time then id; undefined when none is visible. */
async function expectThreads(view: PartyView, requestIds: readonly string[], visible: readonly CapturedMessage[], label: string): Promise<void> {
  for (const rid of requestIds) {
    const members = visible.filter((m) => m.message.requestId && formatRequestId(m.message.requestId) === rid).sort((a, b) => newestFirst(b, a));
    const thread = await view.getThread(rid);
    if (members.length === 0) {
      assert.equal(thread, undefined, `${label}: getThread(${rid}) shows a thread with no visible member`);
      continue;
    }
    assert.ok(thread, `${label}: getThread(${rid}) is undefined but ${members.length} members are visible`);
    assert.deepEqual(thread.members.map((m) => m.id), members.map((m) => m.id), `${label}: getThread(${rid}) members (actual) vs visible (expected)`);
    const visibleRequest = members.some((m) => m.message.kind === 'request');
    assert.equal(thread.request !== null, visibleRequest, `${label}: getThread(${rid}).request`);
  }
}

function judgementLabel(c: VisibilityCase, all: readonly CapturedMessage[], partyId: string, m: CapturedMessage): string {
  const index = c.messages.findIndex((cm) => cm.message === m.message);
  return `party ${partyId}, message #${index} (id ${m.id}, ${m.message.kind}, t=${relTime(timeOf(m))}, U=${userOf(m)}, S=[${subjectsOf(m, all).join(', ')}])`;
}

/** How much of the store's API one comparison calls. */
export interface CompareOptions {
  /** The final comparison: every API below. Without it (a checkpoint during ingestion): explain and one listing. */
  full: boolean;
  /**
   * Every API on every pair and every listing combination (both strategies x othersOnly, every filter, every
   * thread). Without it each run rotates through them (`VisibilityCase.rotation`): every (party, message) pair is
   * still judged once, by explain or by getMessage; each party is listed in full (paged) under one of the four
   * combinations of strategy and othersOnly, consecutive parties taking consecutive combinations, then either
   * reads every thread or lists through one filter (deviceId, kind with othersOnly, or mpxn). Over many runs
   * every combination meets every kind of world, at less than half the cost per run (SQLite: 15 ms, not 40).
   */
  exhaustive: boolean;
  /** Issue a party's calls concurrently (PostgreSQL). */
  parallel: boolean;
}

/** Compares the store with the plain rules for every party of `world` over every captured message. */
export async function compareWithPlainRules(
  open: (partyId: string) => Promise<PartyView>,
  world: PlainWorld,
  all: readonly CapturedMessage[],
  c: VisibilityCase,
  options: CompareOptions,
  tally: Tally,
): Promise<void> {
  const { full, exhaustive, parallel } = options;
  const requestIds = [...new Set(all.flatMap((m) => (m.message.requestId ? [formatRequestId(m.message.requestId)] : [])))];
  await forEach(world.parties, parallel, async (party) => {
    const p = world.parties.indexOf(party) + c.rotation;
    const view = await open(party.id);
    assert.equal(view.operator, party.operator, `party ${party.id}: operator flag`);
    const rules = new Map(all.map((m) => [m.id, plainRules(world, all, party.id, m)]));
    const visible = all.filter((m) => rules.get(m.id)!.size > 0).sort(newestFirst);

    await forEach(all, parallel, async (m) => {
      const want = rules.get(m.id)!;
      const label = judgementLabel(c, all, party.id, m);
      const viaExplain = exhaustive || !full || (p + all.indexOf(m)) % 2 === 0;
      const viaGetMessage = full && (exhaustive || !viaExplain);
      if (viaExplain) {
        const reasons = await view.explain(m.id);
        assert.equal(reasons.length > 0, want.size > 0, `${label}: explain says [${reasons.map((r) => r.rule)}], plain rules [${[...want]}]`);
        expectRules(reasons.map((r) => r.rule), want, party.operator, `${label}: explain`);
      }
      if (viaGetMessage) {
        const vm = await view.getMessage(m.id);
        assert.equal(vm === undefined, want.size === 0, `${label}: getMessage ${vm ? 'returned it' : 'returned undefined'}, plain rules [${[...want]}]`);
        if (vm) {
          assert.equal(vm.message.id, m.id);
          expectRules(vm.reasons.map((r) => r.rule), want, party.operator, `${label}: getMessage`);
        }
      }
      tally.judgements++;
      if (want.size === 0) tally.byRule.invisible++;
      for (const r of want) tally.byRule[r]++;
    });

    const who = `party ${party.id}`;
    if (!full) {
      await expectListing(view, { strategy: c.filterStrategy, limit: 1000 }, visible, `${who} checkpoint listing`);
      return;
    }
    const others = visible.filter((m) => !isOwnTraffic(world, party.id, m));
    const listings = [
      ['by-device', false],
      ['by-time', false],
      ['by-device', true],
      ['by-time', true],
    ] as const;
    // Rotating: one of the four listings per party, the next party the next one.
    for (const [strategy, othersOnly] of exhaustive ? listings : [listings[p % 4]!]) {
      const label = `${who} ${strategy}${othersOnly ? ' othersOnly' : ''}`;
      await expectListing(view, { strategy, othersOnly, limit: c.limit }, othersOnly ? others : visible, label);
    }
    // Rotating: each party makes one of the four extra checks.
    const extra = (p >> 1) % 4;
    if (exhaustive || extra === 0) await expectThreads(view, requestIds, visible, who);
    if (exhaustive || extra === 1) {
      const byDevice = visible.filter((m) => subjectsOf(m, all).includes(c.filterDevice));
      const deviceQuery = { strategy: c.filterStrategy, deviceId: c.filterDevice, limit: c.limit };
      await expectListing(view, deviceQuery, byDevice, `${who} deviceId ${c.filterDevice}`);
      // Device summaries: of the filter device on some runs; of every device when exhaustive.
      for (const device of exhaustive ? c.reference.devices : c.summaryCheck ? c.reference.devices.filter((d) => d.deviceId === c.filterDevice) : []) {
        tally.summaries++;
        if (!(await expectDeviceSummary(view, world, all, visible, device.deviceId, device.type, who))) tally.summariesUndefined++;
      }
    }
    if (exhaustive || extra === 2) {
      const byKind = others.filter((m) => m.message.kind === c.filterKind);
      const kindQuery = { strategy: c.filterStrategy, kind: c.filterKind, othersOnly: true, limit: c.limit };
      await expectListing(view, kindQuery, byKind, `${who} kind ${c.filterKind} othersOnly`);
    }
    // The feed: one filter per party (rotating), every one when exhaustive.
    const feeds: Array<[string, FeedQuery, readonly CapturedMessage[]]> = [
      ['all', {}, visible],
      ['default (othersOnly, securityRelevant)', { othersOnly: true, securityRelevant: true }, others.filter((m) => catalogueFlag(m, 'securityRelevant'))],
      ['critical', { critical: true }, visible.filter((m) => catalogueFlag(m, 'critical'))],
      [`deviceId ${c.filterDevice}`, { deviceId: c.filterDevice }, visible.filter((m) => subjectsOf(m, all).includes(c.filterDevice))],
      [`mpxn ${c.filterMpxn} kind ${c.filterKind}`, { mpxn: c.filterMpxn, kind: c.filterKind }, visible.filter((m) => m.message.kind === c.filterKind && linkedAt(world, subjectsOf(m, all), c.filterMpxn, timeOf(m)))],
    ];
    for (const [name, query, expected] of exhaustive ? feeds : [feeds[(p + c.rotation) % feeds.length]!]) {
      tally.feeds++;
      await expectFeed(view, query, c.limit * 2, expected, all, `${who} feed ${name}`);
    }
    if (exhaustive || extra === 3) {
      const onSupplyPoint = visible.filter((m) => linkedAt(world, subjectsOf(m, all), c.filterMpxn, timeOf(m)));
      const mpxnQuery = { strategy: c.filterStrategy, mpxn: c.filterMpxn, limit: c.limit };
      await expectListing(view, mpxnQuery, onSupplyPoint, `${who} mpxn ${c.filterMpxn}`);
    }
  });
}

/** A non-operator's reasons name exactly the rules that hold; an operator's view may stop at "operator". */
function expectRules(got: readonly string[], want: ReadonlySet<PlainRule>, operator: boolean, label: string): void {
  if (operator) assert.ok(got.includes('operator'), `${label}: an operator's reasons [${got}] lack "operator"`);
  else assert.deepEqual([...new Set(got)].sort(), [...want].sort(), `${label}: reasons (actual) differ from the plain rules (expected)`);
}
