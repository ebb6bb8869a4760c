import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseDuis } from '../../src/duis/parse-duis.js';
import type { KyselyMessageStore } from '../../src/store/kysely-message-store.js';
import { BACKENDS } from './backends.js';
import { batchOf, T0, type FixtureInput } from './fixtures.js';

// Real DUIS documents from test/fixtures/duis (see its README), parsed by parseDuis: the store keeps them
// byte for byte and threads them whatever the arrival order.
const DIR = new URL('../fixtures/duis/', import.meta.url);
const input = (file: string, receivedAt: number): FixtureInput & { xml: Buffer } => {
  const xml = readFileSync(new URL(file, DIR));
  return { message: parseDuis(xml), xml, receivedAt };
};
const CHF = '00-DB-12-34-56-78-90-A2';
const ESME = '00-DB-12-34-56-78-90-A0';

for (const backend of BACKENDS) {
  describe(`DUIS fixtures (${backend.name})`, { skip: backend.skip }, () => {
    let store: KyselyMessageStore;
    before(async () => {
      store = await backend.open();
    });
    afterEach(() => backend.clear(store));
    after(() => backend.destroy(store));

    it('8.2 Read Inventory: the DCC answer, captured first, gets the inventory device once the request arrives', async () => {
      const answer = input('response-8.2-read-inventory-dcc-xml.xml', T0 + 2000);
      const request = input('request-8.2-read-inventory.xml', T0);
      const [a] = await store.ingest(batchOf([answer]));
      assert.deepEqual((await store.getMessage(a!.id))?.deviceIds, []);
      const [r] = await store.ingest(batchOf([request]));
      assert.deepEqual((await store.getMessage(a!.id))?.deviceIds, [CHF]);
      assert.deepEqual((await store.listMessages({ deviceId: CHF })).items.map((m) => m.id), [a!.id, r!.id]);
      const thread = await store.getThread('90-B3-D5-1F-30-01-00-00:90-B3-D5-1F-30-00-00-02:1000');
      assert.equal(thread?.status, 'responded-success');
      assert.ok((await store.getOriginalXml(a!.id))?.equals(answer.xml));
      assert.ok((await store.getOriginalXml(r!.id))?.equals(request.xml));
    });

    it('4.1.1 request, acknowledgement and GBCS response, in one batch out of order', async () => {
      const files = [
        input('response-4.1.1-gbcs-success.xml', T0 + 3000),
        input('ack-4.1.1-accepted.xml', T0 + 100),
        input('request-4.1.1-read-instantaneous-import-registers.xml', T0),
      ];
      const outcomes = await store.ingest(batchOf(files));
      for (const [i, o] of outcomes.entries()) assert.ok((await store.getOriginalXml(o.id))?.equals(files[i]!.xml));
      const thread = await store.getThread(`90-B3-D5-1F-30-01-00-00:${ESME}:1000`);
      assert.equal(thread?.status, 'responded-success');
      assert.deepEqual(thread?.members.map((m) => m.kind), ['request', 'acknowledgement', 'response']);
      assert.equal(thread?.timings.requestToAcknowledgementMs !== null, true);
    });

    it('7.1 rejected with E3, an unknown code and an unknown SRV are kept raw', async () => {
      const [ack, i42, srv] = await store.ingest(
        batchOf([
          input('ack-7.1-rejected-E3.xml', T0),
          input('response-unknown-code-I42.xml', T0),
          input('request-unknown-srv-99.9.9.xml', T0),
        ]),
      );
      assert.equal((await store.getThread(`90-B3-D5-1F-30-01-00-00:${ESME}:1001`))?.status, 'rejected');
      assert.equal((await store.getMessage(ack!.id))?.responseCode, 'E3');
      assert.equal((await store.getMessage(i42!.id))?.responseCode, 'I42');
      assert.equal((await store.getMessage(srv!.id))?.srv, '99.9.9');
    });
  });
}
