/**
 * One RFC 4180 record with its CRLF: a field is quoted when it holds a comma, a double quote, CR or LF, and
 * double quotes inside are doubled. `null` is an empty field; arrays are joined by spaces.
 */
export function csvRow(values: ReadonlyArray<string | number | boolean | null | readonly string[]>): string {
  return values.map(csvField).join(',') + '\r\n';
}

function csvField(value: string | number | boolean | null | readonly string[]): string {
  if (value === null) return '';
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
