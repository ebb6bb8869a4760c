import { parseReferenceCsv } from './csv-section.js';
import { REFERENCE_SECTIONS, type ReferenceSection, type ReferenceValidation } from './reference-document.js';
import { validateReferenceDocument } from './validate-document.js';

/**
 * Reference data as it arrives (a JSON document, or one section as CSV), validated into a `ReferenceDocument`.
 * The CLI and `PUT /api/v1/reference` share this so a file is judged the same way whichever door it comes in.
 */
export function readReferenceInput(text: string, section?: string): ReferenceValidation {
  if (section !== undefined) {
    if (!isSection(section)) {
      return { ok: false, errors: [{ path: 'section', message: `${JSON.stringify(section)} is not one of ${REFERENCE_SECTIONS.join(', ')}` }] };
    }
    return parseReferenceCsv(section, text);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ path: '', message: `not valid JSON: ${(err as Error).message}` }] };
  }
  return validateReferenceDocument(input);
}

export function isSection(value: string): value is ReferenceSection {
  return (REFERENCE_SECTIONS as readonly string[]).includes(value);
}
