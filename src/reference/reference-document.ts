import type { Eui64 } from '../duis/eui64.js';

/**
 * The reference-data import document (issue 3), after validation: the one shape `srvv reference import`,
 * `PUT /api/v1/reference` and the CSV sections all become before anything touches the database.
 * Times are epoch milliseconds; every period is half-open `[from, to)` and `to: null` means "still valid".
 */

/** DCC User Roles (DOMAIN.md, "Parties, Users and roles"). */
export const USER_ROLES = ['IS', 'ES', 'GS', 'ED', 'GT', 'OU', 'RSA'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Roles a registration can name: the Responsible Supplier (IS for an MPAN, GS for an MPRN) or the network operator. */
export const REGISTRATION_ROLES = ['IS', 'GS', 'ED', 'GT'] as const;
export type RegistrationRole = (typeof REGISTRATION_ROLES)[number];

/** Roles that make a party a Network Operator (visibility rule 3). */
export const NETWORK_OPERATOR_ROLES: readonly UserRole[] = ['ED', 'GT'];
/** Registration roles that make a party the Responsible Supplier (visibility rule 2). */
export const SUPPLIER_REGISTRATION_ROLES: readonly RegistrationRole[] = ['IS', 'GS'];

/** Device types of the Smart Metering Inventory. */
export const DEVICE_TYPES = ['ESME', 'GSME', 'CHF', 'GPF', 'PPMID', 'HCALCS', 'IHD', 'CAD', 'SAPC', 'TYPE2'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export interface UserIdEntry {
  /** Normalised EUI-64. */
  userId: Eui64;
  role: UserRole;
}

export interface PartyRecord {
  id: string;
  name: string;
  /** A DCC operator party: its users may see everything (every view audited). */
  operator: boolean;
  /** Replaces the party's previous list. */
  userIds: UserIdEntry[];
}

export interface DeviceRecord {
  deviceId: Eui64;
  type: DeviceType;
}

/** A half-open validity period in epoch milliseconds. */
export interface Period {
  from: number;
  /** `null`: still valid. */
  to: number | null;
}

export interface LinkPeriod extends Period {
  /** MPAN (13 digits) or MPRN (6 to 10 digits). */
  mpxn: string;
}

export interface PartyPeriod extends Period {
  partyId: string;
}

/** A device's whole MPxN link history (replaces the stored one; empty erases it). */
export interface LinkHistory {
  deviceId: Eui64;
  history: LinkPeriod[];
}

/** The whole registration history of one (MPxN, role) pair (replaces the stored one; empty erases it). */
export interface RegistrationHistory {
  mpxn: string;
  role: RegistrationRole;
  history: PartyPeriod[];
}

/** The whole network-operator certificate history of one device (replaces the stored one; empty erases it). */
export interface CertificateHistory {
  deviceId: Eui64;
  history: PartyPeriod[];
}

/** A validated document: every section present (possibly empty). */
export interface ReferenceDocument {
  parties: PartyRecord[];
  devices: DeviceRecord[];
  links: LinkHistory[];
  registrations: RegistrationHistory[];
  certificates: CertificateHistory[];
}

export const REFERENCE_SECTIONS = ['parties', 'devices', 'links', 'registrations', 'certificates'] as const;
export type ReferenceSection = (typeof REFERENCE_SECTIONS)[number];

/** One thing wrong (or worth a warning) in a document, located by its path, e.g. `registrations[12].history[0].from`. */
export interface ReferenceProblem {
  path: string;
  message: string;
}

/** The outcome of validating a document: the normalised document, or every problem found. */
export type ReferenceValidation =
  | { ok: true; document: ReferenceDocument }
  | { ok: false; errors: ReferenceProblem[] };
