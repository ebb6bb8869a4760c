import type { PlannedMessage } from './ingest-plan.js';

/** A stored message that shares a thread key with a message being written (read inside the transaction). */
export interface StoredThreadRow {
  id: number;
  isRequest: boolean;
  /**
   * Canonical RequestID text: rows whose text differs (a thread-key collision) are simply never matched, nor
   * are rows without RequestID.
   */
  requestId: string | null;
  time: number;
  /** Its current S(M). */
  devices: bigint[];
}

/** Devices to add to an already stored answer because its request has just arrived. */
export interface DeviceBackfill {
  id: number;
  time: number;
  /** The answer's new S(M), the old set first. */
  devices: bigint[];
  /** Only the added devices (rows for `message_devices`). */
  added: bigint[];
}

/**
 * Completes S(M) across a thread, whatever the arrival order (DOMAIN.md: an answer's S(M) includes the
 * subject devices of its captured request). Adds the request's devices to the fresh answers of the batch
 * (`fresh[i].devices` is updated in place) and returns what to add to answers stored before their request.
 * `fresh` are the new messages of the batch; `stored` every stored row carrying one of their thread keys.
 * Several captured requests with one RequestID (different bytes) contribute the union of their devices.
 */
export function linkThreads(fresh: readonly PlannedMessage[], stored: readonly StoredThreadRow[]): DeviceBackfill[] {
  const requestDevices = new Map<string, bigint[]>();
  const addRequest = (requestId: string, devices: readonly bigint[]): void => {
    let set = requestDevices.get(requestId);
    if (!set) requestDevices.set(requestId, (set = []));
    for (const d of devices) if (!set.includes(d)) set.push(d);
  };
  for (const row of stored) if (row.isRequest && row.requestId !== null) addRequest(row.requestId, row.devices);
  const freshRequests = new Set<string>();
  for (const m of fresh) {
    if (m.kind === 'request' && m.requestId !== null) {
      addRequest(m.requestId, m.devices);
      freshRequests.add(m.requestId);
    }
  }
  if (requestDevices.size === 0) return [];

  for (const m of fresh) {
    if (m.kind === 'request' || m.requestId === null) continue;
    const devices = requestDevices.get(m.requestId);
    if (devices) for (const d of devices) if (!m.devices.includes(d)) m.devices.push(d);
  }

  const backfills: DeviceBackfill[] = [];
  for (const row of stored) {
    if (row.isRequest || row.requestId === null || !freshRequests.has(row.requestId)) continue;
    const added = requestDevices.get(row.requestId)!.filter((d) => !row.devices.includes(d));
    if (added.length) backfills.push({ id: row.id, time: row.time, devices: [...row.devices, ...added], added });
  }
  return backfills;
}
