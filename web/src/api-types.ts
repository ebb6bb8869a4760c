/* The JSON shapes of /api/v1 that the portal reads (docs/api.md; the OpenAPI document at /api/v1/openapi.json). */

export type MessageKind = 'request' | 'acknowledgement' | 'response' | 'device-alert' | 'dcc-alert';

export interface MessageItem {
  id: string;
  kind: MessageKind;
  requestId: string | null;
  responseId: string | null;
  srv: string | null;
  srvName: string | null;
  commandVariant: number | null;
  originatorId: string | null;
  /** The originator's User Role per the reference data (null: no RequestID, or an unknown User ID). */
  originatorRole: string | null;
  targetId: string | null;
  deviceIds: string[];
  responseCode: string | null;
  alertCode: string | null;
  time: string;
  receivedAt: string;
  critical: boolean;
  securityRelevant: boolean;
  own: boolean;
}

export interface MessagePage {
  items: MessageItem[];
  nextCursor: string | null;
}

export interface Thread {
  requestId: string;
  status: string;
  timings: Record<string, string | number | null>;
  request: MessageItem | null;
  members: MessageItem[];
}

export interface MessageDetail extends MessageItem {
  header: Record<string, string | number | boolean | null>;
  catalogue: {
    srv: {
      variant: string;
      serviceReference: string;
      name: string;
      critical: boolean;
      category: string;
      securityRelevant: boolean;
      securityReasons: string[];
      eligibleRoles: string[];
      nonDevice: boolean;
    } | null;
    responseCode: { code: string; name: string; meaning: string; outcome: string } | null;
    alert: { code: string; meaning: string } | null;
  };
  xml: string;
  thread: Thread | null;
  reasons: Array<{ rule: string; text: string }>;
}

export interface Period {
  from: string | null;
  to: string | null;
}

export interface DeviceSummary {
  deviceId: string;
  type: string | null;
  links: Array<{ mpxn: string } & Period>;
  responsible: Array<{ partyId: string; basis: string; role: string; mpxn: string | null } & Period>;
  windows: Array<{ basis: string } & Period>;
  counts: { total: number; byKind: Record<MessageKind, number>; byOriginatorRole: Record<string, number> };
}

export interface Session {
  username: string;
  partyId: string;
  role: 'viewer' | 'admin' | 'operator';
  csrfToken: string;
  expiresAt: string;
}

export interface SrvSummary {
  variant: string;
  name: string;
  critical: boolean;
  securityRelevant: boolean;
  category: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { kind: string; id: string; name: string; partyId: string | null; role: string };
  action: string;
  subject: Record<string, unknown>;
  rows: number;
  reason: string | null;
}

export interface User {
  username: string;
  partyId: string;
  role: string;
  hasPassword: boolean;
}

export interface Token {
  id: string;
  name: string;
  scope: string;
  partyId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}
