/**
 * One credential's circuit as the store keeps it. Times are milliseconds on the store's clock
 * (Redis's TIME in production, so every replica agrees on when a cool-down ends).
 */
export interface BreakerRecord {
  /** Failures since the last success (of the kinds that count, see outcome.ts). */
  failures: number;
  /** When the circuit opened; 0 while it is closed. */
  openedAt: number;
  /** Until when a half-open probe call holds the circuit; 0 when none does. */
  probeUntil: number;
}

export interface BreakerSettings {
  /** Consecutive failures that open a circuit. */
  failures: number;
  /** How long it stays open before one probe is let through. */
  cooldownMs: number;
}

/** The store's answer, with its clock, so the caller can judge the record's age on that clock. */
export interface Stamped<T> {
  value: T;
  now: number;
}

export type ProbeVerdict =
  /** The circuit was closed meanwhile (another replica's probe succeeded): call as usual. */
  | "closed"
  /** This caller holds the probe: its outcome closes or re-opens the circuit. */
  | "probe"
  /** Still open, or another call is probing. */
  | "refused";

/**
 * The circuits of a user's credentials for one provider. Every method is one atomic step (one
 * round trip in Redis); the breaker decides when a step is worth its round trip.
 */
export interface BreakerStore {
  /** True when other replicas share the state (Redis): their changes are seen only by reading. */
  readonly shared: boolean;
  /** Every credential with a non-clean record; the others are closed with no failures. */
  read(userId: string, provider: string): Promise<Stamped<Map<string, BreakerRecord>>>;
  /** Counts a failure: opens the circuit at the threshold, re-opens a half-open one. */
  failure(
    userId: string,
    provider: string,
    credentialId: string,
    settings: BreakerSettings,
  ): Promise<Stamped<BreakerRecord>>;
  /** Closes the circuit and forgets its failures. */
  success(userId: string, provider: string, credentialId: string): Promise<void>;
  /** Asks for the half-open probe of an open circuit whose cool-down has ended. */
  probe(
    userId: string,
    provider: string,
    credentialId: string,
    settings: BreakerSettings,
  ): Promise<Stamped<{ verdict: ProbeVerdict; record: BreakerRecord }>>;
  /** Gives the probe back without a verdict (the call ended for a reason that says nothing of the key). */
  release(userId: string, provider: string, credentialId: string): Promise<void>;
}

export const CLOSED: BreakerRecord = { failures: 0, openedAt: 0, probeUntil: 0 };
