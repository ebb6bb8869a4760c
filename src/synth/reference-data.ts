import type { Eui64 } from '../duis/eui64.js';
import type {
  CertificateHistory,
  DeviceRecord,
  LinkHistory,
  PartyPeriod,
  PartyRecord,
  ReferenceDocument,
  RegistrationHistory,
  RegistrationRole,
} from '../reference/reference-document.js';
import { Prng } from './prng.js';
import type { SynthDevice, SynthRole, SynthSupplyPoint, SynthWorld } from './synth-types.js';

/** The DCC operator party added to every synthetic reference document (sees everything; holds no User ID). */
export const DCC_OPERATOR_PARTY_ID = 'DCCOPS';
/** Default share of supply points that change supplier inside the window. */
export const DEFAULT_CHANGE_OF_SUPPLIER_RATE = 0.02;
/** Default share of certified devices whose network-operator certificate moves or ends inside the window. */
export const DEFAULT_CERTIFICATE_CHANGE_RATE = 0.01;

/** Options of {@link referenceDocument}. */
export interface ReferenceDataOptions {
  /** Start of the simulated window: pass the traffic's `start`. Must lie after `world.validFrom`. */
  start: Date;
  /** End of the window (exclusive): every change happens in `[start, end)`. */
  end: Date;
  /** Seed of the changes (which supply points, when, to whom); the world's structure comes from the world. */
  seed: number;
  /** Share of supply points with a Change of Supplier in the window. Default 0.02. */
  changeOfSupplierRate?: number;
  /** Share of certified devices whose certificate moves to another network operator or ends. Default 0.01. */
  certificateChangeRate?: number;
}

/**
 * The reference data behind a synthetic world, as a validated {@link ReferenceDocument} (epoch ms): every party
 * with its User IDs and roles plus a DCC operator party, every device, its links (from `world.validFrom`, open),
 * IS / GS registrations of each MPAN / MPRN to the world's supplier and ED / GT to the region's network
 * operator, and ED / GT certificates on ESMEs / GSMEs and GPFs. A share of supply points changes supplier, and a
 * share of certificates moves or ends, at deterministic times inside `[start, end)`. Deterministic for a seed.
 *
 * The traffic generator follows these changes only when given the document (its `reference` option, as
 * `npm run demo` does): by default it knows only the static world, so after a Change of Supplier the old
 * supplier keeps sending to the device (its own traffic, rule 1) and the new one sends nothing (it sees the
 * device's traffic by rule 2). The benchmarks use the default.
 */
export function referenceDocument(world: SynthWorld, opts: ReferenceDataOptions): ReferenceDocument {
  const [only] = referenceDocumentSlices(world, opts, Number.POSITIVE_INFINITY);
  return only!;
}

/**
 * The content of {@link referenceDocument}, split into documents of about `devicesPerSlice` devices (whole
 * premises, so each supply point's registrations travel with the devices linked to it), to apply one by one:
 * a million-device world in one transaction is a needlessly large one. The parties come in the first slice,
 * which must therefore be applied first. Built lazily, slice by slice.
 */
export function* referenceDocumentSlices(world: SynthWorld, opts: ReferenceDataOptions, devicesPerSlice: number): Generator<ReferenceDocument, void, undefined> {
  if (!(devicesPerSlice >= 1)) throw new Error(`devicesPerSlice must be at least 1, got ${devicesPerSlice}`);
  const builder = new ReferenceBuilder(world, opts);
  let slice = emptyDocument(builder.parties());
  let devicesInSlice = 0;
  let nextDevice = 0;
  for (const home of world.premises) {
    // Devices and supply points are created premises by premises, in order (world.ts).
    const devices = world.devices.slice(nextDevice, nextDevice + home.deviceIds.length);
    nextDevice += devices.length;
    builder.addPremises(slice, devices, world.supplyPoints, home.premisesId);
    devicesInSlice += devices.length;
    if (devicesInSlice >= devicesPerSlice) {
      yield slice;
      slice = emptyDocument([]);
      devicesInSlice = 0;
    }
  }
  if (devicesInSlice > 0 || slice.parties.length > 0) yield slice;
}

function emptyDocument(parties: PartyRecord[]): ReferenceDocument {
  return { parties, devices: [], links: [], registrations: [], certificates: [] };
}

/** Walks a world premises by premises, drawing the changes from one PRNG stream in a fixed order. */
class ReferenceBuilder {
  readonly #world: SynthWorld;
  readonly #prng: Prng;
  readonly #validFrom: number;
  readonly #start: number;
  readonly #span: number;
  readonly #cosRate: number;
  readonly #certRate: number;
  readonly #partyOf = new Map<Eui64, string>();
  readonly #roleOf = new Map<Eui64, SynthRole>();
  /** Parties holding a User ID of each role, in world order. */
  readonly #partiesByRole = new Map<SynthRole, string[]>();
  /** Index into `world.supplyPoints` of the next supply point not yet placed. */
  #nextSupplyPoint = 0;

  constructor(world: SynthWorld, opts: ReferenceDataOptions) {
    this.#world = world;
    this.#validFrom = Date.parse(world.validFrom);
    this.#start = opts.start.getTime();
    const end = opts.end.getTime();
    if (!(this.#start > this.#validFrom)) throw new Error(`start (${opts.start.toISOString()}) must be after the world's validFrom (${world.validFrom})`);
    if (!(end > this.#start)) throw new Error('end must be after start');
    this.#span = end - this.#start;
    this.#cosRate = rate('changeOfSupplierRate', opts.changeOfSupplierRate ?? DEFAULT_CHANGE_OF_SUPPLIER_RATE);
    this.#certRate = rate('certificateChangeRate', opts.certificateChangeRate ?? DEFAULT_CERTIFICATE_CHANGE_RATE);
    // Stream 3: world.ts draws from stream 1, the traffic simulation from stream 2.
    this.#prng = Prng.derive(opts.seed, 3);
    for (const u of world.users) {
      this.#partyOf.set(u.userId, u.partyId);
      this.#roleOf.set(u.userId, u.role);
      const list = this.#partiesByRole.get(u.role) ?? [];
      if (!list.includes(u.partyId)) list.push(u.partyId);
      this.#partiesByRole.set(u.role, list);
    }
  }

  parties(): PartyRecord[] {
    const roles = new Map(this.#world.users.map((u) => [u.userId, u.role]));
    const parties: PartyRecord[] = this.#world.parties.map((p) => ({
      id: p.partyId,
      name: p.name,
      operator: false,
      userIds: p.userIds.map((userId) => ({ userId, role: roles.get(userId)! })),
    }));
    parties.push({ id: DCC_OPERATOR_PARTY_ID, name: 'DCC Service Desk', operator: true, userIds: [] });
    return parties;
  }

  /** Adds one premises: its devices with links and certificates, and the registrations of its supply points. */
  addPremises(doc: ReferenceDocument, devices: readonly SynthDevice[], supplyPoints: readonly SynthSupplyPoint[], premisesId: number): void {
    for (let sp = supplyPoints[this.#nextSupplyPoint]; sp !== undefined && sp.premisesId === premisesId; sp = supplyPoints[++this.#nextSupplyPoint]) {
      doc.registrations.push(...this.#registrations(sp));
    }
    for (const d of devices) {
      if (d.premisesId !== premisesId) throw new Error(`device ${d.deviceId} is not in premises ${premisesId}: world out of order`);
      const device: DeviceRecord = { deviceId: d.deviceId, type: d.deviceType };
      doc.devices.push(device);
      const link: LinkHistory = { deviceId: d.deviceId, history: d.mpxns.map((mpxn) => ({ mpxn, from: this.#validFrom, to: null })) };
      doc.links.push(link);
      const certificate = this.#certificate(d);
      if (certificate) doc.certificates.push(certificate);
    }
  }

  /** The supplier registration (IS / GS, possibly with a Change of Supplier) and the network operator's (ED / GT). */
  #registrations(sp: SynthSupplyPoint): RegistrationHistory[] {
    const elec = sp.fuel === 'electricity';
    const supplierRole: RegistrationRole = elec ? 'IS' : 'GS';
    const operatorRole: RegistrationRole = elec ? 'ED' : 'GT';
    const supplier = this.#party(sp.supplierUserId);
    const supplierHistory = this.#maybeChange(supplier, supplierRole, this.#cosRate, 'move');
    return [
      { mpxn: sp.mpxn, role: supplierRole, history: supplierHistory },
      { mpxn: sp.mpxn, role: operatorRole, history: [{ partyId: this.#party(sp.networkOperatorUserId), from: this.#validFrom, to: null }] },
    ];
  }

  /** The device's network-operator certificate history, for devices the world certifies (ESME, GSME, GPF). */
  #certificate(d: SynthDevice): CertificateHistory | undefined {
    const holder = d.networkOperatorUserIds[0];
    if (holder === undefined) return undefined;
    const role = this.#roleOf.get(holder);
    if (role !== 'ED' && role !== 'GT') throw new Error(`certificate holder ${holder} of ${d.deviceId} is not a network operator`);
    return { deviceId: d.deviceId, history: this.#maybeChange(this.#party(holder), role, this.#certRate, 'move-or-end') };
  }

  /**
   * One open period for `partyId`, or, with probability `p`, a period closed at a time in the window followed
   * by another party of the same role (`move`), or by nothing half of the time (`move-or-end`).
   */
  #maybeChange(partyId: string, role: SynthRole, p: number, change: 'move' | 'move-or-end'): PartyPeriod[] {
    const prng = this.#prng;
    if (!prng.chance(p)) return [{ partyId, from: this.#validFrom, to: null }];
    const at = this.#start + Math.floor(prng.float() * this.#span);
    const others = (this.#partiesByRole.get(role) ?? []).filter((id) => id !== partyId);
    const ends = change === 'move-or-end' && prng.chance(0.5);
    const closed: PartyPeriod = { partyId, from: this.#validFrom, to: at };
    if (ends || others.length === 0) return [closed];
    return [closed, { partyId: prng.pick(others), from: at, to: null }];
  }

  #party(userId: Eui64): string {
    const party = this.#partyOf.get(userId);
    if (party === undefined) throw new Error(`User ID ${userId} belongs to no party of the world`);
    return party;
  }
}

function rate(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be in [0, 1], got ${value}`);
  return value;
}
