import type { Kysely } from 'kysely';
import type { Db } from '../store/db-schema.js';
import { chunked, keyText } from '../store/sql-helpers.js';
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
    const mpxns = new Set<string>();
    for (const group of chunked(missing)) {
      const rows = await this.#db
        .selectFrom('device_links')
        .select([keyText('device').as('device'), 'mpxn', 'valid_from', 'valid_to'])
        .where('device', 'in', group)
        .execute();
      for (const r of rows) {
        this.links.get(BigInt(r.device))!.push({ mpxn: r.mpxn, from: Number(r.valid_from), to: toMs(r.valid_to) });
        if (!this.supply.has(r.mpxn)) mpxns.add(r.mpxn);
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
    for (const m of mpxns) this.supply.set(m, []);
    for (const group of chunked([...mpxns])) {
      const regs = await this.#db
        .selectFrom('registrations')
        .select(['mpxn', 'role', 'valid_from', 'valid_to'])
        .where('party_id', '=', this.#viewer.partyId)
        .where('role', 'in', [...SUPPLIER_REGISTRATION_ROLES])
        .where('mpxn', 'in', group)
        .execute();
      for (const r of regs) {
        this.supply.get(r.mpxn)!.push({ role: r.role as SupplyPeriod['role'], from: Number(r.valid_from), to: toMs(r.valid_to) });
      }
    }
  }
}

function toMs(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Whether `t` lies in the half-open period. */
export function within(period: Period, t: number): boolean {
  return period.from <= t && (period.to === null || t < period.to);
}
