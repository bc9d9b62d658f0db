import type { Catalog } from "@llmg/core";
import type { Context } from "../context";

/** The catalog the endpoints read: the built-in table with the operator's LLMG_PRICING_FILE merged over it. */
export function catalogOf(ctx: Pick<Context, "services">): Catalog {
  return ctx.services.catalog;
}
