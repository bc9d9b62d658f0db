import { ApiError } from "@llmg/api";

/**
 * The deepest JSON body accepted. JSON.parse takes 10,000 levels, but what comes after it does
 * not: JSON.stringify (tRPC's adapter, the upstream request, pg's jsonb) overflows the stack near
 * 5,000, and a 500 would follow. Real payloads (tool schemas included) stay far below this.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Whether the raw JSON text nests arrays/objects deeper than `limit`. */
export function jsonTooDeep(body: Buffer, limit = MAX_JSON_DEPTH): boolean {
  // Depth cannot exceed the count of opening brackets, and counting them with native indexOf
  // costs next to nothing: the exact scan below runs only for bodies with that many brackets
  // (a long conversation), and skips string contents with indexOf too.
  const openings = countUpTo(body, OPEN_BRACKET, limit + 1) + countUpTo(body, OPEN_BRACE, limit + 1);
  return openings > limit && scanDepth(body, limit);
}

function countUpTo(body: Buffer, byte: number, max: number): number {
  let count = 0;
  for (let at = body.indexOf(byte); at !== -1 && count < max; at = body.indexOf(byte, at + 1)) count++;
  return count;
}

function scanDepth(body: Buffer, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      // Jump to the closing quote: the next one not escaped by an odd run of backslashes.
      let end = body.indexOf(QUOTE, i + 1);
      while (end !== -1 && escaped(body, end)) end = body.indexOf(QUOTE, end + 1);
      if (end === -1) return false; // unterminated: JSON.parse refuses it
      i = end;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
  }
  return false;
}

function escaped(body: Buffer, at: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; body[j] === BACKSLASH; j--) backslashes++;
  return backslashes % 2 === 1;
}

export function tooDeepError(): ApiError {
  return new ApiError("validation_error", `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`, {
    details: [{ field: "(body)", message: `at most ${MAX_JSON_DEPTH} levels of nesting` }],
  });
}

/** body-parser's `verify` hook: refuses a too-deep body before it is parsed. */
export function verifyJsonDepth(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonTooDeep(body)) throw tooDeepError();
}
