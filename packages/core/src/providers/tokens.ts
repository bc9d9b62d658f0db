import type { Usage } from "../usage";
import type { ChatMessage, ChatRequest, ToolDefinition } from "./schema";
import { countTokens } from "./tokenizer";

/**
 * Token estimates for when a provider does not tell (and for budget reservations before it does).
 * Counting uses o200k_base (GPT-4o's encoding): exact for OpenAI's current models and a fair
 * approximation for the others.
 */

/** Above this many characters estimatePromptTokens (the hot path) stops tokenising. */
export const PROMPT_TOKENIZE_LIMIT_CHARS = 8 * 1024;
/** Above this many characters even estimateTokens falls back to the byte bound. */
export const TOKENIZE_LIMIT_CHARS = 256 * 1024;
/** Per image part, in place of the provider's image pricing rules (~1.15 MP at Anthropic, high detail at OpenAI). */
export const IMAGE_TOKEN_ESTIMATE = 1_600;
/** OpenAI's chat framing: tokens per message, and for priming the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;

/**
 * Cheap upper-ish bound: half the UTF-8 byte length. o200k averages ~4+ bytes per token on English,
 * CJK and code, so this over-counts ordinary text (~2x); only character soup (random letters run
 * ~1.7 bytes per token) beats it. Meant for reservations, where over-counting is the safe side.
 */
export function boundTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 2);
}

/** o200k token count of `text`; the byte bound for texts longer than TOKENIZE_LIMIT_CHARS. */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return text.length > TOKENIZE_LIMIT_CHARS ? boundTokens(text) : countTokens(text);
}

interface PromptParts {
  texts: string[];
  chars: number;
  images: number;
  framing: number;
}

function collectPrompt(messages: readonly ChatMessage[], tools: readonly ToolDefinition[] | undefined) {
  const parts: PromptParts = { texts: [], chars: 0, images: 0, framing: REPLY_PRIMING_TOKENS };
  const add = (text: string | undefined) => {
    if (!text) return;
    parts.texts.push(text);
    parts.chars += text.length;
  };
  for (const message of messages) {
    parts.framing += TOKENS_PER_MESSAGE + (message.name ? TOKENS_PER_NAME : 0);
    add(message.name);
    if (typeof message.content === "string") add(message.content);
    else if (message.content) {
      for (const part of message.content) {
        if (part.type === "text") add(part.text);
        else parts.images += 1;
      }
    }
    for (const call of message.tool_calls ?? []) {
      add(call.function.name);
      add(call.function.arguments);
    }
  }
  if (tools && tools.length > 0) add(JSON.stringify(tools));
  return parts;
}

function sum(parts: PromptParts, count: (text: string) => number): number {
  let total = parts.framing + parts.images * IMAGE_TOKEN_ESTIMATE;
  for (const text of parts.texts) total += count(text);
  return total;
}

/**
 * Prompt tokens of a request, for budget reservations on every request. Up to
 * PROMPT_TOKENIZE_LIMIT_CHARS of text it tokenises (well under a millisecond for typical prompts);
 * beyond, it returns the byte bound of boundTokens without running the tokenizer.
 */
export function estimatePromptTokens(
  messages: readonly ChatMessage[],
  tools?: readonly ToolDefinition[],
): number {
  const parts = collectPrompt(messages, tools);
  return sum(parts, parts.chars > PROMPT_TOKENIZE_LIMIT_CHARS ? boundTokens : countTokens);
}

/** Prompt tokens counted as exactly as we can, for billing when the provider reported none. */
export function countPromptTokens(req: Pick<ChatRequest, "messages" | "tools">): number {
  const parts = collectPrompt(req.messages, req.tools);
  return sum(parts, parts.chars > TOKENIZE_LIMIT_CHARS ? boundTokens : countTokens);
}

/**
 * Usage when the provider reported none or only part of it: what it reported is kept, the rest is
 * counted from the request and the generated text, and the result is flagged `estimated`.
 */
export function estimateUsage(
  req: Pick<ChatRequest, "messages" | "tools">,
  generatedText: string,
  reported?: Usage,
): Usage {
  const completion = estimateTokens(generatedText);
  if (reported) {
    return {
      ...reported,
      completionTokens: Math.max(reported.completionTokens, completion),
      estimated: true,
    };
  }
  return {
    promptTokens: countPromptTokens(req),
    completionTokens: completion,
    cachedReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    estimated: true,
  };
}
