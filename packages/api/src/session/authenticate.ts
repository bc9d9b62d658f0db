import { timingSafeEqual } from "node:crypto";
import { findSession, touchSession } from "@llmg/db";
import type { Principal } from "../auth/authenticator";
import type { Context } from "../context";
import { ApiError } from "../errors";
import type { Services } from "../services";
import { CSRF_HEADER, hashToken, isSessionToken, readSessionCookie } from "./cookie";

export interface SessionAuth {
  principal: Principal;
  tokenHash: string;
  csrfHash: string;
  expiresAt: Date;
}

/** last_seen_at is written at most this often per session: a busy page must not write per call. */
const TOUCH_EVERY_MS = 60_000;

/** Methods that change nothing: they need no CSRF token. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/**
 * Where a token's session may be stored: a user's session under the token's hash, the admin's
 * under the hash bound to the current admin key (see Authenticator.adminBound).
 */
export function sessionHashes(services: Services, token: string): { user: string; admin: string } {
  return { user: hashToken(token), admin: services.auth.adminBound(token) };
}

/**
 * The principal a session cookie stands for: the key it was made from, checked again through the
 * authenticator's cache on every use (revoked, expired, user disabled: refused as a Bearer call
 * of that key would be); the admin key's session holds while the admin key is the one it was
 * made with. An unknown cookie counts as a bad credential towards the address's throttle, like
 * a bad key.
 */
export async function authenticateSession(
  services: Services,
  token: string,
  clientAddress: string | null,
): Promise<SessionAuth> {
  const { auth, db } = services;
  auth.assertNotThrottled(clientAddress);
  const invalid = () => auth.badCredential(clientAddress, "Invalid or expired session: sign in again");
  if (!isSessionToken(token)) throw invalid();
  const hashes = sessionHashes(services, token);
  const now = new Date();
  const row = await findSession(db, [hashes.user, hashes.admin]);
  // An admin session is only found under the current admin key's binding, a user's only under
  // the plain hash.
  if (!row || row.token_hash !== (row.api_key_id === null ? hashes.admin : hashes.user)) throw invalid();
  // A session that existed is not a guess: like an expired key, it does not count as a bad one.
  if (row.expires_at.getTime() <= now.getTime()) {
    throw new ApiError("unauthorized", "This session has expired: sign in again");
  }
  let principal: Principal;
  if (row.api_key_id === null) principal = { kind: "admin" };
  else if (row.key_hash === null) throw invalid();
  else principal = await auth.authenticateKeyHash(row.key_hash);
  if (row.last_seen_at.getTime() < now.getTime() - TOUCH_EVERY_MS) {
    await touchSession(db, row.token_hash, now, new Date(now.getTime() - TOUCH_EVERY_MS));
  }
  return { principal, tokenHash: row.token_hash, csrfHash: row.csrf_hash, expiresAt: row.expires_at };
}

/** 403 unless `header` is the session's CSRF token (compared in constant time, as hashes). */
export function assertCsrf(session: SessionAuth, header: string | undefined): void {
  const given = Buffer.from(hashToken(header ?? ""));
  const expected = Buffer.from(session.csrfHash);
  if (header && given.length === expected.length && timingSafeEqual(given, expected)) return;
  throw new ApiError(
    "forbidden",
    `This call is signed in with a session cookie and changes something: send the session's CSRF token in the ${CSRF_HEADER} header (csrf_token from POST or GET /api/session)`,
  );
}

/**
 * The principal of a tRPC call (REST calls are authenticated before their body is read, in
 * the server's authenticate-first): the Bearer key as always; with no Authorization header but
 * a session cookie, the session's principal, and a mutation must carry the CSRF token.
 */
export function authenticateCall(ctx: Context, type: string): Promise<Principal> {
  const token = ctx.authorization === undefined ? readSessionCookie(ctx.cookieHeader) : undefined;
  // The Bearer path as before: no extra await, no cookie parsing.
  if (token === undefined) return ctx.services.auth.authenticate(ctx.authorization, ctx.ip);
  return sessionPrincipal(ctx, token, type);
}

async function sessionPrincipal(ctx: Context, token: string, type: string): Promise<Principal> {
  // One lookup for all the calls of a batch: they share the request's context.
  ctx.session ??= authenticateSession(ctx.services, token, ctx.ip);
  const session = await ctx.session;
  if (type === "mutation") assertCsrf(session, ctx.csrfHeader);
  return session.principal;
}
