import type { AppRouter } from "@llmg/client";
import type { QueryClient } from "@tanstack/react-query";
import type { TRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { type ComponentType, lazy } from "react";
import { overviewQueries } from "./overview/overview-queries";

/** Who a page is for: the dashboard shows a signed-in user's pages, or the admin key's. */
export type Audience = "user" | "admin";

export interface PageEntry {
  /** Where the page lives; it owns everything under it (e.g. /requests/:id). */
  path: string;
  /** Its name in the navigation. */
  label: string;
  audience: Audience;
  component: ComponentType;
  /** Starts the page's data queries early (see prefetchPage); light code only, no page chunk. */
  prefetch?: (trpc: TRPCOptionsProxy<AppRouter>, queryClient: QueryClient) => void;
}

type Loader = () => Promise<{ default: ComponentType }>;
const loaders = new Map<ComponentType, Loader>();

/**
 * One chunk per page (code-split): a page's code, and its charting library when it draws
 * charts, load only when someone opens it. Once the chunk is in (preloadPage fetched it while
 * the session was checked), the page renders at once instead of through lazy(): React 19 keeps
 * a Suspense fallback on screen for at least 300 ms, which was most of the Overview's first
 * render on a fast network.
 */
const page = (load: Loader): ComponentType => {
  let loaded: ComponentType | undefined;
  const loadOnce: Loader = () =>
    load().then((module) => {
      loaded = module.default;
      return module;
    });
  const Lazy = lazy(loadOnce);
  // biome-ignore lint/correctness/noComponentHookFactories: made once per page when this module loads, never during a render
  const Page = () => {
    const Loaded = loaded;
    return Loaded ? <Loaded /> : <Lazy />;
  };
  loaders.set(Page, loadOnce);
  return Page;
};

export const PAGES: PageEntry[] = [
  {
    path: "/",
    label: "Overview",
    audience: "user",
    component: page(() => import("./overview/overview-page").then((m) => ({ default: m.OverviewPage }))),
    prefetch: (trpc, queryClient) => {
      const queries = overviewQueries(trpc);
      void queryClient.prefetchQuery(queries.budget);
      void queryClient.prefetchQuery(queries.summary);
      void queryClient.prefetchQuery(queries.chart);
    },
  },
  {
    path: "/usage",
    label: "Usage",
    audience: "user",
    component: page(() => import("./usage/usage-page").then((m) => ({ default: m.UsagePage }))),
  },
  {
    path: "/requests",
    label: "Requests",
    audience: "user",
    component: page(() => import("./requests/requests-page").then((m) => ({ default: m.RequestsPage }))),
  },
  {
    path: "/spend",
    label: "Spend",
    audience: "user",
    component: page(() => import("./spend/spend-page").then((m) => ({ default: m.SpendPage }))),
  },
  {
    path: "/playground",
    label: "Playground",
    audience: "user",
    component: page(() =>
      import("./playground/playground-page").then((m) => ({ default: m.PlaygroundPage })),
    ),
  },
  {
    path: "/models",
    label: "Models",
    audience: "user",
    component: page(() => import("./models/models-page").then((m) => ({ default: m.ModelsPage }))),
  },
  {
    path: "/credentials",
    label: "Credentials",
    audience: "user",
    component: page(() =>
      import("./credentials/credentials-page").then((m) => ({ default: m.CredentialsPage })),
    ),
  },
  {
    path: "/keys",
    label: "API keys",
    audience: "user",
    component: page(() => import("./keys/keys-page").then((m) => ({ default: m.KeysPage }))),
  },
  {
    path: "/budget",
    label: "Budget",
    audience: "user",
    component: page(() => import("./budget/budget-page").then((m) => ({ default: m.BudgetPage }))),
  },
  {
    path: "/teams",
    label: "Teams",
    audience: "user",
    component: page(() => import("./teams/teams-page").then((m) => ({ default: m.TeamsPage }))),
  },
  {
    path: "/routes",
    label: "Routes",
    audience: "user",
    component: page(() => import("./routes/routes-page").then((m) => ({ default: m.RoutesPage }))),
  },
  {
    path: "/account",
    label: "Account",
    audience: "user",
    component: page(() => import("./account/account-page").then((m) => ({ default: m.AccountPage }))),
  },
  {
    path: "/",
    label: "Admin",
    audience: "admin",
    component: page(() => import("./admin/admin-page").then((m) => ({ default: m.AdminPage }))),
  },
];

export function pagesFor(audience: Audience): PageEntry[] {
  return PAGES.filter((entry) => entry.audience === audience);
}

function userPageAt(path: string): PageEntry | undefined {
  return PAGES.find(
    (p) =>
      p.audience === "user" &&
      (p.path === "/" ? path === "/" : path === p.path || path.startsWith(`${p.path}/`)),
  );
}

/**
 * Starts loading the chunk of the user page at `path` right away, while the session is still
 * being checked, instead of after it (a first load then waits for one round trip less). The
 * module loader keeps the promise, so the page later finds the chunk loaded or loading.
 */
export function preloadPage(path: string): void {
  const entry = userPageAt(path);
  const load = entry && loaders.get(entry.component);
  if (load) void load().catch(() => undefined);
}

/**
 * Starts the page's queries in the same tick as the session check, so the batch link sends
 * them in one request. Signed out they answer 401, which nobody sees: the sign-in page shows,
 * and signing in resets the cache.
 */
export function prefetchPage(
  path: string,
  trpc: TRPCOptionsProxy<AppRouter>,
  queryClient: QueryClient,
): void {
  userPageAt(path)?.prefetch?.(trpc, queryClient);
}
