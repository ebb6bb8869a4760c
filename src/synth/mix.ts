import type { SynthRole } from './synth-types.js';

/** Families of SRVs, for weighting and for reporting the mix. */
export type SrvGroup =
  | 'read' // 4.x meter reads
  | 'config-read' // 6.2.x, 6.13, 6.24, 6.30-6.32, 7.4, 7.7, 7.11, 7.14, 7.15, 8.9: reads of configuration and logs
  | 'configuration' // other 6.x updates
  | 'tariff' // 1.x tariff and price
  | 'prepayment' // 2.x
  | 'display' // 3.x
  | 'supply' // 7.x commands
  | 'firmware' // 11.x
  | 'security' // 6.15.x, 6.17, 6.23: security credentials
  | 'inventory' // 8.x and 12.2: install, commission, inventory
  | 'other'; // 5.1 schedules, 9.1, 14.1

/** How big the device's GBCS answer is: `read` 100-600 bytes, `profile` up to several KB, `command` tens of bytes. */
export type PayloadSize = 'read' | 'profile' | 'command';

export interface MixEntry {
  serviceReferenceVariant: string;
  /** Relative share of requests. */
  weight: number;
  group: SrvGroup;
  payload: PayloadSize;
  /** Relative likelihood of each originating role (all eligible for the SRV in the DUIS request matrix). */
  roles: Partial<Record<SynthRole, number>>;
  /** Probability that the target device also raises an alert carrying the request's RequestID. */
  linkedAlert: number;
  /**
   * Probability that the originator is another User of the chosen role, not the one registered for the device:
   * an incoming supplier during Change of Supplier (6.23), a future supplier reading the inventory (8.2).
   */
  foreignOriginator: number;
}

// [SRV, weight, group, payload, roles]. Relative weights: 4.x reads come to about 60% of requests (DOMAIN.md);
// roles follow the DUIS request matrix (ES and RSA Users are not part of the world).
const S = 'IS:1 GS:1';
const RN = 'IS:8 GS:8 ED:1 GT:1';
const TABLE: ReadonlyArray<readonly [string, number, SrvGroup, PayloadSize, string]> = [
  ['4.1.1', 10, 'read', 'read', RN], ['4.1.2', 4, 'read', 'read', RN], ['4.1.3', 1, 'read', 'read', 'IS:8 ED:1'],
  ['4.1.4', 1, 'read', 'read', 'GS:1'], ['4.2', 1, 'read', 'read', 'ED:1'], ['4.3', 2, 'read', 'read', S],
  ['4.4.2', 1.5, 'read', 'profile', S], ['4.4.3', 1.5, 'read', 'profile', S], ['4.4.4', 0.5, 'read', 'profile', S],
  ['4.4.5', 0.5, 'read', 'profile', S], ['4.6.1', 5, 'read', 'profile', S], ['4.8.1', 8, 'read', 'profile', 'IS:8 GS:8 ED:1 GT:1 OU:2'],
  ['4.8.2', 1, 'read', 'profile', 'IS:4 ED:1 OU:1'], ['4.8.3', 1, 'read', 'profile', 'ED:2 OU:1'], ['4.10', 1, 'read', 'read', 'IS:2 GS:2 ED:1 GT:1'],
  ['4.11.1', 1, 'read', 'read', 'IS:4 GS:4 OU:1'], ['4.11.2', 0.3, 'read', 'read', 'IS:4 OU:1'], ['4.12.1', 0.5, 'read', 'read', 'IS:1 ED:1'],
  ['4.12.2', 0.2, 'read', 'read', 'ED:1'], ['4.13', 0.5, 'read', 'read', S], ['4.14', 0.5, 'read', 'profile', S],
  ['4.15', 0.3, 'read', 'read', 'IS:2 ED:1'], ['4.16', 2, 'read', 'read', 'IS:3 ED:1'], ['4.17', 5, 'read', 'profile', 'IS:8 GS:8 ED:1 GT:1 OU:3'],
  ['4.18', 3, 'read', 'read', S],
  ['6.2.1', 0.5, 'config-read', 'read', 'IS:4 ED:1'], ['6.2.2', 0.3, 'config-read', 'read', 'IS:4 ED:1'], ['6.2.3', 0.3, 'config-read', 'read', S],
  ['6.2.4', 1, 'config-read', 'read', 'IS:8 GS:8 ED:1 GT:1 OU:1'], ['6.2.5', 0.2, 'config-read', 'read', 'IS:1'],
  ['6.2.7', 1, 'config-read', 'read', 'IS:8 GS:8 ED:1 GT:1 OU:1'], ['6.2.8', 0.3, 'config-read', 'read', 'GS:4 GT:1'],
  ['6.2.9', 0.5, 'config-read', 'read', S], ['6.2.10', 0.4, 'config-read', 'read', 'IS:4 GS:4 ED:1'],
  ['6.13', 2, 'config-read', 'profile', RN], ['6.24.1', 0.3, 'config-read', 'read', RN], ['6.24.2', 0.1, 'config-read', 'read', S],
  ['6.30', 0.2, 'config-read', 'read', S], ['6.31', 0.2, 'config-read', 'read', S], ['6.32', 0.2, 'config-read', 'profile', S],
  ['7.4', 1.5, 'config-read', 'read', RN], ['7.7', 0.1, 'config-read', 'read', 'IS:4 ED:1 OU:1'], ['7.11', 0.1, 'config-read', 'read', 'IS:4 OU:1'],
  ['7.14', 0.1, 'config-read', 'read', 'IS:4 ED:1 OU:1'], ['7.15', 0.1, 'config-read', 'read', 'IS:4 ED:1 OU:1'], ['8.9', 0.5, 'config-read', 'read', 'IS:4 GS:4 OU:1'],
  ['6.4.1', 0.2, 'configuration', 'command', 'IS:1'], ['6.4.2', 0.1, 'configuration', 'command', 'IS:1'], ['6.5', 0.3, 'configuration', 'command', 'ED:1'],
  ['6.6', 0.1, 'configuration', 'command', 'GS:1'], ['6.7', 0.1, 'configuration', 'command', 'GS:1'], ['6.8', 0.5, 'configuration', 'command', S],
  ['6.11', 1, 'configuration', 'command', S], ['6.12', 0.2, 'configuration', 'command', 'IS:1'], ['6.14.1', 0.1, 'configuration', 'command', 'IS:1'],
  ['6.14.2', 0.1, 'configuration', 'command', 'IS:1'], ['6.14.3', 0.1, 'configuration', 'command', 'IS:1'], ['6.18.1', 0.1, 'configuration', 'command', 'ED:1'],
  ['6.18.2', 0.1, 'configuration', 'command', 'ED:1'], ['6.20.1', 0.3, 'configuration', 'command', S], ['6.21', 0.05, 'configuration', 'command', S],
  ['6.22', 1.2, 'configuration', 'command', 'IS:4 GS:4 ED:1'], ['6.25', 0.05, 'configuration', 'command', 'IS:1'], ['6.26', 0.05, 'configuration', 'command', 'IS:1'],
  ['6.27', 0.1, 'configuration', 'command', 'ED:1'], ['6.28', 0.1, 'configuration', 'command', S], ['6.29', 0.05, 'configuration', 'command', S],
  ['1.1.1', 1.5, 'tariff', 'command', S], ['1.1.2', 0.2, 'tariff', 'command', 'IS:1'], ['1.2.1', 1, 'tariff', 'command', S],
  ['1.2.2', 0.1, 'tariff', 'command', 'IS:1'], ['1.5', 0.6, 'tariff', 'command', S], ['1.6', 0.8, 'tariff', 'command', S], ['1.7', 0.1, 'tariff', 'command', 'IS:1'],
  ['2.1', 0.4, 'prepayment', 'command', S], ['2.2', 2, 'prepayment', 'command', S], ['2.3', 0.5, 'prepayment', 'command', S], ['2.5', 0.3, 'prepayment', 'command', S],
  ['3.1', 0.5, 'display', 'command', S], ['3.2', 0.1, 'display', 'command', S], ['3.3', 0.3, 'display', 'command', S],
  ['3.4', 0.3, 'display', 'command', S], ['3.5', 0.1, 'display', 'command', S],
  ['7.1', 0.6, 'supply', 'command', 'IS:1'], ['7.2', 0.6, 'supply', 'command', S], ['7.3', 0.4, 'supply', 'command', S],
  ['7.5', 0.05, 'supply', 'command', 'IS:1'], ['7.6', 0.05, 'supply', 'command', 'IS:1'], ['7.8', 0.05, 'supply', 'command', 'IS:1'],
  ['7.9', 0.05, 'supply', 'command', 'IS:1'], ['7.10', 0.05, 'supply', 'command', 'IS:1'], ['7.12', 0.05, 'supply', 'command', 'IS:1'],
  ['7.13', 0.05, 'supply', 'command', 'IS:1'],
  ['11.2', 2, 'firmware', 'read', 'IS:8 GS:8 ED:1 GT:1 OU:1'], ['11.3', 0.8, 'firmware', 'command', S],
  ['6.15.1', 1, 'security', 'command', 'IS:8 GS:8 ED:2 GT:1'], ['6.15.2', 0.2, 'security', 'command', S], ['6.17', 0.2, 'security', 'command', S],
  ['6.23', 0.6, 'security', 'command', S],
  ['8.1.1', 0.5, 'inventory', 'command', S], ['8.2', 1.2, 'inventory', 'command', 'IS:8 GS:8 ED:1 GT:1 OU:1'], ['8.3', 0.2, 'inventory', 'command', S],
  ['8.4', 0.3, 'inventory', 'command', 'IS:4 GS:4 ED:1 GT:1'], ['8.7.1', 0.2, 'inventory', 'command', S], ['8.7.2', 0.3, 'inventory', 'command', 'IS:4 GS:4 OU:1'],
  ['8.8.1', 0.1, 'inventory', 'command', S], ['8.8.2', 0.2, 'inventory', 'command', 'IS:4 GS:4 OU:1'], ['8.11', 0.4, 'inventory', 'command', 'IS:4 GS:4 OU:1'],
  ['8.12.1', 0.05, 'inventory', 'command', S], ['8.12.2', 0.05, 'inventory', 'command', S], ['8.14.1', 0.3, 'inventory', 'command', S],
  ['8.14.2', 0.05, 'inventory', 'command', S], ['8.14.3', 0.05, 'inventory', 'command', S], ['8.14.4', 0.05, 'inventory', 'command', S],
  ['12.2', 0.3, 'inventory', 'command', 'IS:4 GS:4 ED:1 GT:1 OU:1'],
  ['5.1', 0.2, 'other', 'command', 'IS:4 GS:4 ED:1 GT:1 OU:1'], ['9.1', 0.1, 'other', 'command', 'OU:1'], ['14.1', 0.1, 'other', 'command', 'GT:1'],
];

// Commands that change what a meter does are more often followed by an alert from the device.
const LINKED_ALERT: Partial<Record<SrvGroup, number>> = { supply: 0.5, firmware: 0.3, security: 0.3, tariff: 0.25, prepayment: 0.2, configuration: 0.1 };

const FOREIGN_ORIGINATOR: Record<string, number> = { '6.23': 0.6, '8.2': 0.1 };

/** The request mix: one entry per SRV the generator sends. */
export const REQUEST_MIX: readonly MixEntry[] = TABLE.map(([srv, weight, group, payload, roles]) => ({
  serviceReferenceVariant: srv,
  weight,
  group,
  payload,
  roles: Object.fromEntries(roles.split(' ').map((r) => [r.split(':')[0], Number(r.split(':')[1])])) as MixEntry['roles'],
  linkedAlert: payload === 'command' ? (LINKED_ALERT[group] ?? 0.05) : 0.02,
  foreignOriginator: FOREIGN_ORIGINATOR[srv] ?? 0,
}));
