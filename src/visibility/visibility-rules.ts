import type { MessageKind } from '../duis/duis-message.js';
import { bigIntToEui64 } from '../duis/eui64.js';
import { formatIsoInstant } from '../reference/iso-instant.js';
import { within, type ReferenceFacts } from './reference-facts.js';
import type { Viewer } from './viewer.js';
import type {
  NetworkOperatorReason,
  OwnTrafficReason,
  SupplierReason,
  ThreadReason,
  VisibilityReason,
} from './visibility-reason.js';

/** The facts of a message the rules read. */
export interface RuleMessage {
  /** Store id. */
  id: string;
  kind: MessageKind;
  /** t(M), epoch ms. */
  time: number;
  requestId: string | null;
  responseId: string | null;
  /** S(M) as device keys (the store keeps it complete across the thread). */
  devices: readonly bigint[];
}

/**
 * Every reason `viewer` may see `m` (DOMAIN.md, "The visibility rules"); empty means not visible.
 * `requests` are the captured requests carrying m's RequestID (rule 4; ignored for requests). `facts` must hold
 * the devices of m and of those requests.
 */
export function visibilityReasons(m: RuleMessage, requests: readonly RuleMessage[], viewer: Viewer, facts: ReferenceFacts): VisibilityReason[] {
  const reasons: VisibilityReason[] = [];
  if (viewer.operator) reasons.push({ rule: 'operator', text: 'DCC operator: sees all traffic (every view is audited)' });
  const own = ownTraffic(m, viewer);
  if (own) reasons.push(own);
  reasons.push(...deviceReasons(m.devices, m.time, viewer, facts));
  if (m.kind !== 'request' && m.requestId !== null) {
    for (const r of requests) {
      if (r.kind !== 'request' || r.requestId !== m.requestId) continue;
      const because = deviceReasons(r.devices, r.time, viewer, facts);
      if (because.length) reasons.push(threadReason(r, because));
    }
  }
  return reasons;
}

/** U(M): a request's or acknowledgement's originator, an answer's recipient (rule 1). */
export function messageUser(m: Pick<RuleMessage, 'kind' | 'requestId' | 'responseId'>): { userId: string; as: 'originator' | 'recipient' } | undefined {
  if (m.kind === 'request' || m.kind === 'acknowledgement') {
    const userId = m.requestId?.split(':')[0];
    return userId ? { userId, as: 'originator' } : undefined;
  }
  const userId = m.responseId?.split(':')[1];
  return userId ? { userId, as: 'recipient' } : undefined;
}

function ownTraffic(m: RuleMessage, viewer: Viewer): OwnTrafficReason | undefined {
  const user = messageUser(m);
  const role = user && viewer.userIds.get(user.userId);
  if (!user || !role) return undefined;
  const what = m.kind === 'request' ? 'own request' : m.kind === 'acknowledgement' ? 'acknowledgement of own request' : `${m.kind.replace('-', ' ')} sent to you`;
  return { rule: 'own', userId: user.userId, role, as: user.as, text: `${what} via User ID ${user.userId} (${role})` };
}

/** Rules 2 and 3 for devices at time `t`. */
export function deviceReasons(devices: readonly bigint[], t: number, viewer: Viewer, facts: ReferenceFacts): Array<SupplierReason | NetworkOperatorReason> {
  const out: Array<SupplierReason | NetworkOperatorReason> = [];
  for (const device of devices) {
    const deviceId = bigIntToEui64(device);
    for (const link of facts.links.get(device) ?? []) {
      if (!within(link, t)) continue;
      for (const reg of facts.supply.get(link.mpxn) ?? []) {
        if (!within(reg, t)) continue;
        const kind = link.mpxn.length === 13 ? 'MPAN' : 'MPRN';
        out.push({
          rule: 'responsible-supplier',
          deviceId,
          mpxn: link.mpxn,
          role: reg.role,
          registeredFrom: formatIsoInstant(reg.from),
          registeredTo: reg.to === null ? null : formatIsoInstant(reg.to),
          linkedFrom: formatIsoInstant(link.from),
          linkedTo: link.to === null ? null : formatIsoInstant(link.to),
          text:
            `Responsible Supplier: ${reg.role} for ${kind} ${link.mpxn} ${span(reg.from, reg.to)}, ` +
            `device ${deviceId} linked to it ${span(link.from, link.to)}`,
        });
      }
    }
    const operatorUser = viewer.networkOperatorUser;
    if (!operatorUser) continue;
    for (const cert of facts.certificates.get(device) ?? []) {
      if (!within(cert, t)) continue;
      out.push({
        rule: 'network-operator',
        deviceId,
        certificateFrom: formatIsoInstant(cert.from),
        certificateTo: cert.to === null ? null : formatIsoInstant(cert.to),
        userId: operatorUser.userId,
        role: operatorUser.role,
        text:
          `network operator certificate on device ${deviceId} ${span(cert.from, cert.to)}, ` +
          `network operator as ${operatorUser.role} User ID ${operatorUser.userId}`,
      });
    }
  }
  return out;
}

function threadReason(r: RuleMessage, because: Array<SupplierReason | NetworkOperatorReason>): ThreadReason {
  return {
    rule: 'thread',
    requestId: r.requestId!,
    requestMessageId: r.id,
    because,
    text: `answers request ${r.requestId} (message ${r.id}), which you see by: ${because.map((b) => b.text).join('; ')}`,
  };
}

function span(from: number, to: number | null): string {
  return to === null ? `since ${formatIsoInstant(from)}` : `from ${formatIsoInstant(from)} until ${formatIsoInstant(to)}`;
}
