import type { Eui64 } from '../duis/eui64.js';
import { THROTTLED_ALERT_RATE } from './alert-mix.js';
import { dccAlertBody, dccResponseBody } from './dcc-bodies.js';
import { EnvelopeWriter, identity, jsonEscape } from './envelopes.js';
import { IsoTimeFormatter } from './iso-time.js';
import { ACK, DCC_ALERT, DEVICE_ALERT, type PendingRecord, REQUEST, RESPONSE } from './pending-record.js';
import type { PayloadSize } from './mix.js';
import type { Prng } from './prng.js';
import { renderRequest } from './templates.js';
import { TRAFFIC_PROFILE as P } from './traffic-profile.js';

/** Turns scheduled records into DUIS documents (XML, or JSON-string-escaped XML for the NDJSON writer). */
export class RecordRenderer {
  readonly #prng: Prng;
  readonly #dcc: Eui64;
  readonly #json: boolean;
  readonly #env: EnvelopeWriter;
  readonly #receivedClock = new IsoTimeFormatter();
  readonly #answerClock = new IsoTimeFormatter();
  #responseCounter: number;
  #scheduleId: number;

  constructor(prng: Prng, dccUserId: Eui64, encoding: 'xml' | 'json') {
    this.#prng = prng;
    this.#dcc = dccUserId;
    this.#json = encoding === 'json';
    // The DCC signing certificate's serial: one per run, like a real signer's.
    const serial = Array.from({ length: 38 }, (_, i) => (i === 0 ? 1 + prng.int(9) : prng.int(10))).join('');
    this.#env = new EnvelopeWriter(prng, serial, this.#json ? jsonEscape : identity);
    this.#responseCounter = 1_000_000_000_000 + prng.int(1e9) * 1000;
    this.#scheduleId = 1 + prng.int(100_000);
  }

  /** Capture time as ISO-8601. */
  receivedAt(ms: number): string {
    return this.#receivedClock.format(ms);
  }

  render(p: PendingRecord): string {
    const env = this.#env;
    const prng = this.#prng;
    const req = p.req;
    switch (p.kind) {
      case REQUEST:
        return renderRequest(req!.plan.template, req!.rid, req!.plan.device.id, this.#json);
      case ACK: {
        const t = req!.plan.template;
        return env.acknowledgement(req!.rid, p.code, this.#iso(p.rdt), t.serviceReference, t.serviceReferenceVariant);
      }
      case RESPONSE: {
        const { template: t, device, entry } = req!.plan;
        const responder = t.nonDevice ? this.#dcc : device.id;
        const ok = p.code === 'I0';
        const bytes = t.nonDevice ? 0 : ok ? this.#payloadBytes(entry.payload) : prng.range(30, 80);
        const dccXml = t.nonDevice && ok ? dccResponseBody(t.serviceReferenceVariant, device, this.#scheduleId++) : '';
        const id = this.#responseId(responder, p.recipient);
        return env.response(req!.rid, id, p.code, this.#iso(p.rdt), t.serviceReference, t.serviceReferenceVariant, bytes, dccXml);
      }
      case DEVICE_ALERT: {
        const throttle = req === null && prng.chance(THROTTLED_ALERT_RATE) ? ([prng.range(1, 65_535), prng.range(2, 500)] as const) : null;
        const bytes = prng.range(P.payloadBytes.alert[0], P.payloadBytes.alert[1]);
        return env.deviceAlert(req?.rid ?? null, this.#responseId(p.device!.id, p.recipient), this.#iso(p.rdt), p.code, throttle, bytes);
      }
      case DCC_ALERT: {
        const body = dccAlertBody(p.code, req?.rid ?? null, p.device!, this.#iso(p.rdt - prng.range(1000, 600_000)));
        return env.dccAlert(req?.rid ?? null, this.#responseId(this.#dcc, p.recipient), this.#iso(p.rdt), p.code, body);
      }
      default:
        return p.xml;
    }
  }

  #iso(ms: number): string {
    return this.#answerClock.format(ms);
  }

  #responseId(responder: Eui64, recipient: Eui64): string {
    return `${responder}:${recipient}:${this.#responseCounter++}`;
  }

  #payloadBytes(size: PayloadSize): number {
    const b = P.payloadBytes;
    const prng = this.#prng;
    if (size === 'read') return prng.range(b.read[0], b.read[1]);
    if (size === 'command') return prng.range(b.command[0], b.command[1]);
    return Math.min(b.profile.max, Math.max(b.profile.min, Math.round(prng.logNormal(b.profile.median, b.profile.sigma))));
  }
}
