/**
 * Tells a database that cannot be reached (connection refused or cut, pool checkout or query
 * timed out, server shutting down) from a bug: the first is a 503 a client may retry, the
 * second stays a 500. Matched on the pg driver's codes and fixed messages; nothing of the error
 * itself is passed on to the client.
 */

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// SQLSTATE: 57P01-57P03 admin/crash shutdown and cannot_connect_now, 57014 query_canceled
// (statement_timeout), 53300 too_many_connections; class 08 is connection_exception.
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "57014", "53300"]);

const MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Query read timeout",
  "Client has encountered a connection error",
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith("08")) return true;
    }
    if (MESSAGES.some((m) => e instanceof Error && e.message.includes(m))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
