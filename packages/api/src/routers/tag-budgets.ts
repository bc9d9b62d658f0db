import {
  countTagBudgets,
  deleteTagBudget,
  findTagBudget,
  holdUserTagBudgets,
  levelSpendSince,
  listTagBudgets,
  type TagBudget,
  tagSpendsSince,
  upsertTagBudget,
} from "@llmg/db";
import { z } from "zod";
import { audit } from "../audit";
import type { Context } from "../context";
import { ok } from "../envelope";
import { ApiError, notFound } from "../errors";
import { addMonths, monthKey, monthStart } from "../limits/period";
import {
  MAX_TAG_BUDGETS,
  type TagBudgetView,
  tagBudgetInput,
  tagBudgetSchema,
  tagParam,
  toTagBudgetDto,
} from "../schemas/tag-budgets";
import { router, userProcedure } from "../trpc";

/**
 * This month's spend (recorded rows) and reservations (live counters) of each budget. One
 * budget is read with the query the limiter seeds its counter from; a list in one grouped query.
 */
async function views(ctx: Context, userId: string, budgets: TagBudget[]): Promise<TagBudgetView[]> {
  const { db, limits } = ctx.services;
  const now = limits.now();
  const start = monthStart(now);
  const tags = budgets.map((b) => b.tag);
  const spends =
    tags.length === 1 && tags[0] !== undefined
      ? new Map([
          [tags[0], await levelSpendSince(db, { scope: "tag", userId, tag: tags[0] }, new Date(start))],
        ])
      : await tagSpendsSince(db, userId, tags, new Date(start));
  const reserved = await Promise.all(
    budgets.map((b) => limits.reservedForLevel({ scope: "tag", id: b.tag, userId }).catch(() => 0n)),
  );
  return budgets.map((budget, i) => ({
    budget,
    period: monthKey(now),
    periodStart: start,
    periodEnd: addMonths(now, 1),
    spentUsd: spends.get(budget.tag) ?? "0",
    reservedNano: reserved[i] ?? 0n,
  }));
}

function tooMany(): ApiError {
  const message = `at most ${MAX_TAG_BUDGETS} tag budgets per user; delete one first`;
  return new ApiError("validation_error", `Too many tag budgets: ${message}`, {
    details: [{ field: "tag", message }],
  });
}

const tagPath = "Put a `/` of the tag as %2F.";

export const tagBudgetsRouter = router({
  list: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/budget/tags",
        tags: ["budget"],
        summary: "Your tag budgets this month",
        description:
          "Each tag budget with this UTC month's recorded spend of your calls carrying the tag, the reservations of such calls in flight, and what remains.",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(ok(z.array(tagBudgetSchema)))
    .query(async ({ ctx }) => {
      const budgets = await listTagBudgets(ctx.services.db, ctx.user.userId);
      return {
        success: true as const,
        data: (await views(ctx, ctx.user.userId, budgets)).map(toTagBudgetDto),
      };
    }),

  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/budget/tags/{tag}",
        tags: ["budget"],
        summary: "One of your tag budgets this month",
        description: `404 when the tag has no budget. ${tagPath}`,
        protect: true,
      },
    })
    .input(z.object({ tag: tagParam }))
    .output(ok(tagBudgetSchema))
    .query(async ({ ctx, input }) => {
      const budget = await findTagBudget(ctx.services.db, ctx.user.userId, input.tag);
      if (!budget) throw notFound("Tag budget");
      const [view] = await views(ctx, ctx.user.userId, [budget]);
      return { success: true as const, data: toTagBudgetDto(view as TagBudgetView) };
    }),

  set: userProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/budget/tags/{tag}",
        tags: ["budget"],
        summary: "Set the monthly budget of a tag",
        description: `Creates or replaces it. Your calls carrying the tag are refused with 402 budget_exceeded (details.scope tag) once the tag's spend this UTC month reaches it; changing it mid-month keeps the spend so far. At most ${MAX_TAG_BUDGETS} tag budgets (400 naming tag past that). Applies at once on this replica and within LLMG_KEY_CACHE_TTL_MS on others. ${tagPath}`,
        protect: true,
      },
    })
    .input(tagBudgetInput)
    .output(ok(tagBudgetSchema))
    .mutation(async ({ ctx, input }) => {
      const { db, limits } = ctx.services;
      const userId = ctx.user.userId;
      const { budget, previous } = await db.transaction().execute(async (trx) => {
        if (!(await holdUserTagBudgets(trx, userId))) throw notFound("User");
        const previous = await findTagBudget(trx, userId, input.tag);
        if (!previous && (await countTagBudgets(trx, userId)) >= MAX_TAG_BUDGETS) throw tooMany();
        return { budget: await upsertTagBudget(trx, userId, input.tag, input.monthly_budget_usd), previous };
      });
      limits.invalidate(userId);
      await audit(ctx, {
        userId,
        action: "tag_budget.set",
        targetType: "tag_budget",
        targetId: input.tag,
        details: {
          monthly_budget_usd: input.monthly_budget_usd,
          previous_monthly_budget_usd: previous?.monthly_budget_usd ?? null,
        },
      });
      const [view] = await views(ctx, ctx.user.userId, [budget]);
      return { success: true as const, data: toTagBudgetDto(view as TagBudgetView) };
    }),

  delete: userProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/budget/tags/{tag}",
        tags: ["budget"],
        summary: "Remove the budget of a tag",
        description: `The tag's calls are no longer held to a budget of their own; their spend stays recorded. 404 when it had none. ${tagPath}`,
        protect: true,
      },
    })
    .input(z.object({ tag: tagParam }))
    .output(ok(z.object({ tag: z.string(), deleted: z.literal(true) })))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.user.userId;
      if (!(await deleteTagBudget(ctx.services.db, userId, input.tag))) throw notFound("Tag budget");
      ctx.services.limits.invalidate(userId);
      await audit(ctx, {
        userId,
        action: "tag_budget.delete",
        targetType: "tag_budget",
        targetId: input.tag,
      });
      return { success: true as const, data: { tag: input.tag, deleted: true as const } };
    }),
});
