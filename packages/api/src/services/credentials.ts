import { getAdapter, type ProviderId } from "@llmg/core";
import {
  clearDefault,
  countCredentials,
  deleteCredential,
  findCredential,
  insertCredential,
  newId,
  type ProviderCredential,
  updateCredential,
} from "@llmg/db";
import type { z } from "zod";
import { audit } from "../audit";
import type { Context } from "../context";
import { secretHint } from "../crypto/secret-box";
import { assertEgressAllowed } from "../egress";
import { ApiError, notFound } from "../errors";
import {
  type createCredentialInput,
  toCredentialDto,
  type updateCredentialInput,
} from "../schemas/credentials";
import { callOptions, endpointFor } from "./provider-endpoint";

type CreateInput = z.infer<typeof createCredentialInput>;
type UpdateInput = z.infer<typeof updateCredentialInput>;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}

function nameTaken(provider: string, name: string) {
  return new ApiError("conflict", `You already have a ${provider} credential named "${name}"`);
}

export async function getOwnCredential(
  ctx: Context,
  userId: string,
  id: string,
): Promise<ProviderCredential> {
  const row = await findCredential(ctx.services.db, userId, id);
  if (!row) throw notFound("Credential");
  return row;
}

export async function createProviderCredential(ctx: Context, userId: string, input: CreateInput) {
  const { db, secrets, credentials } = ctx.services;
  if (input.base_url !== undefined)
    await assertEgressAllowed(ctx.services.egress, input.base_url, "base_url");
  const id = newId("cred");
  const row = await db
    .transaction()
    .execute(async (trx) => {
      // The first credential of a provider is its default unless told otherwise.
      const isDefault = input.is_default ?? (await countCredentials(trx, userId, input.provider)) === 0;
      if (isDefault) await clearDefault(trx, userId, input.provider, id);
      return insertCredential(trx, {
        id,
        user_id: userId,
        provider: input.provider,
        name: input.name,
        encrypted_secret: secrets.seal(input.api_key, id),
        hint: secretHint(input.api_key),
        base_url: input.base_url ?? null,
        is_default: isDefault,
        priority: input.priority ?? 0,
        weight: input.weight ?? 1,
      });
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? nameTaken(input.provider, input.name) : error;
    });
  credentials.invalidate(userId, input.provider);
  await audit(ctx, {
    userId,
    action: "credential.create",
    targetType: "credential",
    targetId: row.id,
    details: { provider: row.provider, name: row.name, hint: row.hint },
  });
  return row;
}

export async function updateProviderCredential(ctx: Context, userId: string, input: UpdateInput) {
  const { db, secrets, credentials } = ctx.services;
  const current = await getOwnCredential(ctx, userId, input.id);
  if (typeof input.base_url === "string" && input.base_url !== current.base_url) {
    // Otherwise a leaked llmg key could send the stored provider key to a host of its choosing.
    // Back to the default (null) needs no key: the default URLs are the operator's.
    if (input.api_key === undefined) {
      throw new ApiError(
        "validation_error",
        "Changing base_url requires the credential's api_key in the same request",
        {
          details: [{ field: "api_key", message: "required when base_url is set" }],
        },
      );
    }
    await assertEgressAllowed(ctx.services.egress, input.base_url, "base_url");
  }
  const row = await db
    .transaction()
    .execute(async (trx) => {
      if (input.is_default === true) await clearDefault(trx, userId, current.provider, current.id);
      return updateCredential(trx, userId, current.id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.api_key !== undefined
          ? {
              encrypted_secret: secrets.seal(input.api_key, current.id),
              hint: secretHint(input.api_key),
              // A new key invalidates the old key's test result.
              last_test_ok: null,
              last_test_at: null,
              last_test_latency_ms: null,
              last_test_status: null,
              last_test_error: null,
            }
          : {}),
        ...(input.base_url !== undefined ? { base_url: input.base_url } : {}),
        ...(input.is_default !== undefined ? { is_default: input.is_default } : {}),
        ...(input.priority !== undefined ? { priority: input.priority } : {}),
        ...(input.weight !== undefined ? { weight: input.weight } : {}),
      });
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? nameTaken(current.provider, input.name ?? current.name) : error;
    });
  if (!row) throw notFound("Credential");
  credentials.invalidate(userId, row.provider);
  // A new key starts with a closed circuit: the old key's failures say nothing about it.
  if (input.api_key !== undefined) await credentials.reset(userId, row.provider, row.id);
  const changed = Object.keys(input).filter((k) => k !== "id");
  await audit(ctx, {
    userId,
    action: "credential.update",
    targetType: "credential",
    targetId: row.id,
    details: { provider: row.provider, changed },
  });
  return row;
}

export async function deleteProviderCredential(ctx: Context, userId: string, id: string) {
  const row = await deleteCredential(ctx.services.db, userId, id);
  if (!row) throw notFound("Credential");
  ctx.services.credentials.invalidate(userId, row.provider);
  await ctx.services.credentials.reset(userId, row.provider, row.id);
  await audit(ctx, {
    userId,
    action: "credential.delete",
    targetType: "credential",
    targetId: row.id,
    details: { provider: row.provider, name: row.name },
  });
  return row;
}

/** Calls the provider's list-models endpoint with the stored key and keeps the outcome. */
export async function testProviderCredential(ctx: Context, userId: string, id: string) {
  const { config, secrets, db } = ctx.services;
  const row = await getOwnCredential(ctx, userId, id);
  const provider = row.provider as ProviderId;
  const result = await getAdapter(provider).testCredential({
    apiKey: secrets.open(row.encrypted_secret, row.id),
    ...endpointFor(ctx.services, provider, row.base_url),
    ...callOptions(config),
  });
  await updateCredential(db, userId, row.id, {
    last_test_ok: result.ok,
    last_test_at: new Date(),
    last_test_latency_ms: Math.round(result.latencyMs),
    last_test_status: result.status ?? null,
    last_test_error: result.error ?? null,
  });
  await audit(ctx, {
    userId,
    action: "credential.test",
    targetType: "credential",
    targetId: row.id,
    details: { ok: result.ok, status: result.status ?? null },
  });
  return {
    ok: result.ok,
    latency_ms: Math.round(result.latencyMs),
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
  };
}

/**
 * Credentials as answers show them, with each one's circuit. The shared state being unreadable
 * (Redis down) does not fail the answer: health is null then.
 */
export async function credentialDtos(ctx: Context, userId: string, rows: ProviderCredential[]) {
  const health = await ctx.services.credentials.health(userId, rows).catch((error: unknown) => {
    ctx.services.logger.warn({ err: (error as Error).message }, "credential health unreadable");
    return undefined;
  });
  return rows.map((row) => toCredentialDto(row, health?.get(row.id) ?? null));
}

export async function credentialDto(ctx: Context, userId: string, row: ProviderCredential) {
  const [dto] = await credentialDtos(ctx, userId, [row]);
  return dto as ReturnType<typeof toCredentialDto>;
}
