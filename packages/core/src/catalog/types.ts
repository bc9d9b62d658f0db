import type { DecimalString } from "../pricing/decimal";
import type { ProviderId } from "../provider-ids";

/**
 * What a provider or a model can do. Provider-level entries say what the API offers at all;
 * model-level entries come from LiteLLM's `supports_*` flags and say what that model accepts.
 */
export const CAPABILITIES = [
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
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export type ProviderAuth =
  | { readonly type: "bearer" }
  | {
      readonly type: "header";
      readonly header: string;
      /** Fixed headers the API requires next to the key (Anthropic's API version). */
      readonly extraHeaders?: Readonly<Record<string, string>>;
    };

export interface ProviderInfo {
  readonly id: ProviderId;
  readonly name: string;
  /** The official SDK's default base URL; operators may point a credential elsewhere. */
  readonly defaultBaseUrl: string;
  readonly auth: ProviderAuth;
  readonly docsUrl: string;
  readonly pricingUrl: string;
  readonly status: "active" | "deprecated";
  readonly capabilities: readonly Capability[];
}

/**
 * Rates that replace the base rates once a request's prompt exceeds `aboveTokens`. A kind the
 * tier leaves out keeps its base rate.
 */
export interface PriceTier {
  readonly aboveTokens: number;
  readonly input?: DecimalString;
  readonly output?: DecimalString;
  readonly cacheRead?: DecimalString;
  readonly cacheWrite?: DecimalString;
  readonly reasoning?: DecimalString;
}

/** USD per token, as exact decimal strings. */
export interface ModelPrices {
  readonly input: DecimalString;
  readonly output: DecimalString;
  /** null: the model has no cache-read discount, cached reads cost the input rate. */
  readonly cacheRead: DecimalString | null;
  /** null: cache writes cost the input rate. */
  readonly cacheWrite: DecimalString | null;
  /** Only set when it differs from `output`; null means reasoning is billed as output. */
  readonly reasoning: DecimalString | null;
  /** Ascending by `aboveTokens`. */
  readonly tiers: readonly PriceTier[];
}

export interface ModelInfo {
  readonly provider: ProviderId;
  /** The provider's own model id, without LiteLLM's `gemini/` style prefix. */
  readonly id: string;
  /** Other names the provider accepts for the same model at the same prices (dated snapshots, -latest). */
  readonly aliases: readonly string[];
  readonly displayName: string;
  /** Maximum prompt tokens; null only for operator-added models that did not say. */
  readonly contextWindow: number | null;
  readonly maxOutputTokens: number | null;
  readonly prices: ModelPrices;
  /** Sorted. */
  readonly capabilities: readonly Capability[];
  /** YYYY-MM-DD, when the provider retires (or retired) the model. */
  readonly deprecationDate: string | null;
  /** Where LiteLLM says the price comes from, when it says. */
  readonly sourceUrl: string | null;
  /** YYYY-MM-DD of the price data; null when an operator override gave prices without a date. */
  readonly priceDate: string | null;
  /** "builtin": the committed LiteLLM snapshot; "override": changed or added by the operator. */
  readonly origin: "builtin" | "override";
}

/** Provenance of the built-in table. */
export interface PriceSource {
  /** File name or URL the table was generated from. */
  readonly name: string;
  readonly sha256: string;
  /** YYYY-MM-DD of the snapshot. */
  readonly date: string;
}
