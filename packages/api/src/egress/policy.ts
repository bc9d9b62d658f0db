import { EgressDeniedError, EgressGuard, type EgressGuardOptions } from "@llmg/core";
import type { AppConfig } from "../config";
import { ApiError } from "../errors";

/**
 * The deployment's egress policy: user-set URLs (a credential's base_url, a budget webhook) may
 * only reach public addresses, plus what LLMG_EGRESS_ALLOW lists. The deployment's own base URLs
 * (LLMG_<PROVIDER>_BASE_URL) and the providers' defaults are trusted and never checked.
 * `resolver` is for tests (their own DNS server); production resolves like the rest of Node.
 */
export function createEgressGuard(
  config: Pick<AppConfig, "LLMG_EGRESS_ALLOW">,
  options: Pick<EgressGuardOptions, "resolver"> = {},
): EgressGuard {
  return new EgressGuard({
    ...options,
    ...(config.LLMG_EGRESS_ALLOW ? { allow: config.LLMG_EGRESS_ALLOW } : {}),
  });
}

/** The set-time check: 400 egress_denied naming the field when the URL may not be reached. */
export async function assertEgressAllowed(guard: EgressGuard, url: string, field: string): Promise<void> {
  try {
    await guard.checkUrl(url);
  } catch (error) {
    if (!(error instanceof EgressDeniedError)) throw error;
    throw new ApiError(
      "egress_denied",
      `${field} may not point at ${error.host}: ${error.reason}. Only public addresses are reachable unless the operator lists the host in LLMG_EGRESS_ALLOW`,
      { details: [{ field, message: `${error.host}: ${error.reason}` }] },
    );
  }
}
