import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditAction } from '../../../audit/access-audit.js';
import { ApiError, StoreError } from '../../../errors.js';
import type { FeedQuery, MessageStore, PartyView } from '../../../store/message-store.js';
import { principalKey } from '../../auth/principal.js';
import { messageItem, originatorRoles } from '../../../views/message-views.js';
import { SESSION_COOKIE } from '../../plugins/auth-plugin.js';
import { recordAccess } from '../../record-access.js';
import { errorResponses, MESSAGE_FILTERS } from '../../schemas/api-schemas.js';
import { auditedFilters, toPartyQuery, type MessageFilterParams } from '../../../views/message-filters.js';
import { FeedPoller } from './feed-poller.js';

/** Tunables of the live feed; every one has a production default. */
export interface WatchOptions {
  /** How often the process reads the feed's head, ms. Default 500. */
  pollMs?: number;
  /** Interval of the `: heartbeat` comment, ms. Default 15,000 (below common proxy idle timeouts of 30-60 s). */
  heartbeatMs?: number;
  /** Open watches per token or user in this process; one more answers 429. Default 5. */
  maxConnectionsPerPrincipal?: number;
  /** A client whose unsent data exceeds this many bytes is disconnected. Default 4 MiB. */
  maxBufferBytes?: number;
  /** A client that has not taken its pending data for this long is disconnected, ms. Default 60,000. */
  stallMs?: number;
  /**
   * How often an open watch re-checks its credentials (a revoked or expired token, an ended session) and re-reads
   * the party's view (changed User IDs), ms. Default 60,000.
   */
  recheckMs?: number;
}

export interface WatchRoutesOptions extends WatchOptions {
  store: MessageStore;
}

const DEFAULTS: Required<WatchOptions> = {
  pollMs: 500,
  heartbeatMs: 15_000,
  maxConnectionsPerPrincipal: 5,
  maxBufferBytes: 4 * 1024 * 1024,
  stallMs: 60_000,
  recheckMs: 60_000,
};

/** Feed positions read per `watchPage` call. */
const FEED_SLICE = 1000;
/** What EventSource waits before reconnecting, ms (sent once as `retry:`). */
const RECONNECT_MS = 2000;
/** The audit action of watches; the subject says `"watch": "open"` or `"watch": "delivery"`. */
const WATCH_ACTION: AuditAction = 'watch';
const EVENT_ID = '^[0-9]{1,15}$';

type WatchQuerystring = MessageFilterParams & { lastEventId?: string };

/**
 * `GET /api/v1/watch` — the live feed: Server-Sent Events of newly stored messages that the caller may see and
 * that match its filters.
 *
 * - **Filters**: those of `/messages` plus `securityRelevant` and `critical`. Defaults: `othersOnly=true` and
 *   `securityRelevant=true` (other users' security-relevant traffic, the MP141 alerting case); pass
 *   `othersOnly=false` / `securityRelevant=false` to widen. Visibility is the party view's, exactly as for
 *   `/messages`, judged against the reference data as it is when each message is delivered.
 * - **Events**: `id: <feed position>`, `event: message`, `data: <the /messages item>`, in commit order. Without
 *   `Last-Event-ID` (header, or the `lastEventId` query parameter for clients that cannot set headers) the stream
 *   starts at the feed's current head (only new messages); with it, right after that position, so a reconnecting
 *   client gets exactly what it missed: no gap, no duplicate. The stream opens with `retry:` and `id:` of its
 *   starting position; each heartbeat (`: heartbeat`, every 15 s) repeats `id:` with the last position examined,
 *   so a client's resume point moves past messages it may not see without revealing them.
 * - **Audit**: the opening (filters in effect, starting position; 0 rows), then one entry per delivery of
 *   events with their message ids, written BEFORE they are sent: if it cannot be written the stream ends and the
 *   client resumes from its last event.
 * - **Limits**: at most `maxConnectionsPerPrincipal` open watches per token or user in this process (429
 *   `API_RATE_LIMITED`); a client that does not read is disconnected when its unsent data passes
 *   `maxBufferBytes` or stays pending for `stallMs`; credentials are re-checked every `recheckMs` (a revoked
 *   token or ended session ends the stream, and the party's view is re-read). Streams end when the server closes.
 */
export async function watchRoutes(app: FastifyInstance, options: WatchRoutesOptions): Promise<void> {
  const { store } = options;
  const settings: Required<WatchOptions> = { ...DEFAULTS, ...definedOnly(options) };
  const poller = new FeedPoller(store, settings.pollMs);
  const open = new Set<WatchConnection>();
  const perPrincipal = new Map<string, number>();

  app.addHook('preClose', async () => {
    for (const c of [...open]) c.end();
    poller.stop();
  });

  app.get<{ Querystring: WatchQuerystring; Headers: { 'last-event-id'?: string } }>(
    '/api/v1/watch',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Live feed of new messages (Server-Sent Events)',
        description:
          'Newly stored messages the caller may see and that match the filters, as text/event-stream: `id:` the feed position, ' +
          '`event: message`, `data:` the /messages item. Default filters othersOnly=true and securityRelevant=true. Resume with ' +
          'Last-Event-ID (or lastEventId) without gaps or duplicates; `: heartbeat` every 15 s. At most 5 open watches per token or user.',
        tags: ['messages'],
        security: [{ bearerAuth: [] }, { sessionCookie: [] }],
        headers: {
          type: 'object',
          properties: {
            'x-access-reason': { type: 'string', description: 'Required when the caller is a DCC operator: why it looks (audited)' },
            'last-event-id': { type: 'string', pattern: EVENT_ID, description: 'The id of the last event received: resume right after it' },
          },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...MESSAGE_FILTERS,
            othersOnly: { ...MESSAGE_FILTERS.othersOnly, default: true },
            securityRelevant: { ...MESSAGE_FILTERS.securityRelevant, default: true },
            lastEventId: { type: 'string', pattern: EVENT_ID, description: 'As the Last-Event-ID header, for clients that cannot set headers (the header wins)' },
          },
        },
        response: {
          200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const { lastEventId, ...filters } = request.query;
      const query: FeedQuery = toPartyQuery(filters);
      const resumeText = request.headers['last-event-id'] ?? lastEventId;
      const head = await store.feedHead();
      poller.noteHead(head);
      const resume = resumeText === undefined ? undefined : Number(resumeText);
      if (resume !== undefined && resume > head) {
        throw new ApiError('API_INVALID_PARAMETER', `Last-Event-ID ${resume} is ahead of the feed (its newest position is ${head})`);
      }
      const start = resume ?? head;

      const key = principalKey(principal);
      const count = perPrincipal.get(key) ?? 0;
      if (count >= settings.maxConnectionsPerPrincipal) {
        reply.header('retry-after', '30');
        throw new ApiError('API_RATE_LIMITED', `at most ${settings.maxConnectionsPerPrincipal} open watches per ${principal.kind}; close one first`);
      }
      perPrincipal.set(key, count + 1);
      const release = () => {
        const n = (perPrincipal.get(key) ?? 1) - 1;
        if (n > 0) perPrincipal.set(key, n);
        else perPrincipal.delete(key);
      };
      try {
        await recordAccess(store, request, WATCH_ACTION, { watch: 'open', ...auditedFilters(filters), after: start }, 0);
      } catch (err) {
        release();
        throw err;
      }

      reply.hijack();
      const res = reply.raw;
      // Helmet's headers are already on the raw response (set in onRequest); writeHead keeps them.
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Reverse proxies (nginx) must pass events on at once rather than buffer them.
        'x-accel-buffering': 'no',
      });
      const connection = new WatchConnection({ store, request, res, view: request.view!, query, cursor: start, poller, settings });
      open.add(connection);
      connection.onEnd(() => {
        open.delete(connection);
        release();
      });
      connection.start();
    },
  );
}

interface ConnectionInit {
  store: MessageStore;
  request: FastifyRequest;
  res: ServerResponse;
  view: PartyView;
  query: FeedQuery;
  cursor: number;
  poller: FeedPoller;
  settings: Required<WatchOptions>;
}

/**
 * One open watch: its cursor (the last feed position examined, everything up to it sent or judged not for this
 * caller), and the pump that reads the feed after the cursor while the poller's head is ahead of it. The pump
 * runs one read at a time; a head moving while it runs is picked up by its loop.
 */
class WatchConnection {
  readonly #store: MessageStore;
  readonly #request: FastifyRequest;
  readonly #res: ServerResponse;
  readonly #query: FeedQuery;
  readonly #poller: FeedPoller;
  readonly #settings: Required<WatchOptions>;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #onEnd: Array<() => void> = [];
  #view: PartyView;
  #cursor: number;
  #pumping = false;
  #ended = false;
  #unsubscribe: (() => void) | undefined;
  #drainWaiter: NodeJS.Timeout | undefined;

  constructor(init: ConnectionInit) {
    this.#store = init.store;
    this.#request = init.request;
    this.#res = init.res;
    this.#view = init.view;
    this.#query = init.query;
    this.#cursor = init.cursor;
    this.#poller = init.poller;
    this.#settings = init.settings;
  }

  onEnd(fn: () => void): void {
    this.#onEnd.push(fn);
  }

  start(): void {
    this.#res.on('close', () => this.#finish());
    this.#res.on('error', () => this.#finish());
    this.#write(`: watching\nretry: ${RECONNECT_MS}\nid: ${this.#cursor}\n\n`);
    this.#unsubscribe = this.#poller.subscribe(() => void this.#pump());
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#settings.heartbeatMs, () => {
      // Pending data keeps the connection busy already; a heartbeat would only add to it.
      if (!this.#res.writableNeedDrain) this.#write(`: heartbeat\nid: ${this.#cursor}\n\n`);
    });
    every(this.#settings.recheckMs, () => void this.#recheck());
    void this.#pump();
  }

  /** Ends the stream (server closing, credentials gone): the client may reconnect with its last event id. */
  end(): void {
    if (this.#ended) return;
    this.#res.end();
    this.#finish();
  }

  async #pump(): Promise<void> {
    if (this.#pumping || this.#ended) return;
    this.#pumping = true;
    try {
      while (!this.#ended && this.#cursor < this.#poller.head) {
        if (this.#res.writableNeedDrain) {
          this.#awaitDrain();
          return;
        }
        const after = this.#cursor;
        const page = await this.#view.watchPage(after, this.#query, FEED_SLICE);
        if (this.#ended) return;
        if (page.items.length > 0) {
          const messages = page.items.map((i) => i.message);
          const roles = await originatorRoles(this.#view, messages);
          // Recorded before anything is sent: a delivery that cannot be audited does not happen.
          await recordAccess(this.#store, this.#request, WATCH_ACTION, { watch: 'delivery', after, last: page.last, ids: messages.map((m) => m.id) }, messages.length);
          if (this.#ended) return;
          let text = '';
          for (const { seq, message } of page.items) {
            text += `id: ${seq}\nevent: message\ndata: ${JSON.stringify(messageItem(message, this.#view, roles))}\n\n`;
          }
          this.#write(text);
        }
        if (page.last <= after) break; // nothing newer committed yet: wait for the poller
        this.#cursor = page.last;
      }
    } catch (err) {
      this.#request.log.warn({ err }, 'watch: reading the feed failed; ending the stream');
      this.end();
    } finally {
      this.#pumping = false;
    }
  }

  /** Waits (bounded by `stallMs`) for the client to take its pending data, then reads on. */
  #awaitDrain(): void {
    if (this.#drainWaiter) return;
    const onDrain = () => {
      clearTimeout(this.#drainWaiter);
      this.#drainWaiter = undefined;
      void this.#pump();
    };
    this.#drainWaiter = setTimeout(() => {
      this.#res.off('drain', onDrain);
      this.#drop('the client did not read its events');
    }, this.#settings.stallMs);
    this.#drainWaiter.unref();
    this.#res.once('drain', onDrain);
  }

  #write(text: string): void {
    if (this.#ended) return;
    this.#res.write(text);
    if (this.#res.writableLength > this.#settings.maxBufferBytes) this.#drop(`more than ${this.#settings.maxBufferBytes} bytes unsent`);
  }

  #drop(why: string): void {
    this.#request.log.info({ why }, 'watch: disconnecting a slow client');
    this.#res.destroy();
    this.#finish();
  }

  /** Credentials still valid (the same party), and a fresh view of the party (its User IDs may have changed). */
  async #recheck(): Promise<void> {
    if (this.#ended) return;
    try {
      const partyId = await this.#currentParty();
      if (partyId === undefined || partyId !== this.#view.partyId) {
        this.#write(`event: end\ndata: ${JSON.stringify({ error: 'AUTH_REQUIRED', detail: 'the token or session is no longer valid' })}\n\n`);
        this.end();
        return;
      }
      this.#view = await this.#store.forParty(partyId);
    } catch (err) {
      // The store is unavailable: keep the stream; the next check (or the next read) decides. Anything else (the
      // party is gone) ends it.
      if (!(err instanceof StoreError)) this.end();
    }
  }

  async #currentParty(): Promise<string | undefined> {
    const principal = this.#request.principal!;
    if (principal.kind === 'token') {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(this.#request.headers.authorization ?? '');
      const token = match ? await this.#store.accounts.authenticateToken(match[1]!) : undefined;
      return token?.partyId ?? undefined;
    }
    const session = this.#request.cookies[SESSION_COOKIE];
    const user = session === undefined ? undefined : await this.#store.sessions.authenticate(session);
    return user?.partyId;
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const t of this.#timers) clearInterval(t);
    if (this.#drainWaiter) clearTimeout(this.#drainWaiter);
    this.#unsubscribe?.();
    for (const fn of this.#onEnd) fn();
  }
}

function definedOnly(options: WatchOptions): WatchOptions {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => k in DEFAULTS && v !== undefined)) as WatchOptions;
}
