/**
 * Calendar months of t(M) (UTC), the unit of time partitioning on PostgreSQL and of retention on both
 * backends. A month is named by its key `yyyymm` (e.g. 202612); its range is [first instant, first instant
 * of the next month) in epoch milliseconds, the unit of every `time` column.
 */

export type MonthKey = number;

/** The month holding `ms`. */
export function monthOf(ms: number): MonthKey {
  const d = new Date(ms);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/** The month `delta` months after `month` (negative: before). */
export function addMonths(month: MonthKey, delta: number): MonthKey {
  const index = Math.floor(month / 100) * 12 + ((month % 100) - 1) + delta;
  return Math.floor(index / 12) * 100 + (index % 12) + 1;
}

/** The month's range in epoch milliseconds: `from` inclusive, `to` exclusive. */
export function monthRange(month: MonthKey): { from: number; to: number } {
  const year = Math.floor(month / 100);
  const m = (month % 100) - 1;
  return { from: Date.UTC(year, m, 1), to: Date.UTC(year, m + 1, 1) };
}

/** `2026-12` for 202612. */
export function monthLabel(month: MonthKey): string {
  return `${Math.floor(month / 100)}-${String(month % 100).padStart(2, '0')}`;
}

/** The distinct months of some instants, ascending. */
export function monthsOf(times: Iterable<number>): MonthKey[] {
  const out = new Set<MonthKey>();
  for (const t of times) out.add(monthOf(t));
  return [...out].sort((a, b) => a - b);
}

/**
 * A retention period: `13mo`, `400d`, `8w` or `2y`. Months and years are calendar months back from `now`
 * (UTC); days and weeks are exact.
 */
export interface RetentionPeriod {
  amount: number;
  unit: 'd' | 'w' | 'mo' | 'y';
}

const PERIOD = /^([1-9][0-9]{0,4})(d|w|mo|y)$/;

/** Parses `--keep`; throws an `Error` whose message says what is accepted. */
export function parseRetentionPeriod(text: string): RetentionPeriod {
  const m = PERIOD.exec(text.trim());
  if (!m) {
    throw new Error(`retention period ${JSON.stringify(text)} is not understood: use a whole number followed by mo, d, w or y (e.g. 13mo, 400d)`);
  }
  return { amount: Number(m[1]), unit: m[2] as RetentionPeriod['unit'] };
}

/**
 * The retention boundary for keeping `period` back from `now`: the first instant of the month holding
 * `now - period`. Whole months are dropped, never part of one, so everything at or after the returned instant
 * is kept (between `period` and `period` plus one month of history) and everything before it is expired.
 */
export function retentionBoundary(period: RetentionPeriod, now: number): number {
  const d = new Date(now);
  switch (period.unit) {
    case 'd':
      d.setTime(now - period.amount * 86_400_000);
      break;
    case 'w':
      d.setTime(now - period.amount * 7 * 86_400_000);
      break;
    case 'mo':
      d.setUTCMonth(d.getUTCMonth() - period.amount, 1);
      break;
    case 'y':
      d.setUTCMonth(d.getUTCMonth() - 12 * period.amount, 1);
      break;
  }
  return monthRange(monthOf(d.getTime())).from;
}
