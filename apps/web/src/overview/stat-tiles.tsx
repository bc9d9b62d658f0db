import type { RouterOutputs } from "@llmg/client";
import { change, count, ms, percent } from "../shared/format";

type Summary = RouterOutputs["usage"]["summary"]["data"];

/** Requests, tokens, error rate and p95 latency, with the change against the previous period. */
export function StatTiles({ summary }: { summary: Summary }) {
  const { totals, performance, previous_period } = summary;
  const tiles = [
    { label: "Requests", value: count(totals.requests), note: change(previous_period.change.requests) },
    { label: "Tokens", value: count(totals.total_tokens), note: change(previous_period.change.total_tokens) },
    { label: "Error rate", value: percent(performance.error_rate), note: `${count(totals.failed)} failed` },
    {
      label: "p95 latency",
      value: ms(performance.p95_latency_ms),
      note: `median ${ms(performance.p50_latency_ms)}`,
    },
  ];
  return (
    <dl className="tiles">
      {tiles.map((tile) => (
        <div key={tile.label} className="tile">
          <dt>{tile.label}</dt>
          <dd data-testid={`tile-${tile.label}`}>{tile.value}</dd>
          {tile.note && <dd className="muted small">{tile.note}</dd>}
        </div>
      ))}
    </dl>
  );
}
