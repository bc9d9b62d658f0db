import { type ComponentType, lazy } from "react";

/** Who a page is for: the dashboard shows a signed-in user's pages, or the admin key's. */
export type Audience = "user" | "admin";

export interface PageEntry {
  /** Where the page lives; it owns everything under it (e.g. /requests/:id). */
  path: string;
  /** Its name in the navigation. */
  label: string;
  audience: Audience;
  component: ComponentType;
}

// One chunk per page (code-split): a page's code, and its charting library when it draws
// charts, load only when someone opens it.
const page = (load: () => Promise<{ default: ComponentType }>) => lazy(load);

export const PAGES: PageEntry[] = [
  {
    path: "/",
    label: "Overview",
    audience: "user",
    component: page(() => import("./overview/overview-page").then((m) => ({ default: m.OverviewPage }))),
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
