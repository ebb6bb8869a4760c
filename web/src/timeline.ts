/*
 * Shaping listed messages for the device page and the results table. Pure (no DOM): unit-tested in test/web-unit.
 */
import type { MessageItem } from './api-types.js';

/** One entry of a device timeline: a request thread, or an alert without a RequestID on its own. */
export interface TimelineEntry {
  key: string;
  requestId: string | null;
  /** Members by time, oldest first. */
  members: MessageItem[];
  /** The newest member's time (entries are ordered newest first). */
  latest: string;
}

/** Groups messages by RequestID (alerts without one are their own entries); entries newest first. */
export function groupThreads(items: readonly MessageItem[]): TimelineEntry[] {
  const byKey = new Map<string, MessageItem[]>();
  for (const m of items) {
    const key = m.requestId !== null ? `r:${m.requestId}` : `m:${m.id}`;
    const list = byKey.get(key);
    if (list) list.push(m);
    else byKey.set(key, [m]);
  }
  const entries = [...byKey.entries()].map(([key, members]) => {
    members.sort((a, b) => compareText(a.time, b.time) || compareText(a.id, b.id, true));
    return { key, requestId: members[0]!.requestId, members, latest: members[members.length - 1]!.time };
  });
  return entries.sort((a, b) => compareText(b.latest, a.latest));
}

/** Messages per UTC day and category, for a stacked bar chart; days ascending, every day in between included. */
export interface DailyCounts {
  days: string[];
  categories: string[];
  /** counts[dayIndex][categoryIndex] */
  counts: number[][];
}

export function countPerDay(items: readonly MessageItem[], categoryOf: (m: MessageItem) => string, categoryOrder: readonly string[] = []): DailyCounts {
  if (items.length === 0) return { days: [], categories: [], counts: [] };
  const days = new Set<string>();
  const seen = new Set<string>();
  for (const m of items) {
    days.add(m.time.slice(0, 10));
    seen.add(categoryOf(m));
  }
  const sortedDays = [...days].sort();
  const allDays: string[] = [];
  for (let t = Date.parse(`${sortedDays[0]}T00:00:00Z`), end = Date.parse(`${sortedDays[sortedDays.length - 1]}T00:00:00Z`); t <= end; t += 86_400_000) {
    allDays.push(new Date(t).toISOString().slice(0, 10));
  }
  const categories = [...categoryOrder.filter((c) => seen.has(c)), ...[...seen].filter((c) => !categoryOrder.includes(c)).sort()];
  const counts = allDays.map(() => categories.map(() => 0));
  const dayIndex = new Map(allDays.map((d, i) => [d, i]));
  const catIndex = new Map(categories.map((c, i) => [c, i]));
  for (const m of items) counts[dayIndex.get(m.time.slice(0, 10))!]![catIndex.get(categoryOf(m))!]! += 1;
  return { days: allDays, categories, counts };
}

/** Sort keys of the results table. */
export type SortKey = 'time' | 'kind' | 'srv' | 'originatorId' | 'deviceIds' | 'responseCode' | 'requestId';

/** A copy of `items` sorted by one column; ties keep the API's order (newest first). */
export function sortItems(items: readonly MessageItem[], key: SortKey, direction: 'ascending' | 'descending'): MessageItem[] {
  const value = (m: MessageItem): string => {
    const v = key === 'deviceIds' ? m.deviceIds.join(' ') : key === 'responseCode' ? (m.responseCode ?? m.alertCode) : m[key];
    return v ?? '';
  };
  const sign = direction === 'ascending' ? 1 : -1;
  return items
    .map((m, i) => ({ m, i }))
    .sort((a, b) => sign * compareText(value(a.m), value(b.m), key === 'srv') || a.i - b.i)
    .map((x) => x.m);
}

/** Text order; `numeric` compares digit runs as numbers (SRV 4.10 after 4.9). Empty sorts last when ascending. */
function compareText(a: string, b: string, numeric = false): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  return numeric ? a.localeCompare(b, 'en', { numeric: true }) : a < b ? -1 : 1;
}

/** `2026-03-02T09:00:05.000Z` -> `2026-03-02 09:00:05 UTC`; other text as is. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}
