import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { isSrvvError } from '../../errors.js';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';
import type { MessageStore } from '../../store/message-store.js';
import type { IngestOutcome } from '../../store/prepared-batch.js';
import { IngestTally, type IngestSummary } from '../ingest-summary.js';
import type { JobRejection, PreparedJob } from '../prepare-job.js';
import type { PreparePool } from '../prepare-pool.js';
import { BatchQueue } from './batch-queue.js';
import { decodePayload, RECEIVED_AT_HEADER } from './message-payload.js';

export interface ConsumeLoopOptions {
  /** Stream name, for logs and rejection origins. */
  stream: string;
  /** Messages fetched at once and written in one transaction. */
  batch: number;
  /** Batches fetched and being prepared or written at once (default 2: one prepared while the other is written). */
  inFlight?: number;
  /** How long one fetch waits for a full batch before taking what came (default 1 s: a trickle still flows). */
  fetchExpiresMs?: number;
  /** Stop after this many messages were taken (stored, duplicate or rejected). */
  maxMessages?: number;
  /** Stop when no message arrived for this long. */
  idleExitMs?: number;
  /** Aborting stops fetching; batches in flight are still written and acked. */
  signal: AbortSignal;
  log: Logger;
  metrics?: ServiceMetrics;
}

/** A fetched batch on its way: the messages that decoded (in job order) and their prepare job. */
interface InFlight {
  msgs: JsMsg[];
  prepared: Promise<PreparedJob> | undefined;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** Redelivery delay for a batch handed back after a store failure other than unavailability. */
const NAK_DELAY_MS = 10_000;

/**
 * Consumes a durable pull consumer until stopped: fetch up to `batch` messages, turn them into one 'documents' job,
 * prepare it on the pool while the previous batch is written, write it in one transaction, and only after the
 * commit ack every message of the batch (duplicates too: their bytes are stored). A message that cannot be stored
 * (bad envelope, bad DUIS) is logged and terminated so it is never redelivered; it never holds up the others.
 *
 * Nothing is acked that is not committed: while the store is unavailable the batch is retried with backoff (its
 * messages kept from redelivery with `working()`); any other store failure hands the batch back (`nak` with a
 * delay). A crash at any point leaves un-acked messages to be redelivered, and the store's idempotency by exact
 * bytes stores each of them once.
 */
export async function consumeBatches(consumer: Consumer, store: MessageStore, pool: PreparePool, options: ConsumeLoopOptions): Promise<IngestSummary> {
  const { stream, batch, log, metrics } = options;
  // Stops the fetcher on the caller's signal, or when the writer fails.
  const stopping = new AbortController();
  const signal = stopping.signal;
  if (options.signal.aborted) stopping.abort();
  else options.signal.addEventListener('abort', () => stopping.abort(), { once: true });
  const inFlight = options.inFlight ?? 2;
  const expires = options.fetchExpiresMs ?? 1000;
  const tally = new IngestTally();
  // One batch is written while the queue holds the others (fetched, being prepared).
  const queue = new BatchQueue<InFlight>(Math.max(1, inFlight - 1));

  const reject = (m: JsMsg, r: Omit<JobRejection, 'origin'>): void => {
    // No reason text: servers before 2.10 ignore a `+TERM <reason>` and would redeliver the message forever.
    m.term();
    tally.reject({ origin: { source: `${stream}#${m.seq}` }, code: r.code, detail: r.detail });
    metrics?.rejected.inc({ reason: r.code });
    log.warn({ stream, seq: m.seq, subject: m.subject, code: r.code, detail: r.detail }, 'message rejected and terminated');
  };

  const start = (msgs: JsMsg[]): InFlight => {
    const valid: JsMsg[] = [];
    const docs: Uint8Array[] = [];
    const receivedAt: number[] = [];
    const sources: string[] = [];
    for (const m of msgs) {
      const header = m.headers?.has(RECEIVED_AT_HEADER) ? m.headers.get(RECEIVED_AT_HEADER) : undefined;
      const decoded = decodePayload(m.data, header, Number(m.timestampNanos / 1_000_000n));
      if (!decoded.ok) {
        tally.summary.read++;
        reject(m, decoded);
        continue;
      }
      valid.push(m);
      docs.push(decoded.doc);
      receivedAt.push(decoded.receivedAt);
      sources.push(String(valid.length - 1));
    }
    if (valid.length === 0) return { msgs: valid, prepared: undefined };
    const prepared = pool.prepare({ type: 'documents', docs, receivedAt, sources });
    prepared.catch(() => {}); // awaited by the writer; avoids an unhandled rejection while queued
    return { msgs: valid, prepared };
  };

  const handBack = (msgs: readonly JsMsg[], why: string, err: unknown): void => {
    log.error({ stream, messages: msgs.length, firstSeq: msgs[0]?.seq, err: err instanceof Error ? err.message : String(err) }, `${why}; batch handed back for redelivery`);
    for (const m of msgs) m.nak(NAK_DELAY_MS);
  };

  const write = async (b: InFlight): Promise<void> => {
    if (!b.prepared) return;
    let job: PreparedJob;
    try {
      job = await b.prepared;
    } catch (err) {
      handBack(b.msgs, 'preparing a batch failed', err);
      return;
    }
    const bySource = (source: string): JsMsg => b.msgs[Number(source)]!;
    for (const r of job.rejections) reject(bySource(r.origin.source), r);
    const accepted = job.origins.map((o) => bySource(o.source));
    let outcomes: IngestOutcome[] = [];
    for (let delay = FIRST_RETRY_MS; job.batch.messages.length > 0; delay = Math.min(2 * delay, MAX_RETRY_MS)) {
      try {
        outcomes = await store.ingest(job.batch);
        break;
      } catch (err) {
        if (!(isSrvvError(err) && err.code === 'STORE_UNAVAILABLE') || signal.aborted) {
          handBack(accepted, signal.aborted ? 'store failed while stopping' : 'store failed', err);
          tally.summary.read += job.rejections.length;
          return;
        }
        log.warn({ stream, messages: accepted.length, retryInMs: delay, err: err.message }, 'store unavailable; retrying the batch');
        // Keep this batch and the queued ones from being redelivered elsewhere while we wait (ack wait > backoff).
        for (const m of accepted) m.working();
        for (const q of queue.items) for (const m of q.msgs) m.working();
        await sleep(delay, undefined, { signal }).catch(() => {});
      }
    }
    // Committed: now, and only now, the messages may go.
    for (const m of accepted) m.ack();
    // Rejections were counted (and terminated) above; add only the stored outcomes and the read count.
    const rejections = job.rejections;
    tally.add({ ...job, rejections: [] }, outcomes);
    metrics?.countIngest(outcomes);
    log.debug({ stream, messages: b.msgs.length, rejected: rejections.length, lastSeq: b.msgs.at(-1)?.seq }, 'batch stored');
  };

  const fetcher = async (): Promise<void> => {
    let taken = 0;
    let lastMessageAt = Date.now();
    let delay = FIRST_RETRY_MS;
    try {
      while (!signal.aborted) {
        const want = options.maxMessages === undefined ? batch : Math.min(batch, options.maxMessages - taken);
        if (want <= 0) break;
        if (options.idleExitMs !== undefined && Date.now() - lastMessageAt >= options.idleExitMs) {
          log.info({ stream, idleMs: Date.now() - lastMessageAt }, 'no message for the idle time; stopping');
          break;
        }
        let msgs: JsMsg[];
        try {
          msgs = await fetchBatch(consumer, want, expires);
          delay = FIRST_RETRY_MS;
        } catch (err) {
          log.warn({ stream, retryInMs: delay, err: err instanceof Error ? err.message : String(err) }, 'fetch failed; retrying');
          await sleep(delay, undefined, { signal }).catch(() => {});
          delay = Math.min(2 * delay, MAX_RETRY_MS);
          continue;
        }
        if (msgs.length === 0) continue;
        taken += msgs.length;
        await queue.push(start(msgs));
        lastMessageAt = Date.now();
      }
    } finally {
      queue.close();
    }
  };

  const writer = async (): Promise<void> => {
    try {
      for (let b = await queue.shift(); b; b = await queue.shift()) await write(b);
    } catch (err) {
      // A bug, not a store failure: stop, hand back whatever is still queued, and report the error.
      stopping.abort();
      for (let b = await queue.shift(); b; b = await queue.shift()) for (const m of b.msgs) m.nak();
      throw err;
    }
  };

  await Promise.all([fetcher(), writer()]);
  return tally.finish();
}

/**
 * One pull request: up to `max` messages, waiting at most `expiresMs` for them. A pull that fails part way (the
 * client missed the server's heartbeats while the machine was busy) still returns what it had received: those
 * messages are delivered to this process, and dropping them would leave them un-acked until `ack_wait` brings them
 * back (a minute's stall, measured). Only a pull that received nothing fails.
 */
async function fetchBatch(consumer: Consumer, max: number, expiresMs: number): Promise<JsMsg[]> {
  const out: JsMsg[] = [];
  const messages = await consumer.fetch({ max_messages: max, expires: expiresMs });
  try {
    for await (const m of messages) out.push(m);
  } catch (err) {
    if (out.length === 0) throw err;
  }
  return out;
}
