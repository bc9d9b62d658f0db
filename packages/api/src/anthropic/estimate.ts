import { boundTokens, estimateTokens, IMAGE_TOKEN_ESTIMATE, PROMPT_TOKENIZE_LIMIT_CHARS } from "@llmg/core";

/**
 * Prompt tokens of a native Messages body, for the budget reservation only (the real count comes
 * back in the answer's usage and settles it): the text of the system prompt, messages and tools,
 * IMAGE_TOKEN_ESTIMATE per inline image, and a PDF's base64 at one token per 3 decoded bytes.
 * Base64 payloads are never tokenised, and past PROMPT_TOKENIZE_LIMIT_CHARS of text the byte
 * bound stands in for the tokenizer, as on the chat path.
 */
export function estimateNativePromptTokens(body: Record<string, unknown>): number {
  const texts: string[] = [];
  let chars = 0;
  let media = 0;
  const walk = (value: unknown, depth: number): void => {
    // The body's depth is bounded before it gets here (json-depth); this only guards the walk.
    if (depth > 64) return;
    if (typeof value === "string") {
      texts.push(value);
      chars += value.length;
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    if (value === null || typeof value !== "object") return;
    const record = value as Record<string, unknown>;
    if (record.type === "base64" && typeof record.data === "string") {
      media +=
        typeof record.media_type === "string" && record.media_type.startsWith("image/")
          ? IMAGE_TOKEN_ESTIMATE
          : Math.ceil(record.data.length / 4);
      return;
    }
    for (const [key, item] of Object.entries(record)) {
      // Field names and block types are framing, not billed text; `signature` is opaque.
      if (key === "type" || key === "signature" || key === "cache_control") continue;
      walk(item, depth + 1);
    }
  };
  walk(body.system, 0);
  walk(body.messages, 0);
  walk(body.tools, 0);
  const count = chars > PROMPT_TOKENIZE_LIMIT_CHARS ? boundTokens : estimateTokens;
  let total = media;
  for (const text of texts) total += count(text);
  return total;
}
