import type { RouterInputs, RouterOutputs } from "@llmg/client";

export type Credential = RouterOutputs["credentials"]["list"]["data"][number];
export type CredentialTest = RouterOutputs["credentials"]["test"]["data"];
export type CreateCredential = RouterInputs["credentials"]["create"];
export type UpdateCredential = RouterInputs["credentials"]["update"];
export type Provider = RouterOutputs["providers"]["list"]["data"][number];
