import { errorFields, type Principal, type Services } from "@llmg/api";
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

/**
 * Every /api endpoint needs a key, so the key is checked before the body is read: a bad key
 * with a 1 MiB body costs a hash and a cache lookup, not a JSON parse. The principal is handed
 * to the procedure's context, so a good call still looks its key up (at most) once.
 */
export function authenticateFirst(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      req.principal = await services.auth.authenticate(req.get("authorization"), req.ip ?? null);
    } catch (error) {
      // The unread body is drained by node once the answer is sent; it is never parsed.
      sendError(res, errorFields(error), req.requestId);
      return;
    }
    next();
  };
}
