import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageItem } from '../../web/src/api-types.js';
import { countPerDay, formatTime, groupThreads, sortItems } from '../../web/src/timeline.js';

const item = (id: string, kind: MessageItem['kind'], time: string, extra: Partial<MessageItem> = {}): MessageItem => ({
  id, kind, time, requestId: null, responseId: null, srv: null, srvName: null, commandVariant: null, originatorId: null, originatorRole: null, targetId: null,
  deviceIds: [], responseCode: null, alertCode: null, receivedAt: time, critical: false, securityRelevant: false, own: true, ...extra,
});

describe('device timeline helpers', () => {
  const items = [
    item('5', 'device-alert', '2026-03-04T12:00:00Z'),
    item('3', 'response', '2026-03-02T09:00:05Z', { requestId: 'R1', responseCode: 'I0' }),
    item('2', 'acknowledgement', '2026-03-02T09:00:01Z', { requestId: 'R1' }),
    item('1', 'request', '2026-03-02T09:00:00Z', { requestId: 'R1', srv: '7.2', originatorId: 'U' }),
    item('4', 'device-alert', '2026-03-02T08:00:00Z'),
  ];

  it('groups by request ID, alerts without one on their own, newest first, members oldest first', () => {
    const entries = groupThreads(items);
    assert.deepEqual(entries.map((e) => e.members.map((m) => m.id)), [['5'], ['1', '2', '3'], ['4']]);
    assert.equal(entries[1]!.requestId, 'R1');
    assert.equal(entries[1]!.latest, '2026-03-02T09:00:05Z');
  });

  it('counts per day and category with empty days filled in', () => {
    const counts = countPerDay(items, (m) => (m.originatorId ? 'IS' : 'none'), ['IS', 'none']);
    assert.deepEqual(counts.days, ['2026-03-02', '2026-03-03', '2026-03-04']);
    assert.deepEqual(counts.categories, ['IS', 'none']);
    assert.deepEqual(counts.counts, [[1, 3], [0, 0], [0, 1]]);
    assert.deepEqual(countPerDay([], () => 'x'), { days: [], categories: [], counts: [] });
  });

  it('sorts a page by a column, SRVs numerically, ties in API order', () => {
    const srvs = [item('a', 'request', 't', { srv: '4.10' }), item('b', 'request', 't', { srv: '4.9' }), item('c', 'request', 't'), item('d', 'request', 't', { srv: '4.9' })];
    assert.deepEqual(sortItems(srvs, 'srv', 'ascending').map((m) => m.id), ['b', 'd', 'a', 'c']);
    assert.deepEqual(sortItems(srvs, 'srv', 'descending').map((m) => m.id), ['c', 'a', 'b', 'd']);
    assert.deepEqual(sortItems(items, 'time', 'ascending').map((m) => m.id), ['4', '1', '2', '3', '5']);
  });

  it('formats instants as UTC text', () => {
    assert.equal(formatTime('2026-03-02T09:00:05.000Z'), '2026-03-02 09:00:05 UTC');
    assert.equal(formatTime(null), '—');
  });
});
