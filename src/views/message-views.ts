import { lookupDccAlertCode, lookupDeviceAlertCode, lookupResponseCode, lookupSrv } from '../catalogue/index.js';
import type { DeviceSummary, PartyView } from '../store/message-store.js';
import type { StoredMessage, Thread } from '../store/stored-message.js';
import type { VisibilityReason } from '../visibility/visibility-reason.js';

/**
 * The JSON shapes of the read API, the live feed and webhook payloads, built from store objects. Every field is spelled out here (and in
 * schemas/api-schemas.ts, which the OpenAPI document is generated from), so nothing new leaks by accident when
 * a store type grows.
 */

/** ISO-8601 text of an instant, `null` for none. */
export function isoOrNull(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

/** One row of `GET /api/v1/messages` and of the CSV export. */
export interface MessageItem {
  id: string;
  kind: StoredMessage['kind'];
  requestId: string | null;
  responseId: string | null;
  srv: string | null;
  srvName: string | null;
  commandVariant: number | null;
  originatorId: string | null;
  /** The originator's User Role per the reference data; `null` without a RequestID or for an unknown User ID. */
  originatorRole: string | null;
  targetId: string | null;
  deviceIds: string[];
  responseCode: string | null;
  /** Device alert code, or for DCC alerts the DCC alert code. */
  alertCode: string | null;
  time: string;
  receivedAt: string;
  critical: boolean;
  securityRelevant: boolean;
  own: boolean;
}

/** Column order of the CSV export: the item's fields, `id` first. */
export const MESSAGE_ITEM_FIELDS = [
  'id', 'kind', 'requestId', 'responseId', 'srv', 'srvName', 'commandVariant', 'originatorId', 'originatorRole', 'targetId', 'deviceIds',
  'responseCode', 'alertCode', 'time', 'receivedAt', 'critical', 'securityRelevant', 'own',
] as const satisfies ReadonlyArray<keyof MessageItem>;

/** The originators' roles a set of items needs (one lookup). */
export function originatorRoles(view: Pick<PartyView, 'userRoles'>, messages: readonly StoredMessage[]): Promise<Map<string, string>> {
  return view.userRoles([...new Set(messages.flatMap((m) => (m.originatorId === null ? [] : [m.originatorId])))]);
}

export function messageItem(m: StoredMessage, view: Pick<PartyView, 'isOwn'>, roles: ReadonlyMap<string, string>): MessageItem {
  const srv = m.srv === null ? undefined : lookupSrv(m.srv);
  return {
    id: m.id,
    kind: m.kind,
    requestId: m.requestId,
    responseId: m.responseId,
    srv: m.srv,
    srvName: srv?.name ?? null,
    commandVariant: m.commandVariant,
    originatorId: m.originatorId,
    originatorRole: m.originatorId === null ? null : (roles.get(m.originatorId) ?? null),
    targetId: m.targetId,
    deviceIds: m.deviceIds,
    responseCode: m.responseCode,
    alertCode: m.alertCode ?? m.dccAlertCode,
    time: m.time.toISOString(),
    receivedAt: m.receivedAt.toISOString(),
    critical: srv?.critical ?? false,
    securityRelevant: srv?.securityRelevant ?? false,
    own: view.isOwn(m),
  };
}

export interface ThreadView {
  requestId: string;
  status: Thread['status'];
  timings: Record<keyof Thread['timings'], string | number | null>;
  request: MessageItem | null;
  members: MessageItem[];
}

export function threadView(thread: Thread, view: Pick<PartyView, 'isOwn'>, roles: ReadonlyMap<string, string>): ThreadView {
  const t = thread.timings;
  const iso = isoOrNull;
  return {
    requestId: thread.requestId,
    status: thread.status,
    timings: {
      requestAt: iso(t.requestAt),
      acknowledgedAt: iso(t.acknowledgedAt),
      firstResponseAt: iso(t.firstResponseAt),
      lastResponseAt: iso(t.lastResponseAt),
      requestToAcknowledgementMs: t.requestToAcknowledgementMs,
      requestToFirstResponseMs: t.requestToFirstResponseMs,
    },
    request: thread.request ? messageItem(thread.request, view, roles) : null,
    members: thread.members.map((m) => messageItem(m, view, roles)),
  };
}

/** `GET /api/v1/messages/{id}`: the item plus the decoded header, catalogue details, XML, thread and reasons. */
export function messageDetail(
  m: StoredMessage,
  xml: Buffer,
  thread: Thread | undefined,
  reasons: VisibilityReason[],
  view: Pick<PartyView, 'isOwn'>,
  roles: ReadonlyMap<string, string>,
) {
  const srv = m.srv === null ? undefined : lookupSrv(m.srv);
  const response = m.responseCode === null ? undefined : lookupResponseCode(m.responseCode);
  const alert = m.alertCode !== null ? lookupDeviceAlertCode(m.alertCode) : m.dccAlertCode !== null ? lookupDccAlertCode(m.dccAlertCode) : undefined;
  return {
    ...messageItem(m, view, roles),
    header: {
      schemaVersion: m.schemaVersion,
      serviceReference: m.serviceReference,
      responderId: m.responderId,
      recipientId: m.recipientId,
      responseDateTime: m.responseDateTime,
      dccAlertCode: m.dccAlertCode,
      throttledAlertSequenceId: m.throttledAlertSequenceId,
      throttledAlertCount: m.throttledAlertCount,
      bodyElement: m.bodyElement,
      hasGbcsPayload: m.hasGbcsPayload,
      xmlLength: m.xmlLength,
    },
    catalogue: {
      srv: srv
        ? {
            variant: srv.variant,
            serviceReference: srv.serviceReference,
            name: srv.name,
            critical: srv.critical,
            category: srv.category,
            securityRelevant: srv.securityRelevant,
            securityReasons: [...srv.securityReasons],
            eligibleRoles: [...srv.eligibleRoles],
            nonDevice: srv.nonDevice,
          }
        : null,
      responseCode: response ? { code: response.code, name: response.name, meaning: response.meaning, outcome: response.outcome } : null,
      alert: alert ? { code: alert.code, meaning: alert.meaning } : null,
    },
    xml: xml.toString('utf8'),
    thread: thread ? threadView(thread, view, roles) : null,
    reasons,
  };
}

/** `GET /api/v1/devices/{deviceId}`. An operator's window has no start: `from: null` (since always). */
export function deviceSummaryView(summary: DeviceSummary) {
  return {
    deviceId: summary.deviceId,
    type: summary.type,
    links: summary.links.map((l) => ({ mpxn: l.mpxn, from: isoOrNull(l.from), to: isoOrNull(l.to) })),
    responsible: summary.responsible.map((r) => ({ partyId: r.partyId, basis: r.basis, role: r.role, mpxn: r.mpxn, from: isoOrNull(r.from), to: isoOrNull(r.to) })),
    windows: summary.windows.map((w) => ({ basis: w.basis, from: w.basis === 'operator' ? null : isoOrNull(w.from), to: isoOrNull(w.to) })),
    counts: summary.counts,
  };
}
