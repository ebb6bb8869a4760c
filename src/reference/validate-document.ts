import { normaliseEui64 } from '../duis/eui64.js';
import type { Eui64 } from '../duis/eui64.js';
import { formatIsoInstant, parseIsoInstant } from './iso-instant.js';
import { DEVICE_TYPES, REFERENCE_SECTIONS, REGISTRATION_ROLES, USER_ROLES } from './reference-document.js';
import type {
  CertificateHistory,
  DeviceRecord,
  LinkHistory,
  PartyRecord,
  Period,
  ReferenceDocument,
  ReferenceProblem,
  ReferenceValidation,
  RegistrationHistory,
  UserIdEntry,
} from './reference-document.js';

/** Problems reported at most; a document that is wrong everywhere needs fixing at the source, not a longer list. */
export const MAX_REFERENCE_PROBLEMS = 1000;
/** Message of the final problem (path `''`) added when more than {@link MAX_REFERENCE_PROBLEMS} were found. */
export const OMITTED_PROBLEMS_MESSAGE = `more than ${MAX_REFERENCE_PROBLEMS} problems: the rest were omitted`;

const PARTY_ID = /^[A-Za-z0-9_.-]+$/;
const MPAN = /^[0-9]{13}$/;
const MPRN = /^[0-9]{6,10}$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Thrown to stop walking the document once the cap is reached: a huge broken import should not cost a full pass.
const TOO_MANY = Symbol('too many problems');

class Problems {
  readonly list: ReferenceProblem[] = [];
  truncated = false;

  add(path: string, message: string): void {
    if (this.list.length >= MAX_REFERENCE_PROBLEMS) {
      this.truncated = true;
      throw TOO_MANY;
    }
    this.list.push({ path, message });
  }
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base.key`, or `base["odd key"]` when the key is not an identifier, so every path reads as JavaScript. */
function member(base: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** The record's fields, after reporting unknown keys (typos such as `form` would otherwise be silently dropped). */
function readRecord(value: unknown, path: string, keys: readonly string[], problems: Problems): Fields | undefined {
  if (!isObject(value)) {
    problems.add(path, 'must be an object');
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) problems.add(member(path, key), `unknown field; expected ${keys.join(', ')}`);
  }
  return value;
}

function readArray(value: unknown, path: string, problems: Problems): unknown[] | undefined {
  if (value === undefined) problems.add(path, 'required');
  else if (!Array.isArray(value)) problems.add(path, 'must be an array');
  else return value;
  return undefined;
}

function readPartyId(value: unknown, path: string, problems: Problems): string | undefined {
  if (value === undefined) problems.add(path, 'required');
  else if (typeof value !== 'string') problems.add(path, 'must be a string');
  else if (value === '') problems.add(path, 'must not be empty');
  else if (value.length > 64) problems.add(path, 'must be at most 64 characters');
  else if (!PARTY_ID.test(value)) problems.add(path, "may contain only letters, digits, '_', '.' and '-'");
  else return value;
  return undefined;
}

function readEui64(value: unknown, path: string, problems: Problems): Eui64 | undefined {
  if (value === undefined) {
    problems.add(path, 'required');
    return undefined;
  }
  const id = typeof value === 'string' ? normaliseEui64(value) : undefined;
  if (id === undefined) problems.add(path, 'not an EUI-64 (e.g. 90-B3-D5-1F-30-01-00-00)');
  return id;
}

function readOneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, problems: Problems): T | undefined {
  if (value === undefined) problems.add(path, 'required');
  else if (!allowed.includes(value as T)) problems.add(path, `must be one of ${allowed.join(', ')}`);
  else return value as T;
  return undefined;
}

function readMpxn(value: unknown, path: string, problems: Problems): string | undefined {
  if (value === undefined) problems.add(path, 'required');
  else if (typeof value !== 'string' || !(MPAN.test(value) || MPRN.test(value))) {
    problems.add(path, 'must be a string of digits: an MPAN (13 digits) or an MPRN (6 to 10 digits)');
  } else return value;
  return undefined;
}

function readInstant(value: unknown, path: string, problems: Problems): number | undefined {
  if (value === undefined) {
    problems.add(path, 'required');
    return undefined;
  }
  const ms = parseIsoInstant(value);
  if (ms === undefined) problems.add(path, 'not an ISO-8601 date-time with a time zone (e.g. 2024-01-01T00:00:00Z)');
  return ms;
}

function describePeriod(period: Period): string {
  return period.to === null ? `${formatIsoInstant(period.from)} onwards` : `${formatIsoInstant(period.from)} to ${formatIsoInstant(period.to)}`;
}

type Indexed<T> = T & { index: number };

/**
 * Reads a history's periods; `readOwn` reads the fields besides `from` and `to`. Returns the valid periods with
 * their input index, because overlap problems must name positions in the document as written, not as sorted.
 */
function readHistory<T extends object>(
  value: unknown,
  path: string,
  ownKeys: readonly string[],
  readOwn: (fields: Fields, path: string) => T | undefined,
  problems: Problems,
): Indexed<T & Period>[] {
  const items = readArray(value, path, problems) ?? [];
  const periods: Indexed<T & Period>[] = [];
  items.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    const fields = readRecord(item, itemPath, [...ownKeys, 'from', 'to'], problems);
    if (fields === undefined) return;
    const own = readOwn(fields, itemPath);
    const from = readInstant(fields.from, `${itemPath}.from`, problems);
    let to: number | null | undefined = null;
    if (fields.to !== undefined && fields.to !== null) to = readInstant(fields.to, `${itemPath}.to`, problems);
    if (from !== undefined && to !== undefined && to !== null && to <= from) {
      problems.add(`${itemPath}.to`, `must be after from (${formatIsoInstant(from)})`);
      return;
    }
    if (own !== undefined && from !== undefined && to !== undefined) periods.push({ ...own, from, to, index });
  });
  return periods;
}

/** Reports every period that starts before an earlier-starting one has ended; half-open, so touching is fine. */
function checkOverlaps(periods: readonly Indexed<Period>[], path: string, problems: Problems): void {
  const sorted = [...periods].sort((a, b) => a.from - b.from || a.index - b.index);
  // Of the periods seen so far, the one reaching furthest: a later start overlaps something iff it starts before that end.
  let reach: Indexed<Period> | undefined;
  for (const period of sorted) {
    if (reach !== undefined && (reach.to === null || period.from < reach.to)) {
      problems.add(`${path}[${period.index}]`, `overlaps history[${reach.index}] (${describePeriod(reach)})`);
    }
    if (reach === undefined || (reach.to !== null && (period.to === null || period.to > reach.to))) reach = period;
  }
}

/** Periods in time order, stripped of the bookkeeping index. */
function sortedPeriods<T extends Period>(periods: readonly Indexed<T>[]): T[] {
  return [...periods].sort((a, b) => a.from - b.from).map(({ index: _index, ...period }) => period as unknown as T);
}

/** Remembers the first path of each key, so a duplicate can name where the original is. */
class FirstSeen<K> {
  readonly #paths = new Map<K, string>();

  /** The path of an earlier entry with the same key, or `undefined` (and remembers this one). */
  check(key: K, path: string): string | undefined {
    const first = this.#paths.get(key);
    if (first === undefined) this.#paths.set(key, path);
    return first;
  }
}

function validateParties(items: unknown[], problems: Problems): PartyRecord[] {
  const ids = new FirstSeen<string>();
  const userIds = new FirstSeen<Eui64>();
  const parties: PartyRecord[] = [];
  items.forEach((item, i) => {
    const path = `parties[${i}]`;
    const fields = readRecord(item, path, ['id', 'name', 'operator', 'userIds'], problems);
    if (fields === undefined) return;
    const id = readPartyId(fields.id, `${path}.id`, problems);
    const first = id === undefined ? undefined : ids.check(id, path);
    if (first !== undefined) problems.add(`${path}.id`, `duplicate: ${first} has the same id`);

    const name = fields.name;
    if (name === undefined) problems.add(`${path}.name`, 'required');
    else if (typeof name !== 'string') problems.add(`${path}.name`, 'must be a string');
    else if (name.trim() === '') problems.add(`${path}.name`, 'must not be empty');
    else if (name.length > 200) problems.add(`${path}.name`, 'must be at most 200 characters');

    const operator = fields.operator === undefined ? false : fields.operator;
    if (typeof operator !== 'boolean') problems.add(`${path}.operator`, 'must be true or false');

    const entries: UserIdEntry[] = [];
    const list = fields.userIds === undefined ? [] : (readArray(fields.userIds, `${path}.userIds`, problems) ?? []);
    list.forEach((entry, j) => {
      const entryPath = `${path}.userIds[${j}]`;
      const entryFields = readRecord(entry, entryPath, ['userId', 'role'], problems);
      if (entryFields === undefined) return;
      const userId = readEui64(entryFields.userId, `${entryPath}.userId`, problems);
      const role = readOneOf(entryFields.role, USER_ROLES, `${entryPath}.role`, problems);
      const holder = userId === undefined ? undefined : userIds.check(userId, entryPath);
      if (holder !== undefined) problems.add(`${entryPath}.userId`, `User ID already listed at ${holder}`);
      if (userId !== undefined && role !== undefined) entries.push({ userId, role });
    });
    parties.push({ id: id ?? '', name: typeof name === 'string' ? name : '', operator: operator === true, userIds: entries });
  });
  return parties;
}

function validateDevices(items: unknown[], problems: Problems): DeviceRecord[] {
  const seen = new FirstSeen<Eui64>();
  const devices: DeviceRecord[] = [];
  items.forEach((item, i) => {
    const path = `devices[${i}]`;
    const fields = readRecord(item, path, ['deviceId', 'type'], problems);
    if (fields === undefined) return;
    const deviceId = readEui64(fields.deviceId, `${path}.deviceId`, problems);
    const type = readOneOf(fields.type, DEVICE_TYPES, `${path}.type`, problems);
    const first = deviceId === undefined ? undefined : seen.check(deviceId, path);
    if (first !== undefined) problems.add(`${path}.deviceId`, `duplicate: ${first} has the same deviceId`);
    if (deviceId !== undefined && type !== undefined) devices.push({ deviceId, type });
  });
  return devices;
}

function validateLinks(items: unknown[], problems: Problems): LinkHistory[] {
  const seen = new FirstSeen<Eui64>();
  const links: LinkHistory[] = [];
  items.forEach((item, i) => {
    const path = `links[${i}]`;
    const fields = readRecord(item, path, ['deviceId', 'history'], problems);
    if (fields === undefined) return;
    const deviceId = readEui64(fields.deviceId, `${path}.deviceId`, problems);
    const first = deviceId === undefined ? undefined : seen.check(deviceId, path);
    if (first !== undefined) problems.add(`${path}.deviceId`, `duplicate: ${first} has the same deviceId`);
    const history = readHistory(fields.history, `${path}.history`, ['mpxn'], (own, p) => {
      const mpxn = readMpxn(own.mpxn, `${p}.mpxn`, problems);
      return mpxn === undefined ? undefined : { mpxn };
    }, problems);
    // A device may be linked to several supply points at once (a CHF to its MPAN and MPRN), never twice to one.
    const byMpxn = new Map<string, Indexed<Period>[]>();
    for (const period of history) {
      const group = byMpxn.get(period.mpxn);
      if (group === undefined) byMpxn.set(period.mpxn, [period]);
      else group.push(period);
    }
    for (const periods of byMpxn.values()) checkOverlaps(periods, `${path}.history`, problems);
    links.push({ deviceId: deviceId ?? '', history: sortedPeriods(history) });
  });
  return links;
}

function readPartyPeriod(problems: Problems) {
  return (own: Fields, path: string): { partyId: string } | undefined => {
    const partyId = readPartyId(own.partyId, `${path}.partyId`, problems);
    return partyId === undefined ? undefined : { partyId };
  };
}

function validateRegistrations(items: unknown[], problems: Problems): RegistrationHistory[] {
  const seen = new FirstSeen<string>();
  const registrations: RegistrationHistory[] = [];
  items.forEach((item, i) => {
    const path = `registrations[${i}]`;
    const fields = readRecord(item, path, ['mpxn', 'role', 'history'], problems);
    if (fields === undefined) return;
    const mpxn = readMpxn(fields.mpxn, `${path}.mpxn`, problems);
    const role = readOneOf(fields.role, REGISTRATION_ROLES, `${path}.role`, problems);
    if (mpxn !== undefined && role !== undefined) {
      const isMpan = MPAN.test(mpxn);
      if ((role === 'IS' || role === 'ED') && !isMpan) problems.add(`${path}.role`, `${role} needs an MPAN (13 digits), but mpxn is an MPRN`);
      if ((role === 'GS' || role === 'GT') && isMpan) problems.add(`${path}.role`, `${role} needs an MPRN (6 to 10 digits), but mpxn is an MPAN`);
      const first = seen.check(`${mpxn} ${role}`, path);
      if (first !== undefined) problems.add(path, `duplicate: ${first} has the same mpxn and role`);
    }
    const history = readHistory(fields.history, `${path}.history`, ['partyId'], readPartyPeriod(problems), problems);
    // One party holds a role for a supply point at a time.
    checkOverlaps(history, `${path}.history`, problems);
    registrations.push({ mpxn: mpxn ?? '', role: role ?? 'IS', history: sortedPeriods(history) });
  });
  return registrations;
}

function validateCertificates(items: unknown[], problems: Problems): CertificateHistory[] {
  const seen = new FirstSeen<Eui64>();
  const certificates: CertificateHistory[] = [];
  items.forEach((item, i) => {
    const path = `certificates[${i}]`;
    const fields = readRecord(item, path, ['deviceId', 'history'], problems);
    if (fields === undefined) return;
    const deviceId = readEui64(fields.deviceId, `${path}.deviceId`, problems);
    const first = deviceId === undefined ? undefined : seen.check(deviceId, path);
    if (first !== undefined) problems.add(`${path}.deviceId`, `duplicate: ${first} has the same deviceId`);
    const history = readHistory(fields.history, `${path}.history`, ['partyId'], readPartyPeriod(problems), problems);
    // A device has one Network Operator slot.
    checkOverlaps(history, `${path}.history`, problems);
    certificates.push({ deviceId: deviceId ?? '', history: sortedPeriods(history) });
  });
  return certificates;
}

function walk(input: unknown, problems: Problems): ReferenceDocument | undefined {
  if (!isObject(input)) {
    problems.add('', 'must be a JSON object');
    return undefined;
  }
  for (const key of Object.keys(input)) {
    if (!(REFERENCE_SECTIONS as readonly string[]).includes(key)) {
      problems.add(member('', key), `unknown section; expected ${REFERENCE_SECTIONS.join(', ')}`);
    }
  }
  const section = (name: string): unknown[] => {
    const value = input[name];
    if (value === undefined) return [];
    return readArray(value, name, problems) ?? [];
  };
  return {
    parties: validateParties(section('parties'), problems),
    devices: validateDevices(section('devices'), problems),
    links: validateLinks(section('links'), problems),
    registrations: validateRegistrations(section('registrations'), problems),
    certificates: validateCertificates(section('certificates'), problems),
  };
}

/**
 * Checks a parsed reference-data document (JSON, or built from CSV) and returns it normalised: every section
 * present, EUI-64s canonical, times in epoch ms, histories sorted. Reports every problem at once (up to
 * {@link MAX_REFERENCE_PROBLEMS}) so a large import is fixed in one round trip rather than one error at a time.
 * Whether each `partyId` exists is left to the store, which also sees the parties already stored.
 */
export function validateReferenceDocument(input: unknown): ReferenceValidation {
  const problems = new Problems();
  let document: ReferenceDocument | undefined;
  try {
    document = walk(input, problems);
  } catch (err) {
    if (err !== TOO_MANY) throw err;
  }
  if (problems.list.length === 0 && document !== undefined) return { ok: true, document };
  const errors = [...problems.list];
  if (problems.truncated) errors.push({ path: '', message: OMITTED_PROBLEMS_MESSAGE });
  return { ok: false, errors };
}
