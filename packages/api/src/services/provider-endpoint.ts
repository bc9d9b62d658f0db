import { type EgressGuard, PROVIDERS, type ProviderId } from "@llmg/core";
import type { AppConfig } from "../config";
import type { Services } from "../services";

const ENV_BASE_URL: Record<ProviderId, keyof AppConfig> = {
  openai: "LLMG_OPENAI_BASE_URL",
  anthropic: "LLMG_ANTHROPIC_BASE_URL",
  google: "LLMG_GOOGLE_BASE_URL",
  deepseek: "LLMG_DEEPSEEK_BASE_URL",
  mistral: "LLMG_MISTRAL_BASE_URL",
};

export interface ProviderEndpoint {
  baseUrl: string;
  /** Present when baseUrl is the credential's own (untrusted): every connection is checked. */
  egress?: EgressGuard;
}

/**
 * Where calls for this provider go: the credential's base URL, else the deployment's, else the
 * provider's. Only the first is a user's choice, and so the only one that goes through the guard.
 */
export function endpointFor(
  services: Pick<Services, "config" | "egress">,
  provider: ProviderId,
  credentialBaseUrl: string | null,
): ProviderEndpoint {
  if (credentialBaseUrl !== null) {
    return { baseUrl: credentialBaseUrl.replace(/\/+$/, ""), egress: services.egress };
  }
  const deployment = services.config[ENV_BASE_URL[provider]];
  return {
    baseUrl: (
      (typeof deployment === "string" ? deployment : undefined) ?? PROVIDERS[provider].defaultBaseUrl
    ).replace(/\/+$/, ""),
  };
}

export function callOptions(config: AppConfig) {
  return {
    timeouts: {
      connectMs: config.LLMG_PROVIDER_CONNECT_TIMEOUT_MS,
      totalMs: config.LLMG_PROVIDER_TIMEOUT_MS,
      streamMs: config.LLMG_PROVIDER_STREAM_TIMEOUT_MS,
    },
    limits: {
      maxResponseBytes: config.LLMG_PROVIDER_MAX_RESPONSE_BYTES,
      maxStreamBytes: config.LLMG_PROVIDER_MAX_STREAM_BYTES,
    },
    retry: { maxRetries: config.LLMG_PROVIDER_MAX_RETRIES, baseDelayMs: 250, maxDelayMs: 8_000 },
  };
}
