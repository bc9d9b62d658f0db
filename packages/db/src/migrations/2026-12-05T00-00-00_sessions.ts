import { type Kysely, sql } from "kysely";

/**
 * Browser sessions (the dashboard's sign-in): a session cookie stands for the key it was made
 * from. Only hashes are kept: a copy of this table lets no one sign in. `user_id` and
 * `api_key_id` are null for a session of the admin key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("api_key_id", "text", (c) => c.references("api_keys.id").onDelete("cascade"))
    .addColumn("csrf_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The per-key cap counts a key's sessions; the sweep finds expired ones.
  await db.schema.createIndex("sessions_api_key_id_idx").on("sessions").column("api_key_id").execute();
  await db.schema.createIndex("sessions_expires_at_idx").on("sessions").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sessions").ifExists().execute();
}
