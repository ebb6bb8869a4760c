import type { Eui64 } from '../duis/eui64.js';
import type { MixEntry } from './mix.js';
import { REQUEST_MIX } from './mix.js';
import { type Prng, WeightedChoice } from './prng.js';
import type { SynthRole } from './synth-types.js';
import type { RequestTemplate } from './templates.js';
import type { DeviceInfo, WorldIndex } from './world-index.js';

/** A request decided but not yet rendered. */
export interface PlannedRequest {
  entry: MixEntry;
  template: RequestTemplate;
  /** The target device, or for a non-device request the device its body names. */
  device: DeviceInfo;
  originator: Eui64;
}

/** A mix entry with the templates it can use. */
export interface UsableEntry {
  entry: MixEntry;
  templates: RequestTemplate[];
  roles: ReadonlyArray<readonly [SynthRole, number]>;
}

// CommandVariants whose answer is a device response (1, 4) or a DCC-built response (8). Variants 2, 3 and 7
// return commands for local delivery or signing, which the generator does not model.
const USABLE_COMMAND_VARIANTS = new Set([1, 4, 8]);

/** Chooses SRV, template, subject device and originator for each request. */
export class RequestPicker {
  readonly usable: readonly UsableEntry[];
  readonly #choice: WeightedChoice<UsableEntry>;
  readonly #index: WorldIndex;

  constructor(index: WorldIndex, templates: readonly RequestTemplate[]) {
    this.#index = index;
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

  pick(prng: Prng): PlannedRequest {
    for (let attempt = 0; attempt < 50; attempt++) {
      const u = this.#choice.pick(prng);
      const template = prng.pick(u.templates);
      const device = prng.pick(this.#index.devicesByType.get(template.subjectType!)!);
      // Only roles that exist for the device's premises (an IS for an electricity supply point, ...).
      let total = 0;
      for (const [role, w] of u.roles) if (role === 'OU' || device.byRole[role]) total += w;
      if (total === 0) continue;
      let x = prng.float() * total;
      let role: SynthRole = u.roles[0]![0];
      for (const [r, w] of u.roles) {
        if (r !== 'OU' && !device.byRole[r]) continue;
        role = r;
        if ((x -= w) < 0) break;
      }
      let originator = role === 'OU' ? prng.pick(this.#index.usersByRole.get('OU')!) : device.byRole[role]!;
      if (u.entry.foreignOriginator > 0 && prng.chance(u.entry.foreignOriginator)) {
        const others = this.#index.usersByRole.get(role)!.filter((id) => id !== originator);
        if (others.length > 0) originator = prng.pick(others);
      }
      return { entry: u.entry, template, device, originator };
    }
    throw new Error('the request mix found no feasible (SRV, device, role) combination in this world');
  }
}
