#!/usr/bin/env node
// Generates src/catalogue/srv-catalogue.json, the SRV catalogue read by src/catalogue/srv-catalogue.ts.
//
// Source: the DUIS request matrix shipped by the npm package @smartdcc/duis-parser
// (dist/duis-request-matrix.json, Smart DCC Ltd, GPL-3.0-or-later, like this project). We keep its facts
// (name, critical, on demand, future-dated response pattern, DCC scheduled, non-device, eligible roles),
// correct the few slips listed in CORRECTIONS, and add our own columns: `category` and the security
// classification (`securityReasons`, `securityRelevant`). Every rule lives here so the JSON is reproducible;
// the runtime only reads the JSON. docs/catalogue.md explains the rules.
//
// Usage: node --import tsx scripts/generate-srv-catalogue.mjs [output path]   (default: src/catalogue/srv-catalogue.json)
// test/catalogue/srv-catalogue.test.ts regenerates into a temporary file and compares byte for byte.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SRV_CATEGORIES, USER_ROLES } from '../src/catalogue/srv-entry.ts';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MATRIX_FILE = 'dist/duis-request-matrix.json';

// The closed sets come from the runtime's own definitions (run under tsx), so the two cannot drift.
const CATEGORIES = SRV_CATEGORIES;
const ROLES = USER_ROLES;
// FUTURE_DATED maps the matrix's wording onto FUTURE_DATED_PATTERNS, and REASONS (below) must list
// SECURITY_REASONS in order; the runtime refuses to load a JSON that disagrees.
const FUTURE_DATED = { No: 'none', Device: 'device', DSP: 'dsp', 'DSP & Device': 'dsp-and-device' };

// Slips in the source matrix, fixed here and listed in the JSON (`corrections`) and docs/catalogue.md.
const CORRECTIONS = [
  // The matrix gives ServiceReference 6.2 for 6.20.x; the RTDS templates (ECS39a/ECS39b) carry 6.20.
  { variant: '6.20.1', field: 'serviceReference', to: '6.20', reason: 'RTDS templates carry ServiceReference 6.20' },
  { variant: '6.20.2', field: 'serviceReference', to: '6.20', reason: 'RTDS templates carry ServiceReference 6.20' },
  // Free text that leaked into the name cell.
  { variant: '8.2', field: 'name', to: 'Read Inventory', reason: 'remark "(Current and Future Suppliers may use this Service Request)" dropped from the name' },
  // Inconsistent punctuation between the four CH status update variants.
  { variant: '8.14.1', field: 'name', to: 'Communications Hub Status Update - Install Success', reason: 'punctuation made consistent across 8.14.x' },
  { variant: '8.14.2', field: 'name', to: 'Communications Hub Status Update - Install No SM WAN', reason: 'punctuation made consistent across 8.14.x' },
  { variant: '8.14.3', field: 'name', to: 'Communications Hub Status Update - Fault Return', reason: 'punctuation made consistent across 8.14.x' },
  { variant: '8.14.4', field: 'name', to: 'Communications Hub Status Update - No Fault Return', reason: 'punctuation made consistent across 8.14.x' },
];

// Category by ServiceReference (after corrections). `read` holds the routine data reads (the bulk of the
// traffic); reads of security material stay with their domain (6.24 credentials, 6.13 security log,
// 11.2 firmware version), as do reads of DCC-held data (8.2 inventory, 8.9 HAN device log, 5.2 schedules).
const CATEGORY_BY_REFERENCE = {
  // Tariffs, prices, balance, payment mode, prepayment and debt.
  '1.1': 'tariff-and-payment', '1.2': 'tariff-and-payment', '1.5': 'tariff-and-payment', '1.6': 'tariff-and-payment',
  '1.7': 'tariff-and-payment', '2.1': 'tariff-and-payment', '2.2': 'tariff-and-payment', '2.3': 'tariff-and-payment',
  '2.5': 'tariff-and-payment',
  '6.8': 'tariff-and-payment', // billing calendar
  '6.26': 'tariff-and-payment', // daily resetting of the tariff block counter matrix
  // Customer-facing settings: display message, change of tenancy, supplier name, privacy PIN.
  '3.1': 'configuration', '3.2': 'configuration', '3.4': 'configuration', '3.5': 'configuration',
  '3.3': 'alerts-and-events', // Clear Event Log
  // Meter and device reads.
  '4.1': 'read', '4.2': 'read', '4.3': 'read', '4.4': 'read', '4.6': 'read', '4.8': 'read', '4.10': 'read',
  '4.11': 'read', '4.12': 'read', '4.13': 'read', '4.14': 'read', '4.15': 'read', '4.16': 'read', '4.17': 'read',
  '4.18': 'read', '6.2': 'read', '6.30': 'read', '6.31': 'read', '6.32': 'read', '7.4': 'read', '7.7': 'read',
  '7.11': 'read', '7.14': 'read', '7.15': 'read',
  '14.1': 'read', // Record Network Data (GAS): DCC-scheduled network read for the Gas Transporter
  // DCC schedules and other DCC-side services.
  '5.1': 'dcc-services', '5.2': 'dcc-services', '5.3': 'dcc-services', '8.13': 'dcc-services', '9.1': 'dcc-services',
  '12.1': 'dcc-services',
  // Device configuration.
  '6.5': 'configuration', '6.6': 'configuration', '6.7': 'configuration', '6.11': 'configuration',
  '6.12': 'configuration', '6.18': 'configuration', '6.20': 'configuration', '6.27': 'configuration',
  // Supply control, load limiting and auxiliary load control (ALCS, HCALCS, APC, boost button).
  '6.4': 'supply', '6.14': 'supply', '6.25': 'supply', '7.1': 'supply', '7.2': 'supply', '7.3': 'supply',
  '7.5': 'supply', '7.6': 'supply', '7.8': 'supply', '7.9': 'supply', '7.10': 'supply', '7.12': 'supply',
  '7.13': 'supply', '7.16': 'supply',
  // Certificates on devices and control handover.
  '6.15': 'security-credentials', '6.17': 'security-credentials', '6.21': 'security-credentials',
  '6.23': 'security-credentials', '6.24': 'security-credentials',
  // Alert behaviour and event / security logs.
  '6.13': 'alerts-and-events', '6.22': 'alerts-and-events',
  // Home area network: joins, device logs, Sub GHz radio.
  '6.28': 'han', '6.29': 'han', '8.7': 'han', '8.8': 'han', '8.9': 'han', '8.11': 'han', '8.12': 'han',
  // DCC inventory and device lifecycle.
  '8.1': 'inventory-and-commissioning', '8.2': 'inventory-and-commissioning', '8.3': 'inventory-and-commissioning',
  '8.4': 'inventory-and-commissioning', '8.5': 'inventory-and-commissioning', '8.6': 'inventory-and-commissioning',
  '8.14': 'inventory-and-commissioning', '12.2': 'inventory-and-commissioning',
  // Firmware distribution, version and activation.
  '11.1': 'firmware', '11.2': 'firmware', '11.3': 'firmware', '11.4': 'firmware',
};

// Why an SRV is security relevant. An SRV is securityRelevant when at least one reason applies.
// - critical: DUIS marks it critical (the User signs the command, the DCC cannot change it).
// - supply-control / security-credentials / firmware: every SRV in these categories.
// - the sets below: state-changing SRVs outside those categories that change who or what can talk to
//   the device, the evidence it keeps, or the customer's privacy. Plain reads never qualify.
const REASON_BY_CATEGORY = { supply: 'supply-control', 'security-credentials': 'security-credentials', firmware: 'firmware' };
const REASON_BY_VARIANT = {
  // Commissioning, decommissioning, opt out / in, inventory and CH status changes.
  'device-lifecycle': ['8.1.1', '8.3', '8.4', '8.5', '8.6', '8.14.1', '8.14.2', '8.14.3', '8.14.4'],
  // Which devices may talk to the meter over the HAN.
  'han-membership': ['8.7.1', '8.7.2', '8.8.1', '8.8.2', '8.11', '8.12.1', '8.12.2'],
  // Clearing the event log or changing alert behaviour can hide tampering.
  'audit-trail': ['3.3', '6.22'],
  // Hiding previous tenants' data, removing the privacy PIN.
  privacy: ['3.2', '3.5'],
  // The MPxN written into the device: ties it to a supply point.
  'device-identity': ['6.20.1', '6.20.2'],
};
const REASONS = ['critical', 'supply-control', 'security-credentials', 'firmware', ...Object.keys(REASON_BY_VARIANT)];

function yesNo(value, variant, field) {
  if (value === 'Yes') return true;
  if (value === 'No') return false;
  throw new Error(`${variant}: ${field} is ${JSON.stringify(value)}, expected Yes or No`);
}

/** Builds the catalogue object from the parsed matrix. Throws on anything the rules do not cover. */
export function buildSrvCatalogue(matrix, sourceVersion) {
  const corrections = new Map(CORRECTIONS.map((c) => [`${c.variant}/${c.field}`, c]));
  const usedRefs = new Set();
  const seen = new Set();
  const applied = [];
  const srvs = matrix.map((row) => {
    const variant = row['Service Reference Variant'];
    if (seen.has(variant)) throw new Error(`duplicate variant ${variant}`);
    seen.add(variant);
    const fix = (field, value) => {
      const c = corrections.get(`${variant}/${field}`);
      if (!c) return value;
      applied.push({ variant, field, from: value, to: c.to, reason: c.reason });
      return c.to;
    };
    const serviceReference = fix('serviceReference', row['Service Reference']);
    if (variant !== serviceReference && !variant.startsWith(serviceReference + '.')) {
      throw new Error(`${variant}: service reference ${serviceReference} is not its prefix`);
    }
    const name = fix('name', row['Service Request Name'].replace(/\s+/g, ' ').trim());
    const category = CATEGORY_BY_REFERENCE[serviceReference];
    if (!category) throw new Error(`${variant}: no category rule for service reference ${serviceReference}`);
    usedRefs.add(serviceReference);
    const futureDated = FUTURE_DATED[row['Future Dated Response Pattern']];
    if (!futureDated) throw new Error(`${variant}: unknown future-dated pattern ${row['Future Dated Response Pattern']}`);
    const roles = row['Eligible User Roles'];
    for (const r of roles) if (!ROLES.includes(r)) throw new Error(`${variant}: unknown role ${r}`);
    const critical = yesNo(row.Critical, variant, 'Critical');
    const securityReasons = [];
    if (critical) securityReasons.push('critical');
    if (REASON_BY_CATEGORY[category]) securityReasons.push(REASON_BY_CATEGORY[category]);
    for (const [reason, variants] of Object.entries(REASON_BY_VARIANT)) {
      if (variants.includes(variant)) securityReasons.push(reason);
    }
    if (category === 'read' && securityReasons.length > 0) throw new Error(`${variant}: a read is classed security relevant`);
    return {
      variant,
      serviceReference,
      name,
      critical,
      onDemand: yesNo(row['On Demand'], variant, 'On Demand'),
      futureDated,
      dccScheduled: yesNo(row['DCC Scheduled'], variant, 'DCC Scheduled'),
      nonDevice: yesNo(row['Non-Device Request'], variant, 'Non-Device Request'),
      // Canonical role order, so a reordering in the source is not a diff here.
      eligibleRoles: ROLES.filter((r) => roles.includes(r)),
      category,
      securityRelevant: securityReasons.length > 0,
      securityReasons,
    };
  });
  const staleRefs = Object.keys(CATEGORY_BY_REFERENCE).filter((r) => !usedRefs.has(r));
  if (staleRefs.length) throw new Error(`category rules for unknown service references: ${staleRefs.join(', ')}`);
  const staleVariants = Object.values(REASON_BY_VARIANT).flat().filter((v) => !seen.has(v));
  if (staleVariants.length) throw new Error(`security rules for unknown variants: ${staleVariants.join(', ')}`);
  if (applied.length !== CORRECTIONS.length) throw new Error('a correction did not apply: check CORRECTIONS');
  return {
    $comment:
      'Generated by scripts/generate-srv-catalogue.mjs: do not edit by hand. SRV facts from the DUIS request matrix ' +
      'in @smartdcc/duis-parser (Smart DCC Ltd, GPL-3.0-or-later); category and security classification are ' +
      "srv-visibility's own. See docs/catalogue.md.",
    source: { package: '@smartdcc/duis-parser', version: sourceVersion, file: MATRIX_FILE, license: 'GPL-3.0-or-later' },
    categories: CATEGORIES,
    userRoles: ROLES,
    securityReasons: REASONS,
    corrections: applied,
    srvs,
  };
}

function main() {
  const out = process.argv[2] ?? join(root, 'src/catalogue/srv-catalogue.json');
  const pkgDir = dirname(require.resolve('@smartdcc/duis-parser/package.json'));
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const matrix = JSON.parse(readFileSync(join(pkgDir, MATRIX_FILE), 'utf8'));
  const catalogue = buildSrvCatalogue(matrix, version);
  writeFileSync(out, JSON.stringify(catalogue, null, 2) + '\n');
  console.log(`wrote ${catalogue.srvs.length} SRVs to ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
