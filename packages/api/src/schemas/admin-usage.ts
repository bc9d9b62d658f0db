import { z } from "zod";
import { isoDate } from "./common";
import { usageTotalsSchema } from "./usage";
import { fromParam, toParam } from "./usage-inputs";

export const DEFAULT_USER_LIMIT = 50;
export const MAX_USER_LIMIT = 500;

export const spendByUserInput = z.object({
  from: fromParam,
  to: toParam,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_USER_LIMIT)
    .meta({
      description: `How many users to list, biggest spend first (default ${DEFAULT_USER_LIMIT}, at most ${MAX_USER_LIMIT}); the rest are summed into "other"`,
      example: DEFAULT_USER_LIMIT,
    })
    .optional(),
});

const share = z.number().meta({ description: "0..1. This user's part of the period's cost", example: 0.25 });

export const spendByUserSchema = z
  .object({
    from: isoDate,
    to: isoDate.meta({ description: "Exclusive" }),
    totals: usageTotalsSchema.meta({ description: "Every user's calls together" }),
    users: z.array(
      usageTotalsSchema.extend({
        user_id: z.string(),
        email: z.string().nullable().meta({ description: "null for a user deleted since" }),
        name: z.string().nullable(),
        cost_share: share,
      }),
    ),
    other: usageTotalsSchema
      .extend({
        users: z.number().int().meta({ description: "How many users are summed here" }),
        cost_share: share,
      })
      .nullable()
      .meta({ description: "The users past `limit`, summed; null when none were left out" }),
  })
  .meta({ id: "SpendByUser" });
