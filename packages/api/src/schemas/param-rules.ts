import { MAPPABLE_FIELDS, type ModelInfo, type ParamRules, paramRulesFor } from "@llmg/core";
import { z } from "zod";

/**
 * A model's parameter rules (the catalog's `paramRulesFor`), in the API's snake_case: what the
 * gateway changes in a request to this model before sending it, each change named in the
 * `x-llmg-adjusted-params` answer header. Kinds of rule added later pass through as they are.
 */
export const parameterRulesSchema = z
  .object({
    temperature: z
      .object({
        only: z.number().optional().meta({ description: "Any other value is dropped" }),
        max: z.number().optional().meta({ description: "A higher value is clamped to this" }),
      })
      .optional(),
    top_p: z
      .object({
        min: z.number().optional().meta({ description: "A lower value is dropped" }),
        only: z.number().optional().meta({ description: "Any other value is dropped" }),
      })
      .optional(),
    temperature_or_top_p: z
      .boolean()
      .optional()
      .meta({ description: "The model refuses both together: top_p is dropped, temperature kept" }),
    stop: z
      .object({
        non_blank: z
          .boolean()
          .optional()
          .meta({ description: "Whitespace-only stop sequences are filtered out" }),
        max: z.number().int().optional().meta({ description: "Stop sequences beyond this many are dropped" }),
      })
      .optional(),
    unsupported: z
      .array(z.enum(MAPPABLE_FIELDS))
      .optional()
      .meta({ description: "Fields the model refuses: dropped when sent" }),
    max_tokens_field: z
      .enum(["max_tokens", "max_completion_tokens"])
      .optional()
      .meta({ description: "The name the output cap is sent under" }),
  })
  .catchall(z.unknown())
  .meta({ id: "ParameterRules" });

export type ParameterRulesDto = z.infer<typeof parameterRulesSchema>;

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snake(key), snakeKeys(inner)]));
}

/** Rules in the API's shape: the same rules, keys in snake_case. */
export function parameterRulesDto(rules: ParamRules): ParameterRulesDto {
  return snakeKeys(rules) as ParameterRulesDto;
}

export function toParameterRulesDto(
  model: Pick<ModelInfo, "provider" | "id" | "aliases">,
): ParameterRulesDto {
  return parameterRulesDto(paramRulesFor(model));
}
