import { z } from "zod";

export const isoDate = z.string().meta({ format: "date-time", example: "2026-11-27T12:00:00.000Z" });

/** A non-negative USD amount with at most 10 decimals, as a JSON number or a decimal string. */
export const usdAmount = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const text = typeof v === "number" ? numberToPlain(v) : v.trim();
    if (text === undefined || !/^\d{1,10}(\.\d{1,10})?$/.test(text)) {
      ctx.addIssue({ code: "custom", message: "must be a non-negative USD amount with at most 10 decimals" });
      return z.NEVER;
    }
    return text;
  })
  .meta({ example: 100 });

function numberToPlain(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const text = String(n);
  return text.includes("e") ? undefined : text;
}

export const positiveInt = z.number().int().min(1).max(1_000_000_000);

/**
 * A JSON boolean for REST inputs. trpc-to-openapi turns every plain z.boolean() of an input
 * into a coercing one (for query strings) — in bodies too, where `"false"` would then read as
 * true. It leaves a pipe alone, so this one accepts true and false only.
 */
export const jsonBoolean = z.boolean().pipe(z.boolean());
// A NUL is refused by PostgreSQL text columns (a 500 if it got that far); an unpaired surrogate
// would be written as U+FFFD, so what is read back is not what was sent.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * A string that can be stored as sent: every input string that reaches a text column or a query
 * parameter is built on it, so bad text is a 400 naming the field.
 */
export const text = () =>
  z.string().refine(isStorableText, "must not contain NUL characters or unpaired surrogates");

export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}
