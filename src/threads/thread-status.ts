import type { MessageKind } from '../duis/duis-message.js';
import { classifyResponseCode } from '../catalogue/response-codes.js';

/**
 * Where a request stands, from the messages captured for its RequestID.
 * - `pending`: nothing but the request (and perhaps alerts) so far;
 * - `acknowledged`: the DCC accepted it (acknowledgement without an error code), no response yet;
 * - `rejected`: an acknowledgement carries an error code;
 * - `responded-success` / `responded-error`: from the code of the latest `response` (alerts never change it).
 */
export type ThreadStatus = 'pending' | 'acknowledged' | 'rejected' | 'responded-success' | 'responded-error';

/** When things happened in a thread; `null` when the message was not captured (yet). */
export interface ThreadTimings {
  /** Receipt time of the request. */
  requestAt: Date | null;
  /** t(M) of the first acknowledgement. */
  acknowledgedAt: Date | null;
  /** t(M) of the first and of the latest `response`. */
  firstResponseAt: Date | null;
  lastResponseAt: Date | null;
  /** acknowledgedAt - requestAt, in ms. */
  requestToAcknowledgementMs: number | null;
  /** firstResponseAt - requestAt, in ms. */
  requestToFirstResponseMs: number | null;
}

/** The facts about a thread member that status and timings depend on (a `StoredMessage` fits). */
export interface ThreadMemberFacts {
  /** Decimal store id: the tie-breaker between members with the same time. */
  id: string;
  kind: MessageKind;
  responseCode: string | null;
  /** t(M). */
  time: Date;
  receivedAt: Date;
}

/** Compares members by time, then by id (ids are decimal strings of non-negative integers). */
export function compareMembers(a: ThreadMemberFacts, b: ThreadMemberFacts): number {
  const dt = a.time.getTime() - b.time.getTime();
  if (dt !== 0) return dt;
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Status and timings of a thread from its members, in any order. Pure.
 * Codes are classified by the catalogue's `classifyResponseCode`. The latest `response` decides once there is
 * one: `success`, `warning` or `acknowledged` (I99 also ends a non-device request without data) make the
 * thread `responded-success`; `error` and `unknown` make it `responded-error`, since a code nobody can
 * interpret is no evidence of success (the raw code is on the member for anyone to read). Before any
 * response, an acknowledgement classified `error` means `rejected`, any other `acknowledged`.
 */
export function computeThreadStatus(members: readonly ThreadMemberFacts[]): { status: ThreadStatus; timings: ThreadTimings } {
  const sorted = [...members].sort(compareMembers);
  const request = sorted.find((m) => m.kind === 'request');
  const acks = sorted.filter((m) => m.kind === 'acknowledgement');
  const responses = sorted.filter((m) => m.kind === 'response');

  let status: ThreadStatus = 'pending';
  const latest = responses.at(-1);
  if (latest) {
    const cls = latest.responseCode === null ? 'unknown' : classifyResponseCode(latest.responseCode);
    status = cls === 'success' || cls === 'warning' || cls === 'acknowledged' ? 'responded-success' : 'responded-error';
  } else if (acks.length) {
    const rejected = acks.some((a) => a.responseCode !== null && classifyResponseCode(a.responseCode) === 'error');
    status = rejected ? 'rejected' : 'acknowledged';
  }

  const requestAt = request ? request.receivedAt : null;
  const acknowledgedAt = acks[0]?.time ?? null;
  const firstResponseAt = responses[0]?.time ?? null;
  const lastResponseAt = latest?.time ?? null;
  const since = (t: Date | null): number | null => (t && requestAt ? t.getTime() - requestAt.getTime() : null);
  return {
    status,
    timings: {
      requestAt,
      acknowledgedAt,
      firstResponseAt,
      lastResponseAt,
      requestToAcknowledgementMs: since(acknowledgedAt),
      requestToFirstResponseMs: since(firstResponseAt),
    },
  };
}
