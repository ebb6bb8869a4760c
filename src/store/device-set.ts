import type { Eui64 } from '../duis/eui64.js';

/**
 * S(M) on a message row: EUI-64s packed as 8-byte big-endian values, in the order they were added (the
 * message's own devices first). Compact, backend-neutral, and readable without BigInt.
 * Device keys in `message_devices` are the same 8 bytes read as a signed 64-bit integer.
 */

export function packDeviceKeys(keys: readonly bigint[]): Buffer {
  const buf = Buffer.allocUnsafe(keys.length * 8);
  for (let i = 0; i < keys.length; i++) buf.writeBigInt64BE(keys[i]!, i * 8);
  return buf;
}

export function unpackDeviceKeys(packed: Uint8Array | null): bigint[] {
  if (!packed) return [];
  const buf = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const keys: bigint[] = [];
  for (let i = 0; i + 8 <= buf.length; i += 8) keys.push(buf.readBigInt64BE(i));
  return keys;
}

export function unpackDeviceIds(packed: Uint8Array | null): Eui64[] {
  if (!packed) return [];
  const hex = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('hex').toUpperCase();
  const ids: Eui64[] = [];
  for (let i = 0; i + 16 <= hex.length; i += 16) {
    ids.push(hex.slice(i, i + 16).replace(/(..)(?!$)/g, '$1-'));
  }
  return ids;
}
