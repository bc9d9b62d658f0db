import {
  cacheBodySchema,
  checkToolRules,
  fallbackFields,
  messagesSchema,
  metadataSchema,
  requestOptionsSchema,
  samplingSchema,
} from "@llmg/api";
import { responseFormatSchema, toolChoiceSchema, toolSchema } from "@llmg/core";
import { z } from "zod";
import { unroutedFields } from "../unrouted-fields";

// `null` means absent, as the official Python SDK sends an explicit None.
const nullable = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();

/**
 * The subset of OpenAI's chat request llmg routes. Unknown fields are dropped, not forwarded, and
 * named in x-llmg-adjusted-params (see `ignoredFields`).
 */
export const openAiChatRequest = z
  .object({
    model: z.string().min(1).max(300),
    messages: messagesSchema,
    ...samplingSchema,
    ...requestOptionsSchema,
    max_completion_tokens: z.number().int().min(1).max(1_000_000).optional(),
    n: z.literal(1).optional(),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
    // Validated to the shapes the adapters read: a tool that is `false` or a bare array would
    // otherwise reach an adapter and fail there as a 500.
    tools: nullable(z.array(toolSchema).max(128)),
    tool_choice: nullable(toolChoiceSchema),
    response_format: nullable(responseFormatSchema),
    user: z.string().max(256).optional(),
    metadata: metadataSchema.optional(),
    ...fallbackFields,
    cache: cacheBodySchema.optional(),
  })
  .superRefine(checkToolRules);

export type OpenAiChatRequest = z.infer<typeof openAiChatRequest>;

const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(openAiChatRequest.shape));

/** The top-level fields of `body` this surface does not route, for x-llmg-adjusted-params. */
export function ignoredFields(body: unknown): string[] | undefined {
  return unroutedFields(body, KNOWN_FIELDS);
}
