import { readEui64, readRequestId } from './duis-fields.js';
import { DUIS_NS } from './duis-elements.js';
import type { Eui64 } from './eui64.js';
import { END, START, type XmlScanner } from './xml-scanner.js';

/**
 * Subject devices named in a request body, from a survey of the 293 RTDS templates in
 * `@smartdcc/duis-templates` (every body element whose value is an EUI-64):
 *
 * - `DeviceID` (8.2 ReadInventory, 8.3 DecommissionDevice, 8.4 UpdateInventory, 8.6 ServiceOptIn,
 *   8.11 UpdateHANDeviceLog, 8.14.x CHF status updates, 12.2 DevicePrenotification, 5.1 CreateSchedule):
 *   the device the request is about. Yes.
 * - `OtherDeviceID` (8.7.x join, 8.8.x unjoin, 8.14.3 CHF fault return): the other end of a pairing, or the
 *   meter served by a returned hub; the request changes or reports on that device too. Yes.
 * - `OldCHFID` / `OldGPFID` (8.12.1 / 8.12.2 restore device log): the replaced hub whose log, HAN
 *   whitelist included, is copied to the target; a security-relevant use of that device. Yes.
 * - `HCALCS` (6.14.2 SwitchTypeAndId): the load-control switch the target ESME is told to schedule. Yes.
 * - `OriginalRequestID` (8.13 return local command response): its target is the device whose response the
 *   request carries. Yes, the target only (the originator is a User).
 * - Children of any `...DeviceIDList` element (e.g. `UpdateFirmware/DeviceIDList`, not in the templates). Yes.
 * - MPxNs (`ImportMPxN`, `MPxN`, `ExportMPAN`, ...) are supply points, not devices, so never subjects; every
 *   template that names an MPxN also names its device (`DeviceID` or the RequestID target), so visibility
 *   through rules 2 and 3 does not depend on them.
 * Values that are not EUI-64s are DUIS_INVALID_FIELD (the DUIS schema types all of these as EUI-64).
 */
const DEVICE_ID_ELEMENTS: ReadonlySet<string> = new Set(['DeviceID', 'OtherDeviceID', 'OldCHFID', 'OldGPFID', 'HCALCS']);


/**
 * With the scanner just past the start tag of a request's service element, walks its content (iteratively:
 * nesting depth is the attacker's to choose) and appends the subject devices it names to `out`.
 * Consumes the element's end tag.
 */
export function collectBodyDeviceIds(s: XmlScanner, out: Eui64[]): void {
  // Fast path: most bodies (meter reads, tariffs) name no device. Every name above contains "ID" except
  // HCALCS; if neither occurs anywhere in the rest of the document, skip the body without resolving
  // namespaces (two memchr-fast searches). Otherwise walk it properly: a false hit only costs time.
  const src = s.src;
  if (src.indexOf('ID', s.pos) === -1 && src.indexOf('HCALCS', s.pos) === -1) return s.skip();
  const base = s.depth;
  for (;;) {
    if (s.next(false) === END) {
      if (s.depth < base) return;
      continue;
    }
    // Names here end in "D" (...ID), "S" (HCALCS) or "t" (...DeviceIDList): resolve only those, descend into the rest.
    const last = s.lastNameChar();
    if (last !== 0x44 && last !== 0x53 && last !== 0x74) continue;
    s.resolveName();
    if (s.ns !== DUIS_NS) continue;
    const local = s.local;
    if (DEVICE_ID_ELEMENTS.has(local)) {
      const path = s.path();
      out.push(readEui64(s.text(path), path));
    } else if (local === 'OriginalRequestID') {
      const path = s.path();
      out.push(readRequestId(s.text(path), path).target);
    } else if (local.endsWith('DeviceIDList')) {
      while (s.next() === START) {
        if (s.ns !== DUIS_NS) {
          s.skip();
          continue;
        }
        const path = s.path();
        out.push(readEui64(s.text(path), path));
      }
    }
    // Any other element: descend, its children come next (foreign elements too: cheap, and harmless).
  }
}
