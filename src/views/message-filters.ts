import { ApiError } from '../errors.js';
import { parseIsoInstant } from '../reference/iso-instant.js';
import type { UserRole } from '../reference/reference-document.js';
import type { PartyMessageQuery } from '../store/message-store.js';
import type { MessageKind } from '../duis/duis-message.js';

/** The `/messages` filters as they arrive, after schema validation (types and patterns already checked). */
export interface MessageFilterParams {
  deviceId?: string;
  mpxn?: string;
  requestId?: string;
  srv?: string;
  originatorId?: string;
  originatorRole?: UserRole;
  kind?: MessageKind;
  responseCode?: string;
  from?: string;
  to?: string;
  othersOnly?: boolean;
  securityRelevant?: boolean;
  critical?: boolean;
}

/**
 * The store query for validated filter parameters. Throws `API_INVALID_PARAMETER` for what a schema cannot
 * say: a date without a time zone, `from` not before `to`.
 */
export function toPartyQuery(params: MessageFilterParams): PartyMessageQuery {
  const from = params.from === undefined ? undefined : instantParam('from', params.from);
  const to = params.to === undefined ? undefined : instantParam('to', params.to);
  if (from !== undefined && to !== undefined && from >= to) throw invalid(`from (${params.from}) must be before to (${params.to})`);
  return {
    ...(params.deviceId !== undefined ? { deviceId: params.deviceId } : {}),
    ...(params.mpxn !== undefined ? { mpxn: params.mpxn } : {}),
    ...(params.requestId !== undefined ? { requestId: params.requestId } : {}),
    ...(params.srv !== undefined ? { srv: params.srv } : {}),
    ...(params.originatorId !== undefined ? { originatorId: params.originatorId } : {}),
    ...(params.originatorRole !== undefined ? { originatorRole: params.originatorRole } : {}),
    ...(params.kind !== undefined ? { kind: params.kind } : {}),
    ...(params.responseCode !== undefined ? { responseCode: params.responseCode } : {}),
    ...(from !== undefined ? { from: new Date(from) } : {}),
    ...(to !== undefined ? { to: new Date(to) } : {}),
    ...(params.othersOnly ? { othersOnly: true } : {}),
    ...(params.securityRelevant ? { securityRelevant: true } : {}),
    ...(params.critical ? { critical: true } : {}),
  };
}

/** The filters as the audit records them: exactly what was asked, nothing else. */
export function auditedFilters(params: MessageFilterParams & { limit?: number; cursor?: string }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}

/** Epoch ms of a date-time query parameter; `API_INVALID_PARAMETER` naming it unless ISO-8601 with a time zone. */
export function instantParam(name: string, text: string): number {
  const ms = parseIsoInstant(text);
  if (ms === undefined) throw invalid(`${name}: ${JSON.stringify(text)} is not an ISO-8601 date-time with a time zone`);
  return ms;
}

function invalid(detail: string): ApiError {
  return new ApiError('API_INVALID_PARAMETER', detail);
}
