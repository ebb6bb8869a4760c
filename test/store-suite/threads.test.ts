import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { formatRequestId } from '../../src/duis/duis-message.js';
import { threadKeyOf } from '../../src/threads/thread-key.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from './backends.js';
import * as f from './fixtures.js';

const RID = f.reqId(f.SUPPLIER, f.ESME, 1000);
const TEXT = formatRequestId(RID);
/** A device whose RequestID with the same originator and counter as RID has RID's thread key (a collision). */
function collidingTarget(): string {
  for (let n = 0; n < 1 << 20; n++) {
    const target = `00-DB-12-34-56-${[n >> 16, (n >> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('-')}`;
    if (target !== f.ESME && threadKeyOf(formatRequestId(f.reqId(f.SUPPLIER, target, 1000))) === threadKeyOf(TEXT)) return target;
  }
  throw new Error('no colliding target found');
}

const res = (counter: number, code: string, atMs: number) =>
  f.response(RID, { responder: f.ESME, recipient: f.SUPPLIER, counter: String(counter) }, { code, at: f.at(atMs) });

for (const backend of BACKENDS) {
  describe(`threads (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(() => backend.destroy(store));

    const one = (message: f.FixtureInput['message'], receivedAt: number) => store.ingest(f.batchOf([{ message, receivedAt }]));

    it('links answers that arrive before the request, and an acknowledgement after the response', async () => {
      const [r1] = await one(res(1, 'I0', 5000), f.T0 + 5200); // response first
      assert.equal((await store.getThread(TEXT))?.request, null);
      assert.equal((await store.getThread(TEXT))?.status, 'responded-success');
      const [rq] = await one(f.request(RID, '4.1.1'), f.T0); // then the request (capture delay)
      const [ak] = await one(f.acknowledgement(RID), f.T0 + 100); // acknowledgement last

      const thread = await store.getThread(TEXT);
      assert.ok(thread);
      assert.equal(thread.requestId, TEXT);
      assert.equal(thread.request?.id, rq!.id);
      assert.deepEqual(thread.members.map((m) => m.id), [rq!.id, ak!.id, r1!.id]); // by time, not arrival
      assert.equal(thread.status, 'responded-success');
      assert.deepEqual(thread.timings, {
        requestAt: new Date(f.T0),
        acknowledgedAt: new Date(f.T0 + 100),
        firstResponseAt: new Date(f.T0 + 5000),
        lastResponseAt: new Date(f.T0 + 5000),
        requestToAcknowledgementMs: 100,
        requestToFirstResponseMs: 5000,
      });
    });

    it('takes the status from the latest of several responses; alerts do not change it', async () => {
      await store.ingest(
        f.batchOf([
          { message: f.request(RID, '4.1.1'), receivedAt: f.T0 },
          { message: res(2, 'E50', 9000), receivedAt: f.T0 + 9100 }, // later response, arrives first
          { message: res(1, 'I0', 4000), receivedAt: f.T0 + 9200 },
        ]),
      );
      let thread = await store.getThread(TEXT);
      assert.equal(thread?.status, 'responded-error');
      assert.equal(thread?.timings.firstResponseAt?.getTime(), f.T0 + 4000);
      assert.equal(thread?.timings.lastResponseAt?.getTime(), f.T0 + 9000);
      assert.equal(thread?.timings.acknowledgedAt, null);
      assert.equal(thread?.timings.requestToAcknowledgementMs, null);

      await one(f.deviceAlert(RID, { responder: f.ESME, recipient: f.SUPPLIER, counter: '3' }, '8F66', f.at(20000)), f.T0 + 20000);
      thread = await store.getThread(TEXT);
      assert.equal(thread?.members.length, 4);
      assert.equal(thread?.status, 'responded-error');
    });

    it('reports pending, acknowledged and rejected before any response', async () => {
      await one(f.request(RID, '4.1.1'), f.T0);
      assert.equal((await store.getThread(TEXT))?.status, 'pending');
      await one(f.acknowledgement(RID, 'I99'), f.T0 + 50);
      assert.equal((await store.getThread(TEXT))?.status, 'acknowledged');

      const other = f.reqId(f.SUPPLIER, f.ESME, 1001);
      await one(f.request(other, '7.1'), f.T0);
      await one(f.acknowledgement(other, 'E3'), f.T0 + 50);
      const rejected = await store.getThread(formatRequestId(other));
      assert.equal(rejected?.status, 'rejected');
      assert.equal(rejected?.timings.requestToAcknowledgementMs, 50);
    });

    it('finds a thread by any spelling of the RequestID, and nothing for an unknown one', async () => {
      await one(f.request(RID, '4.1.1'), f.T0);
      const spelt = '90b3d51f30010000:00-db-12-34-56-78-90-a0:0001000';
      assert.equal((await store.getThread(spelt))?.requestId, TEXT);
      assert.equal(await store.getThread(`${f.SUPPLIER}:${f.ESME}:1001`), undefined);
    });

    it('keeps threads apart whose RequestIDs share a thread key, whatever the arrival order', async () => {
      const target = collidingTarget();
      const other = f.reqId(f.SUPPLIER, target, 1000);
      const otherText = formatRequestId(other);
      assert.equal(threadKeyOf(otherText), threadKeyOf(TEXT));
      // Answers whose own S(M) is empty: every device they end up with comes from linking to their request.
      const answer = (id: typeof RID, counter: string) =>
        f.response(id, { responder: id.target, recipient: f.SUPPLIER, counter }, { at: f.at(3000), responderIsDevice: false, targetIsDevice: false });
      const [resOther] = await one(answer(other, '1'), f.T0 + 3000);
      const [resMine] = await one(answer(RID, '2'), f.T0 + 3000);
      const [reqOther] = await one(f.request(other, '4.1.1', { bodyDevices: [f.PPMID] }), f.T0);
      const [reqMine, again] = await store.ingest(
        f.batchOf([
          { message: f.request(RID, '4.1.1', { bodyDevices: [f.CHF] }), receivedAt: f.T0 },
          { message: f.request(other, '4.1.1', { bodyDevices: [f.PPMID] }), receivedAt: f.T0 }, // the same bytes again
        ]),
      );
      assert.deepEqual(again, { id: reqOther!.id, kind: 'request', duplicate: true });

      const mine = await store.getThread(TEXT);
      assert.deepEqual(mine?.members.map((m) => m.id), [reqMine!.id, resMine!.id]);
      const theirs = await store.getThread(otherText);
      assert.deepEqual(theirs?.members.map((m) => m.id), [reqOther!.id, resOther!.id]);
      assert.deepEqual((await store.getMessage(resMine!.id))?.deviceIds.sort(), [f.ESME, f.CHF].sort());
      assert.deepEqual((await store.getMessage(resOther!.id))?.deviceIds.sort(), [target, f.PPMID].sort());
      const byDevice = await store.listMessages({ deviceId: f.PPMID, limit: 10 });
      assert.deepEqual(byDevice.items.map((m) => m.id).sort(), [reqOther!.id, resOther!.id].sort());
    });

    it('keeps threads with different RequestIDs apart', async () => {
      const other = f.reqId(f.SUPPLIER, f.GSME, 1000); // same originator and counter, other target
      await store.ingest(
        f.batchOf([
          { message: f.request(RID, '4.1.1'), receivedAt: f.T0 },
          { message: f.request(other, '4.1.1'), receivedAt: f.T0 },
          { message: f.acknowledgement(other, 'E3'), receivedAt: f.T0 + 1 },
        ]),
      );
      assert.equal((await store.getThread(TEXT))?.members.length, 1);
      assert.equal((await store.getThread(TEXT))?.status, 'pending');
      assert.equal((await store.getThread(formatRequestId(other)))?.status, 'rejected');
    });
  });
}
