import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { Link, useLocation } from "wouter";
import { Field } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { PageTitle } from "../shared/page-title";
import { useTRPC } from "../trpc";
import type { ModelRoute } from "./routes-table";
import { type TargetRow, TargetRows } from "./target-rows";

const STRATEGIES = {
  weighted: "Weighted: one target drawn by weight",
  ordered: "Ordered: the targets in order",
  cheapest: "Cheapest: the lowest estimated cost for the request",
  fastest: "Fastest: the lowest median latency of your calls in the last 24 h",
} as const;
type Strategy = keyof typeof STRATEGIES;

const RETRY_KINDS = {
  "429": "Rate limited (429)",
  "5xx": "Server errors (5xx)",
  timeout: "Timeouts",
  context_length: "Prompt too long for the model",
} as const;
type RetryKind = keyof typeof RETRY_KINDS;
const ALL_RETRY = Object.keys(RETRY_KINDS) as RetryKind[];

const listOf = (value: string) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);

/** Create (POST /api/routes) or replace (PUT /api/routes/{name}) a route. */
export function RouteEditor({ route }: { route?: ModelRoute }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const modelsId = useId();
  const models = useQuery(trpc.models.list.queryOptions({ page: 1, per_page: 100 }));
  const [name, setName] = useState(route?.name ?? "");
  const [strategy, setStrategy] = useState<Strategy>(route?.strategy ?? "weighted");
  const [targets, setTargets] = useState<TargetRow[]>(
    route?.targets.map((t) => ({ model: t.model, weight: String(t.weight) })) ?? [{ model: "", weight: "1" }],
  );
  const [fallbacks, setFallbacks] = useState(route?.fallbacks.join(", ") ?? "");
  const [retryOn, setRetryOn] = useState<RetryKind[]>(route?.retry_on ?? ALL_RETRY);
  const [cacheOn, setCacheOn] = useState(route ? route.cache !== null : false);
  const [ttl, setTtl] = useState(String(route?.cache?.ttl ?? 3600));
  const [cacheAll, setCacheAll] = useState(route?.cache?.all ?? false);

  const done = async () => {
    await queryClient.invalidateQueries(trpc.routes.pathFilter());
    navigate("/");
  };
  const create = useMutation(trpc.routes.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.routes.update.mutationOptions({ onSuccess: done }));
  const save = route ? update : create;

  function submit(event: FormEvent) {
    event.preventDefault();
    const body = {
      name: name.trim(),
      strategy,
      // Weights are kept while another strategy is picked, so switching back loses nothing.
      targets: targets.map((t) => ({ model: t.model.trim(), weight: Number(t.weight) })),
      fallbacks: listOf(fallbacks),
      retry_on: ALL_RETRY.filter((kind) => retryOn.includes(kind)),
      cache: cacheOn ? { ttl: Number(ttl), all: cacheAll } : null,
    };
    if (route) update.mutate(body);
    else create.mutate(body);
  }

  const title = route ? `Edit route/${route.name}` : "New route";
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <p>
        <Link href="/">← All routes</Link>
      </p>
      <form className="card adm-form" onSubmit={submit} aria-label={title}>
        <Field label="Name" hint="Called as route/NAME. Letters, digits, '.', '_' and '-'">
          <input
            required
            readOnly={route !== undefined}
            pattern="[A-Za-z0-9._\-]+"
            maxLength={64}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field label="Strategy">
          <select value={strategy} onChange={(e) => setStrategy(e.target.value as Strategy)}>
            {(Object.keys(STRATEGIES) as Strategy[]).map((s) => (
              <option key={s} value={s}>
                {STRATEGIES[s]}
              </option>
            ))}
          </select>
        </Field>
        <TargetRows
          rows={targets}
          onChange={setTargets}
          weighted={strategy === "weighted"}
          listId={modelsId}
        />
        <datalist id={modelsId}>
          {models.data?.data.map((m) => (
            <option key={`${m.provider}/${m.id}`} value={`${m.provider}/${m.id}`} />
          ))}
        </datalist>
        <Field label="Fallbacks (optional)" hint="Models tried in order after the targets, comma-separated">
          <input list={modelsId} value={fallbacks} onChange={(e) => setFallbacks(e.target.value)} />
        </Field>
        <fieldset>
          <legend>Move on to the next model after</legend>
          {ALL_RETRY.map((kind) => (
            <label key={kind} className="adm-check">
              <input
                type="checkbox"
                checked={retryOn.includes(kind)}
                onChange={(e) =>
                  setRetryOn((list) => (e.target.checked ? [...list, kind] : list.filter((k) => k !== kind)))
                }
              />
              {RETRY_KINDS[kind]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Response cache</legend>
          <label className="adm-check">
            <input type="checkbox" checked={cacheOn} onChange={(e) => setCacheOn(e.target.checked)} />
            Cache this route's answers
          </label>
          {cacheOn && (
            <>
              <Field label="Keep answers for, seconds" hint="1 to 2,592,000 (30 days)">
                <input
                  type="number"
                  min={1}
                  max={2_592_000}
                  required
                  value={ttl}
                  onChange={(e) => setTtl(e.target.value)}
                />
              </Field>
              <label className="adm-check">
                <input type="checkbox" checked={cacheAll} onChange={(e) => setCacheAll(e.target.checked)} />
                Also cache answers with tool calls or cut short
              </label>
            </>
          )}
        </fieldset>
        <div className="adm-actions">
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : route ? "Save route" : "Create route"}
          </button>
          <Link href="/">Cancel</Link>
        </div>
        {save.isError && <ErrorNote error={save.error} />}
      </form>
    </>
  );
}
