import type { RouterOutputs } from "@llmg/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "wouter";
import { ConfirmButton } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { count } from "../shared/format";
import { useTRPC } from "../trpc";

export type ModelRoute = RouterOutputs["routes"]["list"]["data"][number];

/** "openai/gpt-4o-mini ×3" for weighted routes; the order alone says enough for the others. */
export function targetText(route: ModelRoute): string {
  return route.targets
    .map((t) => (route.strategy === "weighted" ? `${t.model} ×${t.weight}` : t.model))
    .join(", ");
}

export function RoutesTable({ routes }: { routes: ModelRoute[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.routes.delete.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.routes.list.pathFilter()),
    }),
  );
  return (
    <>
      {remove.isError && <ErrorNote error={remove.error} />}
      <div className="table-wrap">
        <table className="table adm-wide" aria-label="Routes">
          <thead>
            <tr>
              <th scope="col">Model name</th>
              <th scope="col">Strategy</th>
              <th scope="col">Targets</th>
              <th scope="col">Fallbacks</th>
              <th scope="col">Cache</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {routes.map((route) => (
              <tr key={route.name} data-testid={`route-${route.name}`}>
                <th scope="row">
                  <code>{route.model}</code>
                </th>
                <td>{route.strategy}</td>
                <td>{targetText(route)}</td>
                <td>{route.fallbacks.length === 0 ? "—" : route.fallbacks.join(", ")}</td>
                <td>
                  {route.cache === null
                    ? "off"
                    : `${count(route.cache.ttl)} s${route.cache.all ? ", all answers" : ""}`}
                </td>
                <td>
                  <span className="adm-actions">
                    <Link href={`/edit/${encodeURIComponent(route.name)}`} aria-label={`Edit ${route.name}`}>
                      Edit
                    </Link>
                    <ConfirmButton
                      label={`Delete ${route.name}`}
                      confirmLabel={`Confirm delete ${route.name}`}
                      disabled={remove.isPending}
                      onConfirm={() => remove.mutate({ name: route.name })}
                    />
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
