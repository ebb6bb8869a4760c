import assert from 'node:assert/strict';
import { validateReferenceDocument } from '../../src/reference/validate-document.js';
import type { ReferenceDocument } from '../../src/reference/reference-document.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import * as f from '../store-suite/fixtures.js';
import { BATCHES } from './message-arbitraries.js';
import { applyDocument, emptyWorld, type CapturedMessage } from './plain-rules.js';
import { resetStore } from './store-reset.js';
import type { VisibilityCase } from './visibility-case.js';
import { compareWithPlainRules, type Tally } from './visibility-check.js';

/**
 * Plays one case against an emptied store and the plain rules side by side (reference documents and batches in
 * the case's order), compares at the checkpoint and at the end.
 */
export async function runCase(store: KyselyMessageStore, c: VisibilityCase, tally: Tally, exhaustive: boolean): Promise<void> {
  await resetStore(store);
  tally.runs++;
  let world = emptyWorld();
  const captured: CapturedMessage[] = [];
  const ids = new Map<number, string>();
  const open = (partyId: string) => store.forParty(partyId);
  const parallel = store.backend === 'postgres';
  const checkpoint = { full: false, exhaustive, parallel };

  for (let step = 0; step <= BATCHES; step++) {
    if (c.referenceAt === step) {
      await store.reference.apply(validated(c.reference));
      world = applyDocument(world, c.reference);
    }
    if (c.correction && c.correctionAt === step) {
      await store.reference.apply(validated(c.correction));
      world = applyDocument(world, c.correction);
    }
    if (c.checkpointAt === step) await compareWithPlainRules(open, world, captured, c, checkpoint, tally);
    const batch = c.batches[step];
    if (!batch || batch.length === 0) continue;
    // Salt = the message's index: distinct messages never share bytes; a resend repeats them exactly.
    const inputs = batch.map((i) => {
      const cm = c.messages[i]!;
      return { message: cm.message, receivedAt: cm.receivedAt, xml: f.fakeXml(cm.message, String(i)) };
    });
    const outcomes = await store.ingest(f.batchOf(inputs));
    assert.equal(outcomes.length, batch.length);
    batch.forEach((i, j) => {
      const outcome = outcomes[j]!;
      const earlier = ids.get(i);
      if (earlier === undefined) {
        assert.equal(outcome.duplicate, false, `message #${i} is new`);
        ids.set(i, outcome.id);
        const cm = c.messages[i]!;
        captured.push({ id: outcome.id, message: cm.message, receivedAt: cm.receivedAt });
      } else {
        assert.deepEqual({ id: outcome.id, duplicate: outcome.duplicate }, { id: earlier, duplicate: true }, `resent message #${i}`);
      }
    });
  }
  await compareWithPlainRules(open, world, captured, c, { ...checkpoint, full: true }, tally);
}

/**
 * The document as `validateReferenceDocument` returns it from its JSON form (ISO instants): the store is given
 * what an import would give it, and a generator bug that builds an invalid document fails loudly.
 */
function validated(doc: ReferenceDocument): ReferenceDocument {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const json = JSON.parse(
    JSON.stringify(doc, (key, value: unknown) => ((key === 'from' || key === 'to') && (typeof value === 'number' || value === null) ? iso(value) : value)),
  ) as unknown;
  const result = validateReferenceDocument(json);
  assert.ok(result.ok, `generated reference document is invalid: ${JSON.stringify(result.ok ? [] : result.errors)}`);
  return result.document;
}
