/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = Array.isArray(value) ? value.join(";") : String(value);
  // A leading =, +, - or @ would be run as a formula by a spreadsheet (CSV injection): quoted with
  // a leading apostrophe it stays text. Numbers are ours and never start with one of them but "-".
  const safe = /^[=+@\t\r]/.test(text) || (/^-/.test(text) && !/^-\d/.test(text)) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

export function jsonLine(row: Record<string, unknown>): string {
  return `${JSON.stringify(row)}\n`;
}
