import { EgressDeniedError, EgressGuard } from "@llmg/core";
import {
  type BudgetAlert,
  claimDueWebhooks,
  type Database,
  findBudgetSettings,
  findTeamWebhook,
  recordActivity,
  recordWebhookDelivered,
  recordWebhookFailure,
} from "@llmg/db";
import type { Kysely } from "kysely";
import type { SecretBox } from "../crypto/secret-box";
import type { Logger } from "../services";
import { teamWebhookSecretAad } from "./level-alerts";
import { percentOf, usdToNano } from "./money";
import { SIGNATURE_HEADER, signWebhook } from "./webhook-signing";

export const WEBHOOK_EVENT = "budget.threshold_crossed";
/** The forecast alert's event: the month-end projection first passed the limit. */
export const FORECAST_WEBHOOK_EVENT = "budget.projected_exceed";

const eventOf = (alert: BudgetAlert) =>
  alert.kind === "projected_exceed" ? FORECAST_WEBHOOK_EVENT : WEBHOOK_EVENT;

/** Associated data binding a sealed webhook secret to its user. */
export const webhookSecretAad = (userId: string) => `budget-webhook:${userId}`;

export interface DeliveryOptions {
  db: Kysely<Database>;
  /** Opens the sealed signing secrets; without it nothing can be signed and attempts fail. */
  secrets: SecretBox | undefined;
  logger?: Logger;
  now?: () => number;
  /**
   * Where webhooks may connect (Services.egress: LLMG_EGRESS_ALLOW). Without it only public
   * addresses are reachable. Checked on every connection, so a name that resolves to an internal
   * address at delivery time (DNS rebinding) is refused before anything is sent.
   */
  egress?: EgressGuard;
  /** Attempts before a delivery is given up (status failed). */
  maxAttempts?: number;
  /** First retry delay; doubled after each failed attempt. */
  backoffMs?: number;
  timeoutMs?: number;
  batch?: number;
}

export interface DeliveryReport {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
}

// 8 attempts 10 s apart doubling: the last one about 21 minutes after the first.
export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_BACKOFF_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The JSON body: derived from the alert row only, so every retry sends the same bytes. The
 * fields a user's threshold alert always had keep their names and meaning; scope, level_id and
 * kind say which level and what kind (user_id is null for a team's alert, level_id for the
 * user's own budget).
 */
export function webhookPayload(alert: BudgetAlert): string {
  return JSON.stringify({
    id: alert.id,
    type: eventOf(alert),
    created_at: alert.created_at.toISOString(),
    data: {
      user_id: alert.user_id,
      period: alert.period,
      threshold_percent: alert.threshold_percent,
      limit_usd: alert.limit_usd,
      spent_usd: alert.spent_usd,
      percent_used: percentOf(usdToNano(alert.spent_usd, "up"), usdToNano(alert.limit_usd, "down")),
      mode: alert.mode,
      scope: alert.scope,
      level_id: alert.level_id,
      kind: alert.kind,
      ...(alert.projected_usd !== null ? { projected_usd: alert.projected_usd } : {}),
    },
  });
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string };

let strictGuard: EgressGuard | undefined;
// One dispatcher per guard (and timeout): keeps connections to a receiver between deliveries.
const agents = new WeakMap<EgressGuard, Map<number, ReturnType<EgressGuard["agent"]>>>();

function agentFor(guard: EgressGuard, timeoutMs: number) {
  let byTimeout = agents.get(guard);
  if (!byTimeout) {
    byTimeout = new Map();
    agents.set(guard, byTimeout);
  }
  let agent = byTimeout.get(timeoutMs);
  if (!agent) {
    agent = guard.agent(timeoutMs);
    byTimeout.set(timeoutMs, agent);
  }
  return agent;
}

const MAX_ERROR_TEXT = 200;

/** A short reason for the delivery log: never bytes of what the receiver answered. */
function failureText(error: unknown): string {
  if (error instanceof EgressDeniedError) return `egress_denied: ${error.message}`;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const text = typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
  return text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT)}…`;
}

async function post(
  alert: BudgetAlert,
  secret: string,
  options: DeliveryOptions,
  now: number,
): Promise<Attempt> {
  const body = webhookPayload(alert);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  strictGuard ??= new EgressGuard();
  const agent = agentFor(options.egress ?? strictGuard, timeoutMs);
  try {
    const url = new URL(alert.webhook_url ?? "");
    // undici's request never follows a redirect: a 3xx is a failure, so the signed body only
    // goes to the checked host.
    const res = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "llmg-webhooks/1",
        "x-llmg-event": eventOf(alert),
        "x-llmg-delivery": alert.id,
        [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(now / 1000)),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await res.body.dump().catch(() => {});
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status };
    return { ok: false, status, error: `HTTP ${status}` };
  } catch (error) {
    return { ok: false, status: null, error: failureText(error) };
  }
}

/** A team's alerts are signed with the team's secret; every other level's with its user's. */
async function signingSecret(
  db: Kysely<Database>,
  secrets: SecretBox | undefined,
  alert: BudgetAlert,
): Promise<string | { error: string }> {
  const team = alert.scope === "team" && alert.level_id !== null ? alert.level_id : null;
  let sealed: string | null | undefined;
  let aad: string;
  if (team !== null) {
    sealed = (await findTeamWebhook(db, team))?.webhook_secret;
    aad = teamWebhookSecretAad(team);
  } else if (alert.user_id !== null) {
    sealed = (await findBudgetSettings(db, alert.user_id))?.webhook_secret;
    aad = webhookSecretAad(alert.user_id);
  } else {
    return { error: "the alert names no user or team to sign for" };
  }
  if (!sealed || !secrets) return { error: "no signing secret available (is LLMG_ENCRYPTION_KEY set?)" };
  try {
    return secrets.open(sealed, aad);
  } catch {
    return { error: "the signing secret cannot be decrypted (a different LLMG_ENCRYPTION_KEY?)" };
  }
}

/**
 * Sends every due alert webhook once, and schedules failures for a retry with exponential
 * backoff (or gives up after maxAttempts). The state lives in budget_alerts, so the same
 * processor runs from BullMQ in production and from a timer in embedded mode, survives a Redis
 * flush, and lets any number of workers share the work.
 */
export async function deliverDueWebhooks(options: DeliveryOptions): Promise<DeliveryReport> {
  const { db } = options;
  const now = (options.now ?? Date.now)();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  // The lease outlasts one attempt, so only a deliverer that died lets another take it over.
  const claimed = await claimDueWebhooks(
    db,
    new Date(now),
    new Date(now + timeoutMs + 30_000),
    options.batch ?? 50,
  );
  const report: DeliveryReport = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };

  await Promise.all(
    claimed.map(async (alert) => {
      const secret = await signingSecret(db, options.secrets, alert);
      const attempt: Attempt =
        typeof secret === "string"
          ? await post(alert, secret, options, now)
          : { ok: false, status: null, ...secret };
      const done = new Date((options.now ?? Date.now)());
      if (attempt.ok) {
        report.delivered++;
        await recordWebhookDelivered(db, alert.id, attempt.status, done);
        await recordActivity(db, {
          userId: alert.user_id,
          actor: "system",
          action: "budget.webhook_delivered",
          targetType: "budget_alert",
          targetId: alert.id,
          details: {
            status: attempt.status,
            attempts: alert.webhook_attempts,
            ...(alert.scope !== "user" ? { scope: alert.scope, level_id: alert.level_id } : {}),
          },
        });
        return;
      }
      const giveUp = alert.webhook_attempts >= maxAttempts;
      const retryAt = giveUp
        ? null
        : new Date(done.getTime() + backoffMs * 2 ** (alert.webhook_attempts - 1));
      await recordWebhookFailure(db, alert.id, { status: attempt.status, error: attempt.error, retryAt });
      if (giveUp) {
        report.failed++;
        await recordActivity(db, {
          userId: alert.user_id,
          actor: "system",
          action: "budget.webhook_failed",
          targetType: "budget_alert",
          targetId: alert.id,
          details: {
            status: attempt.status,
            error: attempt.error,
            attempts: alert.webhook_attempts,
            ...(alert.scope !== "user" ? { scope: alert.scope, level_id: alert.level_id } : {}),
          },
        });
      } else {
        report.retrying++;
      }
      options.logger?.warn(
        { alert_id: alert.id, attempt: alert.webhook_attempts, err: attempt.error, gave_up: giveUp },
        "budget webhook failed",
      );
    }),
  );
  return report;
}
