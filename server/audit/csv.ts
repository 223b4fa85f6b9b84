/** Characters that make a spreadsheet read a cell as a formula (or as the start of one). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field: RFC 4180 quoting, and a leading apostrophe on anything a spreadsheet would run as
 * a formula, since audit values (names, user agents, details) come from whoever caused the event.
 */
export function csvField(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const inert = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/** One CSV record, CRLF-terminated as RFC 4180 asks. */
export function csvLine(values: readonly (string | null | undefined)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
