import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Eui64 } from '../duis/eui64.js';
import type { SynthDeviceType } from './synth-types.js';

/**
 * One RTDS request template, split so a request is rendered by concatenation: `parts[0] + requestId +
 * parts[1] (+ deviceId + parts[2] ...)`. Everything outside the substituted texts stays byte-identical.
 */
export interface RequestTemplate {
  /** File name without `.XML`, e.g. `ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS`. */
  name: string;
  /** The file exactly as read. */
  text: string;
  serviceReference: string;
  serviceReferenceVariant: string;
  commandVariant: number;
  /** Originator and target as written in the template. */
  originator: Eui64;
  target: Eui64;
  /** CommandVariant 8: addressed to the DCC, subject devices in the body's `sr:DeviceID`s. */
  nonDevice: boolean;
  /**
   * Type of the device the request is about, from the RTDS device naming (`...-A0` ESME, `A1` GSME, `A2` CHF,
   * `A3` GPF, `A4` PPMID, `A5` HCALCS): the target, or the first body `sr:DeviceID` of a non-device request.
   * `undefined` when unknown or absent (such templates are not used).
   */
  subjectType: SynthDeviceType | undefined;
  /** Literal text around the substituted values; `parts.length - 2` body DeviceID slots. */
  parts: string[];
  /** `parts` JSON-string-escaped, for writing NDJSON without escaping each document again. */
  jsonParts: string[];
}

const RTDS_DEVICE_TYPES: Record<string, SynthDeviceType> = { A0: 'ESME', A1: 'GSME', A2: 'CHF', A3: 'GPF', A4: 'PPMID', A5: 'HCALCS' };
const cache = new Map<string, RequestTemplate[]>();

/** Default template folder: `templates/` of the `@smartdcc/duis-templates` package (a devDependency). */
export function defaultTemplatesDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('@smartdcc/duis-templates/package.json');
    return join(dirname(pkg), 'templates');
  } catch (err) {
    throw new Error(
      'DUIS request templates not found: the synthetic traffic generator reads the RTDS templates of the npm package ' +
        '@smartdcc/duis-templates (a devDependency). Run `npm install` (without --omit=dev), or pass templatesDir.',
      { cause: err },
    );
  }
}

/** Reads and splits every `*.XML` template in `dir` (default {@link defaultTemplatesDir}), once per process. */
export function loadRequestTemplates(dir?: string): RequestTemplate[] {
  const folder = resolve(dir ?? defaultTemplatesDir());
  const hit = cache.get(folder);
  if (hit) return hit;
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.toUpperCase().endsWith('.XML')).sort();
  } catch (err) {
    throw new Error(`DUIS request templates not found in ${folder}: install @smartdcc/duis-templates or pass templatesDir`, { cause: err });
  }
  if (files.length === 0) throw new Error(`no *.XML DUIS request templates in ${folder}`);
  const templates = files.map((f) => parseTemplate(f.replace(/\.xml$/i, ''), readFileSync(join(folder, f), 'utf8')));
  cache.set(folder, templates);
  return templates;
}

/** Splits one template; throws when it is not a request with exactly one RequestID. */
export function parseTemplate(name: string, text: string): RequestTemplate {
  const rid = /<sr:RequestID>([^<]*)<\/sr:RequestID>/.exec(text);
  if (!rid || text.indexOf('<sr:RequestID>', rid.index + 1) !== -1) throw new Error(`template ${name}: expected exactly one sr:RequestID`);
  const [originator, target] = rid[1]!.split(':') as [Eui64, Eui64];
  const field = (el: string): string => {
    const m = new RegExp(`<sr:${el}>([^<]*)</sr:${el}>`).exec(text);
    if (!m) throw new Error(`template ${name}: no sr:${el}`);
    return m[1]!;
  };
  const commandVariant = Number(field('CommandVariant'));
  const nonDevice = commandVariant === 8;
  const ridStart = rid.index + '<sr:RequestID>'.length;
  const parts = [text.slice(0, ridStart)];
  let cursor = ridStart + rid[1]!.length;
  let firstBodyDevice: string | undefined;
  if (nonDevice) {
    const re = /<sr:DeviceID>([^<]*)<\/sr:DeviceID>/g;
    re.lastIndex = cursor;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const valueStart = m.index + '<sr:DeviceID>'.length;
      parts.push(text.slice(cursor, valueStart));
      cursor = valueStart + m[1]!.length;
      firstBodyDevice ??= m[1]!;
    }
  }
  parts.push(text.slice(cursor));
  const subjectId = nonDevice ? firstBodyDevice : target;
  return {
    name,
    text,
    serviceReference: field('ServiceReference'),
    serviceReferenceVariant: field('ServiceReferenceVariant'),
    commandVariant,
    originator,
    target,
    nonDevice,
    subjectType: subjectId ? RTDS_DEVICE_TYPES[subjectId.slice(-2).toUpperCase()] : undefined,
    parts,
    jsonParts: parts.map((p) => JSON.stringify(p).slice(1, -1)),
  };
}

/**
 * Renders a request: the template with `requestId` and, for a non-device request, every body DeviceID set to
 * `deviceId`. `json`: JSON-string-escaped text (the substituted values need no escaping).
 */
export function renderRequest(t: RequestTemplate, requestId: string, deviceId: Eui64, json = false): string {
  const p = json ? t.jsonParts : t.parts;
  if (p.length === 2) return p[0] + requestId + p[1];
  let out = p[0] + requestId + p[1];
  for (let i = 2; i < p.length; i++) out += deviceId + p[i];
  return out;
}
