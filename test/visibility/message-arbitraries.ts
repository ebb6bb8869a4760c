import fc from 'fast-check';
import type { DuisMessage, RequestId } from '../../src/duis/duis-message.js';
import * as f from '../store-suite/fixtures.js';
import { orNull, rarely } from './reference-arbitraries.js';
import { DCC_ID, MAX_DEVICES, TIMES, deviceIdOf } from './world-constants.js';

/*
 * Random DUIS traffic as small integers, resolved against the world's User IDs and devices. A thread is one
 * RequestID with its request (captured or not, sometimes twice with different bytes), acknowledgements, responses
 * and device alerts; loose messages are alerts and responses that answer no request. Every message carries its
 * own arrival slot (batch, position), so arrival order is independent of generation order and of t(M).
 */

/** Where a message arrives: batch 0..3, ordered by `slot` inside the batch. */
export interface Arrival {
  batch: number;
  slot: number;
}

export interface RawThread {
  originator: number;
  nonDevice: boolean;
  target: number;
  body: number[];
  srv: number;
  request: { captured: boolean; at: number; arrival: Arrival; twin: { body: number[]; arrival: Arrival } | null };
  acks: Array<{ code: number; at: number; arrival: Arrival }>;
  /** `from`: 0 the target device (the DCC for a non-device request), 1 the DCC, 2 device #`device`. */
  responses: Array<{ from: number; device: number; recipient: number | null; dateTime: number | null; at: number; code: number; arrival: Arrival }>;
  /** Device alerts carrying the RequestID (device requests only); `device` null: the target. */
  alerts: Array<{ device: number | null; recipient: number | null; dateTime: number; at: number; code: number; arrival: Arrival }>;
}

/** 0 device alert, 1 DCC alert, 2 response without RequestID. */
export interface RawLoose {
  kind: number;
  device: number;
  recipient: number;
  dateTime: number | null;
  at: number;
  code: number;
  arrival: Arrival;
}

export const BATCHES = 4;

/** A message of a case, with when the feed received it and when it arrives in the store. */
export interface CaseMessage {
  message: DuisMessage;
  receivedAt: number;
  arrival: Arrival;
}

const DEVICE_SRVS = [
  ['4.1.1', 'ReadInstantaneousImportRegisters'],
  ['7.2', 'DisableSupply'],
  ['6.15.1', 'UpdateSecurityCredentials'],
  ['1.1.1', 'UpdateImportTariffPrimaryElement'],
] as const;
const NON_DEVICE_SRVS = [
  ['8.2', 'ReadInventory'],
  ['8.3', 'DecommissionDevice'],
  ['11.1', 'UpdateFirmware'],
] as const;
const ACK_CODES = ['I99', 'E3', 'E50'];
const RESPONSE_CODES = ['I0', 'E50', 'I42'];
const ALERT_CODES = ['8F66', '8F1C', '0024'];
const DCC_ALERT_CODES = ['N24', 'AD1', 'N1'];

const time = fc.nat(TIMES.length - 1);
const arrival: fc.Arbitrary<Arrival> = fc.record({ batch: fc.nat(BATCHES - 1), slot: fc.nat(31) });
const device = fc.nat(MAX_DEVICES - 1);
const user = fc.nat(15);

export const threadArb: fc.Arbitrary<RawThread> = fc.record({
  originator: user,
  nonDevice: rarely(4),
  target: device,
  body: fc.array(device, { minLength: 1, maxLength: 2 }),
  srv: fc.nat(3),
  request: fc.record({
    captured: rarely(6).map((missing) => !missing),
    at: time,
    arrival,
    twin: orNull(fc.record({ body: fc.array(device, { minLength: 1, maxLength: 2 }), arrival }), 11, 1),
  }),
  acks: fc.array(fc.record({ code: fc.nat(ACK_CODES.length - 1), at: time, arrival }), { maxLength: 1 }),
  responses: fc.array(
    fc.record({
      from: fc.nat(2),
      device,
      recipient: orNull(user, 2, 1),
      dateTime: orNull(time, 1, 3),
      at: time,
      code: fc.nat(RESPONSE_CODES.length - 1),
      arrival,
    }),
    { maxLength: 2 },
  ),
  alerts: fc.array(
    fc.record({
      device: orNull(device, 3, 1),
      recipient: orNull(user, 2, 1),
      dateTime: time,
      at: time,
      code: fc.nat(ALERT_CODES.length - 1),
      arrival,
    }),
    { maxLength: 1 },
  ),
});

export const looseArb: fc.Arbitrary<RawLoose> = fc.record({
  kind: fc.nat(5).map((k) => (k < 3 ? 0 : k < 5 ? 1 : 2)),
  device,
  recipient: user,
  dateTime: orNull(time, 1, 5),
  at: time,
  code: fc.nat(2),
  arrival,
});

/** The messages of the threads and loose messages, over the world's User IDs (`users`) and devices. */
export function resolveMessages(threads: readonly RawThread[], loose: readonly RawLoose[], users: readonly string[], deviceCount: number): CaseMessage[] {
  const out: CaseMessage[] = [];
  const dev = (i: number): string => deviceIdOf(i % deviceCount);
  const usr = (i: number): string => users[i % users.length]!;
  const iso = (i: number): string => new Date(TIMES[i]!).toISOString();
  let counter = 1;
  const resId = (responder: string, recipient: string) => ({ responder, recipient, counter: String(counter++) });

  threads.forEach((t, n) => {
    const originator = usr(t.originator);
    const target = t.nonDevice ? DCC_ID : dev(t.target);
    const rid: RequestId = f.reqId(originator, target, 1000 + n);
    const [srv, element] = t.nonDevice ? NON_DEVICE_SRVS[t.srv % NON_DEVICE_SRVS.length]! : DEVICE_SRVS[t.srv % DEVICE_SRVS.length]!;
    const request = (body: number[]) =>
      t.nonDevice
        ? f.request(rid, srv, { commandVariant: 8, bodyElement: element, bodyDevices: [...new Set(body.map(dev))] })
        : f.request(rid, srv, { commandVariant: 1 + (t.srv % 7), bodyElement: element });
    if (t.request.captured) {
      out.push({ message: request(t.body), receivedAt: TIMES[t.request.at]!, arrival: t.request.arrival });
      // Different bytes under the same RequestID (a resubmission): both are captured requests of the thread.
      if (t.request.twin) out.push({ message: request(t.request.twin.body), receivedAt: TIMES[t.request.at]! + 1, arrival: t.request.twin.arrival });
    }
    for (const a of t.acks) {
      out.push({ message: f.acknowledgement(rid, ACK_CODES[a.code]!, !t.nonDevice), receivedAt: TIMES[a.at]!, arrival: a.arrival });
    }
    for (const r of t.responses) {
      const responderIsDevice = !t.nonDevice && r.from !== 1;
      const responder = !responderIsDevice ? DCC_ID : r.from === 0 ? target : dev(r.device);
      const recipient = r.recipient === null ? originator : usr(r.recipient);
      const message = f.response(rid, resId(responder, recipient), {
        code: RESPONSE_CODES[r.code]!,
        srv,
        responderIsDevice,
        targetIsDevice: !t.nonDevice,
        ...(r.dateTime === null ? {} : { at: iso(r.dateTime) }),
      });
      out.push({ message, receivedAt: TIMES[r.at]!, arrival: r.arrival });
    }
    // The fixture's device alert always counts the RequestID's target as a device: device requests only.
    if (!t.nonDevice) {
      for (const a of t.alerts) {
        const recipient = a.recipient === null ? originator : usr(a.recipient);
        const message = f.deviceAlert(rid, resId(a.device === null ? target : dev(a.device), recipient), ALERT_CODES[a.code]!, iso(a.dateTime));
        out.push({ message, receivedAt: TIMES[a.at]!, arrival: a.arrival });
      }
    }
  });

  for (const l of loose) {
    const recipient = usr(l.recipient);
    const at = iso(l.dateTime ?? l.at);
    const message =
      l.kind === 0
        ? f.deviceAlert(null, resId(dev(l.device), recipient), ALERT_CODES[l.code]!, at)
        : l.kind === 1
          ? f.dccAlert(resId(DCC_ID, recipient), DCC_ALERT_CODES[l.code]!, at)
          : f.response(null, resId(dev(l.device), recipient), { code: RESPONSE_CODES[l.code]!, ...(l.dateTime === null ? {} : { at }) });
    out.push({ message, receivedAt: TIMES[l.at]!, arrival: l.arrival });
  }
  return out;
}
