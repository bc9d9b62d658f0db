import { z } from "zod";
import { ApiError } from "../errors";

const MAX_METADATA_BYTES = 4096;
/** Nesting below the top-level object; metadata is flat-ish by contract. */
const MAX_METADATA_DEPTH = 8;

// ES2024 (Node 20 has it; the project's lib is ES2023).
const wellFormed = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Why a string cannot be stored in jsonb, if it cannot: PostgreSQL refuses NUL ("\u0000") and
 * lone UTF-16 surrogates in JSON text.
 */
function badString(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain NUL (\\u0000)";
  if (!wellFormed(text)) return "must not contain lone UTF-16 surrogates";
  return undefined;
}

interface Problem {
  path: PropertyKey[];
  message: string;
}

/** The first thing in `value` that is not storable JSON, with where it is. */
function findProblem(value: unknown, path: PropertyKey[], depth: number): Problem | undefined {
  if (value === null || typeof value === "boolean") return undefined;
  if (typeof value === "number")
    return Number.isFinite(value) ? undefined : { path, message: "numbers must be finite" };
  if (typeof value === "string") {
    const message = badString(value);
    return message ? { path, message: `strings ${message}` } : undefined;
  }
  if (typeof value !== "object") return { path, message: `${typeof value} is not a JSON value` };
  if (depth > MAX_METADATA_DEPTH) return { path, message: `nested deeper than ${MAX_METADATA_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findProblem(value[i], [...path, i], depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return { path, message: "not a plain JSON object" };
  for (const [key, inner] of Object.entries(value)) {
    const keyProblem = badString(key);
    if (keyProblem) return { path: [...path, key], message: `keys ${keyProblem}` };
    const problem = findProblem(inner, [...path, key], depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Caller metadata stored with a usage row: a flat-ish JSON object, small by contract. */
export const metadataSchema = z
  .record(z.string().max(64), z.unknown())
  .refine((value) => Object.keys(value).length <= 32, "at most 32 keys")
  .superRefine((value, ctx) => {
    // Checked before the size: JSON.stringify of a non-JSON value may throw or lie.
    const problem = findProblem(value, [], 0);
    if (problem) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    else if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES)
      ctx.addIssue({ code: "custom", message: `at most ${MAX_METADATA_BYTES} bytes as JSON` });
  })
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
    const issue = parsed.error.issues[0];
    const message = issue?.message ?? "invalid";
    const at = [field, ...(issue?.path ?? []).map(String)].join(".");
    throw new ApiError("validation_error", `Invalid ${at}: ${message}`, {
      details: [{ field: at, message }],
    });
  }
  return parsed.data;
}
