import { createHash } from "node:crypto";
import { randomBase62 } from "@llmg/db";

export const KEY_PREFIX = "llmg_";
/** 43 base62 characters carry 256 bits, i.e. 32 random bytes. */
const KEY_BODY_LENGTH = 43;
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export interface GeneratedKey {
  key: string;
  prefix: string;
  hash: string;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generateApiKey(kind: "user" | "admin" = "user"): GeneratedKey {
  const key = `${KEY_PREFIX}${kind === "admin" ? "admin_" : ""}${randomBase62(KEY_BODY_LENGTH)}`;
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashKey(key) };
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
