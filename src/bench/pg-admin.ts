// PostgreSQL housekeeping for `npm run bench:pg` (pg-bench.ts): databases created and dropped through an admin
// connection, and the size of a store.
import pg from 'pg';

/** The URL of database `name` on the server of `adminUrl` (same user, host, options). */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Database names the bench creates: plain identifiers, so they can be spliced into DDL. */
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checked(name: string): string {
  if (!NAME.test(name)) throw new Error(`not a bench database name: ${JSON.stringify(name)}`);
  return name;
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

/** Creates database `name`, dropping it first when it exists. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${checked(name)}`);
  });
  return databaseUrl(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${checked(name)} WITH (FORCE)`));
}

/** Bytes of every table of the current schema (partitions included; indexes and TOAST with their table), by table. */
export async function tableBytes(client: pg.Client): Promise<Map<string, number>> {
  const rows = await client.query<{ name: string; bytes: string }>(`
    SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
    FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'm')`);
  return new Map(rows.rows.map((r) => [r.name, Number(r.bytes)]));
}
