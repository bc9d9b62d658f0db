import { type Kysely, sql } from "kysely";

/**
 * A user's credentials for one provider share its calls by `weight` (1..1000): a key with
 * weight 3 gets three times the calls of a key with weight 1. Existing credentials get 1, so a
 * user with several keys sees them used evenly until told otherwise.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("provider_credentials")
    .addColumn("weight", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`alter table provider_credentials add constraint provider_credentials_weight_check
    check (weight between 1 and 1000)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("provider_credentials").dropColumn("weight").execute();
}
