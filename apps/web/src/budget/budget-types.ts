import type { RouterInputs, RouterOutputs } from "@llmg/client";

export type Budget = RouterOutputs["budget"]["get"]["data"];
export type BudgetUpdate = RouterInputs["budget"]["update"];
export type TagBudget = RouterOutputs["budget"]["tags"]["list"]["data"][number];
export type BudgetHistory = RouterOutputs["budget"]["history"]["data"];
export type HistoryPoint = BudgetHistory["points"][number];
