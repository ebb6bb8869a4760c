/**
 * The shape of one SRV catalogue entry, and the closed value sets it uses.
 *
 * Each closed set is a const array; the type is derived from it and so is the guard, so the two cannot
 * drift. `scripts/generate-srv-catalogue.mjs` writes the same sets into `srv-catalogue.json`, and
 * `srv-catalogue.ts` refuses to load a JSON whose sets or entries disagree with these.
 */

/** DCC User Roles that appear in the DUIS request matrix (DOMAIN.md, "Parties, Users and roles"). */
export const USER_ROLES = ['IS', 'ES', 'GS', 'ED', 'GT', 'OU', 'RSA'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Our grouping of SRVs; every SRV has exactly one. Rules and reasoning: docs/catalogue.md. */
export const SRV_CATEGORIES = [
  'tariff-and-payment',
  'supply',
  'security-credentials',
  'firmware',
  'configuration',
  'read',
  'inventory-and-commissioning',
  'han',
  'alerts-and-events',
  'dcc-services',
] as const;
export type SrvCategory = (typeof SRV_CATEGORIES)[number];

/**
 * The matrix's "Future Dated Response Pattern": who answers a future-dated request. `none` (DUIS "No"):
 * cannot be future dated; `device`: the device holds the command and answers when it executes it;
 * `dsp`: the DCC holds it; `dsp-and-device` (DUIS "DSP & Device"): both.
 */
export const FUTURE_DATED_PATTERNS = ['none', 'device', 'dsp', 'dsp-and-device'] as const;
export type FutureDatedPattern = (typeof FUTURE_DATED_PATTERNS)[number];

/** Why an SRV is security relevant (docs/catalogue.md, "securityRelevant"). */
export const SECURITY_REASONS = [
  'critical',
  'supply-control',
  'security-credentials',
  'firmware',
  'device-lifecycle',
  'han-membership',
  'audit-trail',
  'privacy',
  'device-identity',
] as const;
export type SecurityReason = (typeof SECURITY_REASONS)[number];

/** A DUIS `ServiceReferenceVariant`, e.g. `4.1.1` or `7.2`. Plain string: unknown variants are kept raw. */
export type ServiceReferenceVariant = string;

/** One Service Request Variant. Entries handed out by the catalogue are frozen. */
export interface SrvEntry {
  /** `ServiceReferenceVariant`, e.g. `4.1.1`; the catalogue key. */
  readonly variant: ServiceReferenceVariant;
  /** `ServiceReference`, e.g. `4.1`; equals `variant` for SRVs with a single variant (`7.2`). */
  readonly serviceReference: string;
  /** DUIS Service Request Name, e.g. `Read Instantaneous Import Registers`. */
  readonly name: string;
  /** DUIS critical flag: the User signs the command (Command Variants 4 to 7). */
  readonly critical: boolean;
  /** Can be sent on demand (immediate execution). */
  readonly onDemand: boolean;
  /** Who answers when the request is future dated. */
  readonly futureDated: FutureDatedPattern;
  /** Can be DCC scheduled (the DCC repeats it and sends one response per run). */
  readonly dccScheduled: boolean;
  /** Addressed to the DCC rather than a device (Command Variant 8); subject devices sit in the body. */
  readonly nonDevice: boolean;
  /** User Roles allowed to send it, in `USER_ROLES` order; empty where the public matrix lists none. */
  readonly eligibleRoles: readonly UserRole[];
  /** Our category (closed set). */
  readonly category: SrvCategory;
  /** True when at least one security reason applies: show it prominently, notify on it. */
  readonly securityRelevant: boolean;
  /** The reasons behind `securityRelevant`, in `SECURITY_REASONS` order; empty when not relevant. */
  readonly securityReasons: readonly SecurityReason[];
}

function memberOf<T extends string>(set: readonly T[]): (value: unknown) => value is T {
  return (value: unknown): value is T => typeof value === 'string' && (set as readonly string[]).includes(value);
}

export const isUserRole = memberOf(USER_ROLES);
export const isSrvCategory = memberOf(SRV_CATEGORIES);
export const isFutureDatedPattern = memberOf(FUTURE_DATED_PATTERNS);
export const isSecurityReason = memberOf(SECURITY_REASONS);

/** Structural guard for one entry (used to validate the JSON at load time). */
export function isSrvEntry(value: unknown): value is SrvEntry {
  if (value === null || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e['variant'] === 'string' &&
    /^\d+(?:\.\d+)+$/.test(e['variant']) &&
    typeof e['serviceReference'] === 'string' &&
    (e['variant'] === e['serviceReference'] || e['variant'].startsWith(`${e['serviceReference']}.`)) &&
    typeof e['name'] === 'string' &&
    e['name'].length > 0 &&
    typeof e['critical'] === 'boolean' &&
    typeof e['onDemand'] === 'boolean' &&
    isFutureDatedPattern(e['futureDated']) &&
    typeof e['dccScheduled'] === 'boolean' &&
    typeof e['nonDevice'] === 'boolean' &&
    Array.isArray(e['eligibleRoles']) &&
    e['eligibleRoles'].every(isUserRole) &&
    isSrvCategory(e['category']) &&
    Array.isArray(e['securityReasons']) &&
    e['securityReasons'].every(isSecurityReason) &&
    e['securityRelevant'] === e['securityReasons'].length > 0
  );
}
