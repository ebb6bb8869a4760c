import { readFileSync } from 'node:fs';
import { DEFAULT_DURABLE, NATS_NAME } from '../ingest/jetstream/nats-names.js';
import { DEFAULT_DB_URL } from './db-url.js';

/** Everything `srvv serve` can be configured with. */
export interface ServeConfig {
  db: string;
  host: string;
  port: number;
  trustProxy: boolean;
  /** Requests per minute per token / user / address; 0 turns the limit off. */
  rateLimit: number;
  logLevel: string;
  /** NATS server URL(s) of the capture stream (comma-separated); unset: no stream checks. */
  nats: string | undefined;
  /** The stream `srvv consume` reads; required with `nats`. */
  stream: string | undefined;
  /** Its durable consumer, whose lag `/metrics` reports. */
  durable: string;
}

/** Command-line flags as commander hands them over (strings; absent when not given). */
export interface ServeFlagValues {
  config?: string;
  db?: string;
  host?: string;
  port?: string;
  trustProxy?: boolean;
  rateLimit?: string;
  logLevel?: string;
  nats?: string;
  stream?: string;
  durable?: string;
}

export const SERVE_DEFAULTS: ServeConfig = {
  db: DEFAULT_DB_URL,
  host: '127.0.0.1',
  port: 8080,
  trustProxy: false,
  rateLimit: 1200,
  logLevel: 'info',
  nats: undefined,
  stream: undefined,
  durable: DEFAULT_DURABLE,
};

const KEYS = Object.keys(SERVE_DEFAULTS) as Array<keyof ServeConfig>;
const ENV: Record<keyof ServeConfig, string> = {
  db: 'SRVV_DB',
  host: 'SRVV_HOST',
  port: 'SRVV_PORT',
  trustProxy: 'SRVV_TRUST_PROXY',
  rateLimit: 'SRVV_RATE_LIMIT',
  logLevel: 'SRVV_LOG_LEVEL',
  nats: 'SRVV_NATS',
  stream: 'SRVV_STREAM',
  durable: 'SRVV_DURABLE',
};
const NATS_URLS = /^(nats|tls):\/\/[^\s,]+(,\s*(nats|tls):\/\/[^\s,]+)*$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The configuration of `srvv serve`, each setting from the first place that has it: the command-line flag, the
 * environment variable (`SRVV_DB`, `SRVV_HOST`, `SRVV_PORT`, `SRVV_TRUST_PROXY`, `SRVV_RATE_LIMIT`,
 * `SRVV_LOG_LEVEL`, `SRVV_NATS`, `SRVV_STREAM`, `SRVV_DURABLE`), the JSON config file (`--config` or `SRVV_CONFIG`; keys as in {@link ServeConfig}), the
 * default. Every value is checked; a bad one throws naming where it came from (`SRVV_PORT: "x" is not a port
 * number`, `/etc/srvv.json: unknown key "prot"`).
 */
export function resolveServeConfig(flags: ServeFlagValues, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const file = flags.config ?? env.SRVV_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const pick = (key: keyof ServeConfig, flag: unknown): { value: unknown; source: string } => {
    if (flag !== undefined) return { value: flag, source: `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` };
    const fromEnv = env[ENV[key]];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv.trim(), source: ENV[key] };
    if (key in fromFile) return { value: fromFile[key], source: `${file}: ${key}` };
    return { value: SERVE_DEFAULTS[key], source: 'default' };
  };
  const db = pick('db', flags.db);
  const host = pick('host', flags.host);
  const port = pick('port', flags.port);
  const trustProxy = pick('trustProxy', flags.trustProxy);
  const rateLimit = pick('rateLimit', flags.rateLimit);
  const logLevel = pick('logLevel', flags.logLevel);
  const nats = pick('nats', flags.nats);
  const stream = pick('stream', flags.stream);
  const durable = pick('durable', flags.durable);
  // The stream settings go together: a NATS URL without a stream (or the reverse) is a mistake, not a default.
  if ((nats.value === undefined) !== (stream.value === undefined)) {
    const given = nats.value === undefined ? stream : nats;
    throw new Error(`${given.source}: ${given === nats ? 'a NATS URL needs a stream name (--stream, SRVV_STREAM)' : 'a stream name needs a NATS URL (--nats, SRVV_NATS)'}`);
  }
  return {
    db: text(db, /^(sqlite:|postgres(ql)?:\/\/)/, 'is not sqlite:<path> or postgres://…'),
    host: text(host, /^\S+$/, 'is not a host name or address'),
    port: integer(port, 0, 65535, 'is not a port number'),
    trustProxy: boolean(trustProxy),
    rateLimit: integer(rateLimit, 0, 1_000_000, 'is not a number of requests per minute (0: no limit)'),
    logLevel: text(logLevel, new RegExp(`^(${LOG_LEVELS.join('|')})$`), `is not one of ${LOG_LEVELS.join(', ')}`),
    nats: nats.value === undefined ? undefined : text(nats, NATS_URLS, 'is not nats://host:port (or a comma-separated list)'),
    stream: stream.value === undefined ? undefined : text(stream, NATS_NAME, 'is not a stream name (letters, digits, - and _)'),
    durable: text(durable, NATS_NAME, 'is not a consumer name (letters, digits, - and _)'),
  };
}

function readConfigFile(path: string): Partial<Record<keyof ServeConfig, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read the config file (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: a config file holds one JSON object`);
  for (const key of Object.keys(parsed)) {
    if (!(KEYS as string[]).includes(key)) throw new Error(`${path}: unknown key ${JSON.stringify(key)} (known: ${KEYS.join(', ')})`);
  }
  return parsed as Partial<Record<keyof ServeConfig, unknown>>;
}

function fail(p: { value: unknown; source: string }, message: string): never {
  throw new Error(`${p.source}: ${JSON.stringify(p.value)} ${message}`);
}

function text(p: { value: unknown; source: string }, pattern: RegExp, message: string): string {
  if (typeof p.value !== 'string' || !pattern.test(p.value)) fail(p, message);
  return p.value;
}

function integer(p: { value: unknown; source: string }, min: number, max: number, message: string): number {
  const n = typeof p.value === 'number' ? p.value : typeof p.value === 'string' && /^\d+$/.test(p.value) ? Number(p.value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) fail(p, message);
  return n;
}

function boolean(p: { value: unknown; source: string }): boolean {
  if (typeof p.value === 'boolean') return p.value;
  if (p.value === '1' || p.value === 'true') return true;
  if (p.value === '0' || p.value === 'false') return false;
  return fail(p, 'is not true/false (1/0)');
}
