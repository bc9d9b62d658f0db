import { ProviderError } from "@llmg/core";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { outcomeOf } from "./outcome";

const failure = (
  status: number,
  extra: { code?: "provider_timeout" | "egress_denied"; providerCode?: string } = {},
) => new ProviderError("x", { status, provider: "openai", ...extra });

describe("what a failed call says about its credential", () => {
  it("counts the provider being unwell: 401/402/403/408/429, 5xx, 529, timeouts", () => {
    for (const status of [401, 402, 403, 408, 429, 500, 502, 503, 504, 529]) {
      expect(outcomeOf(failure(status)), String(status)).toBe("failure");
    }
    expect(outcomeOf(failure(504, { code: "provider_timeout" }))).toBe("failure");
    // Also when it arrives wrapped as our ApiError.
    expect(outcomeOf(new ApiError("provider_error", "x", { status: 500, cause: failure(500) }))).toBe(
      "failure",
    );
  });

  it("never counts the caller's request, our own refusals, a client leaving or a model's tool failure", () => {
    for (const status of [400, 404, 409, 413, 422])
      expect(outcomeOf(failure(status)), String(status)).toBe("neutral");
    expect(outcomeOf(failure(400, { code: "egress_denied" }))).toBe("neutral");
    expect(outcomeOf(failure(502, { providerCode: "MALFORMED_FUNCTION_CALL" }))).toBe("neutral");
    expect(outcomeOf(new ApiError("budget_exceeded", "x"))).toBe("neutral");
    expect(outcomeOf(new ApiError("rate_limit_exceeded", "x"))).toBe("neutral");
    expect(outcomeOf(new ApiError("validation_error", "left", { status: 499 }))).toBe("neutral");
    expect(outcomeOf(new Error("anything"))).toBe("neutral");
  });
});
