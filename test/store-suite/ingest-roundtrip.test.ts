import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { formatRequestId, formatResponseId } from '../../src/duis/duis-message.js';
import { StoreError } from '../../src/errors.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from './backends.js';
import * as f from './fixtures.js';

const RID = f.reqId(f.SUPPLIER, f.ESME, '18446744073709551615'); // the largest 64-bit counter
const RES = { responder: f.ESME, recipient: f.SUPPLIER, counter: '77' };

for (const backend of BACKENDS) {
  describe(`ingest and read back (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(() => backend.destroy(store));

    it('round-trips every field of every kind', async () => {
      const inputs: f.FixtureInput[] = [
        { message: f.request(RID, '4.1.1'), receivedAt: f.T0 },
        { message: f.acknowledgement(RID), receivedAt: f.T0 + 100 },
        { message: f.response(RID, RES, { at: f.at(5000) }), receivedAt: f.T0 + 6000 },
        { message: f.deviceAlert(RID, { ...RES, counter: '78' }, '8F66', f.at(7000)), receivedAt: f.T0 + 7100 },
        { message: f.dccAlert({ responder: f.DCC, recipient: f.SUPPLIER, counter: '9' }, 'N24', f.at(8000)), receivedAt: f.T0 + 8100 },
      ];
      const outcomes = await store.ingest(f.batchOf(inputs));
      assert.deepEqual(outcomes.map((o) => [o.kind, o.duplicate]), inputs.map((i) => [i.message.kind, false]));
      assert.equal(new Set(outcomes.map((o) => o.id)).size, inputs.length);

      for (const [i, input] of inputs.entries()) {
        const m = input.message;
        const stored = await store.getMessage(outcomes[i]!.id);
        assert.ok(stored, `message ${i} stored`);
        const requestId = m.requestId && formatRequestId(m.requestId);
        const responseId = m.responseId && formatResponseId(m.responseId);
        assert.deepEqual(stored, {
          id: outcomes[i]!.id,
          kind: m.kind,
          requestId,
          responseId,
          originatorId: m.requestId?.originator ?? null,
          targetId: m.requestId?.target ?? null,
          responderId: m.responseId?.responder ?? null,
          recipientId: m.responseId?.recipient ?? null,
          commandVariant: m.commandVariant,
          serviceReference: m.serviceReference,
          srv: m.serviceReferenceVariant,
          responseCode: m.responseCode,
          responseDateTime: m.responseDateTime,
          alertCode: m.alertCode,
          dccAlertCode: m.dccAlertCode,
          throttledAlertSequenceId: m.throttledAlertSequenceId,
          throttledAlertCount: m.throttledAlertCount,
          bodyElement: m.bodyElement,
          schemaVersion: m.schemaVersion,
          hasGbcsPayload: m.hasGbcsPayload,
          deviceIds: m.deviceIds,
          time: new Date(f.messageTime(m, input.receivedAt)),
          receivedAt: new Date(input.receivedAt),
          xmlLength: f.fakeXml(m).length,
        });
      }
    });

    it('keeps an unknown SRV and an unknown response code raw', async () => {
      const req = f.request(f.reqId(f.SUPPLIER, f.ESME, 5), '99.9.9');
      const res = f.response(f.reqId(f.SUPPLIER, f.ESME, 5), RES, { code: 'I42', srv: '99.9.9', at: f.at(10) });
      const [a, b] = await store.ingest(f.batchOf([{ message: req, receivedAt: f.T0 }, { message: res, receivedAt: f.T0 + 20 }]));
      assert.equal((await store.getMessage(a!.id))?.srv, '99.9.9');
      const stored = await store.getMessage(b!.id);
      assert.equal(stored?.responseCode, 'I42');
      assert.equal(stored?.srv, '99.9.9');
      assert.equal(stored?.serviceReference, '99.9');
    });

    it('returns the original bytes exactly, non-ASCII UTF-8 and a 1 MB document included', async () => {
      const msg = (n: number) => f.response(null, { ...RES, counter: String(n) }, { at: f.at(n) });
      const utf8 = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<sr:Response>Zoë’s £5 — 電気 ✓ \r\n\t</sr:Response>', 'utf8');
      const large = Buffer.from(`<sr:Response><sr:GBCSPayload>${randomBytes(768 * 1024).toString('base64')}</sr:GBCSPayload></sr:Response>`);
      assert.ok(large.length > 1_000_000);
      const inputs = [
        { message: msg(1), xml: utf8, receivedAt: f.T0 },
        { message: msg(2), xml: large, receivedAt: f.T0 },
        { message: msg(3), receivedAt: f.T0 },
      ];
      const outcomes = await store.ingest(f.batchOf(inputs));
      for (const [i, o] of outcomes.entries()) {
        const xml = await store.getOriginalXml(o.id);
        assert.ok(xml && xml.equals(inputs[i]!.xml ?? f.fakeXml(inputs[i]!.message)), `bytes of message ${i}`);
      }
      // Incompressible bytes take the "stored" codec path.
      const [raw] = await store.ingest(f.batchOf([{ message: msg(4), xml: randomBytes(4096), receivedAt: f.T0 }]));
      assert.equal((await store.getOriginalXml(raw!.id))?.length, 4096);
      assert.equal((await store.getMessage(outcomes[1]!.id))?.xmlLength, large.length);
    });

    it('answers undefined for ids that are not ids or not stored', async () => {
      for (const id of ['', 'abc', '-1', '0', '1.5', '99999999999999999999', ' 1', '1e3', '123456']) {
        assert.equal(await store.getMessage(id), undefined, `getMessage(${JSON.stringify(id)})`);
        assert.equal(await store.getOriginalXml(id), undefined, `getOriginalXml(${JSON.stringify(id)})`);
      }
      assert.equal(await store.getThread('not a request id'), undefined);
    });

    it('counts messages, chunks and bytes', async () => {
      assert.deepEqual(await store.stats(), { messages: 0, chunks: 0, rawXmlBytes: 0, storedXmlBytes: 0 });
      const b1 = f.batchOf([{ message: f.request(RID, '4.1.1'), receivedAt: f.T0 }, { message: f.acknowledgement(RID), receivedAt: f.T0 }]);
      const b2 = f.batchOf([{ message: f.response(RID, RES, { at: f.at(1) }), receivedAt: f.T0 }]);
      await store.ingest(b1);
      await store.ingest(b2);
      assert.deepEqual(await store.stats(), {
        messages: 3,
        chunks: 2,
        rawXmlBytes: b1.chunk.rawLength + b2.chunk.rawLength,
        storedXmlBytes: b1.chunk.data.length + b2.chunk.data.length,
      });
    });

    it('refuses calls after close with STORE_UNAVAILABLE, and close is idempotent', async () => {
      const other = await backend.open();
      await other.close();
      await other.close();
      await assert.rejects(other.getMessage('1'), (err: unknown) => err instanceof StoreError && err.code === 'STORE_UNAVAILABLE');
    });
  });
}
