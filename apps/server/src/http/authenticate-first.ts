import {
  assertCsrf,
  authenticateSession,
  CSRF_HEADER,
  errorFields,
  isSafeMethod,
  type Principal,
  readSessionCookie,
  type Services,
} from "@llmg/api";
import type { NextFunction, Request, Response } from "express";
import { sendError } from "./envelope";

declare global {
  namespace Express {
    interface Request {
      /** Set when the caller was authenticated before the body was read. */
      principal?: Principal;
    }
  }
}

/** Sign-in, sign-out and who-am-I take no key: their procedures read the session cookie themselves. */
const SESSION_PATH = "/session";

/**
 * Every /api endpoint needs a key, so the key is checked before the body is read: a bad key
 * with a 1 MiB body costs a hash and a cache lookup, not a JSON parse. The principal is handed
 * to the procedure's context, so a good call still looks its key up (at most) once.
 *
 * Without an Authorization header, a browser's session cookie stands for its key; a call that
 * changes something must then carry the session's CSRF token. A Bearer call never reads cookies.
 */
export function authenticateFirst(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (req.path === SESSION_PATH) {
        next();
        return;
      }
      const authorization = req.get("authorization");
      const token = authorization === undefined ? readSessionCookie(req.headers.cookie) : undefined;
      if (token === undefined) {
        req.principal = await services.auth.authenticate(authorization, req.ip ?? null);
      } else {
        const session = await authenticateSession(services, token, req.ip ?? null);
        if (!isSafeMethod(req.method)) assertCsrf(session, req.get(CSRF_HEADER));
        req.principal = session.principal;
      }
    } catch (error) {
      // The unread body is drained by node once the answer is sent; it is never parsed.
      sendError(res, errorFields(error), req.requestId);
      return;
    }
    next();
  };
}
