import type { Prng } from './prng.js';

// The DUIS response envelope, laid out like the RTDS request templates (two-space indentation, the same
// namespace declarations, an XMLDSig block after the body). Element names and order follow DUIS 5.x as the
// public SmartDCCInnovation/duis-parser reads it: Header = RequestID?, ResponseID?, ResponseCode,
// ResponseDateTime; DeviceAlertMessage = AlertCode, ThrottledAlertSequenceId?, ThrottledAlertCount?,
// GBCSPayload; DCCAlertMessage = DCCAlertCode, DCCAlert.
//
// The fixed text is kept in pieces so it can be pre-encoded once (JSON string escaping for NDJSON output):
// the values put between the pieces (IDs, codes, timestamps, base64) never need escaping.
const PIECES = {
  head:
    '<?xml version="1.0" encoding="UTF-8"?>\n<sr:Response xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ' +
    'xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'schemaVersion="5.2">\n  <sr:Header>\n    <sr:',
  requestId: 'RequestID>',
  requestIdEnd: '</sr:RequestID>\n    <sr:',
  responseId: 'ResponseID>',
  responseIdEnd: '</sr:ResponseID>\n    <sr:',
  code: 'ResponseCode>',
  codeEnd: '</sr:ResponseCode>\n    <sr:ResponseDateTime>',
  headerEnd: '</sr:ResponseDateTime>\n  </sr:Header>\n',
  message: '  <sr:Body>\n    <sr:ResponseMessage>\n      <sr:ServiceReference>',
  messageSrv: '</sr:ServiceReference>\n      <sr:ServiceReferenceVariant>',
  messageSrvEnd: '</sr:ServiceReferenceVariant>\n',
  payload: '      <sr:GBCSPayload>',
  payloadEnd: '</sr:GBCSPayload>\n',
  messageEnd: '    </sr:ResponseMessage>\n  </sr:Body>\n',
  alert: '  <sr:Body>\n    <sr:DeviceAlertMessage>\n      <sr:AlertCode>',
  alertCodeEnd: '</sr:AlertCode>\n',
  throttleId: '      <sr:ThrottledAlertSequenceId>',
  throttleCount: '</sr:ThrottledAlertSequenceId>\n      <sr:ThrottledAlertCount>',
  throttleEnd: '</sr:ThrottledAlertCount>\n',
  alertEnd: '    </sr:DeviceAlertMessage>\n  </sr:Body>\n',
  dccAlert: '  <sr:Body>\n    <sr:DCCAlertMessage>\n      <sr:DCCAlertCode>',
  dccAlertCodeEnd: '</sr:DCCAlertCode>\n      <sr:DCCAlert>\n',
  dccAlertEnd: '      </sr:DCCAlert>\n    </sr:DCCAlertMessage>\n  </sr:Body>\n',
  signature:
    '  <ds:Signature xmlns="http://www.w3.org/2000/09/xmldsig#">\n    <ds:SignedInfo>\n' +
    '      <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>\n' +
    '      <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>\n' +
    '      <ds:Reference URI="">\n        <ds:Transforms>\n' +
    '          <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\n        </ds:Transforms>\n' +
    '        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>\n        <ds:DigestValue>',
  signatureValue: '</ds:DigestValue>\n      </ds:Reference>\n    </ds:SignedInfo>\n    <ds:SignatureValue>',
  signatureSerial:
    '</ds:SignatureValue>\n    <ds:KeyInfo>\n      <ds:X509Data>\n        <ds:X509IssuerSerial>\n' +
    '          <ds:X509IssuerName>CN=Z1, OU=07</ds:X509IssuerName>\n          <ds:X509SerialNumber>',
  signatureEnd: '</ds:X509SerialNumber>\n        </ds:X509IssuerSerial>\n      </ds:X509Data>\n    </ds:KeyInfo>\n  </ds:Signature>\n</sr:Response>\n',
};
const MAX_PAYLOAD = 64 * 1024;

/** Encoding of the produced text: `identity` for XML, or JSON string escaping (without the quotes). */
export type TextEncoder = (text: string) => string;
export const identity: TextEncoder = (s) => s;
export const jsonEscape: TextEncoder = (s) => JSON.stringify(s).slice(1, -1);

/** Builds the DCC's answers. Digests, signatures and GBCS payloads are random bytes from the run's PRNG. */
export class EnvelopeWriter {
  readonly #prng: Prng;
  readonly #k: typeof PIECES;
  readonly #encode: TextEncoder;
  readonly #buf = Buffer.alloc(MAX_PAYLOAD);
  readonly #words = new Uint32Array(this.#buf.buffer, this.#buf.byteOffset, MAX_PAYLOAD / 4);

  /** `serialNumber`: the DCC signing certificate's serial, the same on every answer of a run. */
  constructor(prng: Prng, serialNumber: string, encode: TextEncoder = identity) {
    this.#prng = prng;
    this.#encode = encode;
    const k = Object.fromEntries(Object.entries(PIECES).map(([name, text]) => [name, encode(text)])) as typeof PIECES;
    k.signatureEnd = encode(serialNumber + PIECES.signatureEnd);
    this.#k = k;
  }

  /** Acknowledgement: `I99`, or an E-code for a rejected request (then, as the DCC does, the SRV in a body). */
  acknowledgement(requestId: string, code: string, dateTime: string, sr: string, srv: string): string {
    const k = this.#k;
    const body = code === 'I99' ? '' : k.message + sr + k.messageSrv + srv + k.messageSrvEnd + k.messageEnd;
    return k.head + k.requestId + requestId + k.requestIdEnd + this.#tail(code, dateTime) + body + this.#signature();
  }

  /**
   * Service response. `payloadBytes` > 0: a GBCSPayload of that many random bytes; otherwise `dccXml`, the lines
   * the DCC builds for a non-device request (raw XML, encoded here), possibly empty.
   */
  response(requestId: string, responseId: string, code: string, dateTime: string, sr: string, srv: string, payloadBytes: number, dccXml: string): string {
    const k = this.#k;
    const inner = payloadBytes > 0 ? k.payload + this.gbcsPayload(payloadBytes) + k.payloadEnd : dccXml && this.#encode(dccXml);
    return (
      k.head + k.requestId + requestId + k.requestIdEnd + k.responseId + responseId + k.responseIdEnd + this.#tail(code, dateTime) +
      k.message + sr + k.messageSrv + srv + k.messageSrvEnd + inner + k.messageEnd + this.#signature()
    );
  }

  /** Device alert; `requestId` null for an unsolicited alert; `throttle` = [sequence id, count]. */
  deviceAlert(requestId: string | null, responseId: string, dateTime: string, alertCode: string, throttle: readonly [number, number] | null, payloadBytes: number): string {
    const k = this.#k;
    const t = throttle ? k.throttleId + throttle[0] + k.throttleCount + throttle[1] + k.throttleEnd : '';
    return (
      this.#ids(requestId, responseId) + this.#tail('I0', dateTime) + k.alert + alertCode + k.alertCodeEnd + t +
      k.payload + this.gbcsPayload(payloadBytes) + k.payloadEnd + k.alertEnd + this.#signature()
    );
  }

  /** DCC alert; `alertXml` is the raw content of `sr:DCCAlert`, indented by the caller. */
  dccAlert(requestId: string | null, responseId: string, dateTime: string, dccAlertCode: string, alertXml: string): string {
    const k = this.#k;
    return (
      this.#ids(requestId, responseId) + this.#tail('I0', dateTime) + k.dccAlert + dccAlertCode + k.dccAlertCodeEnd +
      this.#encode(alertXml) + k.dccAlertEnd + this.#signature()
    );
  }

  /** Base64 of `bytes` random bytes behind a GBCS-like general-ciphering header (0xDD ...). */
  gbcsPayload(bytes: number): string {
    const n = Math.min(Math.max(bytes, 16), MAX_PAYLOAD);
    this.#prng.fillWords(this.#words, (n + 3) >>> 2);
    const buf = this.#buf;
    buf[0] = 0xdd;
    buf[1] = 0;
    buf[2] = 0;
    return buf.toString('base64', 0, n);
  }

  #ids(requestId: string | null, responseId: string): string {
    const k = this.#k;
    return k.head + (requestId === null ? '' : k.requestId + requestId + k.requestIdEnd) + k.responseId + responseId + k.responseIdEnd;
  }

  #tail(code: string, dateTime: string): string {
    const k = this.#k;
    return k.code + code + k.codeEnd + dateTime + k.headerEnd;
  }

  // ECDSA P-256 over SHA-256: a 32-byte digest and a 64-byte (r || s) signature value.
  #signature(): string {
    const k = this.#k;
    this.#prng.fillWords(this.#words, 24);
    const buf = this.#buf;
    return k.signature + buf.toString('base64', 0, 32) + k.signatureValue + buf.toString('base64', 32, 96) + k.signatureSerial + k.signatureEnd;
  }
}
