// Worker thread of the query benches (query-bench.ts, pg-bench.ts): generates the synthetic traffic stream and
// prepares it (parse, hash, compress) in batches, sent to the loading thread on credit (query-world.ts, loadTraffic).
// The traffic stream is one deterministic sequence, so one thread generates and prepares it.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { prepareBatch } from '../ingest/prepare-batch.js';
import type { RawMessage } from '../ingest/raw-message.js';
import type { PreparedBatch } from '../store/prepared-batch.js';
import { createWorld, generateTraffic } from '../synth/index.js';

export interface GeneratorData {
  devices: number;
  seed: number;
  start: number;
  count: number;
  messagesPerSecond: number;
  batch: number;
}

export type FromGenerator = { batch: PreparedBatch; rejected: number } | { done: true };

async function runGenerator(data: GeneratorData): Promise<void> {
  const port = parentPort!;
  const start = new Date(data.start);
  const world = createWorld({ seed: data.seed, devices: data.devices, start });
  const records = generateTraffic(world, { seed: data.seed, count: data.count, start, messagesPerSecond: data.messagesPerSecond });
  let credits = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  port.on('message', (m: { credits?: number; stop?: boolean }) => {
    credits += m.credits ?? 0;
    stopped ||= m.stop === true;
    wake?.();
  });
  for (;;) {
    while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
    if (stopped) break;
    const inputs: RawMessage[] = [];
    for (let r = records.next(); !r.done; r = inputs.length < data.batch ? records.next() : { done: true, value: undefined }) {
      inputs.push({ xml: Buffer.from(r.value.xml), text: r.value.xml, receivedAt: Date.parse(r.value.receivedAt) });
    }
    if (inputs.length === 0) break;
    const { batch, rejections } = prepareBatch(inputs);
    credits--;
    const buf = batch.chunk.data;
    const transfer = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? [buf.buffer as ArrayBuffer] : [];
    port.postMessage({ batch, rejected: rejections.length } satisfies FromGenerator, transfer);
  }
  port.postMessage({ done: true } satisfies FromGenerator);
}

if (!isMainThread && parentPort) await runGenerator(workerData as GeneratorData);
