import { createAuthenticator, generateApiKey } from "@llmg/api";
import { createUser, insertApiKey, revokeKey, updateUserAdminFields } from "@llmg/db";
import { openTestDatabase, type TestDatabase, testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The key cache on the chat path: one lookup for a burst of calls, and a revocation on this
// replica beats any lookup that was already on its way.
describe.each(testBackends())("the API key cache on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function newKey(email: string) {
    const user = await createUser(t.db, { email });
    const generated = generateApiKey();
    const key = await insertApiKey(t.db, {
      userId: user.id,
      prefix: generated.prefix,
      keyHash: generated.hash,
    });
    return { user, key, generated };
  }

  it("serves a burst of calls on a cold cache from one lookup", async () => {
    const { user, generated } = await newKey("burst@example.com");
    const auth = createAuthenticator({ db: t.db, adminKeyHash: "", cacheTtlMs: 5_000 });
    const header = `Bearer ${generated.key}`;
    const principals = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(header)));
    // Separate lookups would each build their own principal object.
    expect(new Set(principals).size).toBe(1);
    expect(principals[0]).toMatchObject({ kind: "user", userId: user.id });
  });

  it("does not cache what a lookup begun before forget() found", async () => {
    const { user, key, generated } = await newKey("race@example.com");
    const auth = createAuthenticator({ db: t.db, adminKeyHash: "", cacheTtlMs: 60_000 });
    const header = `Bearer ${generated.key}`;
    const inFlight = auth.authenticate(header);
    await revokeKey(t.db, user.id, key.id);
    auth.forget(generated.hash);
    // Whatever the early lookup saw, it was begun before the revocation took effect here.
    await inFlight.catch(() => undefined);
    await expect(auth.authenticate(header)).rejects.toMatchObject({ error: "unauthorized" });
  });

  it("remembers unknown keys in a bounded cache", async () => {
    const auth = createAuthenticator({ db: t.db, adminKeyHash: "", cacheTtlMs: 5_000, maxNegative: 50 });
    const bad = (i: number) => `Bearer llmg_unknown_${i}`;
    await expect(auth.authenticate(bad(0))).rejects.toMatchObject({ error: "unauthorized" });
    await expect(auth.authenticate(bad(0))).rejects.toMatchObject({ error: "unauthorized" });
    expect(auth.stats()).toMatchObject({ lookups: 1, negativeHits: 1 });
    // 200 distinct bad keys: the cache keeps the newest 50, so the first is looked up again.
    for (let i = 1; i <= 200; i++) await auth.authenticate(bad(i)).catch(() => undefined);
    expect(auth.stats().lookups).toBe(201);
    await expect(auth.authenticate(bad(200))).rejects.toMatchObject({ error: "unauthorized" });
    expect(auth.stats().lookups).toBe(201);
    await expect(auth.authenticate(bad(0))).rejects.toMatchObject({ error: "unauthorized" });
    expect(auth.stats().lookups).toBe(202);
  });

  it("caches a disabled user's key as disabled, and forgetUser() applies a change at once", async () => {
    const { user, generated } = await newKey("disabled@example.com");
    const auth = createAuthenticator({ db: t.db, adminKeyHash: "", cacheTtlMs: 60_000 });
    const header = `Bearer ${generated.key}`;
    await expect(auth.authenticate(header)).resolves.toMatchObject({ userId: user.id });
    await updateUserAdminFields(t.db, user.id, { disabled: true });
    // Cached as enabled until this replica forgets the user (another replica: until the TTL).
    await expect(auth.authenticate(header)).resolves.toMatchObject({ userId: user.id });
    auth.forgetUser(user.id);
    const lookups = auth.stats().lookups;
    for (let i = 0; i < 5; i++) {
      await expect(auth.authenticate(header)).rejects.toMatchObject({
        error: "account_disabled",
        status: 403,
      });
    }
    // A disabled user's flood is answered from the cache too.
    expect(auth.stats().lookups - lookups).toBe(1);
    await updateUserAdminFields(t.db, user.id, { disabled: false });
    auth.forgetUser(user.id);
    await expect(auth.authenticate(header)).resolves.toMatchObject({ userId: user.id });
  });
});
