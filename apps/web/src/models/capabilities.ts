import type { RouterOutputs } from "@llmg/client";

type Capability = RouterOutputs["models"]["list"]["data"][number]["capabilities"][number];

/**
 * Every capability the catalog filter takes. The API's type names them but a type cannot be
 * listed at run time; the check below fails the build when the API gains or drops one.
 */
export const CAPABILITY_FILTERS = [
  "chat",
  "streaming",
  "tools",
  "parallel_tools",
  "tool_choice",
  "vision",
  "json_mode",
  "prompt_caching",
  "reasoning",
  "pdf_input",
  "audio_input",
  "audio_output",
  "web_search",
  "computer_use",
] as const satisfies readonly Capability[];

type Unlisted = Exclude<Capability, (typeof CAPABILITY_FILTERS)[number]>;
const everyCapabilityListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyCapabilityListed;
