import { z } from "zod";
import { ok, pageOf, paginated } from "../envelope";
import { notFound } from "../errors";
import { modelDetailSchema, modelSummarySchema } from "../schemas/catalog";
import { today, toModelDetail, toModelSummary } from "../schemas/catalog-dto";
import { modelListInput } from "../schemas/catalog-inputs";
import { catalogOf } from "../services/pricing-catalog";
import { queryModels } from "../services/pricing-model-query";
import { router, userProcedure } from "../trpc";

export const modelsRouter = router({
  list: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/models",
        tags: ["catalog"],
        summary: "List and search models",
        description:
          "Filters combine (all must match): `capability` may repeat or be a comma list. Prices in " +
          "`prices.per_1m` are USD per 1M tokens; `prices.per_token` holds the exact rates.",
        protect: true,
      },
    })
    .input(modelListInput)
    .output(paginated(modelSummarySchema))
    .query(({ ctx, input }) => {
      const models = queryModels(catalogOf(ctx).models(input.provider), input);
      const start = (input.page - 1) * input.per_page;
      const date = today();
      const page = models.slice(start, start + input.per_page).map((m) => toModelSummary(m, date));
      return pageOf(page, models.length, input);
    }),

  get: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/models/{provider}/{model}",
        tags: ["catalog"],
        summary: "Get a model",
        description:
          "Prices (exact per token and per 1M), price tiers, capabilities, limits, deprecation and the " +
          "source of the price data. `model` may be an alias such as a dated snapshot.",
        protect: true,
      },
    })
    .input(
      z.object({
        provider: z.string().trim().toLowerCase().min(1).max(100).meta({ example: "openai" }),
        model: z.string().trim().min(1).max(200).meta({ example: "gpt-4o-mini" }),
      }),
    )
    .output(ok(modelDetailSchema))
    .query(({ ctx, input }) => {
      const catalog = catalogOf(ctx);
      const model = catalog.model(input.provider, input.model);
      if (!model) throw notFound(`Model "${input.provider}/${input.model}"`);
      return { success: true as const, data: toModelDetail(catalog, model, today()) };
    }),
});
