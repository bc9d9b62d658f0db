import { ApiError } from "@llmg/api";

/**
 * The deepest JSON body accepted. JSON.parse takes 10,000 levels, but what comes after it does
 * not: JSON.stringify (tRPC's adapter, the upstream request, pg's jsonb) overflows the stack near
 * 5,000, and a 500 would follow. Real payloads (tool schemas included) stay far below this.
 */
export const MAX_JSON_DEPTH = 128;

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;

/** Whether the raw JSON text nests arrays/objects deeper than `limit`. */
export function jsonTooDeep(body: Buffer, limit = MAX_JSON_DEPTH): boolean {
  // Depth cannot exceed the count of opening brackets, and counting them with native indexOf
  // costs next to nothing: the exact scan below runs only for bodies with that many brackets.
  let openings = 0;
  for (const byte of [OPEN_BRACKET, OPEN_BRACE]) {
    let at = body.indexOf(byte);
    while (at !== -1 && openings <= limit) {
      openings++;
      at = body.indexOf(byte, at + 1);
    }
  }
  if (openings <= limit) return false;
  return scanDepth(body, limit);
}

function scanDepth(body: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
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
