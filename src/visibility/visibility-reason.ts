import type { Eui64 } from '../duis/eui64.js';
import type { RegistrationRole, UserRole } from '../reference/reference-document.js';

/**
 * Why a party may see a message: one entry per rule instance that grants it (DOMAIN.md, "The visibility
 * rules"). Concrete enough to check by hand against the reference data; every entry also carries `text`, the
 * same in words. An empty list means "not visible". Times are ISO-8601 (UTC); `to: null` = still valid.
 */
export type VisibilityReason =
  | OwnTrafficReason
  | SupplierReason
  | NetworkOperatorReason
  | ThreadReason
  | OperatorReason;

/** Rule 1: the party holds a User ID in U(M). */
export interface OwnTrafficReason {
  rule: 'own';
  userId: Eui64;
  role: UserRole;
  /** Which User ID of the message it is: a request's or acknowledgement's originator, an answer's recipient. */
  as: 'originator' | 'recipient';
  text: string;
}

/** Rule 2: Responsible Supplier of a device in S(M) at t(M). */
export interface SupplierReason {
  rule: 'responsible-supplier';
  deviceId: Eui64;
  mpxn: string;
  role: Extract<RegistrationRole, 'IS' | 'GS'>;
  registeredFrom: string;
  registeredTo: string | null;
  linkedFrom: string;
  linkedTo: string | null;
  text: string;
}

/** Rule 3: network operator certificate on a device in S(M) at t(M), the party holding an ED or GT User ID. */
export interface NetworkOperatorReason {
  rule: 'network-operator';
  deviceId: Eui64;
  certificateFrom: string;
  certificateTo: string | null;
  /** The party's ED / GT User ID that makes it a network operator. */
  userId: Eui64;
  role: Extract<UserRole, 'ED' | 'GT'>;
  text: string;
}

/** Rule 4: the message answers a captured request the party sees by rule 2 or 3 at the request's time. */
export interface ThreadReason {
  rule: 'thread';
  requestId: string;
  /** Store id of the captured request. */
  requestMessageId: string;
  /** Why the party sees that request (rule 2 or 3 reasons, evaluated at t(R)). */
  because: Array<SupplierReason | NetworkOperatorReason>;
  text: string;
}

/** A DCC operator party sees everything (and every such view is audited by the API). */
export interface OperatorReason {
  rule: 'operator';
  text: string;
}
