export { createWorld, DCC_USER_ID, DEFAULT_DEVICES, DEFAULT_START } from './world.js';
export { generateTraffic } from './generate-traffic.js';
export { writeNdjson } from './ndjson-writer.js';
export {
  referenceDocument,
  referenceDocumentSlices,
  DCC_OPERATOR_PARTY_ID,
  DEFAULT_CERTIFICATE_CHANGE_RATE,
  DEFAULT_CHANGE_OF_SUPPLIER_RATE,
} from './reference-data.js';
export type { ReferenceDataOptions } from './reference-data.js';
export { DEFAULT_MESSAGES_PER_SECOND } from './traffic-simulation.js';
export { loadRequestTemplates, defaultTemplatesDir } from './templates.js';
export { REQUEST_MIX } from './mix.js';
export type { MixEntry, SrvGroup } from './mix.js';
export type { RequestTemplate } from './templates.js';
export type {
  SynthDevice,
  SynthDeviceType,
  SynthFuel,
  SynthOptions,
  SynthParty,
  SynthPremises,
  SynthRole,
  SynthSupplyPoint,
  SynthUser,
  SynthWorld,
  TrafficOptions,
  TrafficRecord,
} from './synth-types.js';
