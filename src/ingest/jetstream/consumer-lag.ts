import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, isNotFound, type StreamTarget } from './stream-setup.js';

/**
 * Messages the durable consumer still has to finish: not yet delivered (`num_pending`) plus delivered and not yet
 * acked (`num_ack_pending`). `undefined` when the consumer does not exist (yet).
 */
export async function readConsumerLag(jsm: JetStreamManager, target: StreamTarget): Promise<number | undefined> {
  try {
    const info = await jsm.consumers.info(target.stream, target.durable);
    return info.num_pending + info.num_ack_pending;
  } catch (err) {
    if (isNotFound(err, 'consumer') || isNotFound(err, 'stream')) return undefined;
    throw err;
  }
}

/** Resolves when the stream exists; throws naming what is wrong (`stream "DUIS" does not exist`) otherwise. */
export async function checkStream(jsm: JetStreamManager, stream: string): Promise<void> {
  try {
    await jsm.streams.info(stream);
  } catch (err) {
    if (isNotFound(err, 'stream')) throw new Error(`stream ${JSON.stringify(stream)} does not exist`);
    throw err;
  }
}

/** What `/readyz` and `/metrics` need to know about the capture stream (see {@link StreamMonitor}). */
export interface StreamStatus extends StreamTarget {
  /** Resolves when NATS answers and the stream exists; throws naming the problem otherwise. */
  check(): Promise<void>;
  /** See {@link readConsumerLag}. */
  lag(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** How long a readiness check or a scrape waits for NATS. */
const REQUEST_TIMEOUT_MS = 2000;

/**
 * Watches a stream and its durable consumer for a process that does not consume it itself (`srvv serve`). Connects
 * lazily, on the first check, and again after a failed connect, so the server starts and answers `/readyz` (with
 * 503) while NATS is down; an established connection reconnects by itself.
 */
export class StreamMonitor implements StreamStatus {
  readonly stream: string;
  readonly durable: string;
  readonly #servers: string;
  #connecting: Promise<{ nc: NatsConnection; jsm: JetStreamManager }> | undefined;
  #closed = false;

  constructor(servers: string, target: StreamTarget) {
    this.#servers = servers;
    this.stream = target.stream;
    this.durable = target.durable;
  }

  async #manager(): Promise<JetStreamManager> {
    if (this.#closed) throw new Error('stream monitor is closed');
    this.#connecting ??= (async () => {
      const nc = await connectNats(this.#servers, 'srvv-serve', REQUEST_TIMEOUT_MS);
      return { nc, jsm: await jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS, checkAPI: false }) };
    })();
    try {
      return (await this.#connecting).jsm;
    } catch (err) {
      this.#connecting = undefined;
      throw new Error(`NATS at ${this.#servers} is unreachable (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  async check(): Promise<void> {
    const jsm = await this.#manager();
    try {
      await checkStream(jsm, this.stream);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(/does not exist/.test(message) ? message : `NATS at ${this.#servers} does not answer (${message})`);
    }
  }

  async lag(): Promise<number | undefined> {
    return readConsumerLag(await this.#manager(), this);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#connecting;
    this.#connecting = undefined;
    if (!pending) return;
    try {
      await (await pending).nc.close();
    } catch {
      // never connected
    }
  }
}
