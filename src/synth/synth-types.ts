import type { Eui64 } from '../duis/eui64.js';
import type { ReferenceDocument } from '../reference/reference-document.js';

/** Options shared by {@link createWorld}, `generateTraffic` and `writeNdjson`. */
export interface SynthOptions {
  /** Seed of every random choice: the same seed and options give byte-identical output. Default 1. */
  seed?: number;
  /** Number of devices in the world (meters, hubs, ...). Default 1,000. */
  devices?: number;
  /** Simulated time of the first message. Default 2025-01-06T00:00:00.000Z (fixed, never the clock). */
  start?: Date;
  /** Average messages per simulated second, all kinds together. Default 1,150 (the DCC's 2022 average). */
  messagesPerSecond?: number;
  /**
   * Share of records re-delivered as a byte-identical copy (same xml, a later receivedAt), as a capture feed
   * does after a reconnect. Default 0 (benchmarks); about 0.001 makes a realistic feed.
   */
  duplicateRate?: number;
  /**
   * Folder of the RTDS request templates (`*.XML`). Default: `templates/` of the `@smartdcc/duis-templates`
   * package, read once per process.
   */
  templatesDir?: string;
  /**
   * Reference data built from the same world and start (`referenceDocument`) for the traffic to follow:
   * requests in a supplier or network-operator role come from the party holding that role for the device at
   * the time (so after a Change of Supplier the new supplier sends, and after a certificate change the new
   * network operator), and alerts go to it. Default: none — the static world, as the benchmarks use it.
   */
  reference?: ReferenceDocument;
  /**
   * Share of requests that are security-relevant requests to a device by a User other than its supplier: a
   * network operator's credentials update, an Other User's HAN commands, and disable-supply or firmware
   * commands from the previous supplier or an Other User that the DCC rejects. Needs `reference`. Default 0.
   */
  otherUserSecurityRate?: number;
}

/** Options of one traffic run: {@link SynthOptions} plus how many records to produce. */
export interface TrafficOptions extends SynthOptions {
  /** Exact number of records produced. */
  count: number;
}

/** One captured message, as a capture feed hands it over (and as one NDJSON line). */
export interface TrafficRecord {
  /** Capture time, ISO-8601 with milliseconds and `Z`. */
  receivedAt: string;
  /** The DUIS document. */
  xml: string;
}

/** User roles the world uses (DOMAIN.md, "Parties, Users and roles"). */
export type SynthRole = 'IS' | 'GS' | 'ED' | 'GT' | 'OU';

/** Device types the world holds. IHDs exist but send and receive no DUIS traffic of their own. */
export type SynthDeviceType = 'ESME' | 'GSME' | 'CHF' | 'GPF' | 'PPMID' | 'HCALCS' | 'IHD';

export type SynthFuel = 'electricity' | 'gas';

/** An organisation that signed the SEC. */
export interface SynthParty {
  partyId: string;
  name: string;
  userIds: Eui64[];
}

/** A DCC User ID: exactly one role, one party. */
export interface SynthUser {
  userId: Eui64;
  role: SynthRole;
  partyId: string;
}

/** A supply point (MPAN or MPRN) with its registration. Everything is valid from `SynthWorld.validFrom`, open-ended. */
export interface SynthSupplyPoint {
  mpxn: string;
  fuel: SynthFuel;
  premisesId: number;
  /** The Responsible Supplier's User ID (`IS` for an MPAN, `GS` for an MPRN). */
  supplierUserId: Eui64;
  /** The ED (MPAN) or GT (MPRN) User ID of the region. */
  networkOperatorUserId: Eui64;
}

/** A device with its links. Everything is valid from `SynthWorld.validFrom`, open-ended. */
export interface SynthDevice {
  deviceId: Eui64;
  deviceType: SynthDeviceType;
  premisesId: number;
  /** MPxNs the device is linked to (inventory). */
  mpxns: string[];
  /** User ID of the supplier alerts of this device are sent to (IS for electricity devices, else GS). */
  supplierUserId: Eui64;
  /** Network Operator User IDs holding a certificate on the device (ED on an ESME, GT on a GSME or GPF). */
  networkOperatorUserIds: Eui64[];
}

/** A home: one communications hub and the meters and devices behind it. */
export interface SynthPremises {
  premisesId: number;
  mpan: string | null;
  mprn: string | null;
  deviceIds: Eui64[];
}

/**
 * The simulated world as plain JSON-able data, for turning into reference data (organisations, roles,
 * registrations, inventory links, certificates). The registration and links are static over the run.
 */
export interface SynthWorld {
  seed: number;
  /** The DCC's User ID: target of non-device requests, responder of their responses and of DCC alerts. */
  dccUserId: Eui64;
  /**
   * Start of every registration, link and certificate: one year before the `start` given to `createWorld`
   * (default {@link SynthOptions.start}), so pass the traffic's start to both.
   */
  validFrom: string;
  parties: SynthParty[];
  users: SynthUser[];
  premises: SynthPremises[];
  supplyPoints: SynthSupplyPoint[];
  devices: SynthDevice[];
}
