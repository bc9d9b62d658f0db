import { z } from "zod";

/** `{ success: true, data }` — the success envelope of every REST answer but chat. */
export function ok<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export const paginationSchema = z.object({
  page: z.number().int(),
  per_page: z.number().int(),
  total: z.number().int(),
  total_pages: z.number().int(),
});

export function paginated<T extends z.ZodType>(item: T) {
  return z.object({ success: z.literal(true), data: z.array(item), pagination: paginationSchema });
}

/** Flat query input for list endpoints; REST passes strings, so numbers are coerced. */
export const pageInput = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

export function pageOf<T>(items: T[], total: number, page: { page: number; per_page: number }) {
  return {
    success: true as const,
    data: items,
    pagination: {
      page: page.page,
      per_page: page.per_page,
      total,
      total_pages: Math.ceil(total / page.per_page),
    },
  };
}

export const errorEnvelopeSchema = z
  .object({
    success: z.literal(false),
    error: z.string().meta({ example: "validation_error" }),
    message: z.string(),
    request_id: z.string(),
    details: z.unknown().optional(),
    retry_after: z.number().optional(),
  })
  .meta({ description: "The body of every REST error, whatever the status" });

export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
