// CSV for the activity export (RFC 4180: CRLF line ends; fields with comma, quote, CR or LF are
// quoted, quotes doubled). Cells beginning with = + - @ (or tab/CR, which spreadsheets strip
// before evaluating) are prefixed with ' so a SCIM detail such as "=HYPERLINK(...)" stays text
// when a manager opens the file in a spreadsheet (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
