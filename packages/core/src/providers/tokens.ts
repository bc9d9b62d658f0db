import type { Usage } from "../usage";
import { type ImageTarget, imageTokens } from "./image-tokens";
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
  /** Tokens of the images, by the target provider's rule (or the flat estimate without one). */
  imageTokens: number;
  framing: number;
}

/** What a request sends besides its messages that the provider bills as prompt. */
export interface PromptExtras {
  tools?: readonly unknown[] | undefined;
  /** OpenAI's `response_format`: a json_schema is sent to the model as prompt. */
  responseFormat?: unknown;
  toolChoice?: unknown;
  /** Prices images by this provider's rule; without it, IMAGE_TOKEN_ESTIMATE per image. */
  target?: ImageTarget | undefined;
}

const NO_EXTRAS: PromptExtras = Object.freeze({});

/** JSON text of a caller-given value; nothing for one nested too deep to serialise (the call fails later anyway). */
function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

// Array.isArray does not narrow a readonly array type.
const isToolList = (value: unknown): value is readonly ToolDefinition[] => Array.isArray(value);

function collectPrompt(messages: readonly ChatMessage[], extras: PromptExtras) {
  const parts: PromptParts = { texts: [], chars: 0, imageTokens: 0, framing: REPLY_PRIMING_TOKENS };
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
        else
          parts.imageTokens += extras.target
            ? imageTokens(part.image_url.url, part.image_url.detail, extras.target)
            : IMAGE_TOKEN_ESTIMATE;
      }
    }
    for (const call of message.tool_calls ?? []) {
      add(call.function.name);
      add(call.function.arguments);
    }
  }
  // Tool definitions and a response schema reach the model as text the provider bills; their
  // JSON is a fair stand-in for however the provider renders them.
  if (extras.tools && extras.tools.length > 0) add(jsonText(extras.tools));
  if (extras.responseFormat && typeof extras.responseFormat === "object")
    add(jsonText(extras.responseFormat));
  if (extras.toolChoice && typeof extras.toolChoice === "object") add(jsonText(extras.toolChoice));
  return parts;
}

function sum(parts: PromptParts, count: (text: string) => number): number {
  let total = parts.framing + parts.imageTokens;
  for (const text of parts.texts) total += count(text);
  return total;
}

/**
 * Prompt tokens of a request, for budget reservations on every request: the messages, and with
 * `extras` the tools, response schema and images (at the target provider's image rule). Up to
 * PROMPT_TOKENIZE_LIMIT_CHARS of text it tokenises (well under a millisecond for typical prompts);
 * beyond, it returns the byte bound of boundTokens without running the tokenizer.
 */
export function estimatePromptTokens(
  messages: readonly ChatMessage[],
  extras?: readonly ToolDefinition[] | PromptExtras,
): number {
  const options: PromptExtras = isToolList(extras) ? { tools: extras } : (extras ?? NO_EXTRAS);
  const parts = collectPrompt(messages, options);
  return sum(parts, parts.chars > PROMPT_TOKENIZE_LIMIT_CHARS ? boundTokens : countTokens);
}

/** The whole billed prompt of `req` sent to `target`: what a budget reservation must cover. */
export function estimateRequestPromptTokens(
  req: Pick<ChatRequest, "messages" | "tools" | "response_format" | "tool_choice">,
  target: ImageTarget,
): number {
  return estimatePromptTokens(req.messages, {
    tools: req.tools,
    responseFormat: req.response_format,
    toolChoice: req.tool_choice,
    target,
  });
}

/** Prompt tokens counted as exactly as we can, for billing when the provider reported none. */
export function countPromptTokens(req: Pick<ChatRequest, "messages" | "tools">): number {
  const parts = collectPrompt(req.messages, { tools: req.tools });
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
