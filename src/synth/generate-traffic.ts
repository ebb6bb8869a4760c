import type { SynthWorld, TrafficOptions, TrafficRecord } from './synth-types.js';
import { TrafficSimulation } from './traffic-simulation.js';

/**
 * Yields exactly `opts.count` records in capture order (`receivedAt` non-decreasing), deterministic for the
 * seed (`opts.seed`, else the world's). Lazy and constant-memory apart from the answers still in flight.
 */
export function* generateTraffic(world: SynthWorld, opts: TrafficOptions): Generator<TrafficRecord, void, undefined> {
  yield* runSimulation(world, opts, 'xml');
}

/**
 * The records of {@link generateTraffic} with `xml` already JSON-string-escaped (no quotes): an NDJSON line is
 * then plain concatenation, the same bytes `JSON.stringify` would give, without scanning each document again.
 */
export function* generateJsonEscapedTraffic(world: SynthWorld, opts: TrafficOptions): Generator<TrafficRecord, void, undefined> {
  yield* runSimulation(world, opts, 'json');
}

function* runSimulation(world: SynthWorld, opts: TrafficOptions, encoding: 'xml' | 'json'): Generator<TrafficRecord, void, undefined> {
  const { count } = opts;
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`count must be a non-negative integer, got ${count}`);
  if (count === 0) return;
  const sim = new TrafficSimulation(world, opts, encoding);
  for (let produced = 0; produced < count; produced++) yield sim.next(count - produced);
}
