/**
 * DUIS Response Codes (`ResponseCode` in every response header): the known ones with their meaning, and
 * a classifier that also handles codes nobody has catalogued. Data: `response-codes.json`.
 *
 * Thread status (pending / acknowledged / rejected / responded-success / responded-error) is computed
 * elsewhere from `classifyResponseCode` and the message kind: an acknowledgement classified `error` is a
 * rejected request. Note that `I99` is also the final answer to a successful non-device request that
 * returns no data (CommandVariant 8), so an `acknowledged` non-device thread may be complete.
 */
import responseCodesJson from './response-codes.json' with { type: 'json' };

/** Outcome class of a response code. `unknown`: not recognised; show the raw code. */
export const RESPONSE_OUTCOMES = ['success', 'acknowledged', 'error', 'warning', 'unknown'] as const;
export type ResponseOutcome = (typeof RESPONSE_OUTCOMES)[number];

/** The family a known code belongs to, from its DUIS title. */
export const RESPONSE_CODE_GROUPS = [
  'success',
  'acknowledgement',
  'authorisation',
  'validation',
  'communications',
  'timeout',
] as const;
export type ResponseCodeGroup = (typeof RESPONSE_CODE_GROUPS)[number];

export interface ResponseCodeEntry {
  /** The code as DUIS writes it: `I0`, `I99`, `E4`. */
  readonly code: string;
  /** DUIS title, e.g. `Failed Authorisation - Invalid Device Status`. */
  readonly name: string;
  /** Plain-words meaning. */
  readonly meaning: string;
  readonly outcome: ResponseOutcome;
  readonly group: ResponseCodeGroup;
}

const isOutcome = (v: unknown): v is ResponseOutcome => (RESPONSE_OUTCOMES as readonly unknown[]).includes(v);
const isGroup = (v: unknown): v is ResponseCodeGroup => (RESPONSE_CODE_GROUPS as readonly unknown[]).includes(v);

function load(json: { outcomes: unknown; groups: unknown; codes: unknown }): Map<string, ResponseCodeEntry> {
  const same = (a: unknown, b: readonly string[]) => Array.isArray(a) && a.join() === b.join();
  if (!same(json.outcomes, RESPONSE_OUTCOMES) || !same(json.groups, RESPONSE_CODE_GROUPS)) {
    throw new Error('response-codes.json: outcome or group list differs from response-codes.ts');
  }
  const map = new Map<string, ResponseCodeEntry>();
  for (const c of json.codes as Record<string, unknown>[]) {
    const { code, name, meaning, outcome, group } = c;
    if (typeof code !== 'string' || !/^[A-Z]\d+$/.test(code) || map.has(code) || typeof name !== 'string') {
      throw new Error(`response-codes.json: bad or duplicate code ${JSON.stringify(c)}`);
    }
    if (typeof meaning !== 'string' || !isOutcome(outcome) || !isGroup(group)) {
      throw new Error(`response-codes.json: bad entry ${code}`);
    }
    map.set(code, Object.freeze({ code, name, meaning, outcome, group }));
  }
  return map;
}

const BY_CODE = load(responseCodesJson);

/** Canonical form for look-ups: trimmed, upper case (`' i0 '` -> `I0`). */
function normalise(code: unknown): string | undefined {
  return typeof code === 'string' ? code.trim().toUpperCase() : undefined;
}

/** The catalogued entry for a response code, or `undefined` (unknown codes are kept raw by callers). */
export function lookupResponseCode(code: string): ResponseCodeEntry | undefined {
  const c = normalise(code);
  return c === undefined ? undefined : BY_CODE.get(c);
}

/** Every catalogued response code. */
export function listResponseCodes(): ResponseCodeEntry[] {
  return [...BY_CODE.values()];
}

/**
 * The outcome class of any response code, catalogued or not. Never throws.
 * - catalogued codes: their outcome (`I0` success, `I99` acknowledged, `E…` error);
 * - any other `E` + digits (DUIS error codes we have no meaning for, and SRV-specific ones such as
 *   `E120201`): `error`;
 * - `W` + digits: `warning` (no public W code is known: the class is kept so that one, should it
 *   appear, reads neither as success nor as error);
 * - everything else, including uncatalogued `I` codes, N-codes (those are DCC alert codes, not response
 *   codes), blanks and non-strings: `unknown`. An unknown `I` code is not assumed to be a success: a thread
 *   must not read as completed on a code we cannot interpret.
 */
export function classifyResponseCode(code: string): ResponseOutcome {
  const c = normalise(code);
  if (c === undefined || c === '') return 'unknown';
  const known = BY_CODE.get(c);
  if (known) return known.outcome;
  if (/^E\d/.test(c)) return 'error';
  if (/^W\d/.test(c)) return 'warning';
  return 'unknown';
}
