/** Database used when neither `--db` nor `SRVV_DB` is given: the embedded SQLite file. */
export const DEFAULT_DB_URL = 'sqlite:./data/srvv.db';

/**
 * The store URL for a command: `--db`, else the `SRVV_DB` environment variable, else {@link DEFAULT_DB_URL}.
 * Accepted forms: `sqlite:<path>`, `sqlite::memory:`, `postgres://...`, `postgresql://...`.
 */
export function resolveDbUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? (env.SRVV_DB?.trim() || DEFAULT_DB_URL);
}

/** The URL with any password hidden, for logs and messages. */
export function redactDbUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
