import fc from 'fast-check';
import type { MessageKind } from '../../src/duis/duis-message.js';
import type { ReferenceDocument } from '../../src/reference/reference-document.js';
import { describeCase } from './describe-case.js';
import { BATCHES, looseArb, resolveMessages, threadArb, type CaseMessage } from './message-arbitraries.js';
import { correctionArb, devicesArb, orNull, partyArb, rarely, referenceArb, resolveCorrection, resolveReference } from './reference-arbitraries.js';
import { MAX_PARTIES, MPXNS, STRANGER_ID, deviceIdOf } from './world-constants.js';

/**
 * One random world and what happens to it, in order: for each step k = 0..BATCHES, apply `reference` when
 * `referenceAt === k`, then `correction` when `correctionAt === k` (never before `reference`), then check
 * visibility when `checkpointAt === k`, then ingest batch k (none at k = BATCHES). Visibility is checked fully at
 * the end.
 */
export interface VisibilityCase {
  reference: ReferenceDocument;
  correction: ReferenceDocument | null;
  messages: CaseMessage[];
  /** Indexes into `messages`, per batch, in arrival order. A repeated index is an exact resend of the same bytes. */
  batches: number[][];
  referenceAt: number;
  correctionAt: number;
  checkpointAt: number | null;
  /** Page size of the paged listings. */
  limit: number;
  filterDevice: string;
  filterKind: MessageKind;
  filterMpxn: string;
  filterStrategy: 'by-device' | 'by-time';
  /** Which checks this run makes when not exhaustive (see `CompareOptions.exhaustive`). */
  rotation: number;
  /** Whether the parties that list by `filterDevice` also check its device summary (when not exhaustive). */
  summaryCheck: boolean;
  /** Every User ID messages may carry: the parties' (before and after the correction) and one nobody holds. */
  users: string[];
}

const KINDS: MessageKind[] = ['request', 'acknowledgement', 'response', 'device-alert', 'dcc-alert'];

/**
 * One run in this many checks device summaries (for the quarter of parties that list by device): a summary reads
 * a device's whole history and its reference data, about a dozen queries, so on every run it would add some 15%
 * to the property's time; at one in six it adds a few seconds per backend.
 */
const SUMMARY_CHECK_ONE_IN = 6;

export const caseArb: fc.Arbitrary<VisibilityCase> = fc
  .record({
    parties: fc.array(partyArb, { minLength: 2, maxLength: MAX_PARTIES }),
    devices: devicesArb,
    reference: referenceArb,
    correction: orNull(correctionArb, 1, 2),
    threads: fc.array(threadArb, { maxLength: 3 }),
    loose: fc.array(looseArb, { maxLength: 2 }),
    resends: fc.array(fc.record({ message: fc.nat(40), batch: fc.nat(BATCHES - 1) }), { maxLength: 2 }),
    referenceAt: fc.nat(BATCHES),
    correctionAt: fc.nat(BATCHES),
    checkpointAt: orNull(fc.nat(BATCHES), 5, 1),
    limit: fc.integer({ min: 1, max: 4 }),
    filterDevice: fc.nat(7),
    filterKind: fc.constantFrom(...KINDS),
    filterMpxn: fc.constantFrom(...MPXNS),
    filterStrategy: fc.constantFrom('by-device' as const, 'by-time' as const),
    rotation: fc.nat(7),
    // Last, so adding it left the worlds of every seed as they were: each earlier key draws what it drew before.
    summaryCheck: rarely(SUMMARY_CHECK_ONE_IN),
  })
  .map((raw) => {
    const reference = resolveReference(raw.parties, raw.devices, raw.reference);
    const correction = raw.correction && resolveCorrection(raw.parties, raw.devices, raw.correction);
    const users = [...new Set([...reference.parties, ...(correction?.parties ?? [])].flatMap((p) => p.userIds.map((u) => u.userId)))].sort();
    users.push(STRANGER_ID);
    const messages = resolveMessages(raw.threads, raw.loose, users, raw.devices.length);
    const batches: number[][] = Array.from({ length: BATCHES }, (_, b) =>
      messages
        .map((m, i) => ({ m, i }))
        .filter(({ m }) => m.arrival.batch === b)
        .sort((x, y) => x.m.arrival.slot - y.m.arrival.slot || x.i - y.i)
        .map(({ i }) => i),
    );
    if (messages.length > 0) for (const r of raw.resends) batches[r.batch]!.push(r.message % messages.length);
    const c: VisibilityCase = {
      reference,
      correction,
      messages,
      batches,
      referenceAt: raw.referenceAt,
      correctionAt: Math.max(raw.referenceAt, raw.correctionAt),
      checkpointAt: raw.checkpointAt,
      limit: raw.limit,
      filterDevice: deviceIdOf(raw.filterDevice % raw.devices.length),
      filterKind: raw.filterKind,
      filterMpxn: raw.filterMpxn,
      filterStrategy: raw.filterStrategy,
      rotation: raw.rotation,
      summaryCheck: raw.summaryCheck,
      users,
    };
    // fast-check prints counterexamples with this: a compact listing instead of nested JSON.
    Object.defineProperty(c, fc.toStringMethod, { value: () => describeCase(c), enumerable: false });
    return c;
  });
