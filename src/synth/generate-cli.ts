/**
 * Writes synthetic DUIS traffic as NDJSON, for benchmarks and demos:
 *
 *   node dist/synth/generate-cli.js --count 1000000 --seed 1 --out traffic.ndjson
 *     [--devices 1000] [--rate 1150] [--start 2025-01-06T00:00:00Z] [--duplicate-rate 0] [--templates DIR]
 *
 * Prints a one-line summary (records, bytes, seconds, records per second) on stderr.
 */
import { parseArgs } from 'node:util';
import { createWorld } from './world.js';
import { writeNdjson } from './ndjson-writer.js';

const USAGE = 'usage: generate-cli --count N --out FILE [--seed N] [--devices N] [--rate MSG_PER_S] [--start ISO] [--duplicate-rate P] [--templates DIR]';

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name}: not a number: ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      devices: { type: 'string' },
      rate: { type: 'string' },
      start: { type: 'string' },
      'duplicate-rate': { type: 'string' },
      templates: { type: 'string' },
    },
    strict: true,
  });
  const count = num('count', values.count);
  if (count === undefined || !values.out) throw new Error(USAGE);
  const start = values.start === undefined ? undefined : new Date(values.start);
  if (start && Number.isNaN(start.getTime())) throw new Error(`--start: not a date: ${values.start}`);
  const opts = {
    count,
    seed: num('seed', values.seed),
    devices: num('devices', values.devices),
    messagesPerSecond: num('rate', values.rate),
    duplicateRate: num('duplicate-rate', values['duplicate-rate']),
    start,
    templatesDir: values.templates,
  };
  const began = process.hrtime.bigint();
  const world = createWorld(opts);
  const result = await writeNdjson(values.out, world, opts);
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  process.stderr.write(
    `wrote ${result.count} records (${result.bytes} bytes) to ${values.out} in ${seconds.toFixed(1)} s: ` +
      `${Math.round(result.count / seconds)} records/s, ${world.devices.length} devices\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
