import { sql, type RawBuilder } from 'kysely';
import { listSrvs } from '../catalogue/index.js';
import type { MessageQuery } from './message-store.js';
import type { RowFilter } from './message-sources.js';

/*
 * The catalogue's row filters `securityRelevant` and `critical`: a message matches when the SRV it names
 * (`messages.srv`: a request's ServiceReferenceVariant, or the one a response body names) is flagged so in the
 * SRV catalogue, exactly the item fields `securityRelevant` / `critical` of the API views. Messages naming no
 * SRV (alerts, most acknowledgements) and SRVs the catalogue does not know never match. `false` (like an
 * absent flag, and like `othersOnly=false`) does not restrict.
 */

const SECURITY_RELEVANT: readonly string[] = listSrvs().filter((e) => e.securityRelevant).map((e) => e.variant);
const CRITICAL: readonly string[] = listSrvs().filter((e) => e.critical).map((e) => e.variant);

/** `filter` narrowed by the query's catalogue flags (the same filter when neither is set). */
export function withCatalogueFilters(filter: RowFilter, query: Pick<MessageQuery, 'securityRelevant' | 'critical'>): RowFilter {
  const extra: RawBuilder<unknown>[] = [];
  if (query.securityRelevant === true) extra.push(srvIn(SECURITY_RELEVANT));
  if (query.critical === true) extra.push(srvIn(CRITICAL));
  if (extra.length === 0) return filter;
  return { conditions: (time, id) => [...filter.conditions(time, id), ...extra], timeRange: (time) => filter.timeRange(time) };
}

function srvIn(variants: readonly string[]): RawBuilder<unknown> {
  return sql`m.srv in (${sql.join([...variants])})`;
}
