import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadRequestTemplates } from '../../src/synth/index.js';
import { parseTemplate, renderRequest } from '../../src/synth/templates.js';

describe('request templates', () => {
  const templates = loadRequestTemplates();

  test('reads every RTDS template once', () => {
    assert.ok(templates.length >= 290, `${templates.length} templates`);
    assert.equal(loadRequestTemplates(), templates, 'cached');
    const fourOneOne = templates.find((t) => t.name === 'ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS')!;
    assert.equal(fourOneOne.serviceReferenceVariant, '4.1.1');
    assert.equal(fourOneOne.commandVariant, 1);
    assert.equal(fourOneOne.subjectType, 'ESME');
    const inventory = templates.find((t) => t.name === '8.2_READ_INVENTORY_REQUEST_DUIS')!;
    assert.equal(inventory.nonDevice, true);
    assert.equal(inventory.subjectType, 'CHF');
  });

  test('rendering with the template values gives the template back, byte for byte', () => {
    for (const t of templates) {
      const requestId = /<sr:RequestID>([^<]*)</.exec(t.text)![1]!;
      const bodyIds = new Set([...t.text.matchAll(/<sr:DeviceID>([^<]*)</g)].map((m) => m[1]!));
      const deviceId = t.nonDevice ? ([...bodyIds][0] ?? '') : t.target;
      const rendered = renderRequest(t, requestId, deviceId);
      if (!t.nonDevice || bodyIds.size <= 1) assert.equal(rendered, t.text, t.name);
      assert.equal(JSON.parse(`"${renderRequest(t, requestId, deviceId, true)}"`), rendered, `${t.name} as JSON`);
    }
  });

  test('fails clearly when the templates are missing or malformed', () => {
    assert.throws(() => loadRequestTemplates('/nonexistent/templates'), /DUIS request templates not found in \/nonexistent\/templates/);
    assert.throws(() => parseTemplate('bad', '<sr:Request><sr:Header></sr:Header></sr:Request>'), /exactly one sr:RequestID/);
  });
});
