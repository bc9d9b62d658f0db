import { fieldError, resolveWindow } from "../analytics/range";
import type { Principal } from "../auth/authenticator";
import { assertUserScope } from "../auth/key-rules";
import { validationError } from "../error-fields";
import type { Services } from "../services";
import { exportInput, MAX_EXPORT_DAYS } from "./export-input";
import { exportLines } from "./export-lines";

export interface UsageExport {
  contentType: string;
  filename: string;
  lines: AsyncGenerator<string>;
}

/**
 * GET /api/usage/export, checked before the first byte: the key (a user's, with the read scope),
 * the query, the range. What is checked here answers in the envelope with its status; once the
 * body has started, only the stream can say something went wrong (it is cut short).
 */
export function startUsageExport(services: Services, principal: Principal, query: unknown): UsageExport {
  assertUserScope(principal, "read");
  const parsed = exportInput.safeParse(query);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const window = resolveWindow(input, Date.now());
  if (window.to.getTime() - window.from.getTime() > MAX_EXPORT_DAYS * 86_400_000) {
    throw fieldError("from", `the range may span at most ${MAX_EXPORT_DAYS} days`);
  }
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const kind = input.group_by ? input.group_by.join("-") : "requests";
  return {
    contentType: input.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    filename: `llmg-usage-${kind}-${day(window.from)}-${day(window.to)}.${input.format}`,
    lines: exportLines(services, {
      userId: principal.userId,
      from: window.from,
      to: window.to,
      format: input.format,
      groupBy: input.group_by,
    }),
  };
}
