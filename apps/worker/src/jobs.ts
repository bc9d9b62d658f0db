import { runActivityRetention, runUsageRollup, type Services } from "@llmg/api";
import { budgetJobs } from "./webhooks";

/** Every scheduled job: its name, how often it runs, and its processor. */
export interface JobDefinition {
  name: string;
  everyMs: number;
  run(services: Pick<Services, "db" | "config">): Promise<unknown>;
}

export const JOBS: JobDefinition[] = [
  {
    name: "activity-retention",
    everyMs: 3_600_000,
    run: (services) => runActivityRetention(services.db, services.config.LLMG_ACTIVITY_RETENTION_DAYS),
  },
  // Every minute keeps the raw tail that analytics read live to about a minute of calls.
  { name: "usage-rollup", everyMs: 60_000, run: (services) => runUsageRollup(services.db) },
  ...budgetJobs(),
];
