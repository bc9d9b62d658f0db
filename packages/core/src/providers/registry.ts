import type { ProviderId } from "../provider-ids";
import { anthropicAdapter } from "./anthropic";
import { deepseekAdapter } from "./deepseek";
import { googleAdapter } from "./google";
import { mistralAdapter } from "./mistral";
import { openaiAdapter } from "./openai";
import type { ProviderAdapter } from "./types";

const ADAPTERS = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  google: googleAdapter,
  deepseek: deepseekAdapter,
  mistral: mistralAdapter,
} as const satisfies Record<ProviderId, ProviderAdapter>;

export function getAdapter(id: ProviderId): ProviderAdapter {
  return ADAPTERS[id];
}

/** Each provider's public API base, in the form CallContext.baseUrl expects. */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderId, string>> = Object.freeze({
  openai: openaiAdapter.defaultBaseUrl,
  anthropic: anthropicAdapter.defaultBaseUrl,
  google: googleAdapter.defaultBaseUrl,
  deepseek: deepseekAdapter.defaultBaseUrl,
  mistral: mistralAdapter.defaultBaseUrl,
});
