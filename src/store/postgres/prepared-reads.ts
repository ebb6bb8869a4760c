import { createHash } from 'node:crypto';

/**
 * Makes a pg client run read statements as named prepared statements, so PostgreSQL plans each distinct SELECT
 * once per connection instead of on every call.
 *
 * Why: planning a join over the month-partitioned tables costs more than running it. Measured on the 10-million-row
 * benchmark database, for the device-history candidate query on a warm connection: planning 0.60 ms, execution
 * 0.34 ms (docs/benchmarks.md). Kysely sends every statement unnamed, so every call was planned afresh; a listing runs
 * four or five statements. This is the PostgreSQL twin of sqlite/statement-cache.ts.
 *
 * Only SELECT and WITH … SELECT texts are prepared (writes are few per batch, DDL cannot be), and at most
 * {@link MAX_PREPARED} distinct texts per connection: the query builders pad IN lists to powers of two so texts
 * repeat, and anything past the cap simply runs unnamed, so a stream of one-off texts cannot grow a backend's
 * memory without bound.
 */
export const MAX_PREPARED = 256;

interface QueryableClient {
  query(...args: unknown[]): unknown;
}

const READ = /^\s*(select|with)\b/i;

/** Wraps `client.query` in place (call once per new connection, e.g. from the pool's `connect` event). */
export function prepareReadsOn(client: QueryableClient): void {
  const names = new Map<string, string>();
  const query = client.query.bind(client);
  client.query = (config: unknown, values?: unknown, callback?: unknown): unknown => {
    if (typeof config !== 'string' || !Array.isArray(values) || !READ.test(config) || /^\s*with\b/i.test(config) && !isReadOnlyWith(config)) {
      return query(config, values, callback);
    }
    let name = names.get(config);
    if (name === undefined) {
      if (names.size >= MAX_PREPARED) return query(config, values, callback);
      name = `srvv_${createHash('sha1').update(config).digest('hex').slice(0, 24)}`;
      names.set(config, name);
    }
    return query({ name, text: config, values }, callback);
  };
}

/** A WITH statement that writes (`WITH x AS (UPDATE …) INSERT …`) is run as sent: only plain reads are prepared. */
function isReadOnlyWith(text: string): boolean {
  return !/\b(insert|update|delete|merge)\b/i.test(text);
}
