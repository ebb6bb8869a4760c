import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DuisMessage, formatRequestId, formatResponseId } from '../../src/duis/duis-message.js';
import { createWorld, generateTraffic } from '../../src/synth/index.js';
import { classify } from './synth-helpers.js';

// The parser is written alongside the generator: this suite runs once src/duis/parse-duis.ts exists.
const PARSER = '../../src/duis/parse-duis.js';
const present = existsSync(fileURLToPath(new URL('../../src/duis/parse-duis.ts', import.meta.url)));

describe('parseDuis on generated traffic', { skip: present ? false : 'src/duis/parse-duis.ts does not exist yet' }, () => {
  test('parses every kind of generated message and agrees on kind, RequestID and ResponseID', async () => {
    const { parseDuis } = (await import(PARSER)) as { parseDuis: (xml: string) => DuisMessage };
    const world = createWorld({ seed: 21, devices: 500 });
    const seen = new Map<string, number>();
    for (const { xml } of generateTraffic(world, { seed: 21, count: 20_000, duplicateRate: 0.001 })) {
      const expected = classify(xml);
      const m = parseDuis(xml);
      assert.equal(m.kind, expected.kind, xml);
      seen.set(m.kind, (seen.get(m.kind) ?? 0) + 1);
      assert.equal(m.requestId ? formatRequestId(m.requestId) : null, expected.requestId);
      assert.equal(m.responseId ? formatResponseId(m.responseId) : null, expected.responseId);
      assert.equal(m.responseCode, expected.responseCode);
      assert.equal(m.schemaVersion, '5.2');
      if (m.kind === 'request') {
        assert.equal(m.commandVariant, expected.commandVariant);
        assert.equal(m.serviceReferenceVariant, expected.srv);
        const target = expected.requestId!.split(':')[1]!;
        if (m.commandVariant !== 8) assert.ok(m.deviceIds.includes(target));
        else for (const [, id] of xml.matchAll(/<sr:DeviceID>([^<]*)</g)) assert.ok(m.deviceIds.includes(id!));
      }
      if (m.kind === 'response') assert.equal(m.serviceReferenceVariant, expected.srv);
      if (m.kind === 'device-alert') {
        assert.equal(m.alertCode, /<sr:AlertCode>([^<]*)</.exec(xml)![1]);
        assert.ok(m.deviceIds.includes(expected.responseId!.split(':')[0]!));
        const count = /<sr:ThrottledAlertCount>(\d+)</.exec(xml);
        assert.equal(m.throttledAlertCount, count ? Number(count[1]) : null);
        if (count) seen.set('throttled', (seen.get('throttled') ?? 0) + 1);
      }
      if (m.kind === 'dcc-alert') assert.equal(m.dccAlertCode, /<sr:DCCAlertCode>([^<]*)</.exec(xml)![1]);
    }
    for (const kind of ['request', 'acknowledgement', 'response', 'device-alert', 'dcc-alert', 'throttled']) assert.ok((seen.get(kind) ?? 0) > 5, `${kind}: ${seen.get(kind)}`);
  });
});
