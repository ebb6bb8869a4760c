import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { PrepareJob } from './prepare-job.js';

/** A file `srvv ingest` will read, by format. */
export interface SourceFile {
  path: string;
  format: 'xml' | 'ndjson';
  size: number;
}

/** What {@link listSourceFiles} found: files to read, and named files it cannot read. */
export interface SourceListing {
  files: SourceFile[];
  /** Files named explicitly on the command line that are neither `.xml` nor `.ndjson`. */
  unsupported: string[];
}

function formatOf(path: string): SourceFile['format'] | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.xml' ? 'xml' : ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : undefined;
}

/**
 * Expands files and folders (recursively, in name order) into the `.xml` and `.ndjson` files to ingest.
 * Other files inside folders are ignored; other files named explicitly are reported as unsupported.
 * @throws Error when a path does not exist.
 */
export async function listSourceFiles(paths: readonly string[]): Promise<SourceListing> {
  const listing: SourceListing = { files: [], unsupported: [] };
  const visit = async (path: string, explicit: boolean): Promise<void> => {
    const info = await stat(path).catch(() => {
      throw new Error(`no such file or folder: ${path}`);
    });
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      for (const entry of entries) await visit(join(path, entry), false);
      return;
    }
    const format = formatOf(path);
    if (format) listing.files.push({ path, format, size: info.size });
    else if (explicit) listing.unsupported.push(path);
  };
  for (const p of paths) await visit(p, true);
  return listing;
}

export interface JobOptions {
  /** Receipt time given to `.xml` documents (epoch ms). */
  receivedAt: number;
  /** Approximate bytes of input per job (one store transaction). Default 2 MiB (about 1,000 messages). */
  jobBytes?: number;
  /** Called with the number of input bytes consumed, for progress reporting. */
  onBytes?: (bytes: number) => void;
}

/**
 * Cuts source files into prepare jobs: runs of whole NDJSON lines, or groups of `.xml` documents, each about
 * `jobBytes` long. Streams: memory stays bounded whatever the input size.
 */
export async function* sourceJobs(files: readonly SourceFile[], options: JobOptions): AsyncGenerator<PrepareJob> {
  const jobBytes = options.jobBytes ?? 2 * 1024 * 1024;
  let docs: { sources: string[]; docs: Uint8Array[]; receivedAt: number[]; bytes: number } | undefined;
  const flushDocs = function* (): Generator<PrepareJob> {
    if (docs && docs.docs.length) yield { type: 'documents', sources: docs.sources, docs: docs.docs, receivedAt: docs.receivedAt };
    docs = undefined;
  };
  for (const file of files) {
    if (file.format === 'xml') {
      const data = await readFile(file.path);
      docs ??= { sources: [], docs: [], receivedAt: [], bytes: 0 };
      docs.sources.push(file.path);
      docs.docs.push(data);
      docs.receivedAt.push(options.receivedAt);
      docs.bytes += data.length;
      options.onBytes?.(data.length);
      if (docs.bytes >= jobBytes || docs.docs.length >= 4096) yield* flushDocs();
      continue;
    }
    yield* flushDocs();
    yield* ndjsonJobs(file.path, jobBytes, options.onBytes);
  }
  yield* flushDocs();
}

async function* ndjsonJobs(path: string, jobBytes: number, onBytes?: (n: number) => void): AsyncGenerator<PrepareJob> {
  let parts: Buffer[] = [];
  let size = 0;
  let line = 1;
  // Each job's bytes sit in an ArrayBuffer of their own (never Node's shared pool), so the pool transfers them
  // to the worker instead of copying 2 MiB per job and leaving the copy here until a GC frees it.
  const cut = (data: Buffer): PrepareJob => {
    const job: PrepareJob = { type: 'ndjson', source: path, firstLine: line, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ownsBuffer: true };
    line += countLines(data);
    return job;
  };
  const join = (size: number): Buffer => {
    const all = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const p of parts) at += p.copy(all, at);
    return all;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const buf = chunk as Buffer;
    onBytes?.(buf.length);
    parts.push(buf);
    size += buf.length;
    if (size < jobBytes) continue;
    const all = join(size);
    const lastNewline = all.lastIndexOf(10);
    if (lastNewline === -1) continue; // one line longer than a job: keep reading
    // Copy the partial last line out first: the job's bytes may be transferred to a worker (detached).
    const rest = Buffer.from(all.subarray(lastNewline + 1));
    parts = rest.length ? [rest] : [];
    size = rest.length;
    yield cut(all.subarray(0, lastNewline + 1));
  }
  if (size > 0) yield cut(join(size));
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}
