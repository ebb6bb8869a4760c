import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  SRV_CATEGORIES,
  isServiceReferenceVariant,
  isSrvCategory,
  isSrvEntry,
  listSrvs,
  listSrvsInCategory,
  lookupSrv,
  searchSrvs,
} from '../../src/catalogue/index.js';

const root = join(import.meta.dirname, '..', '..');
const matrix = JSON.parse(
  readFileSync(join(root, 'node_modules/@smartdcc/duis-parser/dist/duis-request-matrix.json'), 'utf8'),
) as { 'Service Reference Variant': string; Critical: string }[];
const templatesDir = join(root, 'node_modules/@smartdcc/duis-templates/templates');

const variants = (list: readonly { variant: string }[]) => list.map((e) => e.variant);

describe('SRV catalogue contents', () => {
  it('holds every variant of the DUIS request matrix, in its order (about 129 in DUIS 5.x)', () => {
    const srvs = listSrvs();
    assert.ok(srvs.length >= 120 && srvs.length <= 140, `${srvs.length} SRVs`);
    assert.deepEqual(variants(srvs), matrix.map((r) => r['Service Reference Variant']));
    assert.equal(new Set(variants(srvs)).size, srvs.length);
  });

  it('knows the SRV of every RTDS template in @smartdcc/duis-templates', () => {
    const files = readdirSync(templatesDir).filter((f) => /\.xml$/i.test(f));
    assert.ok(files.length > 250, `${files.length} templates`);
    const seen = new Set<string>();
    for (const f of files) {
      const xml = readFileSync(join(templatesDir, f), 'utf8');
      const m = /<(?:\w+:)?ServiceReferenceVariant>\s*([^<\s]+)\s*</.exec(xml);
      assert.ok(m?.[1], `${f}: no ServiceReferenceVariant`);
      assert.ok(lookupSrv(m[1]), `${f}: ${m[1]} missing from the catalogue`);
      const ref = /<(?:\w+:)?ServiceReference>\s*([^<\s]+)\s*</.exec(xml)?.[1];
      assert.equal(lookupSrv(m[1])?.serviceReference, ref, `${f}: ServiceReference`);
      seen.add(m[1]);
    }
    assert.ok(seen.size >= 120, `templates cover ${seen.size} variants`);
  });

  it('keeps the DUIS facts of the matrix', () => {
    for (const row of matrix) {
      assert.equal(lookupSrv(row['Service Reference Variant'])?.critical, row.Critical === 'Yes');
    }
    const s = lookupSrv('4.1.1');
    assert.equal(s?.name, 'Read Instantaneous Import Registers');
    assert.deepEqual(s?.eligibleRoles, ['IS', 'GS', 'ED', 'GT']);
    assert.equal(s?.futureDated, 'dsp');
    assert.equal(lookupSrv('8.2')?.name, 'Read Inventory');
    assert.equal(lookupSrv('8.2')?.nonDevice, true);
    assert.equal(lookupSrv('6.20.1')?.serviceReference, '6.20');
    assert.equal(lookupSrv('4.6.1')?.dccScheduled, true);
    assert.equal(lookupSrv('6.23')?.futureDated, 'dsp-and-device');
  });

  it('gives every entry exactly one category from the closed set, and passes its own guard', () => {
    for (const e of listSrvs()) {
      assert.ok(isSrvCategory(e.category), `${e.variant}: ${e.category}`);
      assert.ok(isSrvEntry(e), e.variant);
    }
    const total = SRV_CATEGORIES.reduce((n, c) => n + listSrvsInCategory(c).length, 0);
    assert.equal(total, listSrvs().length);
    for (const c of SRV_CATEGORIES) assert.ok(listSrvsInCategory(c).length > 0, `${c} is empty`);
  });

  it('hands out frozen entries', () => {
    const e = lookupSrv('7.2')!;
    assert.ok(Object.isFrozen(e) && Object.isFrozen(e.eligibleRoles) && Object.isFrozen(listSrvs()));
    assert.throws(() => {
      (e as { critical: boolean }).critical = false;
    }, TypeError);
  });
});

describe('securityRelevant', () => {
  it('is true for every critical SRV', () => {
    for (const e of listSrvs().filter((s) => s.critical)) {
      assert.ok(e.securityRelevant && e.securityReasons.includes('critical'), e.variant);
    }
  });

  it('is true for supply control, security credentials and firmware', () => {
    for (const v of ['7.1', '7.2', '7.3', '6.15.1', '6.15.2', '6.17', '6.21', '6.23', '11.1', '11.2', '11.3', '11.4']) {
      assert.equal(lookupSrv(v)?.securityRelevant, true, v);
    }
    assert.ok(lookupSrv('7.2')?.securityReasons.includes('supply-control'));
    assert.ok(lookupSrv('6.15.1')?.securityReasons.includes('security-credentials'));
    for (const e of listSrvs().filter((s) => s.variant.startsWith('11.'))) assert.ok(e.securityRelevant, e.variant);
  });

  it('is false for plain reads', () => {
    assert.equal(lookupSrv('4.1.1')?.securityRelevant, false);
    assert.deepEqual(lookupSrv('4.1.1')?.securityReasons, []);
    for (const e of listSrvsInCategory('read')) assert.equal(e.securityRelevant, false, e.variant);
  });
});

describe('look-ups and guards', () => {
  const junk: unknown[] = ['', 'x', '1.1.1.1', ' 4.1.1', '4.1.1 ', '4.1', '4', '__proto__', 'constructor', null, undefined, 411, {}, []];

  it('lookupSrv returns undefined on junk', () => {
    for (const j of junk) assert.equal(lookupSrv(j as string), undefined, String(j));
  });

  it('isServiceReferenceVariant accepts known variants only', () => {
    assert.ok(isServiceReferenceVariant('4.1.1'));
    assert.ok(isServiceReferenceVariant('7.2'));
    for (const j of junk) assert.equal(isServiceReferenceVariant(j), false, String(j));
  });

  it('isSrvEntry rejects junk and inconsistent entries', () => {
    for (const j of junk) assert.equal(isSrvEntry(j), false);
    const good = { ...lookupSrv('7.2')! };
    assert.ok(isSrvEntry(good));
    assert.equal(isSrvEntry({ ...good, category: 'other' }), false);
    assert.equal(isSrvEntry({ ...good, securityRelevant: false }), false);
    assert.equal(isSrvEntry({ ...good, eligibleRoles: ['XX'] }), false);
    assert.equal(isSrvEntry({ ...good, serviceReference: '7.20' }), false);
  });
});

describe('searchSrvs', () => {
  it('matches number prefixes, exact and whole components first', () => {
    const hits = variants(searchSrvs('4.1'));
    assert.deepEqual(hits.slice(0, 4), ['4.1.1', '4.1.2', '4.1.3', '4.1.4']);
    assert.ok(hits.includes('4.10') && hits.includes('4.11.1'));
    assert.equal(hits.includes('6.15.1'), false);
    assert.deepEqual(variants(searchSrvs('7.2')), ['7.2']);
    assert.deepEqual(variants(searchSrvs('6.15.')), ['6.15.1', '6.15.2']);
  });

  it('matches name words case-insensitively, all words required', () => {
    assert.deepEqual(variants(searchSrvs('disable SUPPLY')), ['7.2']);
    assert.deepEqual(variants(searchSrvs('supply dis')), ['7.2']);
    assert.deepEqual(variants(searchSrvs('firmware')), ['11.1', '11.2', '11.3', '11.4']);
    assert.deepEqual(variants(searchSrvs('6 security credentials')).sort(), ['6.15.1', '6.15.2', '6.17', '6.23', '6.24.1', '6.24.2']);
  });

  it('returns nothing for blank or unmatched text', () => {
    for (const t of ['', '   ', 'zzz', '99', '1.1.1.1']) assert.deepEqual(searchSrvs(t), [], t);
    assert.deepEqual(searchSrvs(undefined as unknown as string), []);
  });
});

describe('generator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'srv-catalogue-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reproduces the committed srv-catalogue.json byte for byte', () => {
    const out = join(dir, 'srv-catalogue.json');
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/generate-srv-catalogue.mjs'), out], { stdio: 'pipe' });
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(root, 'src/catalogue/srv-catalogue.json'), 'utf8'));
  });
});
