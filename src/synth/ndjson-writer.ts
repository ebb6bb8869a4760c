import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { generateJsonEscapedTraffic } from './generate-traffic.js';
import type { SynthWorld, TrafficOptions } from './synth-types.js';
import { loadRequestTemplates } from './templates.js';

// Lines are encoded straight into ~4 MiB buffers, each handed to the stream whole: one write per line, or one
// big string per chunk, would cost about as much as generating the lines.
const BLOCK_BYTES = 4 << 20;

/**
 * Writes `opts.count` records to `path` as NDJSON, one `{"receivedAt","xml"}` object a line (the same bytes as
 * `JSON.stringify`). Streams with backpressure: memory stays flat however many records (2,000,000 records are
 * about 4.4 GB of output).
 */
export async function writeNdjson(path: string, world: SynthWorld, opts: TrafficOptions): Promise<{ count: number; bytes: number }> {
  loadRequestTemplates(opts.templatesDir); // fail on missing templates before creating the file
  const out = createWriteStream(path, { highWaterMark: 2 * BLOCK_BYTES });
  let failure: unknown;
  out.on('error', (err) => (failure ??= err));
  let count = 0;
  let bytes = 0;
  let block = Buffer.allocUnsafe(BLOCK_BYTES);
  let used = 0;
  const flush = async (): Promise<void> => {
    if (failure) throw failure;
    const ok = out.write(block.subarray(0, used));
    bytes += used;
    block = Buffer.allocUnsafe(BLOCK_BYTES); // the stream keeps the previous block until it is written
    used = 0;
    if (!ok) await once(out, 'drain');
  };
  try {
    for (const record of generateJsonEscapedTraffic(world, opts)) {
      const line = '{"receivedAt":"' + record.receivedAt + '","xml":"' + record.xml + '"}\n';
      // A UTF-8 encoding takes at most 3 bytes per UTF-16 unit.
      if (used + line.length * 3 > block.length) {
        if (used > 0) await flush();
        if (line.length * 3 > block.length) block = Buffer.allocUnsafe(line.length * 3);
      }
      used += block.write(line, used);
      count++;
    }
    if (used > 0) await flush();
    out.end();
    await finished(out);
  } catch (err) {
    out.destroy();
    throw failure ?? err;
  }
  return { count, bytes };
}
