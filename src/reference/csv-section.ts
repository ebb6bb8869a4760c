import { Buffer } from 'node:buffer';
import { CsvError, parse } from 'csv-parse/sync';
import { normaliseEui64 } from '../duis/eui64.js';
import type { ReferenceProblem, ReferenceSection, ReferenceValidation } from './reference-document.js';
import { MAX_REFERENCE_PROBLEMS, OMITTED_PROBLEMS_MESSAGE, validateReferenceDocument } from './validate-document.js';

/** The columns of each section's CSV, in the order the templates write them (files may use any order). */
export const REFERENCE_CSV_COLUMNS: Readonly<Record<ReferenceSection, readonly string[]>> = {
  parties: ['id', 'name', 'operator', 'userId', 'role'],
  devices: ['deviceId', 'type'],
  links: ['deviceId', 'mpxn', 'from', 'to'],
  registrations: ['mpxn', 'role', 'partyId', 'from', 'to'],
  certificates: ['deviceId', 'partyId', 'from', 'to'],
};

interface CsvRow {
  /** 1-based line of the file where the row starts (a quoted field may span lines). */
  line: number;
  values: Record<string, string>;
}

/** Where each entry of the built section came from, to turn document paths back into lines. */
interface BuiltSection {
  entries: unknown[];
  /** First line of each entry's group. */
  entryLines: number[];
  /** Line of each history period (or, for parties, each User ID) of each entry. */
  childLines: number[][];
  problems: ReferenceProblem[];
}

/** 1-based line numbers for byte offsets; a line ends at CRLF, LF or a lone CR. */
function lineLocator(bytes: Buffer): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    if (b === 0x0d || b === 0x0a) starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

const MALFORMED: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field starting in this row is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected character after a closing quote',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double the quotes inside it)',
};

/**
 * Splits the text into rows with their starting lines. csv-parse's own line counter counts a CRLF inside a
 * quoted field as two lines, so lines are located from the byte offset where each record ends instead.
 */
function readRows(text: string): { rows: string[][]; lines: number[] } | ReferenceProblem {
  const bytes = Buffer.from(text.startsWith('\uFEFF') ? text.slice(1) : text, 'utf8');
  const lineAt = lineLocator(bytes);
  const rows: string[][] = [];
  const lines: number[] = [];
  let end = 0;
  // The first line of a record: skip the blank lines and spaces csv-parse consumed before it.
  const startLine = (from: number): number => {
    let offset = from;
    while (offset < bytes.length && [0x20, 0x09, 0x0d, 0x0a].includes(bytes[offset]!)) offset++;
    return lineAt(offset);
  };
  try {
    parse(bytes, {
      skip_empty_lines: true,
      relax_column_count: true, // counted per row below, so every bad row is reported, not just the first
      trim: true,
      on_record: (record, context) => {
        rows.push(record);
        lines.push(startLine(end));
        end = context.bytes;
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    return { path: `line ${startLine(end)}`, message: `malformed CSV: ${MALFORMED[err.code] ?? err.message}` };
  }
  return { rows, lines };
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function checkHeader(header: readonly string[], expected: readonly string[]): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const unknown = header.filter((name) => !expected.includes(name));
  const missing = expected.filter((name) => !header.includes(name));
  const repeated = [...new Set(header.filter((name, i) => header.indexOf(name) !== i))];
  if (unknown.length > 0) {
    const names = unknown.map((name) => JSON.stringify(name)).join(', ');
    problems.push({ path: 'line 1', message: `unknown ${plural(unknown.length, 'column')} ${names}; expected ${expected.join(', ')}` });
  }
  if (missing.length > 0) problems.push({ path: 'line 1', message: `missing ${plural(missing.length, 'column')} ${missing.join(', ')}` });
  if (repeated.length > 0) problems.push({ path: 'line 1', message: `repeated ${plural(repeated.length, 'column')} ${repeated.join(', ')}` });
  return problems;
}

/** Rows sharing a key, in order of first appearance. */
function groupRows(rows: readonly CsvRow[], keyOf: (row: CsvRow) => string): CsvRow[][] {
  const groups = new Map<string, CsvRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return [...groups.values()];
}

/** Groups by canonical EUI-64 so `00db…` and `00-DB-…` rows make one history; invalid ids group as written. */
const byDevice = (row: CsvRow): string => normaliseEui64(row.values.deviceId ?? '') ?? row.values.deviceId ?? '';

/** `true`/`false` in any case (spreadsheets write `TRUE`); empty means false; anything else is left for validation to report. */
function csvBoolean(value: string): boolean | string {
  if (value === '' || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  return value;
}

/**
 * A row whose period columns are all empty names its key with no period: the way to erase a stored history,
 * since an empty history is meaningful in the document.
 */
function periodOf(row: CsvRow, own: string): Record<string, unknown> | undefined {
  const v = row.values;
  if (v[own] === '' && v.from === '' && v.to === '') return undefined;
  return { [own]: v[own], from: v.from === '' ? undefined : v.from, to: v.to === '' ? null : v.to };
}

function buildSection(section: ReferenceSection, rows: readonly CsvRow[]): BuiltSection {
  const built: BuiltSection = { entries: [], entryLines: [], childLines: [], problems: [] };
  const add = (entry: unknown, first: CsvRow, childLines: number[] = []): void => {
    built.entries.push(entry);
    built.entryLines.push(first.line);
    built.childLines.push(childLines);
  };
  const addHistories = (groups: CsvRow[][], entryOf: (first: CsvRow) => Record<string, unknown>, own: string): void => {
    for (const group of groups) {
      const history: unknown[] = [];
      const lines: number[] = [];
      for (const row of group) {
        const period = periodOf(row, own);
        if (period === undefined) continue;
        history.push(period);
        lines.push(row.line);
      }
      add({ ...entryOf(group[0]!), history }, group[0]!, lines);
    }
  };

  switch (section) {
    case 'parties':
      for (const group of groupRows(rows, (row) => row.values.id ?? '')) {
        const first = group[0]!;
        const userIds: unknown[] = [];
        const lines: number[] = [];
        for (const row of group) {
          const { name = '', operator = '', userId = '', role = '' } = row.values;
          if (row !== first && name !== first.values.name) {
            built.problems.push({ path: `line ${row.line} (name)`, message: `differs from line ${first.line} (${JSON.stringify(first.values.name)})` });
          }
          if (row !== first && csvBoolean(operator) !== csvBoolean(first.values.operator ?? '')) {
            built.problems.push({ path: `line ${row.line} (operator)`, message: `differs from line ${first.line} (${JSON.stringify(first.values.operator)})` });
          }
          if (userId === '' && role === '') continue; // a party without User IDs
          userIds.push({ userId, role });
          lines.push(row.line);
        }
        const { id, name, operator = '' } = first.values;
        add({ id, name, operator: csvBoolean(operator), userIds }, first, lines);
      }
      break;
    case 'devices':
      for (const row of rows) add({ deviceId: row.values.deviceId, type: row.values.type }, row);
      break;
    case 'links':
      addHistories(groupRows(rows, byDevice), (first) => ({ deviceId: first.values.deviceId }), 'mpxn');
      break;
    case 'registrations':
      addHistories(
        groupRows(rows, (row) => `${row.values.mpxn}\n${row.values.role}`),
        (first) => ({ mpxn: first.values.mpxn, role: first.values.role }),
        'partyId',
      );
      break;
    case 'certificates':
      addHistories(groupRows(rows, byDevice), (first) => ({ deviceId: first.values.deviceId }), 'partyId');
      break;
  }
  return built;
}

const PATH = /^[A-Za-z]+\[(\d+)\](?:\.(?:userIds|history)\[(\d+)\])?(?:\.([A-Za-z]+))?$/;
const REFERENCE = /\b(?:parties|devices|links|registrations|certificates)\[(\d+)\](?:\.(?:userIds|history)\[(\d+)\])?|\bhistory\[(\d+)\]/g;

/** Rewrites a document problem in terms of lines, including the places its message refers to. */
function toLines(problem: ReferenceProblem, built: BuiltSection): ReferenceProblem {
  const lineOf = (entry: number, child: number | undefined): number | undefined =>
    child === undefined ? built.entryLines[entry] : built.childLines[entry]?.[child];
  const m = PATH.exec(problem.path);
  if (m === null) return problem;
  const entry = Number(m[1]);
  const line = lineOf(entry, m[2] === undefined ? undefined : Number(m[2]));
  if (line === undefined) return problem;
  const message = problem.message.replace(REFERENCE, (text, refEntry?: string, refChild?: string, sibling?: string) => {
    const refLine =
      sibling !== undefined ? lineOf(entry, Number(sibling)) : lineOf(Number(refEntry), refChild === undefined ? undefined : Number(refChild));
    return refLine === undefined ? text : `line ${refLine}`;
  });
  return { path: m[3] === undefined ? `line ${line}` : `line ${line} (${m[3]})`, message };
}

function lineNumber(problem: ReferenceProblem): number {
  const m = /^line (\d+)/.exec(problem.path);
  return m === null ? Number.POSITIVE_INFINITY : Number(m[1]);
}

/**
 * Reads one section of the reference document from CSV, one row per period (or per User ID for parties), and
 * validates it as a document holding only that section. Problems name the file's lines (`line 7 (from)`, the
 * header being line 1), because people fix CSV files in spreadsheets, not by document path.
 */
export function parseReferenceCsv(section: ReferenceSection, text: string): ReferenceValidation {
  const expected = REFERENCE_CSV_COLUMNS[section];
  const read = readRows(text);
  if (!('rows' in read)) return { ok: false, errors: [read] };
  const [header, ...records] = read.rows;
  if (header === undefined) return { ok: false, errors: [{ path: 'line 1', message: `missing header row; expected ${expected.join(', ')}` }] };
  const headerProblems = checkHeader(header, expected);
  if (headerProblems.length > 0) return { ok: false, errors: headerProblems };

  const problems: ReferenceProblem[] = [];
  const rows: CsvRow[] = [];
  records.forEach((values, i) => {
    const line = read.lines[i + 1]!;
    if (values.length !== header.length) {
      // Skipped rather than guessed at; the rest of the file is still checked.
      problems.push({ path: `line ${line}`, message: `has ${values.length} ${plural(values.length, 'field')}; the header has ${header.length}` });
      return;
    }
    rows.push({ line, values: Object.fromEntries(header.map((name, j) => [name, values[j]!])) });
  });

  const built = buildSection(section, rows);
  problems.push(...built.problems);
  const result = validateReferenceDocument({ [section]: built.entries });
  if (result.ok && problems.length === 0) return result;

  let truncated = false;
  if (!result.ok) {
    for (const problem of result.errors) {
      if (problem.path === '' && problem.message === OMITTED_PROBLEMS_MESSAGE) truncated = true;
      else problems.push(toLines(problem, built));
    }
  }
  // Stable sort: problems on one line keep the validator's order.
  const errors = problems.sort((a, b) => lineNumber(a) - lineNumber(b)).slice(0, MAX_REFERENCE_PROBLEMS);
  if (truncated || problems.length > MAX_REFERENCE_PROBLEMS) errors.push({ path: '', message: OMITTED_PROBLEMS_MESSAGE });
  return { ok: false, errors };
}
