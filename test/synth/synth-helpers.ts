import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TrafficRecord } from '../../src/synth/index.js';

/** What the tests read from a generated document, by regular expressions (independent of the parser). */
export interface Classified {
  kind: 'request' | 'acknowledgement' | 'response' | 'device-alert' | 'dcc-alert';
  requestId: string | null;
  responseId: string | null;
  responseCode: string | null;
  responseDateTime: string | null;
  commandVariant: number | null;
  srv: string | null;
}

const text = (xml: string, el: string): string | null => {
  const m = new RegExp(`<sr:${el}>([^<]*)</sr:${el}>`).exec(xml);
  return m ? m[1]! : null;
};

export function classify(xml: string): Classified {
  const isRequest = xml.includes('<sr:Request ');
  const responseId = text(xml, 'ResponseID');
  const kind: Classified['kind'] = isRequest
    ? 'request'
    : xml.includes('<sr:DeviceAlertMessage>')
      ? 'device-alert'
      : xml.includes('<sr:DCCAlertMessage>')
        ? 'dcc-alert'
        : responseId
          ? 'response'
          : 'acknowledgement';
  const cv = text(xml, 'CommandVariant');
  return {
    kind,
    requestId: text(xml, 'RequestID'),
    responseId,
    responseCode: text(xml, 'ResponseCode'),
    responseDateTime: text(xml, 'ResponseDateTime'),
    commandVariant: cv === null ? null : Number(cv),
    srv: text(xml, 'ServiceReferenceVariant'),
  };
}

export function classifyAll(records: readonly TrafficRecord[]): Array<Classified & TrafficRecord> {
  return records.map((r) => ({ ...r, ...classify(r.xml) }));
}

/** Eligible User Roles per SRV from the DUIS request matrix shipped in @smartdcc/duis-parser (a devDependency). */
export function eligibleRoles(): Map<string, string[]> {
  const path = createRequire(import.meta.url).resolve('@smartdcc/duis-parser/dist/duis-request-matrix.json');
  const rows = JSON.parse(readFileSync(path, 'utf8')) as Array<{ 'Service Reference Variant': string; 'Eligible User Roles': string[] }>;
  return new Map(rows.map((r) => [r['Service Reference Variant'], r['Eligible User Roles']]));
}

export const EUI64 = /^[0-9A-F]{2}(?:-[0-9A-F]{2}){7}$/;
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
