import { type Database, setMonthlyLimit, upsertBudget } from "@llmg/db";
import type { Kysely } from "kysely";
import { z } from "zod";
import { audit } from "../audit";
import type { Context } from "../context";
import { assertEgressAllowed } from "../egress";
import { ok } from "../envelope";
import { ApiError } from "../errors";
import { assertWithinCap, softModeRefusal } from "../limits/cap";
import { budgetHistory } from "../limits/history";
import type { BudgetSettings } from "../limits/settings";
import { budgetSummary } from "../limits/summary";
import { webhookSecretAad } from "../limits/webhook-delivery";
import { generateWebhookSecret } from "../limits/webhook-signing";
import {
  budgetHistoryInput,
  budgetHistorySchema,
  budgetSchema,
  budgetUpdateInput,
  budgetUpdateSchema,
  toBudgetDto,
  toHistoryPointDto,
} from "../schemas/budget";
import { router, userProcedure } from "../trpc";

async function freshSettings(ctx: Context, userId: string): Promise<BudgetSettings> {
  ctx.services.limits.invalidate(userId);
  const settings = await ctx.services.limits.settings(userId);
  if (!settings) throw new ApiError("not_found", "User not found");
  return settings;
}

type UpdateInput = z.infer<typeof budgetUpdateInput>;

/** Writes the change in one transaction; returns the new signing secret when one was made. */
async function applyUpdate(
  ctx: Context,
  db: Kysely<Database>,
  current: BudgetSettings,
  input: UpdateInput,
): Promise<string | undefined> {
  const webhookUrl = input.webhook_url === undefined ? current.webhookUrl : input.webhook_url;
  if (input.rotate_webhook_secret && webhookUrl === null) {
    throw new ApiError("validation_error", "There is no webhook URL to rotate a secret for", {
      details: [{ field: "rotate_webhook_secret", message: "set webhook_url first" }],
    });
  }
  // A secret is made when a URL first appears or on request, and shown in this answer only.
  const newSecret =
    webhookUrl !== null && (input.rotate_webhook_secret || current.webhookSecretSealed === null)
      ? generateWebhookSecret()
      : undefined;
  let sealed: string | null | undefined;
  if (newSecret) sealed = ctx.services.secrets.seal(newSecret, webhookSecretAad(current.userId));
  else if (webhookUrl === null) sealed = null;
  if (input.mode === "soft" && current.capUsd !== null) throw softModeRefusal(current.capUsd);
  await db.transaction().execute(async (trx) => {
    if (input.limit_usd !== undefined) {
      await assertWithinCap(trx, current.userId, input.limit_usd);
      await setMonthlyLimit(trx, current.userId, input.limit_usd);
    }
    await upsertBudget(trx, current.userId, {
      ...(input.mode !== undefined ? { mode: input.mode } : {}),
      ...(input.thresholds !== undefined ? { thresholds: input.thresholds } : {}),
      ...(input.webhook_url !== undefined ? { webhookUrl: input.webhook_url } : {}),
      ...(sealed !== undefined ? { webhookSecret: sealed } : {}),
    });
  });
  return newSecret;
}

export const budgetRouter = router({
  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/budget",
        tags: ["budget"],
        summary: "Your budget this month",
        description:
          "Limit, recorded spend, reservations of calls in flight, remaining, the month-end projection (see projection_method) and the alerts fired this month. Money as display numbers plus exact `*_exact` strings.",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(ok(budgetSchema))
    .query(async ({ ctx }) => {
      const settings = await freshSettings(ctx, ctx.user.userId);
      const summary = await budgetSummary(ctx.services, settings);
      return { success: true as const, data: toBudgetDto(summary) };
    }),

  update: userProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/budget",
        tags: ["budget"],
        summary: "Set your budget",
        description:
          "Any of: monthly limit (null = unlimited), alert thresholds, webhook URL, mode (hard refuses calls past the limit with 402; soft only alerts). Fields left out keep their value. Setting a webhook URL the first time, or rotate_webhook_secret, returns the signing secret once. Other replicas apply a change within the settings cache TTL (LLMG_KEY_CACHE_TTL_MS). While an administrator's budget cap is set, a limit above it, unlimited (null) or soft mode is refused with 403 forbidden.",
        protect: true,
      },
    })
    .input(budgetUpdateInput)
    .output(ok(budgetUpdateSchema))
    .mutation(async ({ ctx, input }) => {
      const { db, limits } = ctx.services;
      const userId = ctx.user.userId;
      if (input.webhook_url) await assertEgressAllowed(ctx.services.egress, input.webhook_url, "webhook_url");
      const current = await freshSettings(ctx, userId);
      const secret = await applyUpdate(ctx, db, current, input);
      await audit(ctx, {
        userId,
        action: "budget.update",
        targetType: "budget",
        targetId: userId,
        details: {
          ...(input.limit_usd !== undefined
            ? { limit_usd: input.limit_usd, previous_limit_usd: current.limitUsd }
            : {}),
          ...(input.thresholds !== undefined ? { thresholds: input.thresholds } : {}),
          ...(input.webhook_url !== undefined ? { webhook_url: input.webhook_url } : {}),
          ...(input.mode !== undefined ? { mode: input.mode } : {}),
          ...(secret ? { webhook_secret_issued: true } : {}),
        },
      });
      limits.invalidate(userId);
      const summary = await budgetSummary(ctx.services, await freshSettings(ctx, userId));
      return {
        success: true as const,
        data: { ...toBudgetDto(summary), ...(secret ? { webhook_secret: secret } : {}) },
      };
    }),

  history: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/budget/history",
        tags: ["budget"],
        summary: "Spend per day or month, with the limit in force",
        description:
          "The last `months` calendar months (current included), one point per period even when nothing was spent, each with the monthly limit in force at its end and the month-to-date total.",
        protect: true,
      },
    })
    .input(budgetHistoryInput)
    .output(ok(budgetHistorySchema))
    .query(async ({ ctx, input }) => {
      const settings = await freshSettings(ctx, ctx.user.userId);
      const points = await budgetHistory(ctx.services.db, {
        userId: settings.userId,
        months: input.months,
        granularity: input.granularity,
        now: ctx.services.limits.now(),
        currentLimitUsd: settings.limitUsd,
      });
      return {
        success: true as const,
        data: { granularity: input.granularity, months: input.months, points: points.map(toHistoryPointDto) },
      };
    }),
});
