import { type Catalog, defaultCatalog } from "@llmg/core";
import type { Context } from "../context";

/**
 * The catalog the catalog and pricing endpoints read. Services may carry one built with the
 * operator's LLMG_PRICING_FILE overrides; until that is wired, the built-in table answers.
 * Kept behind one accessor so wiring it later touches no router.
 */
export function catalogOf(ctx: Pick<Context, "services">): Catalog {
  return (ctx.services as Context["services"] & { catalog?: Catalog }).catalog ?? defaultCatalog;
}
