import type { ProviderId } from "../../provider-ids";
import { LiteLlmEntryError, type ParsedEntry, parseLiteLlmEntry } from "../litellm-entry";
import { PREFIXED_LITELLM_PROVIDERS, providerFromLiteLlm } from "../litellm-providers";

/**
 * Which rows of LiteLLM's map become built-in chat models. Rows of other providers and other
 * modes are dropped silently (they are most of the file); rows of our providers' chat models
 * that are dropped anyway are listed with a reason, so the generated file shows every decision.
 */

export type SkipReason =
  /** `ft:` rows price a customer's fine-tune, not a model anyone else can call. */
  | "fine_tuned"
  /** Unprefixed gemini/deepseek/mistral rows duplicate a prefixed row (see litellm-providers.ts). */
  | "unprefixed_duplicate"
  /** No per-token input or output price (e.g. openai/container, billed per session). */
  | "no_token_price"
  /**
   * Input and output both $0: long-gone experimental previews. A $0 built-in price would make
   * every call free and so bypass budgets; an operator who really uses one adds it as an override.
   */
  | "zero_price"
  /** Output modalities lack text (TTS, music generation) although LiteLLM files them as chat. */
  | "no_text_output"
  /** LiteLLM reaches them only through endpoints other than chat completions (Live/realtime API). */
  | "not_chat_completions"
  /** No max_input_tokens: incomplete legacy rows. */
  | "no_context_window"
  /** The row does not validate; the detail says why. */
  | "invalid";

export interface SkippedEntry {
  readonly key: string;
  readonly reason: SkipReason;
  readonly detail?: string;
}

export interface Candidate {
  readonly key: string;
  readonly provider: ProviderId;
  readonly id: string;
  readonly entry: ParsedEntry;
}

export interface Selection {
  readonly candidates: readonly Candidate[];
  readonly skipped: readonly SkippedEntry[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function stringList(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;
}

function skipReason(key: string, litellmProvider: string, raw: Record<string, unknown>): SkipReason | null {
  if (key.startsWith("ft:")) return "fine_tuned";
  if (PREFIXED_LITELLM_PROVIDERS.has(litellmProvider) && !key.startsWith(`${litellmProvider}/`)) {
    return "unprefixed_duplicate";
  }
  if (raw.input_cost_per_token === undefined || raw.output_cost_per_token === undefined) {
    return "no_token_price";
  }
  if (raw.input_cost_per_token === 0 && raw.output_cost_per_token === 0) return "zero_price";
  const outputs = stringList(raw.supported_output_modalities);
  if (outputs !== undefined && !outputs.includes("text")) return "no_text_output";
  const endpoints = stringList(raw.supported_endpoints);
  if (endpoints !== undefined && !endpoints.includes("/v1/chat/completions")) return "not_chat_completions";
  if (raw.max_input_tokens === undefined || raw.max_input_tokens === null) return "no_context_window";
  return null;
}

export function selectChatModels(data: unknown): Selection {
  if (!isRecord(data)) throw new TypeError("LiteLLM price map must be a JSON object");
  const candidates: Candidate[] = [];
  const skipped: SkippedEntry[] = [];
  for (const key of Object.keys(data).sort()) {
    const raw = data[key];
    if (!isRecord(raw) || raw.mode !== "chat" || typeof raw.litellm_provider !== "string") continue;
    const provider = providerFromLiteLlm(raw.litellm_provider);
    if (provider === undefined) continue;
    const reason = skipReason(key, raw.litellm_provider, raw);
    if (reason !== null) {
      skipped.push({ key, reason });
      continue;
    }
    try {
      const entry = parseLiteLlmEntry(key, raw);
      const prefix = `${raw.litellm_provider}/`;
      const id = key.startsWith(prefix) ? key.slice(prefix.length) : key;
      candidates.push({ key, provider, id, entry });
    } catch (error) {
      if (!(error instanceof LiteLlmEntryError)) throw error;
      skipped.push({ key, reason: "invalid", detail: error.message });
    }
  }
  return { candidates, skipped };
}
