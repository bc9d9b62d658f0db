import type { RouterInputs, RouterOutputs } from "@llmg/client";

export type ApiKey = RouterOutputs["keys"]["list"]["data"][number];
export type CreatedKey = RouterOutputs["keys"]["create"]["data"];
export type CreateKey = RouterInputs["keys"]["create"];
export type UpdateKey = RouterInputs["keys"]["update"];
export type Scope = ApiKey["scopes"][number];
export type BudgetPeriod = NonNullable<ApiKey["budget_period"]>;
/** A team the signed-in user belongs to (teams.list), offered for a key's team. */
export type MyTeam = RouterOutputs["teams"]["list"]["data"][number];

/** In the order the API lists them (its scopes come back in this order too). */
export const SCOPES: { id: Scope; text: string }[] = [
  { id: "chat", text: "chat — call models" },
  { id: "read", text: "read — GET routes" },
  { id: "manage", text: "manage — keys, credentials, budget and other changes" },
];

export const PERIODS: { id: BudgetPeriod; text: string }[] = [
  { id: "month", text: "per UTC month" },
  { id: "day", text: "per UTC day" },
  { id: "total", text: "over the key's life" },
];
