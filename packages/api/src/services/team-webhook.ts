import { type Database, setTeamWebhookSecret, type Team } from "@llmg/db";
import type { Kysely } from "kysely";
import type { Context } from "../context";
import { ApiError } from "../errors";
import { teamWebhookSecretAad } from "../limits/level-alerts";
import { generateWebhookSecret } from "../limits/webhook-signing";

/** rotate_webhook_secret needs a URL, the one given now or the one the team has. */
export function assertRotatable(webhookUrl: string | null, rotate: boolean | undefined): void {
  if (rotate && webhookUrl === null) {
    throw new ApiError("validation_error", "There is no webhook URL to rotate a secret for", {
      details: [{ field: "rotate_webhook_secret", message: "set webhook_url first" }],
    });
  }
}

/**
 * Called in the transaction that wrote the team, with the row as written: a secret is made when
 * the team's webhook URL first appears or on request, sealed to the team, and returned so the
 * answer shows it once (as PUT /api/budget does for a user); a removed URL drops its secret.
 */
export async function settleTeamWebhookSecret(
  ctx: Context,
  trx: Kysely<Database>,
  team: Team,
  rotate: boolean | undefined,
): Promise<string | undefined> {
  if (team.webhook_url === null) {
    if (team.webhook_secret !== null) await setTeamWebhookSecret(trx, team.id, null);
    return undefined;
  }
  if (!rotate && team.webhook_secret !== null) return undefined;
  const secret = generateWebhookSecret();
  await setTeamWebhookSecret(trx, team.id, ctx.services.secrets.seal(secret, teamWebhookSecretAad(team.id)));
  return secret;
}
