import { findUserById, listUsers, revokeKey } from "@llmg/db";
import { z } from "zod";
import { audit } from "../audit";
import { ok, pageInput, pageOf, paginated } from "../envelope";
import { notFound } from "../errors";
import { limitUsd } from "../schemas/budget";
import { jsonBoolean, positiveInt, text } from "../schemas/common";
import { keyAttributesInput, keyName } from "../schemas/keys";
import { createdApiKeySchema, toUserDto, userSchema } from "../schemas/users";
import { issueKey } from "../services/keys";
import { updateUserAccount } from "../services/user-admin";
import { createUserAccount } from "../services/users";
import { adminProcedure, router } from "../trpc";

const createUserInput = z.object({
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase()),
  name: text().trim().min(1).max(200).optional(),
  monthly_budget_usd: limitUsd.nullable().optional(),
  rate_limit_rpm: positiveInt.nullable().optional(),
  rate_limit_tpm: positiveInt.nullable().optional(),
});

const id = text().min(1).max(100);

const updateUserInput = z
  .object({
    id,
    name: text().trim().min(1).max(200).nullable().optional(),
    disabled: jsonBoolean.optional().meta({
      description: "true refuses every key of the user (403 account_disabled); false restores them",
    }),
    budget_cap_usd: limitUsd.nullable().optional().meta({
      description:
        "The highest monthly limit the user may set themselves (null = no cap). A cap below the current limit lowers the limit to the cap; while set, the budget is enforced in hard mode.",
    }),
    monthly_budget_usd: limitUsd
      .nullable()
      .optional()
      .meta({ description: "Monthly limit in USD (null = unlimited); at most the cap" }),
    rate_limit_rpm: positiveInt.nullable().optional(),
    rate_limit_tpm: positiveInt.nullable().optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== "id"), {
    message: "give at least one field to change",
    path: ["(body)"],
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
        description:
          "The full key is returned once, in this answer only. Takes the attributes POST /api/keys takes; team_id must be a team the user belongs to.",
        protect: true,
      },
    })
    .input(z.object({ id: text().min(1).max(100), name: keyName.optional(), ...keyAttributesInput }))
    .output(ok(createdApiKeySchema))
    .mutation(async ({ ctx, input }) => {
      const { id: userId, name, ...attributes } = input;
      const user = await findUserById(ctx.services.db, userId);
      if (!user) throw notFound("User");
      const data = await issueKey(ctx, user.id, name ?? null, attributes);
      ctx.response.status = 201;
      return { success: true as const, data };
    }),

  updateUser: adminProcedure
    .meta({
      openapi: {
        method: "PATCH",
        path: "/admin/users/{id}",
        tags: ["admin"],
        summary: "Change a user: disable, cap the budget, set limits",
        description:
          "Fields left out keep their value. Disabling refuses the user's keys with 403 account_disabled at once on this replica and within LLMG_KEY_CACHE_TTL_MS on others; limits apply the same way. Recorded in the activity log.",
        protect: true,
      },
    })
    .input(updateUserInput)
    .output(ok(userSchema))
    .mutation(async ({ ctx, input }) => {
      const { id: userId, ...patch } = input;
      const user = await updateUserAccount(ctx, userId, patch);
      return { success: true as const, data: toUserDto(user) };
    }),

  revokeUserKey: adminProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/admin/users/{id}/keys/{keyId}",
        tags: ["admin"],
        summary: "Revoke a user's API key",
        description:
          "Stops working at once on this replica and within the key cache TTL on others. 404 when the key is not this user's or is already revoked.",
        protect: true,
      },
    })
    .input(z.object({ id, keyId: id }))
    .output(
      ok(
        z.object({ id: z.string().meta({ example: "key_9Xk2mP4qR7sT1uVwY3zA" }), revoked: z.literal(true) }),
      ),
    )
    .mutation(async ({ ctx, input }) => {
      const revoked = await revokeKey(ctx.services.db, input.id, input.keyId);
      if (!revoked) throw notFound("API key");
      ctx.services.auth.forget(revoked.key_hash);
      await audit(ctx, {
        userId: input.id,
        action: "api_key.delete",
        targetType: "api_key",
        targetId: revoked.id,
        details: { prefix: revoked.prefix },
      });
      return { success: true as const, data: { id: revoked.id, revoked: true as const } };
    }),
});
