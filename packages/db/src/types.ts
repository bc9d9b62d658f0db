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
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
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

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  activity_log: ActivityLogTable;
  settings: SettingsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type NewApiKey = Insertable<ApiKeysTable>;
export type ActivityLogEntry = Selectable<ActivityLogTable>;
export type NewActivityLogEntry = Insertable<ActivityLogTable>;
