import type { MappableField } from "../../catalog/param-rules";
import type { ResponseFormat } from "../schema";

/** How one OpenAI-compatible provider departs from OpenAI's Chat Completions API. */
export interface OpenAIDialect {
  id: "openai" | "deepseek" | "mistral";
  defaultBaseUrl: string;
  /** Adds `stream_options: {include_usage: true}` (without it OpenAI and DeepSeek stream no usage). */
  askForStreamUsage: boolean;
  /** The body field the output cap goes in. */
  maxTokensField(
    model: string,
    clientUsedMaxCompletionTokens: boolean,
  ): "max_tokens" | "max_completion_tokens";
  /** Whether `user` is accepted. */
  supportsUser: boolean;
  /** Where `seed` goes, if supported. */
  seedField?: "seed" | "random_seed";
  /** Content must be a plain string (text parts are joined, images rejected). */
  textOnly: boolean;
  /** Whether `name` is accepted on messages other than tool results. */
  namesOnAllRoles: boolean;
  /** Translates or drops response_format. */
  responseFormat(format: ResponseFormat): ResponseFormat | undefined;
  requestIdHeaders: readonly string[];
  /** The optional request fields this provider takes (see ProviderSpec.fields). */
  fields: ReadonlySet<MappableField>;
  /** Sends `reasoning_content` back on assistant messages (DeepSeek's thinking mode requires it). */
  sendsReasoningContent?: boolean;
  /** Rewrites a tool-call id into the form the provider accepts (Mistral: 9 alphanumerics). */
  toolCallId?(id: string): string;
}
