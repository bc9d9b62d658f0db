import { listActivity } from "@llmg/db";
import { z } from "zod";
import { accountOverview } from "../analytics/account";
import { ok, pageOf, paginated } from "../envelope";
import { accountSchema, activityEntrySchema, toActivityEntry } from "../schemas/account";
import { activityInput } from "../schemas/usage-inputs";
import { router, userProcedure } from "../trpc";

export const accountRouter = router({
  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/account",
        tags: ["account"],
        summary: "Your account",
        description:
          "Identity, plan limits (monthly budget, requests and tokens per minute), how many keys and provider credentials are set up, and this month's spend (UTC calendar month, exact).",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(ok(accountSchema))
    .query(async ({ ctx }) => ({
      success: true as const,
      data: await accountOverview(ctx.services.db, ctx.user.userId),
    })),

  activity: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/account/activity",
        tags: ["account"],
        summary: "Your activity log",
        description: "What was done on your account, newest first, with who did it and from where.",
        protect: true,
      },
    })
    .input(activityInput)
    .output(paginated(activityEntrySchema))
    .query(async ({ ctx, input }) => {
      const { items, total } = await listActivity(
        ctx.services.db,
        ctx.user.userId,
        { page: input.page, perPage: input.per_page },
        input.action,
      );
      return pageOf(items.map(toActivityEntry), total, input);
    }),
});
