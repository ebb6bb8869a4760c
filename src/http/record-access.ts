import type { FastifyRequest } from 'fastify';
import type { AuditAction } from '../audit/access-audit.js';
import type { MessageStore } from '../store/message-store.js';
import { auditActor } from './auth/principal.js';

/**
 * Appends one access to the audit: who (the request's principal), what (`action`, `subject`: the filters or the
 * ids asked for), how many rows it returned, and the operator's stated reason. Routes call it before they
 * answer, so a read whose audit entry cannot be written fails instead of going unrecorded.
 */
export async function recordAccess(
  store: MessageStore,
  request: FastifyRequest,
  action: AuditAction,
  subject: Record<string, unknown>,
  rows: number,
): Promise<void> {
  await store.audit.append({ actor: auditActor(request.principal!), action, subject, rows, reason: request.accessReason ?? null });
}
