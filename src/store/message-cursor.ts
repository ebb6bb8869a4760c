import { StoreError } from '../errors.js';

/** Position after the last item of a page: its t(M) (epoch ms) and id. */
export interface MessageCursor {
  time: number;
  id: number;
}

/** Opaque to clients: base64url of `time:id`. */
export function encodeCursor(cursor: MessageCursor): string {
  return Buffer.from(`${cursor.time}:${cursor.id}`, 'utf8').toString('base64url');
}

/** Throws `STORE_INVALID_QUERY` for anything {@link encodeCursor} did not produce. */
export function decodeCursor(value: string): MessageCursor {
  const match = /^(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  const time = match ? Number(match[1]) : NaN;
  const id = match ? Number(match[2]) : NaN;
  if (!Number.isSafeInteger(time) || !Number.isSafeInteger(id)) throw new StoreError('STORE_INVALID_QUERY', 'malformed cursor');
  return { time, id };
}
