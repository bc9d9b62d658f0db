import { usdExact } from "./format";

const STATUS_TEXT = { ok: "On track", warning: "Warning", exceeded: "Limit reached" } as const;

export interface SpendMeterProps {
  spentExact: string;
  limitExact: string | null;
  status: keyof typeof STATUS_TEXT;
  percentUsed: number | null;
  /** The meter's name, e.g. "Budget used"; the value text says "% of <limitName>". */
  label: string;
  limitName: string;
  testId: string;
}

/** "$spent of $limit" with the status, and the share used as a meter (a user's or a team's). */
export function SpendMeter({
  spentExact,
  limitExact,
  status,
  percentUsed,
  label,
  limitName,
  testId,
}: SpendMeterProps) {
  const percent = percentUsed === null ? null : Math.min(100, Math.max(0, percentUsed));
  return (
    <>
      <p className="big">
        <span data-testid={testId}>{usdExact(spentExact)}</span>
        <span className="muted"> of {limitExact === null ? "no limit" : usdExact(limitExact)}</span>
        <span className={`status status-${status}`}>{STATUS_TEXT[status]}</span>
      </p>
      {percent !== null && (
        // biome-ignore lint/a11y/useSemanticElements: <meter> cannot be styled alike across browsers; the ARIA meter says the same
        <div
          className={`meter meter-${status}`}
          role="meter"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Number(percent.toFixed(1))}
          aria-valuetext={`${percent.toFixed(1)} % of ${limitName}`}
        >
          <div className="meter-fill" style={{ width: `${percent}%` }} />
        </div>
      )}
    </>
  );
}
