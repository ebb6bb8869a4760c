/**
 * Instants in reference data: ISO-8601 date-times that always carry a time zone.
 *
 * `Date.parse` is not used: it accepts dates without a zone (read as local time, so the meaning would depend
 * on the server's time zone), rolls impossible dates over (`2024-02-30` becomes 1 March) and accepts
 * implementation-specific formats. A validity period that silently shifts is worse than a rejected one.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

const MINUTE = 60_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Epoch milliseconds of `YYYY-MM-DDThh:mm[:ss[.fff…]](Z|±hh:mm|±hhmm)`, or `undefined` for anything else,
 * including a missing zone, an impossible date or time (`2024-02-30`, hour 24, second 60) and non-strings.
 * Fractions finer than a millisecond are truncated, as the store keeps milliseconds.
 */
export function parseIsoInstant(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = INSTANT.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }

  // Date.UTC maps years 0..99 to 1900..1999, so set the full year separately.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * MINUTE;
}

/**
 * The UTC ISO-8601 form of an instant, without `.000` when the milliseconds are zero, so that problems and
 * exports read like the documents people write (`2024-01-01T00:00:00Z`). Throws `RangeError` for NaN.
 */
export function formatIsoInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
