import type { Selectable } from 'kysely';
import type { MessagesTable } from './db-schema.js';
import { unpackDeviceIds } from './device-set.js';
import { kindOfCode } from './kind-codes.js';
import type { StoredMessage } from './stored-message.js';

/** The `messages` columns a `StoredMessage` is built from, qualified with the `m` alias every read uses. */
export const MESSAGE_COLUMNS = [
  'm.id', 'm.time', 'm.received_at', 'm.kind', 'm.request_id', 'm.response_id', 'm.command_variant',
  'm.service_reference', 'm.srv', 'm.response_code', 'm.response_date_time', 'm.alert_code', 'm.dcc_alert_code',
  'm.throttled_alert_sequence_id', 'm.throttled_alert_count', 'm.body_element', 'm.schema_version',
  'm.has_gbcs_payload', 'm.device_ids', 'm.xml_length',
] as const;

/**
 * What listings scan: the columns the visibility rules and the keyset need. Full rows (`MESSAGE_COLUMNS`) are
 * read only for the rows of the page (a scan may read hundreds of candidates for a page of 50; at 20 columns
 * against 6 that was 2–3x the cost per slice, benchmarks.md).
 */
export const CANDIDATE_COLUMNS = ['m.id', 'm.time', 'm.kind', 'm.request_id', 'm.response_id', 'm.device_ids'] as const;

export type CandidateRow = Pick<Selectable<MessagesTable>, 'id' | 'time' | 'kind' | 'request_id' | 'response_id' | 'device_ids'>;

export type MessageRow = Pick<
  Selectable<MessagesTable>,
  | 'id' | 'time' | 'received_at' | 'kind' | 'request_id' | 'response_id' | 'command_variant' | 'service_reference' | 'srv'
  | 'response_code' | 'response_date_time' | 'alert_code' | 'dcc_alert_code' | 'throttled_alert_sequence_id'
  | 'throttled_alert_count' | 'body_element' | 'schema_version' | 'has_gbcs_payload' | 'device_ids' | 'xml_length'
>;

/** Builds the public shape from a row; the backends' differences (int8 as string, 0/1 booleans) end here. */
export function toStoredMessage(row: MessageRow): StoredMessage {
  const req = row.request_id?.split(':');
  const res = row.response_id?.split(':');
  return {
    id: String(row.id),
    kind: kindOfCode(row.kind),
    requestId: row.request_id,
    responseId: row.response_id,
    originatorId: req?.[0] ?? null,
    targetId: req?.[1] ?? null,
    responderId: res?.[0] ?? null,
    recipientId: res?.[1] ?? null,
    commandVariant: row.command_variant,
    serviceReference: row.service_reference,
    srv: row.srv,
    responseCode: row.response_code,
    responseDateTime: row.response_date_time,
    alertCode: row.alert_code,
    dccAlertCode: row.dcc_alert_code,
    throttledAlertSequenceId: row.throttled_alert_sequence_id,
    throttledAlertCount: row.throttled_alert_count,
    bodyElement: row.body_element,
    schemaVersion: row.schema_version,
    hasGbcsPayload: Boolean(row.has_gbcs_payload),
    deviceIds: unpackDeviceIds(row.device_ids),
    time: new Date(Number(row.time)),
    receivedAt: new Date(Number(row.received_at)),
    xmlLength: row.xml_length,
  };
}

/** The numeric id behind a public id, or `undefined` when `id` cannot be one. */
export function parseMessageId(id: string): number | undefined {
  if (typeof id !== 'string' || !/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}
