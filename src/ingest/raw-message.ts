/** One message as a feed delivers it, before parsing. */
export interface RawMessage {
  /** The document exactly as received. */
  xml: Buffer;
  /** The same document already decoded (NDJSON gives a string), so the parser need not decode it again. */
  text?: string;
  /** Receipt time, epoch milliseconds. */
  receivedAt: number;
}

/** Where a raw message came from, for error reports (`file.ndjson:12`, or a batch line number). */
export interface RawMessageOrigin {
  source: string;
  /** 1-based line in an NDJSON source; absent for single-document sources. */
  line?: number;
}
