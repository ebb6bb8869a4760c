import { brotliCompressSync, brotliDecompressSync, deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import type { EncodedChunk } from './prepared-batch.js';

/**
 * Codecs for chunks of original message bytes. Ids are persisted: never change what an id means, add a new one.
 * - 0: stored as is.
 * - 1: raw deflate (level 1) with the preset dictionary {@link DICTIONARY_V1}.
 * - 2: brotli (written at quality 1; any quality decodes the same way).
 */
export const XML_CODECS = { stored: 0, deflateDictV1: 1, brotli: 2 } as const;

/**
 * From this many raw bytes (about 17 typical messages) a chunk is compressed with brotli, below it with deflate
 * and the preset dictionary. Measured on the benchmark corpus (docs/benchmarks.md, "Brotli chunks, flat
 * prepared messages, a third job in flight"): for a 1,000-message ingest chunk brotli at quality 1 takes 3.0 µs
 * a message against deflate's 8.5 and compresses 8.4x against 6.8x; below ~30 KiB the dictionary wins (one
 * message: 3.5x against brotli's 2.1x).
 */
const BROTLI_FROM_BYTES = 32 * 1024;

const BROTLI_PARAMS = { [constants.BROTLI_PARAM_QUALITY]: 1 } as const;

// Text every DUIS document repeats: namespaces, header element names and the XMLDSig skeleton. Priming deflate
// with it lets even a single-message chunk (one HTTP POST) compress several-fold. Frozen: codec 1 depends on it.
const DICTIONARY_V1 = Buffer.from(
  '<ds:Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>' +
    '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>' +
    '</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue>' +
    '</ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509IssuerSerial>' +
    '<ds:X509IssuerName>CN=, OU=07</ds:X509IssuerName><ds:X509SerialNumber></ds:X509SerialNumber></ds:X509IssuerSerial>' +
    '</ds:X509Data></ds:KeyInfo></ds:Signature>' +
    '<sr:DeviceAlertMessage><sr:AlertCode></sr:AlertCode><sr:DCCAlertMessage><sr:DCCAlertCode></sr:DCCAlertCode><sr:DCCAlert>' +
    '<sr:ResponseMessage><sr:ServiceReference></sr:ServiceReference><sr:ServiceReferenceVariant></sr:ServiceReferenceVariant>' +
    '<sr:GBCSPayload></sr:GBCSPayload></sr:ResponseMessage></sr:Body>' +
    '<sr:ResponseID></sr:ResponseID><sr:ResponseCode>I0</sr:ResponseCode><sr:ResponseDateTime>2026-01-01T00:00:00.000Z</sr:ResponseDateTime>' +
    '<?xml version="1.0" encoding="UTF-8"?>\n<sr:Response xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ' +
    'xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" schemaVersion="5.2">' +
    '\n  <sr:Header>\n    <sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:</sr:RequestID>\n    <sr:CommandVariant></sr:CommandVariant>' +
    '\n    <sr:ServiceReference></sr:ServiceReference>\n    <sr:ServiceReferenceVariant></sr:ServiceReferenceVariant>\n  </sr:Header>\n  <sr:Body>\n' +
    '<?xml version="1.0" encoding="UTF-8"?>\n<sr:Request xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ' +
    'xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" schemaVersion="5.2">',
  'utf8',
);

/** Compresses the concatenation of `parts` into one chunk, with the codec that suits its size. */
export function encodeChunk(parts: readonly Buffer[]): EncodedChunk {
  const raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return encodeChunkAs(raw.length >= BROTLI_FROM_BYTES ? XML_CODECS.brotli : XML_CODECS.deflateDictV1, raw);
}

/**
 * Compresses `raw` with the given codec (tests use it to write chunks as earlier versions did). Incompressible
 * input (rare: large random-looking payloads) is kept as is rather than grown.
 */
export function encodeChunkAs(codec: number, raw: Buffer): EncodedChunk {
  let data: Buffer;
  switch (codec) {
    case XML_CODECS.brotli:
      data = brotliCompressSync(raw, { params: { ...BROTLI_PARAMS, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
      break;
    case XML_CODECS.deflateDictV1:
      data = deflateRawSync(raw, { level: 1, dictionary: DICTIONARY_V1, strategy: constants.Z_DEFAULT_STRATEGY });
      break;
    default:
      data = raw;
  }
  if (data.length >= raw.length) return { codec: XML_CODECS.stored, data: Buffer.from(raw), rawLength: raw.length };
  return { codec, data, rawLength: raw.length };
}

/** Decodes a whole chunk back to the concatenated original bytes. */
export function decodeChunk(codec: number, data: Uint8Array): Buffer {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  switch (codec) {
    case XML_CODECS.stored:
      return buf;
    case XML_CODECS.deflateDictV1:
      return inflateRawSync(buf, { dictionary: DICTIONARY_V1 });
    case XML_CODECS.brotli:
      return brotliDecompressSync(buf);
    default:
      throw new Error(`unknown XML chunk codec ${codec}`);
  }
}

/** Extracts one message's original bytes from a chunk. */
export function sliceChunk(codec: number, data: Uint8Array, offset: number, length: number): Buffer {
  return decodeChunk(codec, data).subarray(offset, offset + length);
}
