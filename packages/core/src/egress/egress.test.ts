import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAllPools, getPool, untrustedPoolCount } from "../providers/http/pool";
import { deniedAddressReason } from "./address";
import { parseAllowList } from "./allow-list";
import { EgressDeniedError, EgressGuard } from "./guard";

/** Every spelling of an internal destination a user might try; all must be refused. */
const INTERNAL_URLS = [
  "http://127.0.0.1/",
  "http://0x7f000001/",
  "http://2130706433/",
  "http://0177.0.0.1/",
  "http://127.1/",
  "http://127.0.0.1./",
  "http://[::1]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:7f00:1]/",
  "http://[0:0:0:0:0:ffff:7f00:1]/",
  "http://[::127.0.0.1]/",
  "http://localhost/",
  "http://LOCALHOST./",
  "http://foo.localhost/",
  "http://10.1.2.3/",
  "http://172.16.0.1/",
  "http://192.168.1.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://100.64.0.1/",
  "http://0.0.0.0/",
  "http://0/",
  "http://[::]/",
  "http://224.0.0.1/",
  "http://255.255.255.255/",
  "http://[fc00::1]/",
  "http://[fd12:3456::1]/",
  "http://[fe80::1]/",
  "http://[ff02::1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::ffff:a00:1]/",
  "http://[64:ff9b::7f00:1]/",
  "http://[64:ff9b::a9fe:a9fe]/",
  "http://[2002:7f00:1::]/",
  "http://[2002:a9fe:a9fe::1]/",
  "https://127.0.0.1:8443/v1",
];

describe("address classification", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.255.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.0.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["239.1.1.1", "multicast"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fd00::1", "unique-local"],
    ["febf::1", "link-local"],
    ["ff05::2", "multicast"],
    ["::ffff:10.0.0.1", "IPv4-mapped private"],
    ["64:ff9b::192.168.0.1", "NAT64 private"],
    ["2002:c0a8:0101::", "6to4 private"],
  ])("%s is %s", (address, reason) => {
    expect(deniedAddressReason(address)).toBe(reason);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "2002:808:808::",
  ])("%s is public", (address) => {
    expect(deniedAddressReason(address)).toBeUndefined();
  });
});

describe("allow list", () => {
  it("parses hosts, host:port, IPs and CIDRs", () => {
    const { list, errors } = parseAllowList(
      " llm.internal, 127.0.0.1:11434 ,10.0.0.0/8,[::1]:80, fd00::/8, ::1,",
    );
    expect(errors).toEqual([]);
    expect(list.entries).toHaveLength(6);
  });

  it.each(["http://x", "10.0.0.0/33", "host:99999", "a b", "x/y", "host:", "1.2.3.4/8/1"])(
    "reports the bad entry %s",
    (entry) => {
      const { errors } = parseAllowList(`ok.example, ${entry}`);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(entry);
    },
  );
});

describe("EgressGuard.checkUrl", () => {
  const guard = new EgressGuard();

  it.each(INTERNAL_URLS)("refuses %s", async (url) => {
    await expect(guard.checkUrl(url)).rejects.toBeInstanceOf(EgressDeniedError);
  });

  it("admits what LLMG_EGRESS_ALLOW lists, and only that", async () => {
    const allowing = new EgressGuard({ allow: "127.0.0.1:11434, 10.0.0.0/8, localhost" });
    await expect(allowing.checkUrl("http://127.0.0.1:11434/v1")).resolves.toBeUndefined();
    await expect(allowing.checkUrl("http://2130706433:11434/v1")).resolves.toBeUndefined();
    await expect(allowing.checkUrl("http://127.0.0.1:11435/v1")).rejects.toThrow(/loopback/);
    await expect(allowing.checkUrl("http://10.9.9.9/")).resolves.toBeUndefined();
    await expect(allowing.checkUrl("http://localhost:3000/")).resolves.toBeUndefined();
    await expect(allowing.checkUrl("http://192.168.0.1/")).rejects.toThrow(/private/);
  });

  it("refuses a name when any address it resolves to is internal", async () => {
    const resolver = {
      resolve4: async () => ["8.8.8.8", "10.0.0.1"],
      resolve6: async () => [],
    };
    const mixed = new EgressGuard({ resolver });
    await expect(mixed.checkUrl("https://api.example.com/v1")).rejects.toThrow(
      /resolves to private address 10.0.0.1/,
    );
    const publicOnly = new EgressGuard({
      resolver: { resolve4: async () => ["8.8.8.8"], resolve6: async () => ["2606:4700::1111"] },
    });
    await expect(publicOnly.checkUrl("https://api.example.com/v1")).resolves.toBeUndefined();
  });
});

describe("EgressGuard connector", () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end("internal secret");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("refuses IP literals and names resolving to internal addresses before connecting", async () => {
    const agent = new EgressGuard({
      resolver: { resolve4: async () => ["127.0.0.1"], resolve6: async () => [] },
    }).agent(1_000);
    const before = hits;
    for (const origin of [
      `http://127.0.0.1:${port}`,
      `http://[::ffff:127.0.0.1]:${port}`,
      `http://rebind.example:${port}`,
    ]) {
      await expect(agent.request({ origin, path: "/", method: "GET" })).rejects.toMatchObject({
        code: "EGRESS_DENIED",
      });
    }
    expect(hits).toBe(before);
    await agent.close();
  });

  it("connects where the allow list says so", async () => {
    const agent = new EgressGuard({ allow: `127.0.0.1:${port}` }).agent(1_000);
    const response = await agent.request({ origin: `http://127.0.0.1:${port}`, path: "/", method: "GET" });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    await agent.close();
  });
});

describe("untrusted pools", () => {
  it("keeps a bounded number, closing the least recently used", async () => {
    const guard = new EgressGuard();
    const first = getPool("http://pool-0.example", 1_000, guard);
    const pools = [first];
    for (let i = 1; i < 256; i++) pools.push(getPool(`http://pool-${i}.example`, 1_000, guard));
    // Used again: now the most recent, so pool-1 is the one to go.
    expect(getPool("http://pool-0.example", 1_000, guard)).toBe(first);
    getPool("http://pool-256.example", 1_000, guard);
    expect(first.closed).toBe(false);
    expect(pools[1]?.closed).toBe(true);
    expect(getPool("http://pool-1.example", 1_000, guard)).not.toBe(pools[1]);
    await closeAllPools();
  });

  it("closes a pool nobody used for ten minutes when the next new origin comes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const guard = new EgressGuard();
      const idle = getPool("http://idle.example", 1_000, guard);
      vi.setSystemTime(Date.now() + 5 * 60_000);
      const recent = getPool("http://recent.example", 1_000, guard);
      vi.setSystemTime(Date.now() + 6 * 60_000);
      getPool("http://new.example", 1_000, guard);
      expect(idle.closed).toBe(true);
      expect(recent.closed).toBe(false);
      expect(untrustedPoolCount()).toBe(2);
    } finally {
      vi.useRealTimers();
      await closeAllPools();
    }
  });
});
