import { DCC_ALERTS_PER_REQUEST, DEVICE_ALERTS_PER_REQUEST } from './alert-mix.js';
import type { UsableEntry } from './request-picker.js';

/**
 * Timing and outcome parameters of the simulated DCC. Durations in milliseconds. Kept in one place so the
 * shape of the traffic can be read (and tuned) without reading the simulation.
 */
export const TRAFFIC_PROFILE = {
  /** Capture delay after the DCC sent or received a message. */
  captureLatency: [3, 40] as const,
  /** Share of requests captured late, after some of their answers (out-of-order capture), and by how much. */
  lateRequestRate: 0.01,
  lateRequestDelay: [1500, 90_000] as const,
  /** Acknowledgement: median delay after the request and spread (log-normal). */
  ackDelay: { median: 900, sigma: 0.35, min: 150 },
  /** Share of requests the DCC rejects (an E-code acknowledgement, then nothing). */
  rejectRate: 0.01,
  rejectCodes: [['E3', 4], ['E4', 1], ['E10', 1], ['E50', 2], ['E65', 1]] as ReadonlyArray<readonly [string, number]>,
  /** Share of accepted requests that never get a response (device unreachable, expired). */
  noResponseRate: 0.015,
  /** Response delay after the request, by answer type: seconds to minutes with a long tail. */
  responseDelay: {
    read: { median: 4000, sigma: 0.9 },
    profile: { median: 15_000, sigma: 1.0 },
    command: { median: 6000, sigma: 0.9 },
    nonDevice: { median: 1500, sigma: 0.5 },
    max: 30 * 60_000,
  },
  /** Share of responses that carry an error code. */
  responseErrorRate: 0.03,
  responseErrorCodes: [['E50', 3], ['E51', 1], ['E55', 1], ['E58', 1]] as ReadonlyArray<readonly [string, number]>,
  /** Future-dated and DCC-scheduled templates: chance of a second response, and its delay after the first. */
  extraResponseRate: 0.8,
  extraResponseDelay: { median: 10 * 60_000, sigma: 0.8 },
  /** A device alert raised while executing a request comes this long after the request. */
  linkedAlertDelay: { median: 8000, sigma: 1.0 },
  /** GBCS payload sizes in bytes. */
  payloadBytes: {
    read: [100, 600] as const,
    profile: { median: 1500, sigma: 0.7, min: 400, max: 12_000 },
    command: [30, 250] as const,
    alert: [40, 180] as const,
  },
  /** A duplicate is re-delivered this long after the original. */
  duplicateDelay: [50, 5000] as const,
  /** How many recently captured requests DCC alerts can refer to. */
  recentRequests: 512,
} as const;

/** Names of templates whose requests get more than one response (future-dated, DCC-scheduled). */
export const MULTI_RESPONSE_TEMPLATE = /FUTURE_DATED|DCC_SCHEDULED/;

/** Expected records per request, and unsolicited device alerts per request, for a request mix. */
export function expectedPerRequest(usable: readonly UsableEntry[]): { records: number; unsolicitedAlerts: number } {
  let weight = 0;
  let multi = 0;
  let linked = 0;
  for (const u of usable) {
    const n = u.templates.length;
    weight += u.entry.weight;
    multi += (u.entry.weight * u.templates.filter((t) => MULTI_RESPONSE_TEMPLATE.test(t.name)).length) / n;
    linked += (u.entry.weight * u.entry.linkedAlert * u.templates.filter((t) => !t.nonDevice).length) / n;
  }
  const accepted = 1 - TRAFFIC_PROFILE.rejectRate;
  const responses = accepted * (1 - TRAFFIC_PROFILE.noResponseRate) * (1 + (multi / weight) * TRAFFIC_PROFILE.extraResponseRate);
  return {
    records: 2 + responses + DEVICE_ALERTS_PER_REQUEST + DCC_ALERTS_PER_REQUEST,
    unsolicitedAlerts: DEVICE_ALERTS_PER_REQUEST - accepted * (linked / weight),
  };
}
