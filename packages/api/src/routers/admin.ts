import { findUserById, listUsers } from "@llmg/db";
import { z } from "zod";
import { ok, pageInput, pageOf, paginated } from "../envelope";
import { notFound } from "../errors";
import { positiveInt, text, usdAmount } from "../schemas/common";
import { createdApiKeySchema, toUserDto, userSchema } from "../schemas/users";
import { issueKey } from "../services/keys";
import { createUserAccount } from "../services/users";
import { adminProcedure, router } from "../trpc";

const createUserInput = z.object({
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase()),
  name: text().trim().min(1).max(200).optional(),
  monthly_budget_usd: usdAmount.nullable().optional(),
  rate_limit_rpm: positiveInt.nullable().optional(),
  rate_limit_tpm: positiveInt.nullable().optional(),
});

export const adminRouter = router({
  createUser: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/users",
        tags: ["admin"],
        summary: "Create a user",
        protect: true,
        successDescription: "The user was created (201)",
      },
    })
    .input(createUserInput)
    .output(ok(userSchema))
    .mutation(async ({ ctx, input }) => {
      const user = await createUserAccount(ctx, input);
      ctx.response.status = 201;
      return { success: true as const, data: toUserDto(user) };
    }),

  listUsers: adminProcedure
    .meta({
      openapi: { method: "GET", path: "/admin/users", tags: ["admin"], summary: "List users", protect: true },
    })
    .input(pageInput)
    .output(paginated(userSchema))
    .query(async ({ ctx, input }) => {
      const { items, total } = await listUsers(ctx.services.db, {
        page: input.page,
        perPage: input.per_page,
      });
      return pageOf(items.map(toUserDto), total, input);
    }),

  createUserKey: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/users/{id}/keys",
        tags: ["admin"],
        summary: "Create an API key for a user",
        description: "The full key is returned once, in this answer only.",
        protect: true,
      },
    })
    .input(z.object({ id: text().min(1).max(100), name: text().trim().min(1).max(200).optional() }))
    .output(ok(createdApiKeySchema))
    .mutation(async ({ ctx, input }) => {
      const user = await findUserById(ctx.services.db, input.id);
      if (!user) throw notFound("User");
      const data = await issueKey(ctx, user.id, input.name ?? null);
      ctx.response.status = 201;
      return { success: true as const, data };
    }),
});
