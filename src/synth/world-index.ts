import type { Eui64 } from '../duis/eui64.js';
import type { SynthDeviceType, SynthRole, SynthWorld } from './synth-types.js';

/** What the traffic generator needs to know about one device, resolved once. */
export interface DeviceInfo {
  id: Eui64;
  type: SynthDeviceType;
  /** Alert recipient: the device's supplier. */
  supplier: Eui64;
  /** The first Network Operator holding a certificate, else the premises' ED or GT. */
  networkOperator: Eui64;
  /** The User ID that would originate a request in each role for this device's premises, when there is one. */
  byRole: Partial<Record<SynthRole, Eui64>>;
}

/** Lookups over a world: devices by type, users by role. */
export interface WorldIndex {
  devicesByType: Map<SynthDeviceType, DeviceInfo[]>;
  usersByRole: Map<SynthRole, Eui64[]>;
  devices: DeviceInfo[];
}

const cache = new WeakMap<SynthWorld, WorldIndex>();

export function indexWorld(world: SynthWorld): WorldIndex {
  const hit = cache.get(world);
  if (hit) return hit;
  const usersByRole = new Map<SynthRole, Eui64[]>();
  for (const u of world.users) pushTo(usersByRole, u.role, u.userId);
  const points = new Map(world.supplyPoints.map((sp) => [sp.mpxn, sp]));
  const premises = new Map(world.premises.map((p) => [p.premisesId, p]));
  const devices: DeviceInfo[] = world.devices.map((d) => {
    const home = premises.get(d.premisesId);
    const elec = home?.mpan ? points.get(home.mpan) : undefined;
    const gas = home?.mprn ? points.get(home.mprn) : undefined;
    const byRole: DeviceInfo['byRole'] = {};
    if (elec) Object.assign(byRole, { IS: elec.supplierUserId, ED: elec.networkOperatorUserId });
    if (gas) Object.assign(byRole, { GS: gas.supplierUserId, GT: gas.networkOperatorUserId });
    const networkOperator = d.networkOperatorUserIds[0] ?? byRole.ED ?? byRole.GT ?? d.supplierUserId;
    return { id: d.deviceId, type: d.deviceType, supplier: d.supplierUserId, networkOperator, byRole };
  });
  const devicesByType = new Map<SynthDeviceType, DeviceInfo[]>();
  for (const d of devices) pushTo(devicesByType, d.type, d);
  const index = { devicesByType, usersByRole, devices };
  cache.set(world, index);
  return index;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
