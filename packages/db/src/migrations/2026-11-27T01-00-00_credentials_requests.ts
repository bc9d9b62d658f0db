import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("provider_credentials")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    // AES-256-GCM envelope ("v1:<iv>:<tag>:<ciphertext>"), never the key in clear.
    .addColumn("encrypted_secret", "text", (c) => c.notNull())
    .addColumn("hint", "text", (c) => c.notNull())
    .addColumn("base_url", "text")
    .addColumn("is_default", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_test_ok", "boolean")
    .addColumn("last_test_at", "timestamptz")
    .addColumn("last_test_latency_ms", "integer")
    .addColumn("last_test_status", "integer")
    .addColumn("last_test_error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("provider_credentials_user_provider_name_key")
    .on("provider_credentials")
    .columns(["user_id", "provider", "name"])
    .unique()
    .execute();
  // At most one default per user and provider; the chat path looks exactly this up.
  await db.schema
    .createIndex("provider_credentials_one_default_key")
    .on("provider_credentials")
    .columns(["user_id", "provider"])
    .unique()
    .where(sql.ref("is_default"), "=", true)
    .execute();

  await db.schema
    .createTable("requests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("api_key_id", "text")
    .addColumn("credential_id", "text")
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("endpoint", "text", (c) => c.notNull())
    .addColumn("stream", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("http_status", "integer", (c) => c.notNull())
    .addColumn("error_code", "text")
    .addColumn("error_message", "text")
    .addColumn("prompt_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("completion_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cached_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("cache_write_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reasoning_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("usage_estimated", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("prompt_cost", "numeric", (c) => c.notNull().defaultTo(0))
    .addColumn("completion_cost", "numeric", (c) => c.notNull().defaultTo(0))
    .addColumn("total_cost", "numeric", (c) => c.notNull().defaultTo(0))
    .addColumn("latency_ms", "integer", (c) => c.notNull())
    .addColumn("ttft_ms", "integer")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("metadata", "jsonb")
    .addColumn("request_body", "jsonb")
    .addColumn("response_body", "jsonb")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Request history is read per user, newest first, with keyset pagination.
  await db.schema
    .createIndex("requests_user_created_idx")
    .on("requests")
    .columns(["user_id", "created_at desc", "id desc"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("requests").ifExists().execute();
  await db.schema.dropTable("provider_credentials").ifExists().execute();
}
