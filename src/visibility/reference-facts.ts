import type { Kysely } from 'kysely';
import type { Db } from '../store/db-schema.js';
import { keyText, paddedChunks } from '../store/sql-helpers.js';
import type { LinkPeriod, Period } from '../reference/reference-document.js';
import { SUPPLIER_REGISTRATION_ROLES } from '../reference/reference-document.js';
import type { Viewer } from './viewer.js';

/** A Responsible Supplier registration period of the viewer on an MPxN. */
export interface SupplyPeriod extends Period {
  role: 'IS' | 'GS';
}

/**
 * The reference data rules 2 and 3 need for some devices, from the viewer's side: every link of each device,
 * the viewer's IS / GS registrations on the MPxNs those links name, and the viewer's certificates on the
 * devices. Loaded lazily per device and kept for one listing (a long scan meets the same devices again), so
 * a page costs a few IN-list queries whatever its length; never shared between listings, so a reference
 * correction is seen by the next query.
 */
export class ReferenceFacts {
  readonly links = new Map<bigint, LinkPeriod[]>();
  readonly supply = new Map<string, SupplyPeriod[]>();
  readonly certificates = new Map<bigint, Period[]>();
  readonly #db: Kysely<Db>;
  readonly #viewer: Viewer;

  constructor(db: Kysely<Db>, viewer: Viewer) {
    this.#db = db;
    this.#viewer = viewer;
  }

  /** Loads what is missing for `devices`. */
  async ensure(devices: Iterable<bigint>): Promise<void> {
    const missing = [...new Set(devices)].filter((d) => !this.links.has(d));
    if (missing.length === 0) return;
    for (const d of missing) {
      this.links.set(d, []);
      this.certificates.set(d, []);
    }
    // Links and the viewer's registrations on their MPxNs in one round trip: a link row repeats once per
    // matching registration (the sets are rebuilt without repeats), and MPxNs whose registrations an earlier
    // call loaded keep them.
    const fresh = new Map<string, Map<string, SupplyPeriod>>();
    for (const group of paddedChunks(missing)) {
      const rows = await this.#db
        .selectFrom('device_links as l')
        .leftJoin('registrations as r', (join) =>
          join
            .onRef('r.mpxn', '=', 'l.mpxn')
            .on('r.party_id', '=', this.#viewer.partyId)
            .on('r.role', 'in', [...SUPPLIER_REGISTRATION_ROLES]),
        )
        .select([keyText('l.device').as('device'), 'l.mpxn', 'l.valid_from', 'l.valid_to', 'r.role', 'r.valid_from as r_from', 'r.valid_to as r_to'])
        .where('l.device', 'in', group)
        .execute();
      const seenLinks = new Set<string>();
      for (const r of rows) {
        const link = `${r.device}|${r.mpxn}|${r.valid_from}`;
        if (!seenLinks.has(link)) {
          seenLinks.add(link);
          this.links.get(BigInt(r.device))!.push({ mpxn: r.mpxn, from: Number(r.valid_from), to: toMs(r.valid_to) });
        }
        if (this.supply.has(r.mpxn) && !fresh.has(r.mpxn)) continue;
        let regs = fresh.get(r.mpxn);
        if (!regs) fresh.set(r.mpxn, (regs = new Map()));
        if (r.role !== null && r.r_from !== null) {
          regs.set(`${r.role}|${r.r_from}`, { role: r.role as SupplyPeriod['role'], from: Number(r.r_from), to: toMs(r.r_to) });
        }
      }
      if (this.#viewer.networkOperatorUser) {
        const certs = await this.#db
          .selectFrom('certificates')
          .select([keyText('device').as('device'), 'valid_from', 'valid_to'])
          .where('party_id', '=', this.#viewer.partyId)
          .where('device', 'in', group)
          .execute();
        for (const c of certs) this.certificates.get(BigInt(c.device))!.push({ from: Number(c.valid_from), to: toMs(c.valid_to) });
      }
    }
    for (const [mpxn, regs] of fresh) this.supply.set(mpxn, [...regs.values()]);
  }
}

function toMs(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Whether `t` lies in the half-open period. */
export function within(period: Period, t: number): boolean {
  return period.from <= t && (period.to === null || t < period.to);
}
