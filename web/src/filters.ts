/*
 * The search filters <-> URL query mapping. Pure (no DOM): unit-tested in test/web-unit.
 * The names are the API's (`GET /api/v1/messages`), so a portal URL and an API URL share their query.
 */

export const FILTER_NAMES = [
  'deviceId', 'mpxn', 'requestId', 'srv', 'originatorId', 'originatorRole', 'kind', 'responseCode', 'from', 'to', 'othersOnly',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];
/** Filters as text, exactly as the API takes them; absent = not filtered. `othersOnly` is only ever `'true'`. */
export type Filters = Partial<Record<FilterName, string>>;

/** The known filters of a query string (`?a=b&…` or a URLSearchParams); unknown and blank parameters are dropped. */
export function filtersFromQuery(query: string | URLSearchParams): Filters {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const value = params.get(name)?.trim();
    if (!value) continue;
    if (name === 'othersOnly') {
      if (value === 'true') filters.othersOnly = 'true';
    } else {
      filters[name] = value;
    }
  }
  return filters;
}

/** The query string (without `?`) for filters, in FILTER_NAMES order, blanks left out; `extra` appended. */
export function filtersToQuery(filters: Filters, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name]?.trim();
    if (value && (name !== 'othersOnly' || value === 'true')) params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) params.set(name, value);
  return params.toString();
}

/**
 * A `datetime-local` value, read as UTC (the portal shows every time in UTC, as DUIS does), to ISO-8601 with `Z`:
 * `2026-03-02T09:00` -> `2026-03-02T09:00:00.000Z`. `undefined` for blank or unreadable input.
 */
export function localInputToIso(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(?:\.\d{1,3})?)?$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** An ISO instant to a `datetime-local` value in UTC (minutes); `''` when it is not a readable instant. */
export function isoToLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 16);
}

/** What the SRV suggestions need of a catalogue entry. */
export interface SrvChoice {
  variant: string;
  name: string;
}

const VARIANT = /^\d{1,3}(?:\.\d{1,3}){0,3}$/;

/**
 * The SRV filter for what was typed: a variant as is (`7.2`), a catalogue name (any case) as its variant
 * (`Disable Supply` -> `7.2`), or a suggestion's text `7.2 — Disable Supply` as its variant. `undefined` when
 * it is none of these (the form says so instead of searching).
 */
export function resolveSrv(text: string, catalogue: readonly SrvChoice[]): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (VARIANT.test(t)) return t;
  const lead = /^(\d{1,3}(?:\.\d{1,3}){0,3})\s+[—–-]\s+/.exec(t);
  if (lead) return lead[1];
  const lower = t.toLowerCase();
  return catalogue.find((e) => e.name.toLowerCase() === lower)?.variant;
}
