import type { Migration, MigrationProvider } from "kysely";
import * as foundation from "./2026-11-27T00-00-00_foundation";
import * as credentialsRequests from "./2026-11-27T01-00-00_credentials_requests";
import * as budgets from "./2026-11-27T02-00-00_budgets";
import * as usageRollups from "./2026-11-27T03-00-00_usage_rollups";
import * as userAdmin from "./2026-12-01T00-00-00_user_admin";
import * as teamsKeys from "./2026-12-02T00-00-00_teams_keys";
import * as tagsRuns from "./2026-12-02T01-00-00_tags_runs";
import * as budgetLevels from "./2026-12-03T00-00-00_budget_levels";
import * as rollupDimensions from "./2026-12-03T01-00-00_rollup_dimensions";
import * as levelAlerts from "./2026-12-03T02-00-00_level_alerts";
import * as counterHome from "./2026-12-03T03-00-00_counter_home";
import * as credentialWeight from "./2026-12-04T00-00-00_credential_weight";
import * as cacheHits from "./2026-12-04T01-00-00_cache_hits";
import * as routesAttempts from "./2026-12-04T02-00-00_routes_attempts";
import * as sessions from "./2026-12-05T00-00-00_sessions";

/**
 * Migrations are listed here rather than discovered on disk so they survive bundling and run
 * the same from source, from a build and from tests. Names sort by their timestamp.
 */
const migrations: Record<string, Migration> = {
  "2026-11-27T00-00-00_foundation": foundation,
  "2026-11-27T01-00-00_credentials_requests": credentialsRequests,
  "2026-11-27T02-00-00_budgets": budgets,
  "2026-11-27T03-00-00_usage_rollups": usageRollups,
  "2026-12-01T00-00-00_user_admin": userAdmin,
  "2026-12-02T00-00-00_teams_keys": teamsKeys,
  "2026-12-02T01-00-00_tags_runs": tagsRuns,
  "2026-12-03T00-00-00_budget_levels": budgetLevels,
  "2026-12-03T01-00-00_rollup_dimensions": rollupDimensions,
  "2026-12-03T02-00-00_level_alerts": levelAlerts,
  "2026-12-03T03-00-00_counter_home": counterHome,
  "2026-12-04T00-00-00_credential_weight": credentialWeight,
  "2026-12-04T01-00-00_cache_hits": cacheHits,
  "2026-12-04T02-00-00_routes_attempts": routesAttempts,
  "2026-12-05T00-00-00_sessions": sessions,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
