import type { LookupAddress, LookupOptions } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Agent, buildConnector } from "undici";
import { deniedAddressReason } from "./address";
import { type AllowList, allowsAddress, allowsHost, normalizeHost, parseAllowList } from "./allow-list";

/** Why a URL or connection was refused; `code` lets the HTTP layer tell it from other failures. */
export class EgressDeniedError extends Error {
  override readonly name = "EgressDeniedError";
  readonly code = "EGRESS_DENIED";
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`egress to ${host} denied: ${reason}`);
  }
}

export interface EgressGuardOptions {
  /** LLMG_EGRESS_ALLOW's value (comma-separated hosts, host:port or CIDRs) or a parsed list. */
  allow?: string | AllowList;
  /**
   * Answers names from these DNS servers instead of the system resolver (getaddrinfo, which also
   * reads /etc/hosts). Tests point it at their own DNS server.
   */
  resolver?: NameResolver;
}

/** What the guard needs of a node:dns/promises Resolver (one with setServers, say). */
export interface NameResolver {
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

function isNoData(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "ENODATA" || code === "ENOTFOUND";
}

function wantsFamily(options: LookupOptions | number | undefined): 4 | 6 | undefined {
  const family = typeof options === "number" ? options : options?.family;
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  return undefined;
}

/**
 * Decides which hosts a user-set URL (a credential's base_url, a budget webhook) may reach, both
 * when the URL is set and on every new connection — the second check is what defeats DNS
 * rebinding, where a name answers a public address when checked and an internal one when used.
 * Connections made for trusted URLs (the deployment's own base URLs) do not go through it.
 */
export class EgressGuard {
  private static nextId = 1;
  /** Distinguishes pools of different guards (tests run several gateways in one process). */
  readonly id = EgressGuard.nextId++;
  private readonly list: AllowList;
  private readonly resolver: EgressGuardOptions["resolver"];

  constructor(options: EgressGuardOptions = {}) {
    if (typeof options.allow === "object") this.list = options.allow;
    else {
      const { list, errors } = parseAllowList(options.allow);
      if (errors.length > 0) throw new Error(`LLMG_EGRESS_ALLOW: ${errors.join("; ")}`);
      this.list = list;
    }
    this.resolver = options.resolver;
  }

  /** Every address the name resolves to, IPv4 and IPv6. */
  async resolve(host: string): Promise<LookupAddress[]> {
    if (!this.resolver) {
      try {
        return await dnsLookup(host, { all: true, verbatim: true });
      } catch (error) {
        if (isNoData(error)) return [];
        throw error;
      }
    }
    const { resolver } = this;
    const [v4, v6] = await Promise.all([
      resolver.resolve4(host).catch((e: unknown) => (isNoData(e) ? [] : Promise.reject(e))),
      resolver.resolve6(host).catch((e: unknown) => (isNoData(e) ? [] : Promise.reject(e))),
    ]);
    return [
      ...v4.map((address) => ({ address, family: 4 })),
      ...v6.map((address) => ({ address, family: 6 })),
    ];
  }

  /** Refusal decided without DNS: an IP literal, or a name that always means this machine. */
  private refusalWithoutDns(host: string, port: number): EgressDeniedError | undefined | "resolve" {
    if (allowsHost(this.list, host, port)) return undefined;
    if (isIP(host)) return this.refusalOf(host, host, port);
    if (host === "localhost" || host.endsWith(".localhost"))
      return new EgressDeniedError(host, "loopback name");
    return "resolve";
  }

  private refusalOf(host: string, address: string, port: number): EgressDeniedError | undefined {
    if (allowsAddress(this.list, address, port)) return undefined;
    const reason = deniedAddressReason(address);
    if (!reason) return undefined;
    return new EgressDeniedError(
      host,
      host === address ? `${reason} address` : `resolves to ${reason} address ${address}`,
    );
  }

  /** The first refused address among those a name resolved to. */
  private refusalOfAll(host: string, addresses: readonly LookupAddress[], port: number) {
    for (const { address } of addresses) {
      const refusal = this.refusalOf(host, address, port);
      if (refusal) return refusal;
    }
    return undefined;
  }

  /**
   * The check when a URL is set: throws EgressDeniedError when its host is, or resolves to, an
   * address that is not public (every address counts), or does not resolve at all.
   */
  async checkUrl(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new EgressDeniedError(url, "not a URL");
    }
    const port = parsed.port === "" ? DEFAULT_PORTS[parsed.protocol] : Number(parsed.port);
    if (port === undefined)
      throw new EgressDeniedError(parsed.hostname, `protocol ${parsed.protocol} not allowed`);
    // WHATWG parsing has already turned 0x7f000001, 2130706433, 0177.0.0.1 and 127.1 into 127.0.0.1.
    const host = normalizeHost(parsed.hostname);
    const early = this.refusalWithoutDns(host, port);
    if (early !== "resolve") {
      if (early) throw early;
      return;
    }
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch (error) {
      throw new EgressDeniedError(
        host,
        `cannot be resolved (${(error as { code?: string }).code ?? "DNS error"})`,
      );
    }
    if (addresses.length === 0) throw new EgressDeniedError(host, "does not resolve to any address");
    const refusal = this.refusalOfAll(host, addresses, port);
    if (refusal) throw refusal;
  }

  /** A net.connect `lookup` that resolves like `resolve` and fails when any answer is refused. */
  private lookupFor(port: number) {
    return (host: string, options: LookupOptions | number | undefined, callback: LookupCallback) => {
      const name = normalizeHost(host);
      const family = wantsFamily(options);
      const all = typeof options === "object" && options.all === true;
      this.resolve(name).then(
        (found) => {
          const refusal = allowsHost(this.list, name, port)
            ? undefined
            : this.refusalOfAll(name, found, port);
          if (refusal) return callback(refusal, "");
          const usable = family === undefined ? found : found.filter((a) => a.family === family);
          const first = usable[0];
          if (!first) {
            return callback(
              Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }),
              "",
            );
          }
          if (all) return callback(null, usable);
          return callback(null, first.address, first.family);
        },
        (error: unknown) => callback(error as Error, ""),
      );
    };
  }

  /**
   * An undici connector that checks every new connection: IP literals before connecting (net
   * skips `lookup` for them), names on each address they resolve to at that moment.
   */
  connector(connectTimeoutMs: number): buildConnector.connector {
    const byPort = new Map<number, buildConnector.connector>();
    return (options, callback) => {
      const port = Number(options.port) || DEFAULT_PORTS[options.protocol] || 80;
      const host = normalizeHost(options.hostname);
      const early = this.refusalWithoutDns(host, port);
      if (early instanceof EgressDeniedError) {
        queueMicrotask(() => callback(early, null));
        return;
      }
      let base = byPort.get(port);
      if (!base) {
        base = buildConnector({ timeout: connectTimeoutMs, lookup: this.lookupFor(port) });
        byPort.set(port, base);
      }
      base(options, callback);
    };
  }

  /** A dispatcher for requests to user-set URLs (webhooks); undici never follows redirects here. */
  agent(connectTimeoutMs: number): Agent {
    return new Agent({ connect: this.connector(connectTimeoutMs), keepAliveTimeout: 1_000 });
  }
}

/** Throws with every bad entry of LLMG_EGRESS_ALLOW; used by configuration validation. */
export function egressAllowErrors(spec: string | undefined): string[] {
  return parseAllowList(spec).errors;
}
