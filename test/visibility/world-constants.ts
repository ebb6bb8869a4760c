import type { DeviceType, UserRole } from '../../src/reference/reference-document.js';

/*
 * The small fixed vocabulary random worlds are built from. Every run clears the store, so runs reuse these ids.
 * Times: five period boundaries a day apart, and message instants on, just before and just after each boundary
 * (plus one mid-period and one before all history), so the half-open ends of every period are hit often.
 */

export const T0 = Date.parse('2026-01-05T00:00:00.000Z');
export const DAY = 86_400_000;

/** Period boundaries: every history period starts and ends on one of these. */
export const BOUNDS: readonly number[] = [0, 1, 2, 3, 4].map((k) => T0 + k * DAY);

/** Instants messages use: each boundary -1 ms, exactly, +1 ms, and half a day later; and one before everything. */
export const TIMES: readonly number[] = [
  ...BOUNDS.flatMap((b) => [b, b - 1, b + 1, b + DAY / 2]),
  T0 - DAY,
];

/** Roles party User IDs are drawn from (the slot of each in a party's User ID). */
export const PARTY_ROLES: readonly UserRole[] = ['IS', 'GS', 'ED', 'GT', 'OU', 'ES'];

export const MAX_PARTIES = 6;
export const MAX_DEVICES = 8;

/** Two MPANs (13 digits) and an MPRN (10 digits): few, so devices often share a supply point. */
export const MPXNS: readonly string[] = ['1200000000001', '1200000000002', '3000000001'];
export const isMpan = (mpxn: string): boolean => mpxn.length === 13;

export const DEVICE_TYPES_USED: readonly DeviceType[] = ['ESME', 'GSME', 'CHF', 'GPF', 'PPMID', 'HCALCS'];

/** The DCC's User ID: target of non-device requests, responder of DCC-built responses and DCC alerts. */
export const DCC_ID = '90-B3-D5-1F-30-00-00-02';
/** A User ID nobody holds. */
export const STRANGER_ID = '90-B3-D5-1F-30-FF-FF-00';

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

export const partyId = (i: number): string => `P${i}`;

/** Party i's User ID for a role: stable, so a correction that keeps the role keeps the ID. */
export const userIdOf = (i: number, role: UserRole): string => `90-B3-D5-1F-30-${hex2(i + 1)}-${hex2(PARTY_ROLES.indexOf(role) + 1)}-00`;

export const deviceIdOf = (i: number): string => `00-DB-12-34-56-78-90-${hex2(0xa0 + i)}`;
