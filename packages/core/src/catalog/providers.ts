import type { ProviderId } from "../provider-ids";
import { deepFreeze } from "./freeze";
import type { ProviderInfo } from "./types";

/**
 * Hand-written provider metadata (no prices live here). Base URLs follow each official SDK's
 * convention (see shared/reference/providers.md), so pointing a credential at a proxy or a fake
 * upstream means changing only the base URL.
 */
export const PROVIDERS: Readonly<Record<ProviderId, ProviderInfo>> = deepFreeze({
  openai: {
    id: "openai",
    name: "OpenAI",
    defaultBaseUrl: "https://api.openai.com/v1",
    auth: { type: "bearer" },
    docsUrl: "https://platform.openai.com/docs/api-reference/chat",
    pricingUrl: "https://openai.com/api/pricing/",
    status: "active",
    capabilities: ["chat", "json_mode", "streaming", "tools", "vision"],
  },
  anthropic: {
    id: "anthropic",
    name: "Anthropic",
    defaultBaseUrl: "https://api.anthropic.com",
    auth: { type: "header", header: "x-api-key", extraHeaders: { "anthropic-version": "2023-06-01" } },
    docsUrl: "https://docs.anthropic.com/en/api/messages",
    pricingUrl: "https://docs.anthropic.com/en/docs/about-claude/pricing",
    status: "active",
    capabilities: ["chat", "json_mode", "streaming", "tools", "vision"],
  },
  google: {
    id: "google",
    name: "Google Gemini",
    defaultBaseUrl: "https://generativelanguage.googleapis.com",
    auth: { type: "header", header: "x-goog-api-key" },
    docsUrl: "https://ai.google.dev/api/generate-content",
    pricingUrl: "https://ai.google.dev/gemini-api/docs/pricing",
    status: "active",
    capabilities: ["chat", "json_mode", "streaming", "tools", "vision"],
  },
  deepseek: {
    id: "deepseek",
    name: "DeepSeek",
    defaultBaseUrl: "https://api.deepseek.com",
    auth: { type: "bearer" },
    docsUrl: "https://api-docs.deepseek.com/api/create-chat-completion",
    pricingUrl: "https://api-docs.deepseek.com/quick_start/pricing",
    status: "active",
    // No image input on DeepSeek's API.
    capabilities: ["chat", "json_mode", "streaming", "tools"],
  },
  mistral: {
    id: "mistral",
    name: "Mistral AI",
    defaultBaseUrl: "https://api.mistral.ai/v1",
    auth: { type: "bearer" },
    docsUrl: "https://docs.mistral.ai/api/",
    pricingUrl: "https://mistral.ai/pricing#api-pricing",
    status: "active",
    capabilities: ["chat", "json_mode", "streaming", "tools", "vision"],
  },
});
