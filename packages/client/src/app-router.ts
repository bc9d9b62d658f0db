// The router's types for this package's code. In the workspace they come from @llmg/api itself;
// the packed package carries a generated stand-in (scripts/router-types.ts) that spells every
// procedure's input and output out, so an install needs no workspace package.
export type { AppRouter, RouterInputs, RouterOutputs } from "@llmg/api";
