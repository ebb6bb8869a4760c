import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { createWorld, generateTraffic, loadRequestTemplates, REQUEST_MIX, type SynthWorld } from '../../src/synth/index.js';
import { RequestPicker } from '../../src/synth/request-picker.js';
import { indexWorld } from '../../src/synth/world-index.js';
import { type Classified, classifyAll, eligibleRoles, EUI64, ISO_MS } from './synth-helpers.js';

const digest = (world: SynthWorld, opts: Parameters<typeof generateTraffic>[1]): string => {
  const h = createHash('sha256');
  for (const r of generateTraffic(world, opts)) h.update(r.receivedAt).update(r.xml);
  return h.digest('hex');
};

describe('generateTraffic', () => {
  const world = createWorld({ seed: 11, devices: 3000 });
  let all: Array<Classified & { receivedAt: string; xml: string }>;
  before(() => {
    all = classifyAll([...generateTraffic(world, { count: 60_000, seed: 11 })]);
  });

  test('is deterministic for a seed', () => {
    assert.equal(digest(world, { count: 3000, seed: 5 }), digest(world, { count: 3000, seed: 5 }));
    assert.notEqual(digest(world, { count: 3000, seed: 5 }), digest(world, { count: 3000, seed: 6 }));
    assert.equal(digest(world, { count: 2000 }), digest(world, { count: 2000, seed: world.seed }), 'seed defaults to the world seed');
  });

  test('produces exactly count records in capture order', () => {
    for (const count of [0, 1, 2, 7, 1000]) assert.equal([...generateTraffic(world, { count })].length, count);
    assert.throws(() => [...generateTraffic(world, { count: -1 })], /count/);
    for (let i = 0; i < all.length; i++) {
      assert.match(all[i]!.receivedAt, ISO_MS);
      if (i > 0) assert.ok(all[i]!.receivedAt >= all[i - 1]!.receivedAt, `record ${i} is out of capture order`);
    }
    const start = Date.parse(all[0]!.receivedAt);
    assert.ok(start >= Date.parse('2025-01-06T00:00:00.000Z') && start < Date.parse('2025-01-06T00:00:01.000Z'));
    // The last records are requests captured late, whose answers were already produced: measure before them.
    const [from, to] = [Math.floor(all.length * 0.1), Math.floor(all.length * 0.9)];
    const rate = (to - from) / ((Date.parse(all[to]!.receivedAt) - Date.parse(all[from]!.receivedAt)) / 1000);
    assert.ok(Math.abs(rate / 1150 - 1) < 0.1, `rate ${rate}/s, expected about 1150/s`);
  });

  test('has a realistic mix', () => {
    const n = (kind: Classified['kind']): number => all.filter((m) => m.kind === kind).length;
    const requests = all.filter((m) => m.kind === 'request');
    const share = (p: (m: Classified) => boolean): number => requests.filter(p).length / requests.length;
    assert.ok(requests.length / all.length > 0.18 && requests.length / all.length < 0.25, `requests ${requests.length}`);
    assert.ok(share((m) => m.srv!.startsWith('4.')) > 0.55 && share((m) => m.srv!.startsWith('4.')) < 0.7, 'reads dominate');
    assert.ok(share((m) => m.srv!.startsWith('1.')) > 0.02, 'tariff and price');
    assert.ok(share((m) => m.srv!.startsWith('6.2.') || m.srv === '6.13') > 0.03, 'configuration reads');
    for (const prefix of ['6.15.', '7.', '8.', '11.']) assert.ok(share((m) => m.srv!.startsWith(prefix)) > 0.003, prefix);
    const ratio = n('device-alert') / requests.length;
    assert.ok(ratio > 1.5 && ratio < 1.7, `device alerts per request ${ratio}`);
    const dcc = n('dcc-alert') / requests.length;
    assert.ok(dcc > 0.035 && dcc < 0.065, `DCC alerts per request ${dcc}`);
    const acks = all.filter((m) => m.kind === 'acknowledgement');
    assert.ok(Math.abs(acks.length / requests.length - 1) < 0.02);
    const rejected = acks.filter((m) => m.responseCode !== 'I99').length / acks.length;
    assert.ok(rejected > 0.004 && rejected < 0.02, `rejected ${rejected}`);
    const responses = all.filter((m) => m.kind === 'response');
    const errors = responses.filter((m) => m.responseCode !== 'I0').length / responses.length;
    assert.ok(errors > 0.01 && errors < 0.06, `response errors ${errors}`);
    // Responses come seconds to minutes later: look at the first quarter's requests, whose responses had time.
    const answered = new Set(responses.map((m) => m.requestId));
    const early = requests.slice(0, requests.length >> 2);
    const withResponse = early.filter((m) => answered.has(m.requestId)).length / early.length;
    assert.ok(withResponse > 0.88 && withResponse < 0.99, `requests with a response ${withResponse}`);
    const linked = all.filter((m) => m.kind === 'device-alert' && m.requestId !== null).length / n('device-alert');
    assert.ok(linked > 0.01 && linked < 0.2, `device alerts carrying a RequestID ${linked}`);
  });

  test('requests carry well-formed RequestIDs and otherwise equal their template', () => {
    const users = new Map(world.users.map((u) => [u.userId, u.role]));
    const devices = new Map(world.devices.map((d) => [d.deviceId, d]));
    const roles = eligibleRoles();
    const normalise = (xml: string, cv8: boolean): string => {
      const x = xml.replace(/<sr:RequestID>[^<]*</, '<sr:RequestID>#<');
      return cv8 ? x.replaceAll(/<sr:DeviceID>[^<]*</g, '<sr:DeviceID>#<') : x;
    };
    const templates = new Set(loadRequestTemplates().map((t) => normalise(t.text, t.commandVariant === 8)));
    const seen = new Set<string>();
    let beyondSigned = 0;
    for (const m of all.filter((x) => x.kind === 'request')) {
      const [originator, target, counter, ...rest] = m.requestId!.split(':');
      assert.equal(rest.length, 0);
      assert.ok(users.has(originator!), `originator ${originator} is a User`);
      assert.ok(roles.get(m.srv!)?.includes(users.get(originator!)!), `${users.get(originator!)} may send ${m.srv}`);
      assert.match(counter!, /^(0|[1-9]\d*)$/);
      assert.ok(BigInt(counter!) < 2n ** 64n);
      if (BigInt(counter!) >= 2n ** 63n) beyondSigned++;
      assert.ok(!seen.has(m.requestId!), 'RequestIDs are unique');
      seen.add(m.requestId!);
      if (m.commandVariant === 8) {
        assert.equal(target, world.dccUserId);
        const bodyIds = [...m.xml.matchAll(/<sr:DeviceID>([^<]*)</g)].map((x) => x[1]!);
        assert.ok(bodyIds.length > 0 && bodyIds.every((id) => devices.has(id)));
      } else assert.ok(devices.has(target!), `target ${target} is a device`);
      assert.ok(templates.has(normalise(m.xml, m.commandVariant === 8)), `request ${m.requestId} is its template`);
    }
    assert.ok(beyondSigned > 0, 'some counters exceed the signed 64-bit range');
  });

  test('every answer refers to a generated request and is addressed consistently', () => {
    const requests = new Map(all.filter((m) => m.kind === 'request').map((m) => [m.requestId!, m]));
    const devices = new Set(world.devices.map((d) => d.deviceId));
    const users = new Set(world.users.map((u) => u.userId));
    for (const m of all.filter((x) => x.kind !== 'request')) {
      assert.match(m.responseDateTime!, ISO_MS);
      assert.ok(m.responseDateTime! <= m.receivedAt);
      if (m.kind === 'acknowledgement') assert.equal(m.responseId, null);
      else {
        const [responder, recipient, counter] = m.responseId!.split(':');
        assert.match(responder!, EUI64);
        assert.ok(users.has(recipient!), `recipient ${recipient}`);
        assert.match(counter!, /^\d+$/);
        if (m.kind === 'dcc-alert') assert.equal(responder, world.dccUserId);
        if (m.kind === 'device-alert') assert.ok(devices.has(responder!));
      }
      if (m.requestId === null) {
        assert.ok(m.kind === 'device-alert' || m.kind === 'dcc-alert', `${m.kind} without RequestID`);
        continue;
      }
      const req = requests.get(m.requestId);
      assert.ok(req, `answer to ${m.requestId} without its request`);
      const [originator, target] = m.requestId.split(':');
      if (m.kind === 'response') {
        const [responder, recipient] = m.responseId!.split(':');
        assert.equal(recipient, originator);
        assert.equal(responder, req.commandVariant === 8 ? world.dccUserId : target);
        assert.equal(m.srv, req.srv);
      }
    }
  });

  test('captures some answers before their request', () => {
    const position = new Map(all.flatMap((m, i) => (m.kind === 'request' ? [[m.requestId!, i] as const] : [])));
    const early = all.filter((m, i) => m.kind !== 'request' && m.requestId && position.get(m.requestId)! > i);
    assert.ok(early.length > 10, `${early.length} early answers`);
    assert.ok(early.length / all.length < 0.02);
  });

  test('duplicates are byte-identical copies, off by default', () => {
    const unique = (records: Array<{ xml: string }>): number => new Set(records.map((r) => r.xml)).size;
    assert.equal(unique(all), all.length);
    const dup = [...generateTraffic(world, { count: 20_000, duplicateRate: 0.01 })];
    const copies = dup.length - unique(dup);
    assert.ok(copies > 100 && copies < 350, `${copies} duplicates`);
  });

  test('every SRV of the mix has a usable template, and only eligible roles', () => {
    const picker = new RequestPicker(indexWorld(world), loadRequestTemplates());
    const usable = new Set(picker.usable.map((u) => u.entry.serviceReferenceVariant));
    assert.deepEqual(REQUEST_MIX.filter((e) => !usable.has(e.serviceReferenceVariant)).map((e) => e.serviceReferenceVariant), []);
    const roles = eligibleRoles();
    for (const e of REQUEST_MIX) for (const r of Object.keys(e.roles)) assert.ok(roles.get(e.serviceReferenceVariant)?.includes(r), `${r} for ${e.serviceReferenceVariant}`);
  });
});
