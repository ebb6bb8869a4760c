import type { Eui64 } from '../duis/eui64.js';
import { Prng, WeightedChoice } from './prng.js';
import type {
  SynthDevice,
  SynthDeviceType,
  SynthOptions,
  SynthParty,
  SynthPremises,
  SynthRole,
  SynthSupplyPoint,
  SynthUser,
  SynthWorld,
} from './synth-types.js';

/** The DCC User ID the RTDS templates address non-device requests to. */
export const DCC_USER_ID: Eui64 = '90-B3-D5-1F-30-00-00-02';
export const DEFAULT_DEVICES = 1000;
export const DEFAULT_START = new Date('2025-01-06T00:00:00.000Z');
const YEAR_MS = 365 * 24 * 3600 * 1000;

// Fixed cast of organisations. User IDs follow 90-B3-D5-1F-30-0k-pp-rr: k the kind of organisation, pp the party.
const PARTIES: ReadonlyArray<{ partyId: string; name: string; users: ReadonlyArray<readonly [Eui64, SynthRole]> }> = [
  { partyId: 'AURORA', name: 'Aurora Energy', users: [['90-B3-D5-1F-30-01-00-00', 'IS'], ['90-B3-D5-1F-30-01-00-01', 'GS']] },
  { partyId: 'BRIGHTWATER', name: 'Brightwater Power', users: [['90-B3-D5-1F-30-01-01-00', 'IS'], ['90-B3-D5-1F-30-01-01-01', 'GS']] },
  { partyId: 'COBALT', name: 'Cobalt Utilities', users: [['90-B3-D5-1F-30-01-02-00', 'IS']] },
  { partyId: 'DUNMORE', name: 'Dunmore Gas', users: [['90-B3-D5-1F-30-01-03-01', 'GS']] },
  { partyId: 'NORTHGRID', name: 'Northern Grid Networks', users: [['90-B3-D5-1F-30-02-00-00', 'ED']] },
  { partyId: 'SOUTHGRID', name: 'Southern Grid Networks', users: [['90-B3-D5-1F-30-02-01-00', 'ED']] },
  { partyId: 'MIDGAS', name: 'Midland Gas Transmission', users: [['90-B3-D5-1F-30-03-00-00', 'GT']] },
  { partyId: 'COASTGAS', name: 'Coastal Gas Networks', users: [['90-B3-D5-1F-30-03-01-00', 'GT']] },
  { partyId: 'INSIGHT', name: 'Insight Energy Analytics', users: [['90-B3-D5-1F-30-04-00-00', 'OU']] },
  { partyId: 'HEATWISE', name: 'Heatwise Services', users: [['90-B3-D5-1F-30-04-01-00', 'OU']] },
];
// Market shares; dual-fuel homes keep one party for both fuels when it supplies both (DUAL_SAME_PARTY).
const ELECTRICITY_SUPPLIERS = new WeightedChoice<Eui64>([['90-B3-D5-1F-30-01-00-00', 40], ['90-B3-D5-1F-30-01-01-00', 35], ['90-B3-D5-1F-30-01-02-00', 25]]);
const GAS_SUPPLIERS = new WeightedChoice<Eui64>([['90-B3-D5-1F-30-01-00-01', 45], ['90-B3-D5-1F-30-01-01-01', 30], ['90-B3-D5-1F-30-01-03-01', 25]]);
const DUAL_SAME_PARTY = 0.75;
// Region r: [MPAN distributor id, ED User ID, GT User ID].
const REGIONS: ReadonlyArray<readonly [string, Eui64, Eui64]> = [
  ['15', '90-B3-D5-1F-30-02-00-00', '90-B3-D5-1F-30-03-00-00'],
  ['20', '90-B3-D5-1F-30-02-01-00', '90-B3-D5-1F-30-03-01-00'],
];
const MPAN_PRIMES = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43];

/** Builds the world for `opts.seed`: parties, users, premises, supply points and exactly `opts.devices` devices. */
export function createWorld(opts: SynthOptions = {}): SynthWorld {
  const seed = opts.seed ?? 1;
  const target = opts.devices ?? DEFAULT_DEVICES;
  if (!Number.isInteger(target) || target < 1) throw new Error(`devices must be a positive integer, got ${target}`);
  const prng = Prng.derive(seed, 1);
  const parties: SynthParty[] = PARTIES.map((p) => ({ partyId: p.partyId, name: p.name, userIds: p.users.map(([id]) => id) }));
  const users: SynthUser[] = PARTIES.flatMap((p) => p.users.map(([userId, role]) => ({ userId, role, partyId: p.partyId })));
  const partyOf = new Map(users.map((u) => [u.userId, u.partyId]));
  const premises: SynthPremises[] = [];
  const supplyPoints: SynthSupplyPoint[] = [];
  const devices: SynthDevice[] = [];
  const idMul = (BigInt(prng.uint32()) << 16n) | BigInt(prng.uint32() & 0xffff) | 1n; // odd: a bijection mod 2^48
  const idAdd = (BigInt(prng.uint32()) << 16n) | BigInt(prng.uint32() & 0xffff);

  while (devices.length < target) {
    const premisesId = premises.length;
    const [distributor, ed, gt] = prng.pick(REGIONS);
    const r = prng.float();
    const elec = r < 0.9; // 55% dual fuel, 35% electricity only, 10% gas only
    const gas = r >= 0.35;
    const is = elec ? ELECTRICITY_SUPPLIERS.pick(prng) : null;
    let gs = gas ? GAS_SUPPLIERS.pick(prng) : null;
    if (is && gas && prng.chance(DUAL_SAME_PARTY)) gs = users.find((u) => u.role === 'GS' && partyOf.get(u.userId) === partyOf.get(is))?.userId ?? gs;
    const mpan = elec ? mpanFor(distributor, premisesId) : null;
    const mprn = gas ? String(1_000_000_000 + ((premisesId * 1_000_003 + 7_654_321) % 9_000_000_000)) : null;
    if (mpan && is) supplyPoints.push({ mpxn: mpan, fuel: 'electricity', premisesId, supplierUserId: is, networkOperatorUserId: ed });
    if (mprn && gs) supplyPoints.push({ mpxn: mprn, fuel: 'gas', premisesId, supplierUserId: gs, networkOperatorUserId: gt });
    const home: SynthPremises = { premisesId, mpan, mprn, deviceIds: [] };
    premises.push(home);
    const all = [mpan, mprn].filter((m): m is string => m !== null);
    const add = (deviceType: SynthDeviceType, mpxns: string[], supplierUserId: Eui64, networkOperatorUserIds: Eui64[]): void => {
      if (devices.length >= target) return;
      const n = (BigInt(devices.length) * idMul + idAdd) & 0xffff_ffff_ffffn;
      const deviceId = `00-DB-${n.toString(16).toUpperCase().padStart(12, '0').match(/../g)!.join('-')}`;
      devices.push({ deviceId, deviceType, premisesId, mpxns, supplierUserId, networkOperatorUserIds });
      home.deviceIds.push(deviceId);
    };
    const homeSupplier = (is ?? gs)!;
    add('CHF', all, homeSupplier, []);
    if (mpan && is) add('ESME', [mpan], is, [ed]);
    if (mprn && gs) {
      add('GPF', [mprn], gs, [gt]);
      add('GSME', [mprn], gs, [gt]);
    }
    if (prng.chance(0.08)) add('PPMID', all, homeSupplier, []);
    if (mpan && is && prng.chance(0.04)) add('HCALCS', [mpan], is, []);
    if (prng.chance(0.7)) add('IHD', all, homeSupplier, []);
  }
  const validFrom = new Date((opts.start ?? DEFAULT_START).getTime() - YEAR_MS).toISOString();
  return { seed, dccUserId: DCC_USER_ID, validFrom, parties, users, premises, supplyPoints, devices };
}

/** A 13-digit MPAN core: distributor id, 10 digits unique per premises, check digit. */
function mpanFor(distributor: string, premisesId: number): string {
  const body = distributor + String((premisesId * 7_777_777 + 1_234_567) % 10_000_000_000).padStart(10, '0');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * MPAN_PRIMES[i]!;
  return body + String((sum % 11) % 10);
}
