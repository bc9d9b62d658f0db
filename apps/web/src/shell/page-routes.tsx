import { Suspense } from "react";
import { Route, Switch } from "wouter";
import type { PageEntry } from "../pages";
import { PageTitle } from "../shared/page-title";
import { Loading } from "../shared/states";

/** One route per page; a page owns the paths under its own (nested), e.g. /requests/:id. */
export function PageRoutes({ pages }: { pages: PageEntry[] }) {
  return (
    <Suspense fallback={<Loading />}>
      <Switch>
        {pages.map((entry) => {
          const Component = entry.component;
          return entry.path === "/" ? (
            <Route key={entry.label} path="/">
              <Component />
            </Route>
          ) : (
            <Route key={entry.label} path={entry.path} nest>
              <Component />
            </Route>
          );
        })}
        <Route>
          <PageTitle>Page not found</PageTitle>
          <p>There is no page here. Pick one from the menu.</p>
        </Route>
      </Switch>
    </Suspense>
  );
}
