// Public surface of the catalogues: DUIS Service Request Variants, Command Variants, Response Codes and
// alert codes. Import from here, not from the individual files.

export {
  FUTURE_DATED_PATTERNS,
  SECURITY_REASONS,
  SRV_CATEGORIES,
  USER_ROLES,
  isFutureDatedPattern,
  isSecurityReason,
  isSrvCategory,
  isSrvEntry,
  isUserRole,
} from './srv-entry.js';
export type {
  FutureDatedPattern,
  SecurityReason,
  ServiceReferenceVariant,
  SrvCategory,
  SrvEntry,
  UserRole,
} from './srv-entry.js';
export { isServiceReferenceVariant, listSrvs, listSrvsInCategory, lookupSrv, searchSrvs } from './srv-catalogue.js';

export {
  COMMAND_VARIANT_NUMBERS,
  isCommandVariantNumber,
  listCommandVariants,
  lookupCommandVariant,
} from './command-variants.js';
export type { CommandVariant, CommandVariantNumber, CommandVariantWebService } from './command-variants.js';

export {
  RESPONSE_CODE_GROUPS,
  RESPONSE_OUTCOMES,
  classifyResponseCode,
  listResponseCodes,
  lookupResponseCode,
} from './response-codes.js';
export type { ResponseCodeEntry, ResponseCodeGroup, ResponseOutcome } from './response-codes.js';

export {
  MEANING_BASES,
  listDccAlertCodes,
  listDeviceAlertCodes,
  lookupDccAlertCode,
  lookupDeviceAlertCode,
  normaliseDeviceAlertCode,
} from './alert-codes.js';
export type { AlertCodeEntry, MeaningBasis } from './alert-codes.js';
