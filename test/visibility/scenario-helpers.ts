import assert from 'node:assert/strict';
import type { DuisMessage } from '../../src/duis/duis-message.js';
import type { PartyRecord, ReferenceDocument, UserRole } from '../../src/reference/reference-document.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import type { VisibilityReason } from '../../src/visibility/visibility-reason.js';
import * as f from '../store-suite/fixtures.js';

/** Epoch ms of an ISO instant written in full, so every scenario reads in dates. */
export const at = (iso: string): number => Date.parse(iso);

/** A document with only the given sections (the others empty). */
export function doc(sections: Partial<ReferenceDocument>): ReferenceDocument {
  return { parties: [], devices: [], links: [], registrations: [], certificates: [], ...sections };
}

export function party(id: string, userIds: Array<[string, UserRole]>, operator = false): PartyRecord {
  return { id, name: id, operator, userIds: userIds.map(([userId, role]) => ({ userId, role })) };
}

/** A period from and to ISO instants (`null`: still valid). */
export function period(from: string, to: string | null): { from: number; to: number | null } {
  return { from: at(from), to: to === null ? null : at(to) };
}

/** Ingests messages in one batch, in the order given; returns their store ids. */
export async function ingest(store: KyselyMessageStore, inputs: Array<[DuisMessage, string]>): Promise<string[]> {
  const outcomes = await store.ingest(f.batchOf(inputs.map(([message, receivedAt]) => ({ message, receivedAt: at(receivedAt) }))));
  return outcomes.map((o) => o.id);
}

/**
 * Asserts that `partyId` sees exactly `expected` among `all`: listings under both strategies (newest first), and
 * explain / getMessage for every message of `all`.
 */
export async function expectSees(store: KyselyMessageStore, partyId: string, all: readonly string[], expected: readonly string[]): Promise<void> {
  const view = await store.forParty(partyId);
  const want = [...expected].sort();
  for (const strategy of ['by-device', 'by-time'] as const) {
    const { items, nextCursor } = await view.listMessages({ strategy, limit: 1000 });
    assert.equal(nextCursor, null);
    assert.deepEqual(items.map((m) => m.id).sort(), want, `${partyId} lists (${strategy})`);
  }
  for (const id of all) {
    const visible = expected.includes(id);
    assert.equal((await view.explain(id)).length > 0, visible, `${partyId} explain(${id})`);
    assert.equal((await view.getMessage(id)) !== undefined, visible, `${partyId} getMessage(${id})`);
  }
}

/** The party's reasons for a message, with `rule` among them; returns the first reason of that rule. */
export async function reasonOf<R extends VisibilityReason['rule']>(
  store: KyselyMessageStore,
  partyId: string,
  id: string,
  rule: R,
): Promise<Extract<VisibilityReason, { rule: R }>> {
  const reasons = await (await store.forParty(partyId)).explain(id);
  const found = reasons.find((r): r is Extract<VisibilityReason, { rule: R }> => r.rule === rule);
  assert.ok(found, `${partyId} sees ${id} by ${rule}; reasons: ${JSON.stringify(reasons.map((r) => r.rule))}`);
  return found;
}

/** The rules of the party's reasons for a message, sorted and without repeats. */
export async function rulesOf(store: KyselyMessageStore, partyId: string, id: string): Promise<string[]> {
  return [...new Set((await (await store.forParty(partyId)).explain(id)).map((r) => r.rule))].sort();
}

/** Asserts that the text names every one of `values`. */
export function mentions(text: string, ...values: string[]): void {
  for (const v of values) assert.ok(text.includes(v), `reason text ${JSON.stringify(text)} does not mention ${v}`);
}
