import { z } from "zod";
import { ApiError } from "../errors";

const MAX_METADATA_BYTES = 4096;

/** Caller metadata stored with a usage row: a flat-ish JSON object, small by contract. */
export const metadataSchema = z
  .record(z.string().max(64), z.unknown())
  .refine((value) => Object.keys(value).length <= 32, "at most 32 keys")
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES,
    `at most ${MAX_METADATA_BYTES} bytes as JSON`,
  )
  .meta({ example: { team: "search", feature: "autocomplete" } });

/** Body `metadata` wins over the `x-llmg-metadata` header; either must be a JSON object. */
export function metadataFrom(body: unknown, header: string | undefined): Record<string, unknown> | null {
  let candidate = body;
  let field = "metadata";
  if (candidate === undefined && header) {
    field = "x-llmg-metadata";
    try {
      candidate = JSON.parse(header);
    } catch {
      throw new ApiError("validation_error", "x-llmg-metadata must be a JSON object", {
        details: [{ field, message: "not valid JSON" }],
      });
    }
  }
  if (candidate === undefined || candidate === null) return null;
  const parsed = metadataSchema.safeParse(candidate);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "invalid";
    throw new ApiError("validation_error", `Invalid ${field}: ${message}`, { details: [{ field, message }] });
  }
  return parsed.data;
}
