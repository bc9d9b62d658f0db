import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { modelRoutesRouter } from "./model-routes/router";
import { accountRouter } from "./routers/account";
import { adminRouter } from "./routers/admin";
import { adminReadsRouter } from "./routers/admin-reads";
import { adminTeamsRouter } from "./routers/admin-teams";
import { budgetRouter } from "./routers/budget";
import { chatRouter } from "./routers/chat";
import { credentialsRouter } from "./routers/credentials";
import { keysRouter } from "./routers/keys";
import { modelsRouter } from "./routers/models";
import { pricingRouter } from "./routers/pricing";
import { providersRouter } from "./routers/providers";
import { tagBudgetsRouter } from "./routers/tag-budgets";
import { teamBudgetRouter } from "./routers/team-budget";
import { teamsRouter } from "./routers/teams";
import { usageRouter } from "./routers/usage";
import { sessionRouter } from "./session/router";
import { createCallerFactory, mergeRouters, router } from "./trpc";

export const appRouter = router({
  account: accountRouter,
  admin: mergeRouters(adminRouter, adminTeamsRouter, adminReadsRouter),
  budget: mergeRouters(budgetRouter, router({ tags: tagBudgetsRouter })),
  chat: chatRouter,
  credentials: credentialsRouter,
  keys: keysRouter,
  providers: providersRouter,
  models: modelsRouter,
  pricing: pricingRouter,
  routes: modelRoutesRouter,
  session: sessionRouter,
  teams: mergeRouters(teamsRouter, teamBudgetRouter),
  usage: usageRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
