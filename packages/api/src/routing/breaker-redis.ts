import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { FAILURE_SCRIPT, PROBE_SCRIPT, READ_SCRIPT, RELEASE_SCRIPT, SUCCESS_SCRIPT } from "./breaker-scripts";
import type { BreakerRecord, BreakerStore, ProbeVerdict } from "./breaker-store";

/** A circuit nobody touches for a day is forgotten (closed); any write extends it. */
const KEY_TTL_MS = 86_400_000;

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({
  source,
  sha: createHash("sha1").update(source).digest("hex"),
});

const SCRIPTS = {
  read: script(READ_SCRIPT),
  failure: script(FAILURE_SCRIPT),
  success: script(SUCCESS_SCRIPT),
  probe: script(PROBE_SCRIPT),
  release: script(RELEASE_SCRIPT),
};

const VERDICTS: Record<number, ProbeVerdict> = { 0: "refused", 1: "closed", 2: "probe" };

/**
 * Production: the circuits in Redis, shared by every replica. Keys are hash-tagged by the user
 * like the limits' keys, so one user's state sits in one cluster slot. Each step is one EVALSHA.
 */
export function createRedisBreakerStore(redis: Redis, prefix: string): BreakerStore {
  const keyOf = (userId: string, provider: string) => `${prefix}{${userId}}:brk:${provider}`;

  // Best effort: a failure here only means the first call of each script falls back to EVAL.
  for (const s of Object.values(SCRIPTS)) redis.script("LOAD", s.source).catch(() => {});

  async function run(s: Script, key: string, args: string[]): Promise<unknown> {
    try {
      return await redis.evalsha(s.sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      return await redis.eval(s.source, 1, key, ...args);
    }
  }

  const record = (f: unknown, o: unknown, p: unknown): BreakerRecord => ({
    failures: Number(f),
    openedAt: Number(o),
    probeUntil: Number(p),
  });

  return {
    shared: true,
    async read(userId, provider) {
      const reply = (await run(SCRIPTS.read, keyOf(userId, provider), [])) as string[];
      const now = Number(reply[reply.length - 1]);
      const records = new Map<string, BreakerRecord>();
      for (let i = 0; i + 1 < reply.length - 1; i += 2) {
        const field = reply[i]!;
        const cut = field.lastIndexOf(":");
        const id = field.slice(0, cut);
        const r = records.get(id) ?? { failures: 0, openedAt: 0, probeUntil: 0 };
        const value = Number(reply[i + 1]);
        const kind = field.slice(cut + 1);
        if (kind === "f") r.failures = value;
        else if (kind === "o") r.openedAt = value;
        else if (kind === "p") r.probeUntil = value;
        records.set(id, r);
      }
      return { value: records, now };
    },
    async failure(userId, provider, credentialId, settings) {
      const [f, o, p, now] = (await run(SCRIPTS.failure, keyOf(userId, provider), [
        credentialId,
        String(settings.failures),
        String(settings.cooldownMs),
        String(Math.max(KEY_TTL_MS, settings.cooldownMs * 2)),
      ])) as number[];
      return { value: record(f, o, p), now: Number(now) };
    },
    async success(userId, provider, credentialId) {
      await run(SCRIPTS.success, keyOf(userId, provider), [credentialId]);
    },
    async probe(userId, provider, credentialId, settings) {
      const [v, f, o, p, now] = (await run(SCRIPTS.probe, keyOf(userId, provider), [
        credentialId,
        String(settings.cooldownMs),
      ])) as number[];
      return {
        value: { verdict: VERDICTS[Number(v)] ?? "refused", record: record(f, o, p) },
        now: Number(now),
      };
    },
    async release(userId, provider, credentialId) {
      await run(SCRIPTS.release, keyOf(userId, provider), [credentialId]);
    },
  };
}
