/**
 * The one catalogue of srv-visibility errors. Each code is stable (clients and tests match on it), has a
 * default message and an HTTP status hint. `test/errors.test.ts` keeps this table and the classes in sync.
 */
export const ERROR_CATALOGUE = {
  // DUIS parsing: input that is not a DUIS message we can store. The detail names what is wrong.
  DUIS_EMPTY: { status: 400, message: 'empty document' },
  DUIS_TOO_LARGE: { status: 413, message: 'document exceeds the size limit' },
  DUIS_NOT_XML: { status: 400, message: 'not an XML document' },
  DUIS_DTD_FORBIDDEN: { status: 400, message: 'DTDs are not allowed (XXE and entity-expansion protection)' },
  DUIS_ENTITY_FORBIDDEN: { status: 400, message: 'custom entity references are not allowed' },
  DUIS_MALFORMED: { status: 400, message: 'XML is not well-formed' },
  DUIS_WRONG_NAMESPACE: { status: 400, message: 'root element is not in the DUIS namespace' },
  DUIS_UNKNOWN_ROOT: { status: 400, message: 'root element is not a DUIS Request or Response' },
  DUIS_MISSING_FIELD: { status: 400, message: 'a required DUIS element is missing' },
  DUIS_INVALID_FIELD: { status: 400, message: 'a DUIS element has an invalid value' },
  // Ingestion input around the DUIS document.
  INGEST_INVALID_LINE: { status: 400, message: 'NDJSON line is not a {"receivedAt", "xml"} object' },
  INGEST_INVALID_RECEIVED_AT: { status: 400, message: 'receivedAt is not an ISO-8601 date-time' },
  INGEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported Content-Type' },
  // Reference data (parties, devices, links, registrations, certificates).
  REFERENCE_INVALID: { status: 400, message: 'invalid reference data' },
  REFERENCE_UNKNOWN_PARTY: { status: 404, message: 'no such party' },
  // Accounts and API tokens.
  AUTH_INVALID_INPUT: { status: 400, message: 'invalid account or token request' },
  AUTH_CONFLICT: { status: 409, message: 'already exists' },
  AUTH_NOT_FOUND: { status: 404, message: 'no such account or token' },
  AUTH_REQUIRED: { status: 401, message: 'authentication required: send Authorization: Bearer <token> or log in' },
  AUTH_LOGIN_FAILED: { status: 401, message: 'wrong username or password' },
  AUTH_LOCKED: { status: 429, message: 'too many failed logins; try again later' },
  AUTH_FORBIDDEN: { status: 403, message: 'not allowed with these credentials' },
  AUTH_CSRF: { status: 403, message: 'missing or wrong CSRF token' },
  // The HTTP API.
  API_INVALID_PARAMETER: { status: 400, message: 'invalid parameter' },
  API_ACCESS_REASON_REQUIRED: { status: 400, message: 'operator reads need a reason: send X-Access-Reason' },
  API_NOT_FOUND: { status: 404, message: 'not found' },
  API_RATE_LIMITED: { status: 429, message: 'too many requests' },
  // Store.
  STORE_NOT_FOUND: { status: 404, message: 'not found' },
  STORE_UNAVAILABLE: { status: 503, message: 'the message store is unavailable' },
  STORE_INVALID_QUERY: { status: 400, message: 'invalid message query' },
  STORE_FAILED: { status: 500, message: 'the message store failed' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Base class: every error srv-visibility raises on purpose carries a catalogue code. */
export class SrvvError extends Error {
  readonly code: ErrorCode;
  /** HTTP status hint from the catalogue. */
  readonly statusCode: number;
  /** What exactly is wrong, for the caller (e.g. `sr:Header/sr:RequestID: "x" is not originator:target:counter`). */
  readonly detail: string;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = ERROR_CATALOGUE[code];
    super(detail ? `${entry.message}: ${detail}` : entry.message, options);
    this.name = new.target.name;
    this.code = code;
    this.statusCode = entry.status;
    this.detail = detail ?? entry.message;
  }
}

/** Raised by `parseDuis` for input that cannot be stored as a DUIS message. */
export class DuisParseError extends SrvvError {}

/** Raised by ingestion for malformed envelopes around a DUIS document (NDJSON lines, receipt times). */
export class IngestInputError extends SrvvError {}

/** One located problem of a reference document (the same shape as `ReferenceProblem`). */
export interface ErrorProblem {
  path: string;
  message: string;
}

/**
 * Raised when reference data cannot be applied; `problems` names the path of every bad record (a document is
 * applied all-or-nothing, so nothing changed).
 */
export class ReferenceError extends SrvvError {
  readonly problems: ErrorProblem[];

  constructor(code: ErrorCode, problems: ErrorProblem[], detail?: string) {
    const first = problems[0];
    super(code, detail ?? (first ? `${first.path}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}` : undefined));
    this.problems = problems;
  }
}

/** Raised by account and token management (src/auth/). */
export class AuthError extends SrvvError {}

/** Raised by the HTTP layer for requests it refuses (src/http/). */
export class ApiError extends SrvvError {}

/** Raised by the store; driver errors never leave `src/store/`. */
export class StoreError extends SrvvError {}

/** Guard for any srv-visibility error. */
export function isSrvvError(value: unknown): value is SrvvError {
  return value instanceof SrvvError;
}
