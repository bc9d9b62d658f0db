import type { Migration, MigrationProvider } from "kysely";
import * as foundation from "./2026-11-27T00-00-00_foundation";

/**
 * Migrations are listed here rather than discovered on disk so they survive bundling and run
 * the same from source, from a build and from tests. Names sort by their timestamp.
 */
const migrations: Record<string, Migration> = {
  "2026-11-27T00-00-00_foundation": foundation,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
