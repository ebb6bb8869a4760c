import pg from 'pg';
import { StatementTimings, type Profiler } from './query-world.js';

/**
 * {@link Profiler} for the PostgreSQL store: wraps `pg.Client#query` (the promise form Kysely and the prepared
 * reads use) and times each statement from send to result, by SQL text with IN lists folded. PostgreSQL
 * prepares named statements on the server, so `prepareMs` stays 0: the planning is inside `runMs`. Install it
 * before the store connects: each connection binds its query method when it opens (prepared-reads.ts).
 */
export function installPgProfiler(): Profiler {
  const timings = new StatementTimings();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]): unknown {
    const result = query.apply(this, args);
    const bucket = timings.active;
    if (!bucket || !(result instanceof Promise)) return result;
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first.text ?? '');
    const t = performance.now();
    return result.then((res: { rows?: unknown[] }) => {
      const entry = timings.entry(bucket, text);
      entry.calls++;
      entry.rows += res.rows?.length ?? 0;
      entry.runMs += performance.now() - t;
      return res;
    });
  };
  return timings;
}
