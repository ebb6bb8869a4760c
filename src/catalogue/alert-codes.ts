/**
 * Alert codes: GBCS device alert codes (`DeviceAlertMessage/AlertCode`, four hex digits such as `8F66`)
 * and DUIS DCC alert codes (`DCCAlertMessage/DCCAlertCode`, such as `N24`). Data: `alert-codes.json`.
 *
 * The lists hold only meanings a public source gives (docs/catalogue.md). A miss returns `undefined`:
 * callers store and show unknown codes raw, never drop them.
 */
import alertCodesJson from './alert-codes.json' with { type: 'json' };

/** `documented`: a source states the meaning. `inferred`: deduced from public samples; treat with care. */
export const MEANING_BASES = ['documented', 'inferred'] as const;
export type MeaningBasis = (typeof MEANING_BASES)[number];

export interface AlertCodeEntry {
  /** Canonical code: upper-case hex without `0x` for device alerts (`8F66`), upper case for DCC alerts (`N24`). */
  readonly code: string;
  readonly meaning: string;
  /** Key into the `sources` of alert-codes.json. */
  readonly source: string;
  readonly basis: MeaningBasis;
}

function load(rows: unknown, sources: Record<string, string>, codeFormat: RegExp, what: string): Map<string, AlertCodeEntry> {
  const map = new Map<string, AlertCodeEntry>();
  for (const r of rows as Record<string, unknown>[]) {
    const { code, meaning, source, basis } = r;
    const ok =
      typeof code === 'string' &&
      codeFormat.test(code) &&
      !map.has(code) &&
      typeof meaning === 'string' &&
      meaning.length > 0 &&
      typeof source === 'string' &&
      source in sources &&
      (MEANING_BASES as readonly unknown[]).includes(basis);
    if (!ok) throw new Error(`alert-codes.json: bad or duplicate ${what} ${JSON.stringify(r)}`);
    map.set(code, Object.freeze({ code, meaning, source, basis: basis as MeaningBasis }));
  }
  return map;
}

const DEVICE_CODE = /^[0-9A-F]{4}$/;
const DCC_CODE = /^[A-Z]+\d+$/;
const DEVICE = load(alertCodesJson.deviceAlertCodes, alertCodesJson.sources, DEVICE_CODE, 'device alert code');
const DCC = load(alertCodesJson.dccAlertCodes, alertCodesJson.sources, DCC_CODE, 'DCC alert code');

/**
 * Canonical device alert code: trimmed, `0x` prefix removed, upper case; `undefined` unless four hex digits.
 * `'0x8f66'` -> `'8F66'`.
 */
export function normaliseDeviceAlertCode(code: string): string | undefined {
  if (typeof code !== 'string') return undefined;
  const c = code.trim().replace(/^0x/i, '').toUpperCase();
  return DEVICE_CODE.test(c) ? c : undefined;
}

/** The GBCS device alert code entry (`8F66`, `8f66` or `0x8F66`), or `undefined`. */
export function lookupDeviceAlertCode(hex: string): AlertCodeEntry | undefined {
  const c = normaliseDeviceAlertCode(hex);
  return c === undefined ? undefined : DEVICE.get(c);
}

/** The DCC alert code entry (`N24`, trimmed, any case), or `undefined`. */
export function lookupDccAlertCode(code: string): AlertCodeEntry | undefined {
  return typeof code === 'string' ? DCC.get(code.trim().toUpperCase()) : undefined;
}

/** Every catalogued device alert code, by numeric value. */
export function listDeviceAlertCodes(): AlertCodeEntry[] {
  return [...DEVICE.values()];
}

/** Every catalogued DCC alert code. */
export function listDccAlertCodes(): AlertCodeEntry[] {
  return [...DCC.values()];
}
