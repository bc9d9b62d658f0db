import type { ParamRuleEntry, ParamRules } from "./types";

/**
 * Rules every google model follows (each cites its source). Gemini 3's advice to keep
 * temperature at 1.0 (ai.google.dev/gemini-api/docs/gemini-3) is advice, not a refusal: not encoded.
 */
export const GOOGLE_PROVIDER_RULES: ParamRules = {
  // "Penalty is not enabled for models/gemini-2.5-flash" (vercel/ai#8943, google-gemini/cookbook#1290:
  // every model since 2.5 refuses a non-zero presence or frequency penalty; only 2.0 takes them).
  unsupported: ["presence_penalty", "frequency_penalty"],
  // ai.google.dev/api/generate-content GenerationConfig.stopSequences: "up to 5 character sequences".
  stop: { max: 5 },
};

/** Rules of particular google models (each cites its source). */
export const GOOGLE_MODEL_RULES: readonly ParamRuleEntry[] = [
  {
    provider: "google",
    // Not thinking models: thinkingConfig has nothing to control.
    models: ["gemini-2.0-flash", "gemini-2.0-flash-lite"],
    rules: { unsupported: ["reasoning_effort"] },
    source:
      "https://ai.google.dev/gemini-api/docs/thinking (thinking models are the Gemini 3 and 2.5 series)",
  },
];

/** Gemini 3's `thinkingLevel` values, lowercase as the REST examples of docs/thinking send them. */
export type GeminiThinkingLevel = "minimal" | "low" | "medium" | "high";

/**
 * How a model's thinking is controlled: `thinkingLevel` (Gemini 3) or `thinkingBudget` (2.5),
 * and what it refuses. "Gemini 2.5 series models don't support thinkingLevel" and the two
 * cannot be set together (docs/thinking).
 */
export type GeminiThinking =
  | { readonly control: "level"; readonly levels: readonly GeminiThinkingLevel[] }
  | { readonly control: "budget"; readonly min: number; readonly max: number; readonly canDisable: boolean };

export interface GeminiThinkingEntry {
  readonly models: readonly string[];
  readonly thinking: GeminiThinking;
  readonly source: string;
}

export const GOOGLE_THINKING: readonly GeminiThinkingEntry[] = [
  {
    models: ["gemini-3-pro-preview"],
    thinking: { control: "level", levels: ["low", "high"] },
    source:
      "https://ai.google.dev/gemini-api/docs/thinking (Gemini 3 Pro: low, high; MEDIUM refused, egoist/chatwise-releases#1206)",
  },
  {
    models: ["gemini-3.1-pro-preview", "gemini-3.1-pro-preview-customtools"],
    thinking: { control: "level", levels: ["low", "medium", "high"] },
    source:
      "https://ai.google.dev/gemini-api/docs/thinking (MINIMAL refused on 3.1 Pro, vellum-ai/vellum-assistant#32687)",
  },
  {
    models: [
      "gemini-3-flash-preview",
      "gemini-3.1-flash-lite",
      "gemini-3.1-flash-lite-preview",
      "gemini-3.5-flash",
      "gemini-3.5-flash-lite",
      "gemini-3.6-flash",
    ],
    thinking: { control: "level", levels: ["minimal", "low", "medium", "high"] },
    source: "https://ai.google.dev/gemini-api/docs/thinking (Gemini 3 Flash: minimal, low, medium, high)",
  },
  {
    models: ["gemini-2.5-pro", "gemini-pro-latest"],
    thinking: { control: "budget", min: 128, max: 32_768, canDisable: false },
    source:
      "https://ai.google.dev/gemini-api/docs/thinking (2.5 Pro: 128 to 32768, thinking cannot be turned off)",
  },
  {
    models: [
      "gemini-2.5-flash-lite",
      "gemini-2.5-flash-lite-preview-06-17",
      "gemini-2.5-flash-lite-preview-09-2025",
      "gemini-flash-lite-latest",
    ],
    thinking: { control: "budget", min: 512, max: 24_576, canDisable: true },
    source:
      "https://ai.google.dev/gemini-api/docs/thinking (2.5 Flash-Lite: 512 to 24576, 0 turns thinking off)",
  },
  {
    models: [
      "gemini-2.5-flash",
      "gemini-2.5-flash-preview-09-2025",
      "gemini-flash-latest",
      "gemini-robotics-er-1.5-preview",
    ],
    thinking: { control: "budget", min: 1, max: 24_576, canDisable: true },
    source: "https://ai.google.dev/gemini-api/docs/thinking (2.5 Flash: 0 to 24576, 0 turns thinking off)",
  },
];

const BY_MODEL = new Map<string, GeminiThinking>();
for (const entry of GOOGLE_THINKING) for (const id of entry.models) BY_MODEL.set(id, entry.thinking);

/** Gemini 3 and later (gemini-3-*, gemini-3.x-*), the models that enforce thought signatures. */
export function isGemini3(model: string): boolean {
  return /^gemini-3(?:[.-]|$)/.test(model.replace(/^models\//, ""));
}

/**
 * The thinking control of a model id (or one of `aliases`). A model the table does not know gets
 * what every model of its generation accepts: Gemini 3 the levels all of them take (low, high),
 * others the 2.5 Pro budget range, which every 2.5 model takes.
 */
export function geminiThinkingFor(model: string, aliases: readonly string[] = []): GeminiThinking {
  const id = model.replace(/^models\//, "");
  const known = BY_MODEL.get(id) ?? aliases.map((alias) => BY_MODEL.get(alias)).find((value) => value);
  if (known) return known;
  return isGemini3(id)
    ? { control: "level", levels: ["low", "high"] }
    : { control: "budget", min: 128, max: 24_576, canDisable: false };
}
