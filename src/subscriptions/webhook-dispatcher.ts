import { createHmac } from 'node:crypto';
import { isSrvvError } from '../errors.js';
import { messageItem, originatorRoles } from '../views/message-views.js';
import { toPartyQuery, type MessageFilterParams } from '../views/message-filters.js';
import type { MessageStore } from '../store/message-store.js';
import { newDeliveryId, type AttemptOutcome, type ClaimedDelivery, type LiveSubscription } from './subscription-store.js';

/** Tunables of the dispatcher; every one has a production default. */
export interface WebhookDispatcherOptions {
  /** How often the dispatcher looks for new messages and due deliveries, ms. Default 1000. */
  pollMs?: number;
  /** A POST that has not answered in this time fails (and is retried), ms. Default 10,000. */
  timeoutMs?: number;
  /** Attempts before a delivery is dead. Default 10 (with the default backoff: dead after at most about 3 h, 1.5 h on average). */
  maxAttempts?: number;
  /** Backoff: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))) (full jitter), ms. Default 30,000. */
  baseDelayMs?: number;
  /** Backoff cap, ms. Default 3,600,000 (1 h). */
  maxDelayMs?: number;
  /** POSTs in flight at once in this process. Default 8. */
  concurrency?: number;
  /** Feed positions read per subscription per fan-out read. Default 1000. */
  fanOutSlice?: number;
  /** On stop, how long in-flight POSTs may take to finish before they are abandoned (and given back), ms. Default 5000. */
  stopGraceMs?: number;
  /** Delivered deliveries are deleted this long after delivery, ms. Default 7 days. */
  keepDeliveredMs?: number;
  /** Dead deliveries (the dead-letter list) are deleted this long after they were created, ms. Default 30 days. */
  keepDeadMs?: number;
}

/** Where the dispatcher logs (pino / Fastify's logger fit). */
export interface DispatcherLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const DEFAULTS: Required<WebhookDispatcherOptions> = {
  pollMs: 1000,
  timeoutMs: 10_000,
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  concurrency: 8,
  fanOutSlice: 1000,
  stopGraceMs: 5000,
  keepDeliveredMs: 7 * 86_400_000,
  keepDeadMs: 30 * 86_400_000,
};

/** How often a process prunes old deliveries, ms. */
const PRUNE_EVERY_MS = 3_600_000;

/** Pages one subscription may fan out per tick, so a backlog of one does not starve the others' deliveries. */
const MAX_PAGES_PER_TICK = 10;
/** A claim lasts the POST's timeout plus this margin, ms: past it another process may try again. */
const LEASE_MARGIN_MS = 30_000;

export const SIGNATURE_HEADER = 'x-srvv-signature';
export const DELIVERY_HEADER = 'x-srvv-delivery';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the value of `X-Srvv-Signature`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** The body of a delivery: `{"deliveryId","subscriptionId","message"}`, or `{"deliveryId","subscriptionId","test":true}`. */
export function deliveryBody(d: Pick<ClaimedDelivery, 'id' | 'subscriptionId' | 'payload'>): string {
  const head = `{"deliveryId":${JSON.stringify(d.id)},"subscriptionId":${JSON.stringify(d.subscriptionId)}`;
  return d.payload === null ? `${head},"test":true}` : `${head},"message":${d.payload}}`;
}

/**
 * Delivers webhook subscriptions (docs/api.md, "Webhooks"). Stateless: everything lives in the database
 * (migrations/0008-subscriptions.ts), so any number of processes may run one, and a restart loses nothing.
 * Each tick:
 *
 * 1. **Fan-out.** For each live subscription whose cursor is behind the feed's head: read the next slice of the
 *    feed through the subscription party's view (`watchPage`, the `/watch` rules and filters, judged now),
 *    build the `/messages` item of each visible match, record the delivery in the access audit (action `watch`,
 *    actor: the subscription's creator), then in one transaction move the cursor by compare-and-set and insert
 *    one pending delivery per message. No row lock is held across the visibility read or the audit append (on
 *    SQLite they share the one connection); a process that loses the compare-and-set writes nothing (its audit
 *    entry then records a delivery another process also created and recorded: the audit errs on the side of
 *    recording).
 * 2. **Delivery.** Claim due deliveries (up to the free concurrency) with a lease, POST each signed, with a
 *    timeout; 2xx: delivered; anything else (other statuses, redirects, timeouts, connection errors): retried after
 *    a full-jitter exponential backoff, dead after `maxAttempts`.
 *
 * It runs beside ingestion, never inside an ingest transaction; an ingest never waits for it.
 */
export class WebhookDispatcher {
  readonly #store: MessageStore;
  readonly #settings: Required<WebhookDispatcherOptions>;
  readonly #log: DispatcherLogger | undefined;
  readonly #inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #started = false;
  #stopped = false;
  /** The feed head up to which every live subscription had been fanned out (fan-out is skipped while the head stays there). */
  #caughtUp = -1;
  #prunedAt = 0;

  constructor(store: MessageStore, options: WebhookDispatcherOptions & { logger?: DispatcherLogger } = {}) {
    this.#store = store;
    const { logger, ...rest } = options;
    this.#settings = { ...DEFAULTS, ...(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as WebhookDispatcherOptions) };
    this.#log = logger;
  }

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Runs one tick now (tests; the routes after queueing something). Resolves when its fan-out and claims are done. */
  async runOnce(): Promise<void> {
    if (this.#stopped) return;
    while (this.#tick) await this.#tick;
    this.#tick = this.#runTick().finally(() => (this.#tick = undefined));
    await this.#tick;
  }

  /** Wakes the dispatcher at once rather than at its next interval. */
  nudge(): void {
    if (this.#started && !this.#stopped && !this.#tick) this.#schedule(0);
  }

  /**
   * Stops: no new tick or attempt; in-flight POSTs get `stopGraceMs` to finish (their outcome is recorded), the
   * rest are aborted and given back as not attempted, due at once for whichever process runs next.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick?.catch(() => {});
    const pending = [...this.#inFlight.values()];
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#settings.stopGraceMs)));
      await Promise.race([Promise.all(pending.map((p) => p.done)), grace]);
      clearTimeout(timer);
      for (const p of this.#inFlight.values()) p.abort.abort();
      await Promise.all([...this.#inFlight.values()].map((p) => p.done));
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      if (this.#tick) {
        this.#schedule(this.#settings.pollMs); // a runOnce() is under way
        return;
      }
      this.#tick = this.#runTick().finally(() => {
        this.#tick = undefined;
        if (!this.#stopped) this.#schedule(this.#settings.pollMs);
      });
    }, ms);
    this.#timer.unref();
  }

  async #runTick(): Promise<void> {
    try {
      await this.#fanOut();
    } catch (err) {
      this.#log?.warn({ err }, 'webhooks: fan-out failed; retrying at the next tick');
    }
    try {
      await this.#claimAndSend();
    } catch (err) {
      this.#log?.warn({ err }, 'webhooks: claiming deliveries failed; retrying at the next tick');
    }
    if (Date.now() - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = Date.now();
      try {
        const now = Date.now();
        const removed = await this.#store.subscriptions.prune(now - this.#settings.keepDeliveredMs, now - this.#settings.keepDeadMs);
        if (removed > 0) this.#log?.info({ removed }, 'webhooks: pruned old deliveries');
      } catch (err) {
        this.#log?.warn({ err }, 'webhooks: pruning old deliveries failed');
      }
    }
  }

  async #fanOut(): Promise<void> {
    const head = await this.#store.feedHead();
    // Idle: nothing stored since every subscription caught up (a new subscription starts at the head).
    if (head === this.#caughtUp) return;
    const subscriptions = (await this.#store.subscriptions.live()).filter((s) => s.cursor < head);
    let caughtUp = true;
    for (const sub of subscriptions) {
      if (this.#stopped) return;
      try {
        if ((await this.#fanOutOne(sub, head)) < head) caughtUp = false;
      } catch (err) {
        caughtUp = false;
        // One subscription's problem (its party removed from the reference data, ...) must not stop the others.
        this.#log?.warn({ err, subscriptionId: sub.id }, 'webhooks: fan-out of a subscription failed');
        if (!isSrvvError(err)) throw err;
      }
    }
    if (caughtUp) this.#caughtUp = head;
  }

  /** Fans one subscription out towards `head`; returns the cursor reached (as far as this process knows). */
  async #fanOutOne(sub: LiveSubscription, head: number): Promise<number> {
    const view = await this.#store.forParty(sub.partyId);
    const query = toPartyQuery(sub.filters as MessageFilterParams);
    let cursor = sub.cursor;
    for (let page = 0; page < MAX_PAGES_PER_TICK && cursor < head && !this.#stopped; page++) {
      const { items, last } = await view.watchPage(cursor, query, this.#settings.fanOutSlice);
      if (last <= cursor) return cursor;
      const messages = items.map((i) => i.message);
      const deliveries = [];
      if (items.length > 0) {
        const roles = await originatorRoles(view, messages);
        for (const { seq, message } of items) {
          deliveries.push({ id: newDeliveryId(), messageId: message.id, feedSeq: seq, payload: JSON.stringify(messageItem(message, view, roles)) });
        }
        // Recorded before the deliveries exist: a delivery that cannot be audited is never created.
        await this.#store.audit.append({
          actor: sub.createdBy,
          action: 'watch',
          subject: { webhook: 'delivery', subscriptionId: sub.id, after: cursor, last, ids: messages.map((m) => m.id), deliveryIds: deliveries.map((d) => d.id) },
          rows: deliveries.length,
          reason: sub.reason,
        });
      }
      // Another process moved it: it carries on from there; the next tick re-reads the cursor.
      if (!(await this.#store.subscriptions.advance(sub.id, cursor, last, deliveries))) return cursor;
      cursor = last;
    }
    return cursor;
  }

  async #claimAndSend(): Promise<void> {
    const free = this.#settings.concurrency - this.#inFlight.size;
    if (free <= 0 || this.#stopped) return;
    const now = Date.now();
    const claimed = await this.#store.subscriptions.claimDue(free, now + this.#settings.timeoutMs + LEASE_MARGIN_MS, now);
    for (const delivery of claimed) {
      const abort = new AbortController();
      const done = this.#attempt(delivery, abort.signal).finally(() => this.#inFlight.delete(delivery.id));
      this.#inFlight.set(delivery.id, { done, abort });
    }
  }

  async #attempt(delivery: ClaimedDelivery, stopSignal: AbortSignal): Promise<void> {
    let outcome: AttemptOutcome;
    const body = deliveryBody(delivery);
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'srv-visibility',
          [DELIVERY_HEADER]: delivery.id,
          [SIGNATURE_HEADER]: signatureHeader(delivery.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        signal: AbortSignal.any([stopSignal, AbortSignal.timeout(this.#settings.timeoutMs)]),
      });
      // The receiver's answer is not kept (nor shown): only its status.
      await res.body?.cancel().catch(() => {});
      outcome = res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : this.#failure(delivery, res.status, `HTTP ${res.status}`);
    } catch (err) {
      if (stopSignal.aborted) {
        await this.#store.subscriptions.release(delivery).catch((e: unknown) => this.#log?.warn({ err: e }, 'webhooks: releasing an abandoned delivery failed'));
        return;
      }
      outcome = this.#failure(delivery, null, describeFetchError(err, this.#settings.timeoutMs));
    }
    try {
      await this.#store.subscriptions.complete(delivery, outcome);
    } catch (err) {
      // The lease runs out and the delivery is tried again: at-least-once.
      this.#log?.warn({ err, deliveryId: delivery.id }, 'webhooks: recording an attempt failed');
    }
  }

  #failure(delivery: ClaimedDelivery, status: number | null, error: string): AttemptOutcome {
    if (delivery.attempts >= this.#settings.maxAttempts) return { ok: false, status, error, retryAt: null };
    const ceiling = Math.min(this.#settings.maxDelayMs, this.#settings.baseDelayMs * 2 ** (delivery.attempts - 1));
    return { ok: false, status, error, retryAt: Date.now() + Math.floor(Math.random() * ceiling) };
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return `connection failed${cause?.code ? `: ${cause.code}` : cause?.message ? `: ${cause.message}` : ''}`;
}
