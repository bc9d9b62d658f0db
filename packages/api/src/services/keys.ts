import { insertApiKey } from "@llmg/db";
import { audit } from "../audit";
import { generateApiKey } from "../auth/api-key";
import type { Context } from "../context";
import { toApiKeyDto } from "../schemas/users";

/** Creates a key for `userId`; the plaintext is in the answer and nowhere else. */
export async function issueKey(ctx: Context, userId: string, name: string | null) {
  const generated = generateApiKey();
  const row = await insertApiKey(ctx.services.db, {
    userId,
    name,
    prefix: generated.prefix,
    keyHash: generated.hash,
  });
  await audit(ctx, {
    userId,
    action: "api_key.create",
    targetType: "api_key",
    targetId: row.id,
    details: { name, prefix: row.prefix },
  });
  return { ...toApiKeyDto(row), key: generated.key };
}
