import { type Cidr, cidrContains, parseCidr, parseIp } from "./address";

/**
 * The operator's exceptions (LLMG_EGRESS_ALLOW): a host (name or IP) on any port, a host on one
 * port, or a CIDR of addresses. A listed name is trusted whatever it resolves to; a listed IP or
 * CIDR admits those addresses, whichever name led to them.
 */
export type AllowEntry =
  | { kind: "host"; host: string; port?: number }
  | { kind: "cidr"; cidr: Cidr; text: string };

export interface AllowList {
  entries: readonly AllowEntry[];
}

/** Lower case, no brackets, no trailing dots: the form hosts are compared in. */
export function normalizeHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h.replace(/\.+$/, "");
}

function parseEntry(raw: string): AllowEntry | string {
  if (raw.includes("://")) return "a host, host:port or CIDR is expected, not a URL";
  if (raw.includes("/")) {
    const cidr = parseCidr(raw);
    return cidr ? { kind: "cidr", cidr, text: raw } : "not a valid CIDR (e.g. 10.0.0.0/8, fd00::/8)";
  }
  // A bare IPv6 address has colons that are not a port.
  if (parseIp(raw)?.family === 6) return { kind: "host", host: normalizeHost(raw) };
  let url: URL;
  try {
    url = new URL(`http://${raw}`);
  } catch {
    return "not a host, host:port or CIDR";
  }
  // Anything beyond host[:port] (a scheme, a path, credentials) is a mistake worth stopping for.
  if (url.username || url.password || url.pathname !== "/" || url.search || url.hash || url.hostname === "") {
    return "not a host, host:port or CIDR";
  }
  if (raw.endsWith(":")) return "empty port";
  const port = url.port === "" ? (/:80$/.test(raw) ? 80 : undefined) : Number(url.port);
  return { kind: "host", host: normalizeHost(url.hostname), ...(port === undefined ? {} : { port }) };
}

/** Parses the comma-separated list; every bad entry is reported (with why) rather than skipped. */
export function parseAllowList(spec: string | undefined): { list: AllowList; errors: string[] } {
  const entries: AllowEntry[] = [];
  const errors: string[] = [];
  for (const part of (spec ?? "").split(",")) {
    const raw = part.trim();
    if (raw === "") continue;
    const entry = parseEntry(raw);
    if (typeof entry === "string") errors.push(`"${raw}": ${entry}`);
    else entries.push(entry);
  }
  return { list: { entries }, errors };
}

/** A listed host name (or literal) on this port. */
export function allowsHost(list: AllowList, host: string, port: number): boolean {
  return list.entries.some(
    (e) => e.kind === "host" && e.host === host && (e.port === undefined || e.port === port),
  );
}

/** An address admitted by a listed IP (on this port) or CIDR. */
export function allowsAddress(list: AllowList, address: string, port: number): boolean {
  const normalized = normalizeHost(address);
  const ip = parseIp(normalized);
  return list.entries.some((e) => {
    if (e.kind === "cidr") return cidrContains(e.cidr, normalized);
    if (e.port !== undefined && e.port !== port) return false;
    const listed = parseIp(e.host);
    return (
      listed !== undefined && ip !== undefined && listed.family === ip.family && listed.value === ip.value
    );
  });
}
