import { deleteSession, insertSession } from "@llmg/db";
import { z } from "zod";
import { audit } from "../audit";
import type { Context } from "../context";
import { ok } from "../envelope";
import { ApiError } from "../errors";
import { publicProcedure, router } from "../trpc";
import { assertCsrf, authenticateSession, type SessionAuth, sessionHashes } from "./authenticate";
import {
  clearedSessionCookie,
  csrfTokenFor,
  hashToken,
  newSessionToken,
  readSessionCookie,
  sessionCookie,
} from "./cookie";
import { sessionSchema, signInInput, toSessionDto } from "./schemas";

/** Live sessions one key (or the admin key) may hold; signing in past it drops the oldest. */
export const MAX_SESSIONS_PER_KEY = 20;

const SIGN_IN_DESCRIPTION =
  "Exchanges an llmg key (a user's or the admin key) for a browser session: the key is checked exactly as a Bearer key (401 when wrong, the bad-key throttle applies) and is never stored. Sets the `llmg_session` cookie (HttpOnly, SameSite=Strict, Path=/, Max-Age = LLMG_SESSION_TTL_MS, Secure over HTTPS). On /api and /trpc (not /v1) a call without an Authorization header is then authenticated by the cookie as the key; a state-changing call must also send `csrf_token` in the x-llmg-csrf header (403 otherwise). The session ends at its expiry or when its key is revoked, is refused while its key is expired or its user disabled, and an admin session ends when the admin key changes.";

function sessionOf(ctx: Context): Promise<SessionAuth> {
  const token = readSessionCookie(ctx.cookieHeader);
  if (token === undefined) throw new ApiError("unauthorized", "Not signed in: POST /api/session with a key");
  return authenticateSession(ctx.services, token, ctx.ip);
}

export const sessionRouter = router({
  create: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/session",
        tags: ["session"],
        // Takes a key in its body (sign-in) or the session cookie: never a Bearer header.
        protect: false,
        summary: "Sign in from a browser: exchange a key for a session cookie",
        description: SIGN_IN_DESCRIPTION,
      },
    })
    .input(signInInput)
    .output(ok(sessionSchema))
    .mutation(async ({ ctx, input }) => {
      const { services } = ctx;
      // Through the Bearer path itself, so a key signs in exactly when it would authenticate. A
      // key with blanks inside is no key (and not "missing", as the header check would say).
      const key = input.key.trim();
      if (/\s/.test(key)) {
        services.auth.assertNotThrottled(ctx.ip);
        throw services.auth.badCredential(ctx.ip, "Invalid API key");
      }
      const principal = await services.auth.authenticate(`Bearer ${key}`, ctx.ip);
      const token = newSessionToken();
      const csrfToken = csrfTokenFor(token);
      const now = Date.now();
      // A session never outlives its key.
      let expiresAt = now + services.config.LLMG_SESSION_TTL_MS;
      if (principal.kind === "user" && principal.expiresAt !== null) {
        expiresAt = Math.min(expiresAt, principal.expiresAt);
      }
      await insertSession(
        services.db,
        {
          tokenHash: principal.kind === "admin" ? services.auth.adminBound(token) : hashToken(token),
          userId: principal.kind === "user" ? principal.userId : null,
          apiKeyId: principal.kind === "user" ? principal.keyId : null,
          csrfHash: hashToken(csrfToken),
          createdAt: new Date(now),
          expiresAt: new Date(expiresAt),
        },
        MAX_SESSIONS_PER_KEY,
      );
      // Signing in is recorded like any key use worth an audit trail (the admin's too).
      await audit(
        { ...ctx, principal },
        principal.kind === "user"
          ? {
              userId: principal.userId,
              action: "session.create",
              targetType: "api_key",
              targetId: principal.keyId,
            }
          : { userId: null, action: "session.create" },
      );
      const maxAge = Math.max(1, Math.ceil((expiresAt - now) / 1000));
      ctx.response.headers["set-cookie"] = sessionCookie(token, maxAge, ctx.secure === true);
      ctx.response.headers["cache-control"] = "no-store";
      ctx.response.status = 201;
      return { success: true as const, data: toSessionDto(principal, new Date(expiresAt), csrfToken) };
    }),

  get: publicProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/session",
        tags: ["session"],
        // Takes a key in its body (sign-in) or the session cookie: never a Bearer header.
        protect: false,
        summary: "The signed-in session: who it is, until when, and its CSRF token",
        description:
          "Answers for the `llmg_session` cookie (401 without a valid one), so a reloaded page learns who is signed in and gets the CSRF token again.",
      },
    })
    .input(z.object({}))
    .output(ok(sessionSchema))
    .query(async ({ ctx }) => {
      const session = await sessionOf(ctx);
      const token = readSessionCookie(ctx.cookieHeader) ?? "";
      ctx.response.headers["cache-control"] = "no-store";
      return {
        success: true as const,
        data: toSessionDto(session.principal, session.expiresAt, csrfTokenFor(token)),
      };
    }),

  delete: publicProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/session",
        tags: ["session"],
        // Takes a key in its body (sign-in) or the session cookie: never a Bearer header.
        protect: false,
        summary: "Sign out: end the session and clear its cookie",
        description:
          "Idempotent: 200 with or without a session. A live session's cookie must come with its CSRF token (x-llmg-csrf), as for any state-changing call.",
      },
    })
    .input(z.object({}))
    .output(ok(z.object({ signed_out: z.literal(true).meta({ example: true }) })))
    .mutation(async ({ ctx }) => {
      const token = readSessionCookie(ctx.cookieHeader);
      if (token !== undefined) {
        // A session whose key was revoked (or expired) is deleted without more ado; a live
        // one only with its CSRF token, so no other site can sign the user out.
        const session = await authenticateSession(ctx.services, token, ctx.ip).catch(() => undefined);
        if (session) assertCsrf(session, ctx.csrfHeader);
        const hashes = sessionHashes(ctx.services, token);
        await deleteSession(ctx.services.db, [hashes.user, hashes.admin]);
      }
      ctx.response.headers["set-cookie"] = clearedSessionCookie(ctx.secure === true);
      return { success: true as const, data: { signed_out: true as const } };
    }),
});
