export type { ProviderSpec, StreamState, StreamTranslator } from "./adapter";
export { type AdjustedRequest, type Adjustment, adjustRequest, formatAdjustments } from "./adjust";
export {
  anthropicNativeCountTokens,
  anthropicNativeMessage,
  anthropicNativeStream,
  type NativeAnswer,
  type NativeCallOptions,
  type NativeStream,
} from "./anthropic/native";
export {
  isProviderError,
  type ParsedProviderError,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorInit,
} from "./errors";
export { GeneratedText } from "./generated-text";
/** Gemini finish reasons that end a billed answer with a 502: the model's outcome, not the key's health. */
export { TOOL_FAILURE_REASONS } from "./google/chat";
export { closeAllPools, parseRetryAfter, type SseEvent } from "./http";
export { GENERIC_IMAGE_TOKENS, type ImageTarget, imageTokens } from "./image-tokens";
export { DEFAULT_BASE_URLS, getAdapter } from "./registry";
export {
  type ChatMessage,
  type ChatRequest,
  type ChatRequestInput,
  type ChatRole,
  type ContentPart,
  chatMessageSchema,
  chatRequestSchema,
  REASONING_EFFORTS,
  type ReasoningEffort,
  type ResponseFormat,
  requestedMaxTokens,
  responseFormatSchema,
  SERVICE_TIERS,
  type ThinkingBlock,
  type ToolCallExtra,
  type ToolChoice,
  type ToolDefinition,
  thinkingBlockSchema,
  toolChoiceSchema,
  toolSchema,
} from "./schema";
export { isTokenizerLoaded, preloadTokenizer } from "./tokenizer";
export {
  boundTokens,
  countPromptTokens,
  estimatePromptTokens,
  estimateRequestPromptTokens,
  estimateTokens,
  estimateUsage,
  IMAGE_TOKEN_ESTIMATE,
  PROMPT_TOKENIZE_LIMIT_CHARS,
  type PromptExtras,
} from "./tokens";
export {
  type AdjustModel,
  type CallContext,
  type ChatResult,
  type ChatStream,
  CREDENTIAL_TEST_TIMEOUTS,
  type CredentialContext,
  type CredentialTestResult,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  DEFAULT_RESPONSE_LIMITS,
  DEFAULT_RETRY,
  DEFAULT_STREAM_TIMEOUT_MS,
  DEFAULT_TIMEOUTS,
  FINISH_REASONS,
  type FinishReason,
  type ProviderAdapter,
  type ResponseLimits,
  type RetryConfig,
  type StreamDeltaEvent,
  type StreamDoneEvent,
  type StreamEvent,
  type TimeoutConfig,
  type ToolCall,
  type ToolCallDelta,
} from "./types";
