import type { ProviderId } from "../provider-ids";

/** LiteLLM's `litellm_provider` values for the providers llmg routes to. */
const LITELLM_PROVIDERS: ReadonlyMap<string, ProviderId> = new Map([
  ["openai", "openai"],
  ["anthropic", "anthropic"],
  ["gemini", "google"],
  ["deepseek", "deepseek"],
  ["mistral", "mistral"],
]);

export function providerFromLiteLlm(litellmProvider: string): ProviderId | undefined {
  return LITELLM_PROVIDERS.get(litellmProvider);
}

/**
 * LiteLLM providers whose keys carry a `<provider>/` prefix ("gemini/gemini-2.5-pro"). The same
 * file also holds some unprefixed keys tagged with these providers; those are stray duplicates
 * of prefixed entries (some with copy-pasted prices of another model), never the canonical row.
 */
export const PREFIXED_LITELLM_PROVIDERS: ReadonlySet<string> = new Set(["gemini", "deepseek", "mistral"]);

/**
 * Provider named by the prefix of a model name or override key: LiteLLM's spelling ("gemini/")
 * or ours ("google/").
 */
export function providerFromPrefix(prefix: string): ProviderId | undefined {
  return prefix === "google" ? "google" : LITELLM_PROVIDERS.get(prefix);
}
