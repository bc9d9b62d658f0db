import { listCredentials } from "@llmg/db";
import { z } from "zod";
import { ok } from "../envelope";
import { text } from "../schemas/common";
import {
  createCredentialInput,
  credentialSchema,
  credentialTestSchema,
  updateCredentialInput,
} from "../schemas/credentials";
import {
  createProviderCredential,
  credentialDto,
  credentialDtos,
  deleteProviderCredential,
  getOwnCredential,
  testProviderCredential,
  updateProviderCredential,
} from "../services/credentials";
import { router, userProcedure } from "../trpc";

const idInput = z.object({ id: text().min(1).max(100) });
const tags = ["credentials"];

export const credentialsRouter = router({
  list: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/credentials",
        tags,
        summary: "List your provider credentials",
        description:
          "Each with its weight and the health of its circuit breaker (closed, open or half_open, consecutive failures, when it opened and when a probe call is let through).",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(ok(z.array(credentialSchema)))
    .query(async ({ ctx }) => {
      const rows = await listCredentials(ctx.services.db, ctx.user.userId);
      return { success: true as const, data: await credentialDtos(ctx, ctx.user.userId, rows) };
    }),

  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/credentials/{id}",
        tags,
        summary: "Get one credential",
        protect: true,
      },
    })
    .input(idInput)
    .output(ok(credentialSchema))
    .query(async ({ ctx, input }) => ({
      success: true as const,
      data: await credentialDto(ctx, ctx.user.userId, await getOwnCredential(ctx, ctx.user.userId, input.id)),
    })),

  create: userProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/credentials",
        tags,
        summary: "Store a provider API key",
        description:
          "The key is encrypted at rest (AES-256-GCM) and never returned; answers show a hint. The first credential of a provider becomes its default.",
        protect: true,
      },
    })
    .input(createCredentialInput)
    .output(ok(credentialSchema))
    .mutation(async ({ ctx, input }) => {
      const row = await createProviderCredential(ctx, ctx.user.userId, input);
      ctx.response.status = 201;
      return { success: true as const, data: await credentialDto(ctx, ctx.user.userId, row) };
    }),

  update: userProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/credentials/{id}",
        tags,
        summary: "Update a credential",
        protect: true,
      },
    })
    .input(updateCredentialInput)
    .output(ok(credentialSchema))
    .mutation(async ({ ctx, input }) => ({
      success: true as const,
      data: await credentialDto(
        ctx,
        ctx.user.userId,
        await updateProviderCredential(ctx, ctx.user.userId, input),
      ),
    })),

  delete: userProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/credentials/{id}",
        tags,
        summary: "Delete a credential",
        protect: true,
      },
    })
    .input(idInput)
    .output(
      ok(
        z.object({ id: z.string().meta({ example: "cred_7Hn2Qe5rTy8uIo1pAs3D" }), deleted: z.literal(true) }),
      ),
    )
    .mutation(async ({ ctx, input }) => {
      const row = await deleteProviderCredential(ctx, ctx.user.userId, input.id);
      return { success: true as const, data: { id: row.id, deleted: true as const } };
    }),

  test: userProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/credentials/{id}/test",
        tags,
        summary: "Test a credential against the provider",
        description:
          "Calls the provider's list-models endpoint with the stored key. Answers 200 whether or not the provider accepted the key; `ok` says which. The result is kept as the credential's last test.",
        protect: true,
      },
    })
    .input(idInput)
    .output(ok(credentialTestSchema))
    .mutation(async ({ ctx, input }) => ({
      success: true as const,
      data: await testProviderCredential(ctx, ctx.user.userId, input.id),
    })),
});
