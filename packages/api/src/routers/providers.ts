import { z } from "zod";
import { ok } from "../envelope";
import { notFound } from "../errors";
import { providerDetailSchema, providerSchema } from "../schemas/catalog";
import { today, toModelSummary, toProviderDto } from "../schemas/catalog-dto";
import { catalogOf } from "../services/pricing-catalog";
import { router, userProcedure } from "../trpc";

export const providersRouter = router({
  list: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/providers",
        tags: ["catalog"],
        summary: "List providers",
        description:
          "Every provider the gateway routes to, with its model count and the range of its base input " +
          "and output prices in USD per 1M tokens.",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(ok(z.array(providerSchema)))
    .query(({ ctx }) => {
      const catalog = catalogOf(ctx);
      const data = catalog.providers().map((p) => toProviderDto(p, catalog.models(p.id)));
      return { success: true as const, data };
    }),

  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/providers/{provider}",
        tags: ["catalog"],
        summary: "Get a provider and its models",
        protect: true,
      },
    })
    .input(
      z.object({
        provider: z.string().trim().toLowerCase().min(1).max(100).meta({ example: "openai" }),
      }),
    )
    .output(ok(providerDetailSchema))
    .query(({ ctx, input }) => {
      const catalog = catalogOf(ctx);
      const provider = catalog.provider(input.provider);
      if (!provider) throw notFound(`Provider "${input.provider}"`);
      const models = catalog.models(provider.id);
      const date = today();
      return {
        success: true as const,
        data: { ...toProviderDto(provider, models), models: models.map((m) => toModelSummary(m, date)) },
      };
    }),
});
