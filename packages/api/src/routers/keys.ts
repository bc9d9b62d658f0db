import { type ApiKey, findActiveKey, levelSpendSince, listActiveKeys, revokeKey } from "@llmg/db";
import { z } from "zod";
import { audit } from "../audit";
import type { Context } from "../context";
import { ok } from "../envelope";
import { notFound } from "../errors";
import { periodKey, periodStart } from "../limits/levels";
import { text } from "../schemas/common";
import { apiKeyDetailSchema, type KeyBudgetStatus, toApiKeyDetailDto } from "../schemas/key-budget";
import { keyAttributesInput, keyName } from "../schemas/keys";
import { apiKeySchema, createdApiKeySchema, toApiKeyDto } from "../schemas/users";
import { changeKey, issueKey } from "../services/keys";
import { router, userProcedure } from "../trpc";

/**
 * Where a key's own budget stands: the recorded spend of its calls since its period began (the
 * rows its counter is seeded from) and the reservations of its calls in flight.
 */
async function keyBudgetStatus(ctx: Context, key: ApiKey): Promise<KeyBudgetStatus | null> {
  if (key.budget_usd === null) return null;
  const { db, limits } = ctx.services;
  const period = key.budget_period ?? "month";
  const now = limits.now();
  const start = periodStart(period, now);
  const [spentUsd, reservedNano] = await Promise.all([
    levelSpendSince(db, { scope: "key", keyId: key.id }, start === null ? null : new Date(start)),
    limits.reservedForLevel({ scope: "key", id: key.id, userId: key.user_id }).catch(() => 0n),
  ]);
  return { period: periodKey(period, now), periodStart: start, spentUsd, reservedNano };
}

export const keysRouter = router({
  list: userProcedure
    .meta({
      openapi: { method: "GET", path: "/keys", tags: ["keys"], summary: "List your API keys", protect: true },
    })
    .input(z.object({}))
    .output(ok(z.array(apiKeySchema)))
    .query(async ({ ctx }) => {
      const keys = await listActiveKeys(ctx.services.db, ctx.user.userId);
      return { success: true as const, data: keys.map(toApiKeyDto) };
    }),

  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/keys/{id}",
        tags: ["keys"],
        summary: "One of your API keys, with where its budget stands",
        description:
          "The key, and `budget` when it has one: the recorded spend of its calls in the current period (UTC day, UTC month, or its whole life), the reservations of its calls in flight, and what remains. 404 for a key that is not yours or is revoked.",
        protect: true,
      },
    })
    .input(z.object({ id: text().min(1).max(100) }))
    .output(ok(apiKeyDetailSchema))
    .query(async ({ ctx, input }) => {
      const key = await findActiveKey(ctx.services.db, ctx.user.userId, input.id);
      if (!key) throw notFound("API key");
      return { success: true as const, data: toApiKeyDetailDto(key, await keyBudgetStatus(ctx, key)) };
    }),

  create: userProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/keys",
        tags: ["keys"],
        summary: "Create an API key",
        description:
          "The full key is returned once, in this answer only. Optional: team_id (a team you belong to, else 400), scopes (default chat, read, manage), allowed_models, expires_at (in the future), budget_usd with budget_period (day, month or total; default month; a period without a budget is a 400), rpm, tpm, max_parallel.",
        protect: true,
      },
    })
    .input(z.object({ name: keyName.optional(), ...keyAttributesInput }))
    .output(ok(createdApiKeySchema))
    .mutation(async ({ ctx, input }) => {
      const { name, ...attributes } = input;
      const data = await issueKey(ctx, ctx.user.userId, name ?? null, attributes);
      ctx.response.status = 201;
      return { success: true as const, data };
    }),

  update: userProcedure
    .meta({
      openapi: {
        method: "PATCH",
        path: "/keys/{id}",
        tags: ["keys"],
        summary: "Change an API key: name, team, scopes, allowed models, expiry, budget, limits",
        description:
          "Fields left out keep their value; null clears team_id, allowed_models (every model), expires_at (never), budget_usd (no budget; its period goes with it), rpm, tpm and max_parallel. A new budget_usd keeps the key's period (month when it had none); budget_period alone changes the period of the key's budget (400 when it has none). Applies at once on this replica and within LLMG_KEY_CACHE_TTL_MS on others. 404 for a key that is not yours or is revoked.",
        protect: true,
      },
    })
    .input(
      z
        .object({ id: text().min(1).max(100), name: keyName.nullable().optional(), ...keyAttributesInput })
        .refine((v) => Object.entries(v).some(([k, value]) => k !== "id" && value !== undefined), {
          message: "give at least one field to change",
          path: ["(body)"],
        }),
    )
    .output(ok(apiKeySchema))
    .mutation(async ({ ctx, input }) => {
      const { id, ...patch } = input;
      const data = await changeKey(ctx, ctx.user.userId, id, patch);
      return { success: true as const, data };
    }),

  delete: userProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/keys/{id}",
        tags: ["keys"],
        summary: "Revoke an API key",
        description: "Stops working at once on this replica and within the key cache TTL on others.",
        protect: true,
      },
    })
    .input(z.object({ id: text().min(1).max(100) }))
    .output(
      ok(
        z.object({ id: z.string().meta({ example: "key_9Xk2mP4qR7sT1uVwY3zA" }), revoked: z.literal(true) }),
      ),
    )
    .mutation(async ({ ctx, input }) => {
      const revoked = await revokeKey(ctx.services.db, ctx.user.userId, input.id);
      if (!revoked) throw notFound("API key");
      ctx.services.auth.forget(revoked.key_hash);
      await audit(ctx, {
        userId: ctx.user.userId,
        action: "api_key.delete",
        targetType: "api_key",
        targetId: revoked.id,
      });
      return { success: true as const, data: { id: revoked.id, revoked: true as const } };
    }),
});
