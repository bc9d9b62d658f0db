import type { RouterOutputs } from "@llmg/client";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearch } from "wouter";
import { ErrorNote, errorCode } from "../shared/errors";
import { count, ms, usdExact } from "../shared/format";
import { PageTitle } from "../shared/page-title";
import { Loading } from "../shared/states";
import { useTRPC } from "../trpc";
import { when } from "./history-table";

type Detail = RouterOutputs["usage"]["request"]["data"];

/** How each surface a row came through is named (the row's `endpoint`). */
const ENDPOINT_LABELS: Record<string, string> = {
  v1: "OpenAI-compatible (/v1)",
  anthropic: "Anthropic Messages (/anthropic)",
};

/** One call, every recorded field; the list's filters ride along in the query for the way back. */
export function RequestDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const search = useSearch();
  const query = useQuery(trpc.usage.request.queryOptions({ id }));
  const back = (
    <p>
      <Link href={`~/requests${search ? `?${search}` : ""}`}>← Back to requests</Link>
    </p>
  );
  return (
    <>
      <PageTitle title="Request">Request {id}</PageTitle>
      {back}
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <>
          {errorCode(query.error) === "not_found" && (
            <p className="muted">No request of yours has this id.</p>
          )}
          <ErrorNote error={query.error} onRetry={() => void query.refetch()} />
        </>
      ) : (
        <DetailBody detail={query.data.data} />
      )}
    </>
  );
}

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function DetailBody({ detail: d }: { detail: Detail }) {
  const ok = d.status === "success";
  return (
    <>
      <section className="card" aria-labelledby="detail-outcome">
        <h2 id="detail-outcome">Outcome</h2>
        <dl className="facts detail-facts">
          <Fact label="Status" testId="detail-status">
            <span className={`status status-${ok ? "ok" : "exceeded"}`}>{ok ? "Success" : "Error"}</span> HTTP{" "}
            {d.http_status}
          </Fact>
          <Fact label="Model">
            <span className="muted">{d.provider}/</span>
            {d.model}
          </Fact>
          <Fact label="Time (UTC)">{when(d.created_at)}</Fact>
          <Fact label="Endpoint">
            {ENDPOINT_LABELS[d.endpoint] ?? "/api/chat/completions"}
            {d.stream ? ", streamed" : ""}
          </Fact>
          {d.cache_hit && <Fact label="Response cache">Answered from the cache</Fact>}
        </dl>
        {!ok && (
          <div className="error" data-testid="detail-error">
            <p>
              <strong>{d.error_code ?? "error"}</strong>
            </p>
            {d.error_message && <p>{d.error_message}</p>}
          </div>
        )}
      </section>

      <div className="two-columns">
        <section className="card" aria-labelledby="detail-cost">
          <h2 id="detail-cost">Cost</h2>
          <div className="table-wrap clip-wrap">
            <table className="table">
              <caption className="visually-hidden">The call's cost, exact</caption>
              <tbody>
                <tr>
                  <th scope="row">Prompt</th>
                  <td className="num" data-testid="cost-prompt">
                    {usdExact(d.prompt_cost_exact)}
                  </td>
                </tr>
                <tr>
                  <th scope="row">Completion</th>
                  <td className="num" data-testid="cost-completion">
                    {usdExact(d.completion_cost_exact)}
                  </td>
                </tr>
                <tr>
                  <th scope="row">
                    <strong>Total</strong>
                  </th>
                  <td className="num" data-testid="cost-total">
                    <strong>{usdExact(d.total_cost_exact)}</strong>
                  </td>
                </tr>
                {d.saved_usd_exact !== null && (
                  <tr>
                    <th scope="row">Saved by the cache</th>
                    <td className="num" data-testid="cost-saved">
                      {usdExact(d.saved_usd_exact)}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <dl className="facts detail-facts">
            <Fact label="Latency" testId="detail-latency">
              {ms(d.latency_ms)}
            </Fact>
            <Fact label="Time to first token" testId="detail-ttft">
              {d.ttft_ms === null ? "— (not streamed)" : ms(d.ttft_ms)}
            </Fact>
          </dl>
        </section>

        <section className="card" aria-labelledby="detail-tokens">
          <h2 id="detail-tokens">Tokens</h2>
          <div className="table-wrap clip-wrap">
            <table className="table">
              <caption className="visually-hidden">Tokens by kind</caption>
              <tbody>
                {(
                  [
                    ["Prompt", d.prompt_tokens, "prompt"],
                    ["of which read from the provider's cache", d.cached_tokens, "cached"],
                    ["Written to the provider's cache", d.cache_write_tokens, "cache-write"],
                    ["Completion", d.completion_tokens, "completion"],
                    ["of which reasoning", d.reasoning_tokens, "reasoning"],
                    ["Total", d.total_tokens, "total"],
                  ] as const
                ).map(([label, value, key]) => (
                  <tr key={key}>
                    <th scope="row">{label}</th>
                    <td className="num" data-testid={`tokens-${key}`}>
                      {count(value)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {d.usage_estimated && (
            <p className="muted small">The provider reported no usage: the gateway counted these.</p>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="detail-attribution">
        <h2 id="detail-attribution">Attribution and metadata</h2>
        <dl className="facts detail-facts">
          <Fact label="Tags">
            {d.tags.length > 0
              ? d.tags.map((tag, i) => (
                  <span key={tag}>
                    {i > 0 && ", "}
                    <Link
                      href={`~/requests?tag=${encodeURIComponent(tag)}`}
                      aria-label={`Requests tagged ${tag}`}
                    >
                      {tag}
                    </Link>
                  </span>
                ))
              : "none"}
          </Fact>
          <Fact label="Agent run">{d.run_id ?? "none"}</Fact>
          {d.run_budget_usd !== null && <Fact label="Run budget">{usdExact(d.run_budget_usd)}</Fact>}
          <Fact label="API key">{d.api_key_id ?? "session"}</Fact>
          <Fact label="Credential">{d.credential_id ?? "none"}</Fact>
          <Fact label="Client">{d.user_agent ?? "unknown"}</Fact>
          <Fact label="IP">{d.ip ?? "unknown"}</Fact>
        </dl>
        {d.metadata && Object.keys(d.metadata).length > 0 && (
          <>
            <h3 className="small">Metadata</h3>
            <pre className="code" data-testid="detail-metadata">
              {JSON.stringify(d.metadata, null, 2)}
            </pre>
          </>
        )}
      </section>

      {d.attempts.length > 0 && (
        <section className="card" aria-labelledby="detail-attempts">
          <h2 id="detail-attempts">Attempts</h2>
          <div className="table-wrap clip-wrap">
            <table className="table">
              <caption className="visually-hidden">Every attempt of the call, in order</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Model</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                  <th scope="col" className="num">
                    Latency
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.attempts.map((a) => (
                  <tr key={a.id} aria-current={a.id === d.id ? "true" : undefined}>
                    <td>
                      {a.id === d.id ? (
                        a.attempt
                      ) : (
                        <Link href={`~/requests/${encodeURIComponent(a.id)}`}>{a.attempt}</Link>
                      )}
                    </td>
                    <th scope="row">
                      <span className="muted">{a.provider}/</span>
                      {a.model}
                    </th>
                    <td>
                      {a.status === "success" ? "Success" : `Error ${a.http_status}`}
                      {a.error_code ? ` (${a.error_code})` : ""}
                    </td>
                    <td className="num">{usdExact(a.total_cost_exact)}</td>
                    <td className="num">{ms(a.latency_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
