/* The SRV catalogue (GET /api/v1/catalogue/srvs), loaded once per page load. */
import type { SrvSummary } from './api-types.js';
import { request } from './api.js';

let cached: Promise<SrvSummary[]> | undefined;

export function loadCatalogue(): Promise<SrvSummary[]> {
  cached ??= request<{ items: SrvSummary[] }>('/api/v1/catalogue/srvs').then(
    (r) => r.items,
    (err: unknown) => {
      cached = undefined;
      throw err;
    },
  );
  return cached;
}

export const USER_ROLES = ['IS', 'ES', 'GS', 'ED', 'GT', 'OU', 'RSA'] as const;
export const ROLE_NAMES: Record<string, string> = {
  IS: 'Import Supplier',
  ES: 'Export Supplier',
  GS: 'Gas Supplier',
  ED: 'Electricity Distributor',
  GT: 'Gas Transporter',
  OU: 'Other User',
  RSA: 'Registered Supplier Agent',
  none: 'No originator (alerts)',
  unknown: 'Unknown User ID',
};
export const KINDS = ['request', 'acknowledgement', 'response', 'device-alert', 'dcc-alert'] as const;
