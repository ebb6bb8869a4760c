import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';

/** How `srvv consume` binds to JetStream: the stream holding the capture feed and the durable pull consumer. */
export interface StreamTarget {
  /** Stream name, e.g. `DUIS`. */
  stream: string;
  /** Durable consumer name shared by every `srvv consume` process of one deployment (default `srvv`). */
  durable: string;
}

/** Settings of the durable consumer when `srvv consume` creates it. */
export interface DurableSettings {
  /** How long the server waits for an ack before redelivering; must cover preparing and committing a batch. */
  ackWaitMs: number;
  /** Messages delivered and not yet acked, over all processes sharing the durable: the backpressure bound. */
  maxAckPending: number;
}

export const DEFAULT_ACK_WAIT_MS = 60_000;

/** Connects to NATS (a comma-separated list of servers is accepted), reconnecting forever once connected. */
export async function connectNats(servers: string, name: string, timeoutMs = 5000): Promise<NatsConnection> {
  return connect({
    servers: servers.split(',').map((s) => s.trim()).filter(Boolean),
    name,
    timeout: timeoutMs,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
}

/** True when `err` is JetStream's answer that the stream (or consumer) does not exist. */
export function isNotFound(err: unknown, what: 'stream' | 'consumer'): boolean {
  return err instanceof JetStreamApiError && err.code === (what === 'stream' ? JetStreamApiCodes.StreamNotFound : JetStreamApiCodes.ConsumerNotFound);
}

/**
 * The stream's info, creating it (file storage, the given subjects) when it does not exist. An existing stream is
 * used as it is, whatever its subjects: it belongs to whoever created it.
 */
export async function ensureStream(jsm: JetStreamManager, stream: string, subjects: string[]): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(stream);
  } catch (err) {
    if (!isNotFound(err, 'stream')) throw err;
  }
  try {
    return await jsm.streams.add({ name: stream, subjects, storage: StorageType.File });
  } catch (err) {
    // Another process created it in between.
    if (err instanceof JetStreamApiError) return jsm.streams.info(stream);
    throw err;
  }
}

/**
 * The durable pull consumer's info, creating it when missing: explicit acks, every message from the start of the
 * stream, never given up on (`max_deliver` -1: a message that cannot be stored is terminated by us, never dropped by
 * the server). An existing consumer is bound as it is, so processes started with other settings do not fight.
 */
export async function ensureDurable(jsm: JetStreamManager, target: StreamTarget, settings: DurableSettings): Promise<ConsumerInfo> {
  try {
    return await jsm.consumers.info(target.stream, target.durable);
  } catch (err) {
    if (!isNotFound(err, 'consumer')) throw err;
  }
  try {
    return await jsm.consumers.add(target.stream, {
      durable_name: target.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: settings.ackWaitMs * 1_000_000,
      max_ack_pending: settings.maxAckPending,
      max_deliver: -1,
    });
  } catch (err) {
    // Created concurrently by another `srvv consume` (possibly with other settings): bind to that one.
    if (err instanceof JetStreamApiError) return jsm.consumers.info(target.stream, target.durable);
    throw err;
  }
}
