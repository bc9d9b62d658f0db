import type { KeyScope } from "@llmg/db";
import { initTRPC } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { OpenApiMeta } from "trpc-to-openapi";
import { assertUserScope, requiredScope } from "./auth/key-rules";
import type { Context } from "./context";
import { errorFields } from "./error-fields";
import { ApiError, trpcCodeForStatus } from "./errors";
import { authenticateCall } from "./session/authenticate";

/** `scope`: what a user key needs for the procedure; left out, see requiredScope. */
export type ProcedureMeta = OpenApiMeta & { scope?: KeyScope };

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // tRPC clients keep tRPC's shape; `data` carries our code so both surfaces agree.
    errorFormatter({ shape, error, ctx }) {
      const fields = errorFields(error);
      // An error that errorFields re-classifies (a database input error thrown as a 500) keeps
      // tRPC's code in line with the status it now answers with.
      const code =
        shape.data.httpStatus === fields.status ? shape.data.code : trpcCodeForStatus(fields.status);
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        message: fields.message,
        data: {
          code,
          httpStatus: fields.status,
          error: fields.error,
          message: fields.message,
          request_id: ctx?.requestId ?? "",
          details: fields.details,
          retry_after: fields.retryAfter,
        },
      };
    },
  });

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

const authenticated = t.middleware(async ({ ctx, next, type }) => {
  // The REST surface authenticates before reading the body and hands the principal over.
  const principal = ctx.principal ?? (await authenticateCall(ctx, type));
  return next({ ctx: { principal } });
});

/**
 * A user's own API key; the admin key has no user and is refused here. The key's scopes are
 * checked here, for every user procedure, against what the procedure declares (or its type).
 */
export const userProcedure = publicProcedure.use(authenticated).use(({ ctx, next, meta, type }) => {
  const { principal } = ctx;
  assertUserScope(principal, requiredScope(meta?.scope, type));
  return next({ ctx: { principal, user: principal } });
});

export const adminProcedure = publicProcedure.use(authenticated).use(({ ctx, next }) => {
  if (ctx.principal.kind !== "admin") throw new ApiError("forbidden", "This endpoint needs the admin key");
  return next({ ctx: { principal: ctx.principal } });
});
