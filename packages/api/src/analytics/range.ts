import { ApiError } from "../errors";

export interface TimeWindow {
  from: Date;
  to: Date;
}

function monthStart(t: number): Date {
  const d = new Date(t);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

/** A validation_error naming one field, shaped like the ones zod produces. */
export function fieldError(field: string, message: string): ApiError {
  return new ApiError("validation_error", `Invalid ${field}: ${message}`, {
    details: [{ field, message, code: "custom" }],
  });
}

/**
 * The asked window with its defaults: to = now, from = the start of the (UTC) month `to`
 * falls in, so no parameters means "this month so far".
 */
export function resolveWindow(
  input: { from?: Date | undefined; to?: Date | undefined },
  now: number,
): TimeWindow {
  const to = input.to ?? new Date(now);
  const from = input.from ?? monthStart(Math.max(to.getTime() - 1, 0));
  if (from.getTime() > to.getTime()) throw fieldError("from", "must not be after to");
  return { from, to };
}
