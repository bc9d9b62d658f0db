/**
 * What each Gemini model family accepts in `generationConfig.thinkingConfig`, as
 * ai.google.dev/gemini-api/docs/thinking documents it (levels for Gemini 3, budgets for 2.5).
 */

export type ThinkingLevel = "MINIMAL" | "LOW" | "MEDIUM" | "HIGH";

export type ThinkingSupport =
  | { kind: "level"; levels: readonly ThinkingLevel[] }
  | { kind: "budget"; min: number; max: number; canDisable: boolean }
  | { kind: "none" };

/** Gemini 3 and later (gemini-3-*, gemini-3.x-*): the models that enforce thought signatures. */
export function isGemini3(model: string): boolean {
  return /^gemini-3(?:[.-]|$)/.test(model.replace(/^models\//, ""));
}

export function thinkingSupport(rawModel: string): ThinkingSupport {
  const model = rawModel.replace(/^models\//, "");
  // Gemini 3 Pro: low and high only ("Thinking level MEDIUM is not supported for this model",
  // egoist/chatwise-releases#1206; docs/thinking "Gemini 3 Pro: low, high").
  if (/^gemini-3-pro/.test(model)) return { kind: "level", levels: ["LOW", "HIGH"] };
  // Gemini 3.x Pro: no MINIMAL (vellum-ai/vellum-assistant#32687: "Thinking level MINIMAL is not
  // supported for this model" on gemini-3.1-pro-preview).
  if (/^gemini-3\.\d+-pro/.test(model)) return { kind: "level", levels: ["LOW", "MEDIUM", "HIGH"] };
  // Gemini 3 Flash and Flash-Lite: all four levels (docs/thinking).
  if (isGemini3(model)) return { kind: "level", levels: ["MINIMAL", "LOW", "MEDIUM", "HIGH"] };
  // docs/thinking budget table: 2.5 Pro 128..32768 and cannot turn thinking off; 2.5 Flash
  // 0..24576; 2.5 Flash-Lite 512..24576 (0 turns thinking off).
  if (/^gemini-2\.5-pro|^gemini-pro-latest/.test(model)) {
    return { kind: "budget", min: 128, max: 32_768, canDisable: false };
  }
  if (/^gemini-2\.5-flash-lite|^gemini-flash-lite-latest/.test(model)) {
    return { kind: "budget", min: 512, max: 24_576, canDisable: true };
  }
  if (/^gemini-2\.5-flash|^gemini-flash-latest|^gemini-robotics-er/.test(model)) {
    return { kind: "budget", min: 1, max: 24_576, canDisable: true };
  }
  return { kind: "none" };
}
