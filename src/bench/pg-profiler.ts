import pg from 'pg';
import type { Profiler, StatementProfile } from './query-world.js';

/**
 * {@link Profiler} for the PostgreSQL store: wraps `pg.Client#query` (the promise form Kysely and the prepared
 * reads use) and times each statement from send to result, by SQL text with IN lists folded. PostgreSQL
 * prepares named statements on the server, so `prepareMs` stays 0: the planning is inside `runMs`.
 */
export function installPgProfiler(): Profiler {
  let active: Map<string, StatementProfile> | undefined;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]): unknown {
    const result = query.apply(this, args);
    const bucket = active;
    if (!bucket || !(result instanceof Promise)) return result;
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first.text ?? '');
    const key = text.replace(/\$\d+(?:, \$\d+)+/g, '$…').replace(/\s+/g, ' ');
    const t = performance.now();
    return result.then((res: { rowCount?: number | null; rows?: unknown[] }) => {
      let entry = bucket.get(key);
      if (!entry) bucket.set(key, (entry = { sql: key, calls: 0, prepareMs: 0, runMs: 0, rows: 0 }));
      entry.calls++;
      entry.rows += res.rows?.length ?? 0;
      entry.runMs += performance.now() - t;
      return res;
    });
  };
  return {
    start: () => (active = new Map()),
    resume: (handle) => void (active = handle),
    pause: () => void (active = undefined),
    stop: (handle) => {
      active = undefined;
      return [...handle.values()].sort((a, b) => b.prepareMs + b.runMs - (a.prepareMs + a.runMs));
    },
  };
}
