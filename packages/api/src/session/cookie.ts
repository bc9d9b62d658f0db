import { createHash, randomBytes } from "node:crypto";

/** The browser session's cookie (see README "Signing in from a browser"). */
export const SESSION_COOKIE = "llmg_session";
/** The header a session-authenticated state-changing call must carry. */
export const CSRF_HEADER = "x-llmg-csrf";

/** 32 random bytes in base64url: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Hex SHA-256: the only form a session token or CSRF token is stored in. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * The session's CSRF token, derived from its (secret) session token, so GET /api/session can
 * hand it again to a page that was reloaded while only its hash is kept server-side.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash("sha256").update(`llmg-csrf:${sessionToken}`).digest("base64url");
}

/**
 * The raw llmg_session value of a Cookie header, or undefined when there is none. A malformed
 * value is returned as is, so that it is refused (401) rather than silently ignored.
 */
export function readSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function isSessionToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

function attributes(maxAgeSeconds: number, secure: boolean): string {
  // SameSite=Strict: a cross-site page's request never carries the cookie (CSRF's first line).
  return `; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}${attributes(maxAgeSeconds, secure)}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=${attributes(0, secure)}`;
}
