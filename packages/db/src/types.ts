import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Column types as the drivers hand them to us (see connection.ts for the parsers):
 * `numeric` stays a decimal string (money must never pass through a float), `bigint`
 * becomes a JS number (token counts and serial ids stay far below 2^53).
 */
/** Insert-optional so columns with a database default need not be given. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Money = ColumnType<string, string | number, string | number>;

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  monthly_budget_usd: Money | null;
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
  /** Every key of a disabled user is refused (403 account_disabled); keys are kept. */
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** The highest monthly limit the user may set themselves; null = no cap. */
  budget_cap_usd: Money | null;
  /** Where the user's counters live in Redis (the api's limits/home.ts); null = its own hash tag. */
  counter_home: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string | null;
  /** First characters of the key, safe to show ("llmg_AbC1…"). */
  prefix: string;
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  key_hash: string;
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
  /** A team of the key's user whose spend the key's calls count towards; null = none. */
  team_id: string | null;
  /** Subset of "chat", "read", "manage". */
  scopes: ColumnType<KeyScope[], string | undefined, string>;
  /** Exact "provider/model" ids or "provider/*"; null = every model. */
  allowed_models: ColumnType<string[] | null, string | null | undefined, string | null>;
  /** Refused (401 key_expired) from this instant on; null = never. */
  expires_at: Timestamp | null;
  /** The key's own budget per `budget_period`; null = none. */
  budget_usd: Money | null;
  /** UTC calendar day, month, or the key's whole life; null while no budget is set. */
  budget_period: BudgetPeriod | null;
  /** Calls of this key in flight at once (429 concurrency_limit_exceeded past it); null = no cap. */
  max_parallel: number | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export type KeyScope = "chat" | "read" | "manage";
export type BudgetPeriod = "day" | "month" | "total";
export type TeamRole = "member" | "manager";

export interface TeamsTable {
  id: string;
  name: string;
  monthly_budget_usd: Money | null;
  /** The highest monthly limit a manager may set; set by the admin; null = no cap. */
  budget_cap_usd: Money | null;
  /** Alert thresholds in percent of the limit, ascending. */
  thresholds: ColumnType<number[], string | undefined, string>;
  webhook_url: string | null;
  /** Sealed HMAC signing secret of the team's webhook (never returned after it is issued). */
  webhook_secret: string | null;
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A user's monthly budget for the calls carrying one tag. */
export type RouteStrategy = "weighted" | "ordered" | "cheapest" | "fastest";
export type RetryKind = "429" | "5xx" | "timeout" | "context_length";

/** A named route of a user: called as model `route/<name>`. */
export interface ModelRoutesTable {
  user_id: string;
  name: string;
  strategy: RouteStrategy;
  /** Models as the user named them ("provider/model"), with optional weights. */
  targets: ColumnType<{ model: string; weight?: number }[], string, string>;
  fallbacks: ColumnType<string[], string | undefined, string>;
  retry_on: ColumnType<RetryKind[], string, string>;
  /** Responses of this route are cached this long (seconds); null = not cached. */
  cache_ttl_s: number | null;
  /** Cache every answer of the route (tool calls, cut answers), not only complete text ones. */
  cache_all: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TagBudgetsTable {
  user_id: string;
  tag: string;
  monthly_budget_usd: Money;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: TeamRole;
  created_at: Timestamp;
}

export interface ActivityLogTable {
  id: Generated<number>;
  /** Whose history this belongs to (the subject user), null for deployment-wide events. */
  user_id: string | null;
  /** "admin", "system" or a user id. */
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: Timestamp;
}

/** Deployment-wide key/value settings (e.g. the admin key's hash). */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: Timestamp;
}

export interface ProviderCredentialsTable {
  id: string;
  user_id: string;
  provider: string;
  name: string;
  encrypted_secret: string;
  /** What may be shown of the key, e.g. "sk-...abcd". */
  hint: string;
  base_url: string | null;
  is_default: ColumnType<boolean, boolean | undefined, boolean>;
  priority: ColumnType<number, number | undefined, number>;
  /** Share of the provider's calls among the user's credentials for it (1..1000). */
  weight: ColumnType<number, number | undefined, number>;
  last_test_ok: boolean | null;
  last_test_at: Timestamp | null;
  last_test_latency_ms: number | null;
  last_test_status: number | null;
  last_test_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

type Count = ColumnType<number, number | undefined, number>;

/** One row per gateway call, success or failure. */
export interface RequestsTable {
  id: string;
  user_id: string;
  api_key_id: string | null;
  credential_id: string | null;
  provider: string;
  model: string;
  /** Which surface took the call: "api" (/api/chat/completions) or "v1" (OpenAI-compatible). */
  endpoint: string;
  stream: ColumnType<boolean, boolean | undefined, boolean>;
  status: "success" | "error";
  http_status: number;
  error_code: string | null;
  error_message: string | null;
  prompt_tokens: Count;
  completion_tokens: Count;
  cached_tokens: Count;
  cache_write_tokens: Count;
  reasoning_tokens: Count;
  usage_estimated: ColumnType<boolean, boolean | undefined, boolean>;
  prompt_cost: ColumnType<string, string | undefined, string>;
  completion_cost: ColumnType<string, string | undefined, string>;
  total_cost: ColumnType<string, string | undefined, string>;
  latency_ms: number;
  ttft_ms: number | null;
  ip: string | null;
  user_agent: string | null;
  metadata: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  request_body: ColumnType<unknown, string | null, string | null>;
  response_body: ColumnType<unknown, string | null, string | null>;
  /** Attribution tags of the call (x-llmg-tags / metadata.tags), validated and deduplicated. */
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** The agent run the call belongs to (x-llmg-run-id). */
  run_id: string | null;
  /** The run envelope the call was sent with (x-llmg-run-budget-usd), exact decimal. */
  run_budget_usd: ColumnType<string | null, string | null | undefined, string | null>;
  /** The team the call counted for (its key's team at call time); null = none. */
  team_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Which attempt of its call this row is (1 unless the call fell back to another model). */
  attempt: ColumnType<number, number | undefined, number>;
  /** The call an attempt belongs to (the id its caller got); null for a call of one attempt. */
  request_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Answered from the response cache: cost 0, the provider not called. */
  cache_hit: ColumnType<boolean, boolean | undefined, boolean>;
  /** A cache hit's saving: what the call would have cost, exact decimal; null on other rows. */
  saved_usd: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  /** Inserting transaction's id (xid8, as text): the rollup watermark. Filled by the database. */
  txid: ColumnType<string, never, never>;
}

/** Budget settings besides the limit, which stays in users.monthly_budget_usd. */
export interface BudgetsTable {
  user_id: string;
  mode: ColumnType<"hard" | "soft", "hard" | "soft" | undefined, "hard" | "soft">;
  /** Alert thresholds in percent of the limit, ascending. */
  thresholds: ColumnType<number[], string | undefined, string>;
  webhook_url: string | null;
  /** Sealed HMAC signing secret for the webhook. */
  webhook_secret: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One row per change of users.monthly_budget_usd (written by a trigger), so history knows the limit. */
export interface BudgetChangesTable {
  id: Generated<number>;
  user_id: string;
  limit_usd: Money | null;
  previous_limit_usd: Money | null;
  changed_at: Timestamp;
}

export type WebhookStatus = "none" | "pending" | "delivered" | "failed";

export type AlertScope = "user" | "key" | "team" | "tag" | "run";
export type AlertKind = "threshold" | "projected_exceed";

/**
 * A threshold crossed, or a forecast of exceeding, in a level's period: unique per (user,
 * scope, level, period, kind, threshold).
 */
export interface BudgetAlertsTable {
  id: string;
  /** The user the level belongs to; null for a team's alerts. */
  user_id: string | null;
  scope: ColumnType<AlertScope, AlertScope | undefined, AlertScope>;
  /** The key's or team's id, the tag, the run id; null for the user's own budget. */
  level_id: string | null;
  kind: ColumnType<AlertKind, AlertKind | undefined, AlertKind>;
  /** "YYYY-MM" (calendar month in UTC), "YYYY-MM-DD" for a daily key budget, "total". */
  period: string;
  /** 0 for a projected_exceed alert. */
  threshold_percent: number;
  /** The month-end projection that fired a projected_exceed alert; null for thresholds. */
  projected_usd: Money | null;
  limit_usd: Money;
  spent_usd: Money;
  mode: string;
  webhook_url: string | null;
  webhook_status: WebhookStatus;
  webhook_attempts: Count;
  webhook_next_attempt_at: Timestamp | null;
  webhook_last_status: number | null;
  webhook_last_error: string | null;
  webhook_delivered_at: Timestamp | null;
  created_at: Timestamp;
}

type Total = ColumnType<number, number, number>;

/**
 * Usage aggregated per user × UTC hour or day × provider × model × API key × team (see the
 * usage_rollups and rollup_dimensions migrations).
 */
export interface UsageRollupsTable {
  user_id: string;
  granularity: "hour" | "day";
  bucket_start: Timestamp;
  provider: string;
  model: string;
  /** '' = a call without a key. */
  api_key_id: string;
  /** '' = a call that counted for no team. */
  team_id: string;
  requests: Total;
  successes: Total;
  errors: Total;
  prompt_tokens: Total;
  completion_tokens: Total;
  cached_tokens: Total;
  cache_write_tokens: Total;
  reasoning_tokens: Total;
  cost: Money;
  latency_sum: Total;
  latency_max: number;
  /** bigint[]: written and summed in SQL only, never read whole by the app. */
  latency_hist: ColumnType<unknown, never, never>;
  ttft_sum: Total;
  ttft_count: Total;
  /** Calls answered from the response cache, and what they saved (USD). */
  cache_hits: Total;
  saved: Money;
  updated_at: Timestamp;
}

/** The same measures per tag: a call with two tags is in both; '' = untagged calls. */
export interface UsageTagRollupsTable extends Omit<UsageRollupsTable, "api_key_id" | "team_id"> {
  tag: string;
}

export interface UsageRollupStateTable {
  id: string;
  watermark: number;
  last_started_at: Timestamp | null;
  last_success_at: Timestamp | null;
  last_duration_ms: number | null;
  last_rows: number | null;
  last_buckets: number | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
}

/** A browser session (dashboard sign-in); only hashes of its token and CSRF token are kept. */
export interface SessionsTable {
  /** Hex SHA-256 of the cookie's token. */
  token_hash: string;
  /** Null for a session of the admin key. */
  user_id: string | null;
  /** The key the session was made from, checked again on every use; null for the admin key. */
  api_key_id: string | null;
  /** Hex SHA-256 of the CSRF token state-changing calls must send. */
  csrf_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  activity_log: ActivityLogTable;
  settings: SettingsTable;
  provider_credentials: ProviderCredentialsTable;
  requests: RequestsTable;
  budgets: BudgetsTable;
  budget_changes: BudgetChangesTable;
  budget_alerts: BudgetAlertsTable;
  usage_rollups: UsageRollupsTable;
  usage_tag_rollups: UsageTagRollupsTable;
  usage_rollup_state: UsageRollupStateTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  tag_budgets: TagBudgetsTable;
  model_routes: ModelRoutesTable;
  sessions: SessionsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type NewApiKey = Insertable<ApiKeysTable>;
export type ActivityLogEntry = Selectable<ActivityLogTable>;
export type NewActivityLogEntry = Insertable<ActivityLogTable>;
export type ProviderCredential = Selectable<ProviderCredentialsTable>;
export type NewProviderCredential = Insertable<ProviderCredentialsTable>;
export type ProviderCredentialUpdate = Updateable<ProviderCredentialsTable>;
export type RequestRow = Selectable<RequestsTable>;
export type NewRequestRow = Insertable<RequestsTable>;
export type Budget = Selectable<BudgetsTable>;
export type BudgetChange = Selectable<BudgetChangesTable>;
export type BudgetAlert = Selectable<BudgetAlertsTable>;
export type NewBudgetAlert = Insertable<BudgetAlertsTable>;
export type UsageRollup = Selectable<UsageRollupsTable>;
export type UsageRollupState = Selectable<UsageRollupStateTable>;
export type Team = Selectable<TeamsTable>;
export type TeamMember = Selectable<TeamMembersTable>;
export type TagBudget = Selectable<TagBudgetsTable>;
export type ModelRoute = Selectable<ModelRoutesTable>;
export type Session = Selectable<SessionsTable>;
