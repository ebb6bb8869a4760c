import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageItem } from '../../web/src/api-types.js';
import {
  addEvent, CATCH_UP_MS, DEFAULT_WATCH_FILTERS, describeFilters, eventSentence, newestPosition, normaliseFilters, parseFeedEvent, parseStoredState,
  resumePosition, storageKey, unreadCount, watchQuery, type FeedEvent,
} from '../../web/src/notifications.js';
import {
  createBody, describeSubscriptionFilters, hexSecret, lastOutcome, testOutcome, toDelivery, toDeliveryPage, toSubscription, toSubscriptionList, toTestResult,
} from '../../web/src/subscription-model.js';

const item = (id: string, extra: Partial<MessageItem> = {}): MessageItem => ({
  id, kind: 'request', requestId: null, responseId: null, srv: '7.2', srvName: 'Disable Supply', commandVariant: 1, originatorId: null, originatorRole: 'OU',
  targetId: null, deviceIds: ['00-DB-12-34-56-78-90-A0'], responseCode: null, alertCode: null, time: '2026-03-02T09:00:00.000Z',
  receivedAt: '2026-03-02T09:00:01.000Z', critical: true, securityRelevant: true, own: false, ...extra,
});
const ev = (seq: number): FeedEvent => ({ seq, item: item(String(seq)) });

describe('notification centre state', () => {
  it('maps filters to the /watch query, spelling out the defaults it turns off', () => {
    assert.equal(watchQuery(DEFAULT_WATCH_FILTERS), 'othersOnly=true&securityRelevant=true');
    assert.equal(
      watchQuery({ othersOnly: false, securityRelevant: false, critical: true, srv: '6.15.1', kind: 'request' }, { lastEventId: '42', x: undefined }),
      'othersOnly=false&securityRelevant=false&critical=true&srv=6.15.1&kind=request&lastEventId=42',
    );
  });

  it('normalises stored or typed filters', () => {
    assert.deepEqual(normaliseFilters(undefined), { othersOnly: true, securityRelevant: true, critical: false });
    assert.deepEqual(normaliseFilters({ othersOnly: 'false', critical: true, srv: ' 7.2 ', kind: 'request' }), { othersOnly: false, securityRelevant: true, critical: true, srv: '7.2', kind: 'request' });
    assert.deepEqual(normaliseFilters({ srv: 'Disable Supply', kind: 'nonsense' }), { othersOnly: true, securityRelevant: true, critical: false });
    assert.equal(describeFilters(DEFAULT_WATCH_FILTERS), "other users' security-relevant messages");
    assert.equal(describeFilters({ othersOnly: false, securityRelevant: false, critical: true, srv: '7.2', kind: 'request' }), "all users' critical request messages for SRV 7.2");
  });

  it('reads the stored state defensively and resumes only from a recent last-seen position', () => {
    assert.equal(storageKey('SUP A', 'bob'), 'srvv.notifications.SUP%20A.bob');
    assert.deepEqual(parseStoredState('not json'), { lastSeen: null, lastSeenAt: null, filters: DEFAULT_WATCH_FILTERS });
    assert.deepEqual(parseStoredState(JSON.stringify({ lastSeen: -1, lastSeenAt: 5 })).lastSeen, null);
    const state = parseStoredState(JSON.stringify({ lastSeen: 40, lastSeenAt: 1_000, filters: { critical: true } }));
    assert.deepEqual(state, { lastSeen: 40, lastSeenAt: 1_000, filters: { othersOnly: true, securityRelevant: true, critical: true } });
    assert.equal(resumePosition(state, 1_000 + CATCH_UP_MS), 40);
    assert.equal(resumePosition(state, 1_001 + CATCH_UP_MS), undefined);
    assert.equal(resumePosition(parseStoredState(null), 0), undefined);
  });

  it('parses events, keeps them newest first without duplicates, capped, and counts the unread', () => {
    assert.equal(parseFeedEvent('x', '{}'), undefined);
    assert.equal(parseFeedEvent('3', 'not json'), undefined);
    assert.equal(parseFeedEvent('3', '{"id":"1"}'), undefined);
    assert.deepEqual(parseFeedEvent('3', JSON.stringify(item('9'))), { seq: 3, item: item('9') });
    const events: FeedEvent[] = [];
    assert.equal(addEvent(events, ev(5), 3), true);
    assert.equal(addEvent(events, ev(7), 3), true);
    assert.equal(addEvent(events, ev(6), 3), true);
    assert.equal(addEvent(events, ev(6), 3), false, 'a position once');
    assert.equal(addEvent(events, ev(4), 3), false, 'older than everything kept, at the cap');
    assert.equal(addEvent(events, ev(8), 3), true);
    assert.deepEqual(events.map((e) => e.seq), [8, 7, 6]);
    assert.equal(unreadCount(events, null), 3);
    assert.equal(unreadCount(events, 6), 2);
    assert.equal(newestPosition(events, 2), 8);
    assert.equal(newestPosition(events, 9), 9);
    assert.equal(newestPosition([], null), null);
    assert.equal(eventSentence(item('1')), 'request 7.2 Disable Supply by another user, device 00-DB-12-34-56-78-90-A0');
  });
});

describe('webhook subscriptions as the portal reads them', () => {
  it('maps subscriptions, deliveries and the test answer', () => {
    const sub = toSubscription({ id: 'sub_1', partyId: 'SUPA', url: 'https://x/h', filters: { othersOnly: true, securityRelevant: true, n: 1 }, createdBy: { kind: 'user', id: 'a', name: 'alice' }, createdAt: '2026-01-01T00:00:00.000Z', active: false });
    assert.deepEqual(sub, { id: 'sub_1', url: 'https://x/h', filters: { othersOnly: true, securityRelevant: true }, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'alice', active: false });
    assert.deepEqual(toSubscriptionList({ items: [{ id: 'sub_2' }] }).map((s) => s.id), ['sub_2']);
    const raw = { id: 'dlv_1', subscriptionId: 'sub_1', messageId: null, test: true, status: 'dead', attempts: 8, nextAttemptAt: null, lastStatus: 500, lastError: 'HTTP 500', createdAt: '2026-01-01T00:00:00.000Z', deliveredAt: null };
    assert.deepEqual(toDelivery(raw), { id: 'dlv_1', messageId: null, status: 'dead', attempts: 8, lastStatus: 500, lastError: 'HTTP 500', createdAt: '2026-01-01T00:00:00.000Z', deliveredAt: null, nextAttemptAt: null });
    assert.equal(toDeliveryPage({ items: [raw], nextCursor: 'c' }).nextCursor, 'c');
    assert.equal(toTestResult(raw)?.id, 'dlv_1');
    assert.equal(toTestResult({ delivery: raw })?.id, 'dlv_1');
    assert.equal(toTestResult(undefined), null);
  });

  it('describes stored filters (absent flags are off) and outcomes', () => {
    assert.equal(describeSubscriptionFilters({ othersOnly: true, securityRelevant: true }), "other users' security-relevant messages");
    assert.equal(describeSubscriptionFilters({}), "all users' messages");
    assert.equal(describeSubscriptionFilters({ deviceId: '00-DB-12-34-56-78-90-A0', srv: '7.2' }), "all users' messages for SRV 7.2; deviceId 00-DB-12-34-56-78-90-A0");
    assert.equal(lastOutcome({ lastStatus: 500, lastError: 'HTTP 500' }), 'HTTP 500');
    assert.equal(lastOutcome({ lastStatus: 500, lastError: 'boom' }), 'HTTP 500: boom');
    assert.equal(lastOutcome({ lastStatus: null, lastError: 'connection refused' }), 'connection refused');
    assert.equal(lastOutcome({ lastStatus: 204, lastError: null }), 'HTTP 204');
    assert.equal(lastOutcome({ lastStatus: null, lastError: null }), '—');
    const d = toDelivery({ id: 'dlv_1', status: 'pending', attempts: 0 });
    assert.equal(testOutcome(d), undefined);
    assert.equal(testOutcome({ ...d, status: 'delivered', lastStatus: 204 }), 'Test event delivered (HTTP 204).');
    assert.equal(testOutcome({ ...d, attempts: 1, lastError: 'timeout' }), 'Test event not delivered yet: timeout; it will be retried.');
  });

  it('builds the create body and secrets', () => {
    assert.deepEqual(createBody(' https://x/h ', 's'.repeat(16), { othersOnly: false, securityRelevant: true, critical: true, kind: 'request' }), {
      url: 'https://x/h', secret: 's'.repeat(16), filters: { othersOnly: false, securityRelevant: true, critical: true, kind: 'request' },
    });
    assert.equal(hexSecret(new Uint8Array([0, 15, 255])), '000fff');
  });
});
