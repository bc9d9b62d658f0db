import { ApiError } from "../errors";
import type { Logger } from "../services";
import { type BreakerRecord, type BreakerSettings, type BreakerStore, CLOSED } from "./breaker-store";
import type { CredentialOutcome } from "./outcome";
import { pickWeighted, tiers, type Weighted } from "./pick";

export type CircuitState = "closed" | "open" | "half_open";

export interface CredentialHealth {
  state: CircuitState;
  consecutive_failures: number;
  /** ISO time the circuit opened (open and half-open only). */
  opened_at?: string;
  /** ISO time the cool-down ends and a probe call is let through (open and half-open only). */
  retry_at?: string;
}

export interface Breakers {
  /**
   * The credential this call uses: the highest priority tier with a usable credential, by
   * weight within it; an open circuit is skipped, a half-open one gets its single probe call.
   * Throws 503 provider_unavailable when every circuit is open.
   */
  choose<T extends Weighted>(userId: string, provider: string, credentials: readonly T[]): Promise<T>;
  /** Tells the circuit how a call with the credential ended. Never throws. */
  report(userId: string, provider: string, credentialId: string, outcome: CredentialOutcome): Promise<void>;
  /** Closes a credential's circuit whatever this replica knows (its key was replaced or deleted). Never throws. */
  reset(userId: string, provider: string, credentialId: string): Promise<void>;
  /** The circuits as they stand in the store (read fresh): for GET /api/credentials. */
  health(
    userId: string,
    credentials: readonly { id: string; provider: string }[],
  ): Promise<Map<string, CredentialHealth>>;
}

export interface BreakerOptions extends BreakerSettings {
  store: BreakerStore;
  /**
   * How long a replica trusts the shared state it read, for users with several credentials
   * for a provider: another replica's open circuit is seen within this time.
   */
  viewTtlMs?: number;
  logger?: Pick<Logger, "warn">;
  random?: () => number;
}

/** This replica's view of a user's circuits for one provider. */
interface View {
  records: Map<string, BreakerRecord>;
  /** Date.now() of the last full read; 0 when only this replica's own writes are known. */
  fetchedAt: number;
  loading?: Promise<Map<string, BreakerRecord>> | undefined;
}

const DEFAULT_VIEW_TTL_MS = 1_000;
const MAX_VIEWS = 50_000;
const EMPTY: ReadonlyMap<string, BreakerRecord> = new Map();

/**
 * Circuit breakers over a BreakerStore. With a shared store (Redis) the hot path stays free of
 * round trips: a user with one credential whose circuit this replica has seen no failure of is
 * never read (its other replicas' failures reach this one through its own failed calls, whose
 * replies carry the shared state); a user with several is read at most once per viewTtlMs;
 * a success costs a write only when the replica knows of failures to forget.
 */
export function createBreakers(options: BreakerOptions): Breakers {
  const { store } = options;
  const settings: BreakerSettings = { failures: options.failures, cooldownMs: options.cooldownMs };
  const viewTtlMs = options.viewTtlMs ?? DEFAULT_VIEW_TTL_MS;
  const random = options.random ?? Math.random;
  const views = new Map<string, View>();
  // The store's clock minus ours, so cool-downs measured on Redis's clock are judged here too.
  let offset = 0;
  const storeNow = () => Date.now() + offset;
  const noteClock = (now: number) => {
    offset = now - Date.now();
  };
  const keyOf = (userId: string, provider: string) => `${userId}\u0000${provider}`;

  function viewFor(key: string): View {
    let view = views.get(key);
    if (!view) {
      if (views.size >= MAX_VIEWS) {
        const oldest = views.keys().next().value;
        if (oldest !== undefined) views.delete(oldest);
      }
      view = { records: new Map(), fetchedAt: 0 };
      views.set(key, view);
    }
    return view;
  }

  function remember(userId: string, provider: string, credentialId: string, record: BreakerRecord) {
    if (!store.shared) return;
    const view = viewFor(keyOf(userId, provider));
    if (record.failures === 0 && record.openedAt === 0) view.records.delete(credentialId);
    else view.records.set(credentialId, record);
  }

  async function read(userId: string, provider: string, view: View): Promise<Map<string, BreakerRecord>> {
    view.loading ??= store
      .read(userId, provider)
      .then(({ value, now }) => {
        noteClock(now);
        view.records = value;
        return value;
      })
      .catch((error: unknown) => {
        // Routing goes on with what this replica knows; the limits decide what Redis trouble means.
        options.logger?.warn({ err: (error as Error).message }, "circuit state unreadable");
        return view.records;
      })
      .finally(() => {
        view.fetchedAt = Date.now();
        view.loading = undefined;
      });
    return view.loading;
  }

  async function recordsFor(
    userId: string,
    provider: string,
    count: number,
  ): Promise<ReadonlyMap<string, BreakerRecord>> {
    if (!store.shared) {
      const { value, now } = await store.read(userId, provider);
      noteClock(now);
      return value;
    }
    const key = keyOf(userId, provider);
    const view = views.get(key);
    // One credential and no failure seen: nothing to choose between and nothing to skip.
    if (count <= 1 && (view === undefined || view.records.size === 0)) return EMPTY;
    if (view && view.fetchedAt > 0 && Date.now() - view.fetchedAt <= viewTtlMs) return view.records;
    return read(userId, provider, view ?? viewFor(key));
  }

  const retryAt = (record: BreakerRecord) =>
    Math.max(record.openedAt + settings.cooldownMs, record.probeUntil);

  function unavailable(provider: string, open: { id: string; retryAt: number }[]): ApiError {
    const now = storeNow();
    const earliest = Math.min(...open.map((o) => o.retryAt));
    const retryAfter = Math.max(1, Math.ceil((earliest - now) / 1000));
    return new ApiError(
      "provider_unavailable",
      `Every ${provider} credential has its circuit open after repeated provider failures (see GET /api/credentials); retry after ${retryAfter} s`,
      {
        retryAfter,
        details: {
          provider,
          reason: "circuit_open",
          retry_after: retryAfter,
          credentials: open.map((o) => ({ id: o.id, retry_at: new Date(o.retryAt).toISOString() })),
        },
      },
    );
  }

  return {
    async choose(userId, provider, credentials) {
      const only = credentials[0];
      if (!only) throw new Error("choose needs at least one credential");
      const records = await recordsFor(userId, provider, credentials.length);
      if (records.size === 0) {
        return credentials.length === 1
          ? only
          : (pickWeighted(tiers(credentials)[0] ?? [], random()) ?? only);
      }
      const open: { id: string; retryAt: number }[] = [];
      for (const tier of tiers(credentials)) {
        const now = storeNow();
        const usable = tier.filter((c) => {
          const r = records.get(c.id);
          if (!r || r.openedAt === 0) return true;
          // Half-open with its probe free: one call may try the key again.
          if (now >= r.openedAt + settings.cooldownMs && r.probeUntil <= now) return true;
          open.push({ id: c.id, retryAt: retryAt(r) });
          return false;
        });
        while (usable.length > 0) {
          const chosen = pickWeighted(usable, random()) as (typeof usable)[number];
          const r = records.get(chosen.id);
          if (!r || r.openedAt === 0) return chosen;
          const granted = await store.probe(userId, provider, chosen.id, settings).catch((error: unknown) => {
            options.logger?.warn({ err: (error as Error).message }, "circuit probe not granted");
            return undefined;
          });
          if (granted) {
            noteClock(granted.now);
            remember(userId, provider, chosen.id, granted.value.record);
            if (granted.value.verdict !== "refused") return chosen;
            open.push({ id: chosen.id, retryAt: retryAt(granted.value.record) });
          } else {
            open.push({ id: chosen.id, retryAt: retryAt(r) });
          }
          usable.splice(usable.indexOf(chosen), 1);
        }
      }
      throw unavailable(provider, open);
    },

    async report(userId, provider, credentialId, outcome) {
      try {
        const view = store.shared ? views.get(keyOf(userId, provider)) : undefined;
        if (outcome === "success") {
          // The common case: a closed circuit with no failure known here costs nothing.
          if (store.shared && !view?.records.has(credentialId)) return;
          view?.records.delete(credentialId);
          await store.success(userId, provider, credentialId);
        } else if (outcome === "failure") {
          const { value, now } = await store.failure(userId, provider, credentialId, settings);
          noteClock(now);
          remember(userId, provider, credentialId, value);
          if (value.openedAt === now) {
            options.logger?.warn(
              { provider, credential_id: credentialId, failures: value.failures },
              "credential circuit opened",
            );
          }
        } else {
          const held = view?.records.get(credentialId);
          if (store.shared && !(held && held.probeUntil > 0)) return;
          if (held) held.probeUntil = 0;
          await store.release(userId, provider, credentialId);
        }
      } catch (error) {
        options.logger?.warn(
          { provider, credential_id: credentialId, err: (error as Error).message },
          "circuit state not updated",
        );
      }
    },

    async reset(userId, provider, credentialId) {
      views.get(keyOf(userId, provider))?.records.delete(credentialId);
      await store.success(userId, provider, credentialId).catch((error: unknown) => {
        options.logger?.warn(
          { provider, credential_id: credentialId, err: (error as Error).message },
          "circuit not reset",
        );
      });
    },

    async health(userId, credentials) {
      const providers = [...new Set(credentials.map((c) => c.provider))];
      const snapshots = await Promise.all(
        providers.map(async (provider) => {
          const { value, now } = await store.read(userId, provider);
          noteClock(now);
          if (store.shared) {
            const view = viewFor(keyOf(userId, provider));
            view.records = value;
            view.fetchedAt = Date.now();
          }
          return [provider, { records: value, now }] as const;
        }),
      );
      const byProvider = new Map(snapshots);
      const out = new Map<string, CredentialHealth>();
      for (const c of credentials) {
        const snapshot = byProvider.get(c.provider);
        const r = snapshot?.records.get(c.id) ?? CLOSED;
        if (r.openedAt === 0) {
          out.set(c.id, { state: "closed", consecutive_failures: r.failures });
          continue;
        }
        const reopensAt = r.openedAt + settings.cooldownMs;
        out.set(c.id, {
          state: (snapshot?.now ?? storeNow()) >= reopensAt ? "half_open" : "open",
          consecutive_failures: r.failures,
          opened_at: new Date(r.openedAt).toISOString(),
          retry_at: new Date(reopensAt).toISOString(),
        });
      }
      return out;
    },
  };
}
