import type { Eui64 } from '../duis/eui64.js';
import type {
  CertificateHistory,
  DeviceRecord,
  LinkHistory,
  PartyRecord,
  ReferenceDocument,
  ReferenceProblem,
  RegistrationHistory,
} from './reference-document.js';

/** What one import changed, per section, and the warnings it raised. */
export interface ReferenceImportResult {
  parties: { created: number; updated: number; unchanged: number };
  devices: { created: number; updated: number; unchanged: number };
  /** Histories (one per device, per (MPxN, role) pair, per device) replaced, erased (empty history) or unchanged. */
  links: HistoryChanges;
  registrations: HistoryChanges;
  certificates: HistoryChanges;
  warnings: ReferenceProblem[];
}

export interface HistoryChanges {
  replaced: number;
  erased: number;
  unchanged: number;
}

/**
 * Reference data with full history: parties and their User IDs, devices, device–MPxN links, registrations and
 * network-operator certificates. Lives in the same database as the messages; visibility is evaluated against it
 * at query time, so a correction takes effect on the next query.
 */
export interface ReferenceStore {
  /**
   * Applies a validated document all-or-nothing in one transaction (see `ReferenceDocument` for the replace
   * semantics). Checks what validation alone cannot: every `partyId` names a party stored or in the document,
   * and no User ID is held by two parties. Throws `ReferenceError` (`REFERENCE_INVALID`, every problem with its
   * path) and changes nothing when a check fails.
   */
  apply(document: ReferenceDocument): Promise<ReferenceImportResult>;

  getParty(id: string): Promise<PartyRecord | undefined>;
  listParties(): Promise<PartyRecord[]>;
  /** The party holding a User ID and the role, or `undefined`. */
  userIdOwner(userId: Eui64): Promise<{ partyId: string; role: PartyRecord['userIds'][number]['role'] } | undefined>;

  /** The device's inventory record, link history and certificate history (empty when unknown). */
  getDevice(deviceId: Eui64): Promise<{ device: DeviceRecord | undefined; links: LinkHistory; certificates: CertificateHistory }>;
  /** The registration histories of an MPxN, one per role present. */
  getRegistrations(mpxn: string): Promise<RegistrationHistory[]>;
}

export type { ReferenceDocument };
