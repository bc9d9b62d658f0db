import {
  checkToolRules,
  messagesSchema,
  metadataSchema,
  requestOptionsSchema,
  samplingSchema,
} from "@llmg/api";
import { responseFormatSchema, toolChoiceSchema, toolSchema } from "@llmg/core";
import { z } from "zod";

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
  })
  .superRefine(checkToolRules);

export type OpenAiChatRequest = z.infer<typeof openAiChatRequest>;

const KNOWN_FIELDS = new Set(Object.keys(openAiChatRequest.shape));
/** A field name that can go in a header as is; anything else is counted, not echoed. */
const HEADER_SAFE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_NAMED = 16;

/** The top-level fields of `body` this surface does not route, for x-llmg-adjusted-params. */
export function ignoredFields(body: unknown): string[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  let names: string[] | undefined;
  let unnamed = 0;
  for (const key of Object.keys(body)) {
    if (KNOWN_FIELDS.has(key)) continue;
    // Explicit nulls are how the Python SDK says "not set": nothing was dropped.
    if ((body as Record<string, unknown>)[key] === null) continue;
    names ??= [];
    if (HEADER_SAFE.test(key) && names.length < MAX_NAMED) names.push(key);
    else unnamed += 1;
  }
  if (unnamed > 0) names?.push(`${unnamed}_other_fields`);
  return names;
}
