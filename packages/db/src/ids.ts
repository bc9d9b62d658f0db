import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Random bytes are drawn from a pool refilled 4 KB at a time: one syscall per ~200 ids instead of
// one per id, which matters on the chat path (every request gets an id).
let pool = Buffer.alloc(0);
let offset = 0;

function nextByte(): number {
  if (offset >= pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  return pool[offset++]!;
}

/** Random base62 string of `length` characters, without modulo bias. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const byte = nextByte();
    // 248 = 62 * 4: bytes above it would favour the first characters.
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

/** Stripe-style ids ("usr_…", "key_…") so a log line says what an id refers to. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(20)}`;
}

/**
 * An id whose first 9 characters are the time in milliseconds (base 36, lower case, so it sorts
 * the same under the C and the usual linguistic collations), then 11 random base62 characters.
 * For request rows: consecutive inserts land on the rightmost page of the primary-key index
 * instead of a random one of millions, which would otherwise cost a page read and, after each
 * checkpoint, a full-page image in the WAL for nearly every insert into a large table.
 */
export function timeOrderedId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, "0")}${randomBase62(11)}`;
}
