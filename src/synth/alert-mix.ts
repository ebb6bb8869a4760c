import { WeightedChoice } from './prng.js';
import type { SynthDeviceType } from './synth-types.js';

/** Who a device alert is addressed to: the device's supplier, or the Network Operator (power quality, outages). */
export type AlertRecipient = 'supplier' | 'network';

// Hex GBCS alert codes. Outage and voltage alerts (8F35, 8F36, 8095, 8099) go to the Network Operator and come
// from electricity meters only; the rest go to the supplier.
const SUPPLIER_CODES: ReadonlyArray<readonly [string, number]> = [
  ['8F1C', 8], ['8F66', 4], ['8F84', 6], ['8F3E', 2], ['8F3F', 3], ['8F12', 3], ['8F20', 4], ['8F1B', 1],
  ['81A4', 2], ['81A5', 2], ['81AA', 3], ['81AB', 3],
];
const NETWORK_CODES: ReadonlyArray<readonly [string, number]> = [['8F35', 10], ['8F36', 4], ['8099', 3], ['8095', 1]];

/** Unsolicited alerts by code and recipient, for electricity meters (which also raise network alerts). */
export const ESME_ALERTS = new WeightedChoice<readonly [string, AlertRecipient]>([
  ...SUPPLIER_CODES.map(([c, w]) => [[c, 'supplier'], w] as const),
  ...NETWORK_CODES.map(([c, w]) => [[c, 'network'], w] as const),
]);
/** Unsolicited alerts of every other device type. */
export const OTHER_ALERTS = new WeightedChoice<readonly [string, AlertRecipient]>(SUPPLIER_CODES.map(([c, w]) => [[c, 'supplier'], w] as const));
/** Codes of alerts raised while executing a request (they carry its RequestID). */
export const LINKED_ALERT_CODES = new WeightedChoice<string>([['8F84', 3], ['8F66', 2], ['8F1C', 1]]);

/** Which devices raise unsolicited alerts. IHDs send none over the WAN. */
export const ALERTING_DEVICE_TYPES = new WeightedChoice<SynthDeviceType>([
  ['ESME', 45], ['CHF', 22], ['GSME', 15], ['GPF', 10], ['PPMID', 5], ['HCALCS', 3],
]);

/** DCC alert codes: whether they answer a recent request (and carry its RequestID), and their weight. */
export const DCC_ALERTS = new WeightedChoice<readonly [string, 'linked' | 'device']>([
  [['AD1', 'device'], 35], [['N24', 'linked'], 25], [['N25', 'linked'], 15], [['N42', 'device'], 15], [['N12', 'device'], 10],
]);

/** Device alerts per request (DCC July 2022: 1.6 billion device alerts a month against 1 billion SRV messages). */
export const DEVICE_ALERTS_PER_REQUEST = 1.6;
/** DCC alerts per request (86 million a month in July 2022). */
export const DCC_ALERTS_PER_REQUEST = 0.05;
/** Share of unsolicited device alerts carrying throttling fields. */
export const THROTTLED_ALERT_RATE = 0.003;
