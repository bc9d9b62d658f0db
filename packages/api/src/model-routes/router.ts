import { countRoutes, deleteRoute, insertRoute, listRoutes, type RouteFields, replaceRoute } from "@llmg/db";
import { z } from "zod";
import { audit } from "../audit";
import { resolveModel } from "../chat/resolve-model";
import type { Context } from "../context";
import { ok } from "../envelope";
import { ApiError, notFound } from "../errors";
import { router, userProcedure } from "../trpc";
import { forgetRoute } from "./lookup";
import {
  MAX_ROUTES,
  RETRY_KINDS,
  ROUTE_PREFIX,
  type RouteBody,
  routeCreateInput,
  routeName,
  routePutInput,
  routeSchema,
  toRouteDto,
} from "./schemas";

/** Every model a route names must be in the catalog now (a 400 naming it), and no route may name a route. */
function fieldsOf(ctx: Context, body: RouteBody): RouteFields {
  const check = (name: string, field: string) => {
    const bad = (message: string) =>
      new ApiError("validation_error", `Invalid ${field}: ${message}`, { details: [{ field, message }] });
    if (name.startsWith(ROUTE_PREFIX)) throw bad("a route's models are models, not routes");
    try {
      resolveModel(ctx.services.catalog, undefined, name);
    } catch (error) {
      if (error instanceof ApiError) throw bad(`${error.message}`);
      throw error;
    }
  };
  for (const [i, t] of body.targets.entries()) check(t.model, `targets[${i}].model`);
  for (const [i, f] of (body.fallbacks ?? []).entries()) check(f, `fallbacks[${i}]`);
  return {
    strategy: body.strategy,
    targets: body.targets.map((t) => ({ model: t.model, weight: t.weight ?? 1 })),
    fallbacks: body.fallbacks ?? [],
    retryOn: [...new Set(body.retry_on ?? RETRY_KINDS)],
    cacheTtlS: body.cache?.ttl ?? null,
    cacheAll: body.cache?.all ?? false,
  };
}

const forget = (ctx: Context, userId: string, name: string) =>
  forgetRoute(ctx.services.db, ctx.services.config.LLMG_KEY_CACHE_TTL_MS, userId, name);

const routesDoc =
  "Call a route as model `route/NAME` on /v1/chat/completions and POST /api/chat/completions. A change applies at once on this replica and within LLMG_KEY_CACHE_TTL_MS on others.";

export const modelRoutesRouter = router({
  list: userProcedure
    .meta({
      openapi: { method: "GET", path: "/routes", tags: ["routes"], summary: "Your routes", protect: true },
    })
    .input(z.object({}))
    .output(ok(z.array(routeSchema)))
    .query(async ({ ctx }) => ({
      success: true as const,
      data: (await listRoutes(ctx.services.db, ctx.user.userId)).map(toRouteDto),
    })),

  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/routes/{name}",
        tags: ["routes"],
        summary: "One of your routes",
        protect: true,
      },
    })
    .input(z.object({ name: routeName }))
    .output(ok(routeSchema))
    .query(async ({ ctx, input }) => {
      const route = (await listRoutes(ctx.services.db, ctx.user.userId)).find((r) => r.name === input.name);
      if (!route) throw notFound("Route");
      return { success: true as const, data: toRouteDto(route) };
    }),

  create: userProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/routes",
        tags: ["routes"],
        summary: "Create a route",
        description: `${routesDoc} 409 when the name is taken; at most ${MAX_ROUTES} routes.`,
        protect: true,
      },
    })
    .input(routeCreateInput)
    .output(ok(routeSchema))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.user.userId;
      const fields = fieldsOf(ctx, input);
      if ((await countRoutes(ctx.services.db, userId)) >= MAX_ROUTES) {
        throw new ApiError("validation_error", `Too many routes: at most ${MAX_ROUTES}; delete one first`, {
          details: [{ field: "name", message: `at most ${MAX_ROUTES} routes per user` }],
        });
      }
      const route = await insertRoute(ctx.services.db, userId, input.name, fields);
      if (!route) {
        throw new ApiError(
          "conflict",
          `A route named "${input.name}" exists: PUT /api/routes/${input.name} to change it`,
          {
            details: [{ field: "name", message: "taken" }],
          },
        );
      }
      forget(ctx, userId, input.name);
      await audit(ctx, { userId, action: "route.create", targetType: "route", targetId: input.name });
      ctx.response.status = 201;
      return { success: true as const, data: toRouteDto(route) };
    }),

  update: userProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/routes/{name}",
        tags: ["routes"],
        summary: "Replace a route's definition",
        description: `${routesDoc} 404 when there is none of that name.`,
        protect: true,
      },
    })
    .input(routePutInput)
    .output(ok(routeSchema))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.user.userId;
      const route = await replaceRoute(ctx.services.db, userId, input.name, fieldsOf(ctx, input));
      if (!route) throw notFound("Route");
      forget(ctx, userId, input.name);
      await audit(ctx, { userId, action: "route.update", targetType: "route", targetId: input.name });
      return { success: true as const, data: toRouteDto(route) };
    }),

  delete: userProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/routes/{name}",
        tags: ["routes"],
        summary: "Delete a route",
        protect: true,
      },
    })
    .input(z.object({ name: routeName }))
    .output(ok(z.object({ name: z.string(), deleted: z.literal(true) })))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.user.userId;
      if (!(await deleteRoute(ctx.services.db, userId, input.name))) throw notFound("Route");
      forget(ctx, userId, input.name);
      await audit(ctx, { userId, action: "route.delete", targetType: "route", targetId: input.name });
      return { success: true as const, data: { name: input.name, deleted: true as const } };
    }),
});
