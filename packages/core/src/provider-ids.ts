/** The providers llmg routes to. Literal ids so every switch over them is checked for exhaustiveness. */
export const PROVIDER_IDS = ["openai", "anthropic", "google", "deepseek", "mistral"] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}
