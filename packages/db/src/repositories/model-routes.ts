import type { Kysely } from "kysely";
import type { Database, ModelRoute, RetryKind, RouteStrategy } from "../types";

export interface RouteFields {
  strategy: RouteStrategy;
  targets: { model: string; weight?: number }[];
  fallbacks: string[];
  retryOn: RetryKind[];
  cacheTtlS: number | null;
  cacheAll: boolean;
}

const columns = (fields: RouteFields) => ({
  strategy: fields.strategy,
  targets: JSON.stringify(fields.targets),
  fallbacks: JSON.stringify(fields.fallbacks),
  retry_on: JSON.stringify(fields.retryOn),
  cache_ttl_s: fields.cacheTtlS,
  cache_all: fields.cacheAll,
});

export function listRoutes(db: Kysely<Database>, userId: string): Promise<ModelRoute[]> {
  return db.selectFrom("model_routes").selectAll().where("user_id", "=", userId).orderBy("name").execute();
}

export function countRoutes(db: Kysely<Database>, userId: string): Promise<number> {
  return db
    .selectFrom("model_routes")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

export function findRoute(
  db: Kysely<Database>,
  userId: string,
  name: string,
): Promise<ModelRoute | undefined> {
  return db
    .selectFrom("model_routes")
    .selectAll()
    .where("user_id", "=", userId)
    .where("name", "=", name)
    .executeTakeFirst();
}

/** Creates the route; undefined when the user already has one of that name. */
export function insertRoute(
  db: Kysely<Database>,
  userId: string,
  name: string,
  fields: RouteFields,
): Promise<ModelRoute | undefined> {
  return db
    .insertInto("model_routes")
    .values({ user_id: userId, name, ...columns(fields) })
    .onConflict((oc) => oc.columns(["user_id", "name"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Replaces the route's definition; undefined when there is none of that name. */
export function replaceRoute(
  db: Kysely<Database>,
  userId: string,
  name: string,
  fields: RouteFields,
): Promise<ModelRoute | undefined> {
  return db
    .updateTable("model_routes")
    .set({ ...columns(fields), updated_at: new Date() })
    .where("user_id", "=", userId)
    .where("name", "=", name)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteRoute(db: Kysely<Database>, userId: string, name: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom("model_routes")
    .where("user_id", "=", userId)
    .where("name", "=", name)
    .executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
