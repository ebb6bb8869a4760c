import type { Eui64 } from '../duis/eui64.js';
import { ALERTING_DEVICE_TYPES, DCC_ALERTS, DCC_ALERTS_PER_REQUEST, ESME_ALERTS, LINKED_ALERT_CODES, OTHER_ALERTS } from './alert-mix.js';
import { EventQueue } from './event-queue.js';
import { ACK, DCC_ALERT, DEVICE_ALERT, DUPLICATE, type PendingRecord, REQUEST, type RequestState, RESPONSE } from './pending-record.js';
import { Prng, WeightedChoice } from './prng.js';
import { RecordRenderer } from './record-renderer.js';
import { RequestPicker } from './request-picker.js';
import type { SynthOptions, SynthWorld, TrafficRecord } from './synth-types.js';
import { loadRequestTemplates } from './templates.js';
import { expectedPerRequest, MULTI_RESPONSE_TEMPLATE, TRAFFIC_PROFILE as P } from './traffic-profile.js';
import { DEFAULT_START } from './world.js';
import { ReferenceTimeline } from './reference-timeline.js';
import { type DeviceInfo, indexWorld, type WorldIndex } from './world-index.js';

export const DEFAULT_MESSAGES_PER_SECOND = 1150;
// One User numbers its requests from just below 2^63, so its counters cross the signed 64-bit limit early in a
// run: DUIS counters are unsigned 64-bit, and every consumer must keep them exact.
const HIGH_COUNTER_USER = '90-B3-D5-1F-30-01-01-00';

/**
 * Discrete-event simulation of the DCC boundary. Requests, unsolicited device alerts and DCC alerts arrive as
 * Poisson processes; each request schedules its acknowledgement, responses and alerts; records come out in
 * capture order. Every answer produced refers to a request that is produced too (see {@link next}).
 */
export class TrafficSimulation {
  readonly #prng: Prng;
  readonly #index: WorldIndex;
  readonly #picker: RequestPicker;
  readonly #renderer: RecordRenderer;
  readonly #queue = new EventQueue<PendingRecord>();
  readonly #dcc: Eui64;
  readonly #duplicateRate: number;
  readonly #timeline: ReferenceTimeline | undefined;
  readonly #otherUserSecurityRate: number;
  readonly #counters = new Map<Eui64, bigint>();
  readonly #recent: RequestState[] = [];
  readonly #rejectCodes = new WeightedChoice(P.rejectCodes);
  readonly #errorCodes = new WeightedChoice(P.responseErrorCodes);
  readonly #meanGap: { request: number; alert: number; dcc: number };
  readonly #next: { request: number; alert: number; dcc: number };
  #seq = 0;
  #owed = 0;

  /** `encoding: 'json'` produces `xml` JSON-string-escaped (without quotes), for the NDJSON writer. */
  constructor(world: SynthWorld, opts: SynthOptions = {}, encoding: 'xml' | 'json' = 'xml') {
    const mps = opts.messagesPerSecond ?? DEFAULT_MESSAGES_PER_SECOND;
    if (!(mps > 0) || !Number.isFinite(mps)) throw new Error(`messagesPerSecond must be a positive number, got ${mps}`);
    this.#duplicateRate = opts.duplicateRate ?? 0;
    if (!(this.#duplicateRate >= 0 && this.#duplicateRate < 1)) throw new Error(`duplicateRate must be in [0, 1), got ${this.#duplicateRate}`);
    const start = (opts.start ?? DEFAULT_START).getTime();
    if (Number.isNaN(start)) throw new Error('start is not a valid date');
    const prng = (this.#prng = Prng.derive(opts.seed ?? world.seed, 2));
    this.#index = indexWorld(world);
    this.#timeline = opts.reference ? new ReferenceTimeline(world, opts.reference) : undefined;
    this.#otherUserSecurityRate = opts.otherUserSecurityRate ?? 0;
    if (!(this.#otherUserSecurityRate >= 0 && this.#otherUserSecurityRate < 1)) throw new Error(`otherUserSecurityRate must be in [0, 1), got ${this.#otherUserSecurityRate}`);
    if (this.#otherUserSecurityRate > 0 && !this.#timeline) throw new Error('otherUserSecurityRate needs reference');
    this.#picker = new RequestPicker(this.#index, loadRequestTemplates(opts.templatesDir), this.#timeline);
    this.#dcc = world.dccUserId;
    this.#renderer = new RecordRenderer(prng, world.dccUserId, encoding);
    for (const u of world.users) {
      this.#counters.set(u.userId, u.userId === HIGH_COUNTER_USER ? 2n ** 63n - 100n : 1_000_000_000_000n + BigInt(prng.int(1e9)) * 1000n);
    }
    const per = expectedPerRequest(this.#picker.usable);
    const requestsPerMs = mps / 1000 / (per.records * (1 + this.#duplicateRate));
    this.#meanGap = { request: 1 / requestsPerMs, alert: 1 / (requestsPerMs * per.unsolicitedAlerts), dcc: 1 / (requestsPerMs * DCC_ALERTS_PER_REQUEST) };
    this.#next = { request: start, alert: start + prng.exponential(this.#meanGap.alert), dcc: start + prng.exponential(this.#meanGap.dcc) };
  }

  /**
   * The next record in capture order. `remaining` counts the records still to produce, this one included:
   * an answer whose request is not captured yet is only produced while the budget can still fit that request,
   * and once the budget equals the number of such requests only they are produced. So every answer in the
   * output refers to a request in the output, even when the run is cut short.
   */
  next(remaining: number): TrafficRecord {
    for (;;) {
      this.#runSourcesUntilQueueHead();
      const p = this.#queue.pop()!;
      const req = p.req;
      if (this.#owed === remaining && !(p.kind === REQUEST && req!.owed)) continue;
      if (p.kind === REQUEST) {
        if (req!.owed) this.#owed--;
        req!.emitted = true;
        this.#remember(req!);
      } else if (req && !req.emitted && !req.owed) {
        if (remaining - 1 < this.#owed + 1) continue;
        req.owed = true;
        this.#owed++;
      }
      const xml = this.#renderer.render(p);
      if (this.#duplicateRate > 0 && p.kind !== DUPLICATE && this.#prng.chance(this.#duplicateRate)) {
        this.#schedule(DUPLICATE, p.at + this.#prng.range(P.duplicateDelay[0], P.duplicateDelay[1]), 0, req, '', null, '', xml);
      }
      return { receivedAt: this.#renderer.receivedAt(p.at), xml };
    }
  }

  /** Spawns source events (new requests and alerts) until the queue's head is the earliest thing to happen. */
  #runSourcesUntilQueueHead(): void {
    const n = this.#next;
    const prng = this.#prng;
    for (;;) {
      const head = this.#queue.peek();
      const t = Math.min(n.request, n.alert, n.dcc);
      if (head && head.at <= t) return;
      if (t === n.request) {
        this.#spawnRequest(Math.round(t));
        n.request += prng.exponential(this.#meanGap.request);
      } else if (t === n.alert) {
        this.#spawnDeviceAlert(Math.round(t));
        n.alert += prng.exponential(this.#meanGap.alert);
      } else {
        this.#spawnDccAlert(Math.round(t));
        n.dcc += prng.exponential(this.#meanGap.dcc);
      }
    }
  }

  /** A request sent at `t` and everything it causes: acknowledgement, responses, an alert. */
  #spawnRequest(t: number): void {
    const prng = this.#prng;
    // Without reference data nothing extra is drawn: the benchmarks' traffic stays the same for a seed.
    const plan = this.#otherUserSecurityRate > 0 && prng.chance(this.#otherUserSecurityRate) ? this.#picker.pickOtherUserSecurity(prng, t) : this.#picker.pick(prng, t);
    const counter = this.#counters.get(plan.originator)! + 1n;
    this.#counters.set(plan.originator, counter);
    const target = plan.template.nonDevice ? this.#dcc : plan.device.id;
    const req: RequestState = { rid: `${plan.originator}:${target}:${counter}`, plan, emitted: false, owed: false };
    const late = prng.chance(P.lateRequestRate) ? prng.range(P.lateRequestDelay[0], P.lateRequestDelay[1]) : 0;
    this.#schedule(REQUEST, t + this.#latency() + late, 0, req, '', null, '', '');
    const ackAt = t + Math.max(P.ackDelay.min, Math.round(prng.logNormal(P.ackDelay.median, P.ackDelay.sigma)));
    if (plan.rejectCode !== undefined || prng.chance(P.rejectRate)) {
      this.#schedule(ACK, ackAt + this.#latency(), ackAt, req, plan.rejectCode ?? this.#rejectCodes.pick(prng), null, '', '');
      return;
    }
    this.#schedule(ACK, ackAt + this.#latency(), ackAt, req, 'I99', null, '', '');
    if (!prng.chance(P.noResponseRate)) {
      const d = plan.template.nonDevice ? P.responseDelay.nonDevice : P.responseDelay[plan.entry.payload];
      let rdt = Math.max(ackAt + 50, t + Math.min(P.responseDelay.max, Math.round(prng.logNormal(d.median, d.sigma))));
      this.#schedule(RESPONSE, rdt + this.#latency(), rdt, req, this.#responseCode(), null, plan.originator, '');
      if (MULTI_RESPONSE_TEMPLATE.test(plan.template.name) && prng.chance(P.extraResponseRate)) {
        rdt += Math.round(prng.logNormal(P.extraResponseDelay.median, P.extraResponseDelay.sigma));
        this.#schedule(RESPONSE, rdt + this.#latency(), rdt, req, this.#responseCode(), null, plan.originator, '');
      }
    }
    if (!plan.template.nonDevice && prng.chance(plan.entry.linkedAlert)) {
      const rdt = t + Math.round(prng.logNormal(P.linkedAlertDelay.median, P.linkedAlertDelay.sigma));
      this.#schedule(DEVICE_ALERT, rdt + this.#latency(), rdt, req, LINKED_ALERT_CODES.pick(prng), plan.device, this.#supplierAt(plan.device, rdt), '');
    }
  }

  #spawnDeviceAlert(t: number): void {
    const prng = this.#prng;
    const device = prng.pick(this.#index.devicesByType.get(ALERTING_DEVICE_TYPES.pick(prng)) ?? this.#index.devices);
    const [code, to] = (device.type === 'ESME' ? ESME_ALERTS : OTHER_ALERTS).pick(prng);
    this.#schedule(DEVICE_ALERT, t + this.#latency(), t, null, code, device, to === 'network' ? this.#networkOperatorAt(device, t) : this.#supplierAt(device, t), '');
  }

  #spawnDccAlert(t: number): void {
    const prng = this.#prng;
    let [code, kind] = DCC_ALERTS.pick(prng);
    if (kind === 'linked') {
      if (this.#recent.length > 0) {
        const req = prng.pick(this.#recent);
        this.#schedule(DCC_ALERT, t + this.#latency(), t, req, code, req.plan.device, req.plan.originator, '');
        return;
      }
      code = 'AD1'; // nothing captured yet to refer to
    }
    const chfs = this.#index.devicesByType.get('CHF');
    const device = code === 'AD1' && chfs ? prng.pick(chfs) : prng.pick(this.#index.devices);
    this.#schedule(DCC_ALERT, t + this.#latency(), t, null, code, device, code === 'AD1' ? this.#networkOperatorAt(device, t) : this.#supplierAt(device, t), '');
  }

  /** The device's supplier at `t`: the static world's, or with reference data the one registered then. */
  #supplierAt(device: DeviceInfo, t: number): Eui64 {
    return this.#timeline ? this.#timeline.supplierAt(device, t) : device.supplier;
  }

  #networkOperatorAt(device: DeviceInfo, t: number): Eui64 {
    return this.#timeline ? this.#timeline.networkOperatorAt(device, t) : device.networkOperator;
  }

  #schedule(kind: number, at: number, rdt: number, req: RequestState | null, code: string, device: DeviceInfo | null, recipient: Eui64, xml: string): void {
    this.#queue.push({ at, seq: this.#seq++, kind, rdt, req, code, device, recipient, xml });
  }

  /** Keeps a sample of recently captured requests for DCC alerts to refer to. */
  #remember(req: RequestState): void {
    if (this.#recent.length < P.recentRequests) this.#recent.push(req);
    else this.#recent[this.#prng.int(P.recentRequests)] = req;
  }

  #responseCode(): string {
    return this.#prng.chance(P.responseErrorRate) ? this.#errorCodes.pick(this.#prng) : 'I0';
  }

  #latency(): number {
    return this.#prng.range(P.captureLatency[0], P.captureLatency[1]);
  }
}
