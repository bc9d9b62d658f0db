import { z } from "zod";
import { fromParam, toParam } from "../schemas/usage-inputs";

export const EXPORT_GROUPS = ["day", "provider", "model"] as const;
export type ExportGroup = (typeof EXPORT_GROUPS)[number];

/** About ten years: a range is read page by page, but an aggregate export holds its groups. */
export const MAX_EXPORT_DAYS = 3660;

/** GET /api/usage/export's query string (every value a string, as query strings are). */
export const exportInput = z
  .object({
    format: z
      .enum(["csv", "jsonl"])
      .default("csv")
      .meta({ description: "csv (RFC 4180, with a header row) or jsonl (one JSON object per line)" }),
    from: fromParam,
    to: toParam,
    group_by: z
      .string()
      .trim()
      .max(64)
      .transform((text, ctx) => {
        const parts = [...new Set(text.split(",").map((p) => p.trim()))];
        const unknown = parts.find((p) => !(EXPORT_GROUPS as readonly string[]).includes(p));
        if (unknown !== undefined) {
          ctx.addIssue({ code: "custom", message: `must list some of ${EXPORT_GROUPS.join(", ")}` });
          return z.NEVER;
        }
        return parts as ExportGroup[];
      })
      .optional()
      .meta({
        description:
          "Without it, one line per request. With it (e.g. day,model), one line per group: requests, tokens by kind and exact cost, current to the last committed call",
        example: "day,model",
      }),
  })
  .strict();

export type ExportInput = z.infer<typeof exportInput>;
