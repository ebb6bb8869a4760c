import type { Eui64 } from '../duis/eui64.js';
import type { MixEntry } from './mix.js';
import { REQUEST_MIX } from './mix.js';
import { type Prng, WeightedChoice } from './prng.js';
import type { SynthRole } from './synth-types.js';
import type { RequestTemplate } from './templates.js';
import type { ReferenceTimeline } from './reference-timeline.js';
import type { DeviceInfo, WorldIndex } from './world-index.js';

/** A request decided but not yet rendered. */
export interface PlannedRequest {
  entry: MixEntry;
  template: RequestTemplate;
  /** The target device, or for a non-device request the device its body names. */
  device: DeviceInfo;
  originator: Eui64;
  /** The acknowledgement's code when the DCC must reject the request (an ineligible or unauthorised User). */
  rejectCode?: string;
}

/** A mix entry with the templates it can use. */
export interface UsableEntry {
  entry: MixEntry;
  templates: RequestTemplate[];
  roles: ReadonlyArray<readonly [SynthRole, number]>;
}

/** Stories of {@link RequestPicker.pickOtherUserSecurity}, by weight. */
const OTHER_USER_SCENARIOS = new WeightedChoice<'network-credentials' | 'other-user-han' | 'previous-supplier' | 'other-user-supply'>([
  ['network-credentials', 35],
  ['other-user-han', 30],
  ['previous-supplier', 20],
  ['other-user-supply', 15],
]);

// CommandVariants whose answer is a device response (1, 4) or a DCC-built response (8). Variants 2, 3 and 7
// return commands for local delivery or signing, which the generator does not model.
const USABLE_COMMAND_VARIANTS = new Set([1, 4, 8]);

/** Chooses SRV, template, subject device and originator for each request. */
export class RequestPicker {
  readonly usable: readonly UsableEntry[];
  readonly #choice: WeightedChoice<UsableEntry>;
  readonly #index: WorldIndex;
  readonly #timeline: ReferenceTimeline | undefined;
  /** With a timeline: devices whose supply point changes supplier, by type. */
  readonly #changedSupplier = new Map<string, DeviceInfo[]>();

  /** With a `timeline`, supplier and network-operator requests come from whoever holds the role at the time. */
  constructor(index: WorldIndex, templates: readonly RequestTemplate[], timeline?: ReferenceTimeline) {
    this.#index = index;
    this.#timeline = timeline;
    if (timeline) {
      for (const d of index.devices) {
        if (timeline.supplierChangeAt(d, 'IS') === undefined && timeline.supplierChangeAt(d, 'GS') === undefined) continue;
        const list = this.#changedSupplier.get(d.type) ?? [];
        list.push(d);
        this.#changedSupplier.set(d.type, list);
      }
    }
    this.usable = REQUEST_MIX.map((entry) => ({
      entry,
      templates: templates.filter(
        (t) =>
          t.serviceReferenceVariant === entry.serviceReferenceVariant &&
          USABLE_COMMAND_VARIANTS.has(t.commandVariant) &&
          t.subjectType !== undefined &&
          (index.devicesByType.get(t.subjectType)?.length ?? 0) > 0,
      ),
      roles: Object.entries(entry.roles) as Array<[SynthRole, number]>,
    })).filter((u) => u.templates.length > 0);
    this.#choice = new WeightedChoice(this.usable.map((u) => [u, u.entry.weight] as const));
  }

  /** A request sent at `t` (epoch ms; only used with a timeline). */
  pick(prng: Prng, t = 0): PlannedRequest {
    for (let attempt = 0; attempt < 50; attempt++) {
      const u = this.#choice.pick(prng);
      const template = prng.pick(u.templates);
      const device = prng.pick(this.#index.devicesByType.get(template.subjectType!)!);
      // Only roles that exist for the device's premises (an IS for an electricity supply point, ...).
      // With a timeline, also only the device's own fuel: no gas supplier reads an electricity meter.
      const fits = (r: SynthRole): boolean => r === 'OU' || (device.byRole[r] !== undefined && (!this.#timeline || fuelFits(device, r)));
      let total = 0;
      for (const [role, w] of u.roles) if (fits(role)) total += w;
      if (total === 0) continue;
      let x = prng.float() * total;
      let role: SynthRole = u.roles[0]![0];
      for (const [r, w] of u.roles) {
        if (!fits(r)) continue;
        role = r;
        if ((x -= w) < 0) break;
      }
      let originator = role === 'OU' ? prng.pick(this.#index.usersByRole.get('OU')!) : device.byRole[role]!;
      if (this.#timeline && role !== 'OU') originator = this.#timeline.userAt(device, role, t) ?? originator;
      // Following the reference data, the incoming supplier's 6.23 comes after its Change of Supplier anyway.
      if (u.entry.foreignOriginator > 0 && !(this.#timeline && u.entry.serviceReferenceVariant === '6.23') && prng.chance(u.entry.foreignOriginator)) {
        const others = this.#index.usersByRole.get(role)!.filter((id) => id !== originator);
        if (others.length > 0) originator = prng.pick(others);
      }
      return { entry: u.entry, template, device, originator };
    }
    throw new Error('the request mix found no feasible (SRV, device, role) combination in this world');
  }

  /**
   * A security-relevant request to a supplier's device by a User other than its supplier (needs a timeline):
   * the network operator updating its security credentials (6.15.1), an Other User joining or updating a HAN
   * device (8.7.2, 8.11), the previous supplier (else another one) disabling supply or activating firmware
   * (7.2, 11.3: the DCC rejects it, E4), or an Other User trying to disable supply (7.2: rejected, E2).
   */
  pickOtherUserSecurity(prng: Prng, t: number): PlannedRequest {
    const timeline = this.#timeline;
    if (!timeline) throw new Error('other users\' security requests need reference data to follow');
    const ou = this.#index.usersByRole.get('OU') ?? [];
    for (let attempt = 0; attempt < 50; attempt++) {
      const scenario = OTHER_USER_SCENARIOS.pick(prng);
      const srvs = scenario === 'network-credentials' ? ['6.15.1'] : scenario === 'other-user-han' ? ['8.7.2', '8.11'] : scenario === 'previous-supplier' ? ['7.2', '7.2', '7.2', '11.3'] : ['7.2'];
      const u = this.#usable(prng.pick(srvs));
      if (!u) continue;
      const template = prng.pick(u.templates);
      const devices = this.#index.devicesByType.get(template.subjectType!);
      if (!devices || devices.length === 0) continue;
      // Half of the previous suppliers' commands go to a device that changed supplier (if it has by then).
      const changed = scenario === 'previous-supplier' && prng.chance(0.5) ? this.#changedSupplier.get(template.subjectType!) : undefined;
      const device = prng.pick(changed && changed.length > 0 ? changed : devices);
      const base = { entry: u.entry, template, device };
      if (scenario === 'network-credentials') {
        const role: SynthRole = device.type === 'ESME' ? 'ED' : 'GT';
        const originator = timeline.userAt(device, role, t);
        if (originator !== undefined) return { ...base, originator };
      } else if (scenario === 'other-user-han' || scenario === 'other-user-supply') {
        if (ou.length === 0) continue;
        const originator = prng.pick(ou);
        return scenario === 'other-user-han' ? { ...base, originator } : { ...base, originator, rejectCode: 'E2' };
      } else {
        const role: 'IS' | 'GS' = device.byRole.IS && (device.type !== 'GSME' && device.type !== 'GPF') ? 'IS' : 'GS';
        const current = timeline.userAt(device, role, t);
        if (current === undefined) continue;
        const others = (this.#index.usersByRole.get(role) ?? []).filter((id) => id !== current);
        const originator = timeline.previousSupplier(device, role, t) ?? (others.length > 0 ? prng.pick(others) : undefined);
        if (originator !== undefined && originator !== current) return { ...base, originator, rejectCode: 'E4' };
      }
    }
    throw new Error('found no feasible security-relevant request by another user in this world');
  }

  #usable(srv: string): UsableEntry | undefined {
    return this.usable.find((u) => u.entry.serviceReferenceVariant === srv);
  }
}

const ELECTRICITY_ONLY = new Set(['ESME', 'HCALCS']);
const GAS_ONLY = new Set(['GSME', 'GPF']);

/** Whether a User in `role` would address this device: electricity roles not a gas meter, gas roles not an electricity meter. */
function fuelFits(device: DeviceInfo, role: SynthRole): boolean {
  if (role === 'IS' || role === 'ED') return !GAS_ONLY.has(device.type);
  if (role === 'GS' || role === 'GT') return !ELECTRICITY_ONLY.has(device.type);
  return true;
}
