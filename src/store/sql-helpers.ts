import { sql, type RawBuilder } from 'kysely';

/** Values per `IN (...)` list: well inside SQLite's and PostgreSQL's parameter limits, and index-friendly. */
export const IN_LIST_SIZE = 500;

/** Splits `values` into arrays of at most `size` (default {@link IN_LIST_SIZE}). */
export function chunked<T>(values: readonly T[], size = IN_LIST_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/**
 * A 64-bit key column read as decimal text. better-sqlite3 returns INTEGERs as JS numbers, which rounds EUI-64
 * keys above 2^53; text is exact on both backends (`BigInt(text)` gives the key back).
 */
export function keyText(column: string): RawBuilder<string> {
  return sql<string>`cast(${sql.ref(column)} as text)`;
}

/**
 * {@link chunked}, each chunk padded (by repeating its last value) to a power of two: IN lists then come in a
 * handful of lengths, so the SQL text repeats and prepared statements are reused. Repeats do not change an
 * IN list's meaning.
 */
export function paddedChunks<T>(values: readonly T[], size = IN_LIST_SIZE): T[][] {
  return chunked(values, size).map(paddedList);
}

/** `values` (not empty) padded by repeating its last value to a power of two: see {@link paddedChunks}. */
export function paddedList<T>(values: readonly T[]): T[] {
  let target = 1;
  while (target < values.length) target *= 2;
  const padded = [...values];
  while (padded.length < target) padded.push(values[values.length - 1]!);
  return padded;
}
