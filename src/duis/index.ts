// Public surface of the DUIS parser. Import from here, not from the individual files.

export { parseDuis, DEFAULT_DCC_USER_IDS, DEFAULT_MAX_BYTES } from './parse-duis.js';
export type { ParseDuisOptions } from './parse-duis.js';
export { MESSAGE_KINDS, formatRequestId, formatResponseId } from './duis-message.js';
export type { DuisMessage, MessageKind, RequestId, ResponseId } from './duis-message.js';
export { bigIntToEui64, eui64ToBigInt, isEui64, normaliseEui64 } from './eui64.js';
export type { Eui64 } from './eui64.js';
export { DUIS_NS } from './duis-elements.js';
