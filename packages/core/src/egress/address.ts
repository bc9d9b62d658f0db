import { isIPv4, isIPv6 } from "node:net";

/**
 * Which IP addresses a user-set URL must never reach: everything that is not a plain public
 * unicast address. Pure functions (no DNS, no sockets), shared by the set-time check of a URL and
 * the connect-time check of every address a host name resolves to.
 */

export type AddressFamily = 4 | 6;

interface Range {
  base: bigint;
  bits: number;
  reason: string;
}

export interface Cidr {
  family: AddressFamily;
  base: bigint;
  bits: number;
}

const V4_BITS = 32;
const V6_BITS = 128;

function ipv4ToBigInt(text: string): bigint {
  let value = 0n;
  for (const part of text.split(".")) value = (value << 8n) | BigInt(Number(part));
  return value;
}

function ipv6ToBigInt(text: string): bigint {
  let head = text;
  // A dotted IPv4 tail (::ffff:127.0.0.1) becomes two hextets.
  const lastColon = head.lastIndexOf(":");
  const tail = head.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = ipv4ToBigInt(tail);
    head = `${head.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left = "", right] = head.split("::");
  const leftGroups = left === "" ? [] : left.split(":");
  const rightGroups = right === undefined || right === "" ? [] : right.split(":");
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [
    ...leftGroups,
    ...Array<string>(right === undefined ? 0 : missing).fill("0"),
    ...rightGroups,
  ];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  return value;
}

/** The numeric value of an IP literal (IPv6 without brackets or zone), or undefined for anything else. */
export function parseIp(text: string): { family: AddressFamily; value: bigint } | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4ToBigInt(text) };
  if (isIPv6(text) && !text.includes("%")) return { family: 6, value: ipv6ToBigInt(text) };
  return undefined;
}

function inRange(value: bigint, width: number, base: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

function v4(cidr: string, reason: string): Range {
  const [ip = "", bits = "32"] = cidr.split("/");
  return { base: ipv4ToBigInt(ip), bits: Number(bits), reason };
}

function v6(cidr: string, reason: string): Range {
  const [ip = "", bits = "128"] = cidr.split("/");
  return { base: ipv6ToBigInt(ip), bits: Number(bits), reason };
}

// Most specific first where ranges nest (broadcast inside 240/4).
const V4_DENIED: readonly Range[] = [
  v4("0.0.0.0/8", "unspecified"),
  v4("10.0.0.0/8", "private"),
  v4("100.64.0.0/10", "carrier-grade NAT"),
  v4("127.0.0.0/8", "loopback"),
  v4("169.254.0.0/16", "link-local"),
  v4("172.16.0.0/12", "private"),
  v4("192.0.0.0/24", "reserved"),
  v4("192.0.2.0/24", "documentation"),
  v4("192.88.99.0/24", "reserved"),
  v4("192.168.0.0/16", "private"),
  v4("198.18.0.0/15", "benchmarking"),
  v4("198.51.100.0/24", "documentation"),
  v4("203.0.113.0/24", "documentation"),
  v4("224.0.0.0/4", "multicast"),
  v4("255.255.255.255/32", "broadcast"),
  v4("240.0.0.0/4", "reserved"),
];

const V6_DENIED: readonly Range[] = [
  v6("::/128", "unspecified"),
  v6("::1/128", "loopback"),
  v6("100::/64", "discard"),
  v6("64:ff9b:1::/48", "local NAT64"),
  v6("2001:db8::/32", "documentation"),
  v6("fc00::/7", "unique-local"),
  v6("fe80::/10", "link-local"),
  v6("fec0::/10", "site-local"),
  v6("ff00::/8", "multicast"),
];

/** IPv6 ranges that carry an IPv4 address, and where: the v4 address is checked in their place. */
const V6_EMBEDDING: readonly { range: Range; extract: (value: bigint) => bigint[] }[] = [
  { range: v6("::ffff:0:0/96", "IPv4-mapped"), extract: (v) => [v & 0xffffffffn] },
  { range: v6("::ffff:0:0:0/96", "IPv4-translated"), extract: (v) => [v & 0xffffffffn] },
  { range: v6("64:ff9b::/96", "NAT64"), extract: (v) => [v & 0xffffffffn] },
  { range: v6("2002::/16", "6to4"), extract: (v) => [(v >> 80n) & 0xffffffffn] },
  // Teredo: the server's address, and the client's (stored inverted).
  {
    range: v6("2001::/32", "Teredo"),
    extract: (v) => [(v >> 64n) & 0xffffffffn, ~v & 0xffffffffn],
  },
];

function v4Reason(value: bigint): string | undefined {
  for (const range of V4_DENIED) if (inRange(value, V4_BITS, range.base, range.bits)) return range.reason;
  return undefined;
}

function v6Reason(value: bigint): string | undefined {
  for (const range of V6_DENIED) if (inRange(value, V6_BITS, range.base, range.bits)) return range.reason;
  for (const { range, extract } of V6_EMBEDDING) {
    if (!inRange(value, V6_BITS, range.base, range.bits)) continue;
    for (const embedded of extract(value)) {
      const reason = v4Reason(embedded);
      if (reason) return `${range.reason} ${reason}`;
    }
    return undefined;
  }
  // IPv4-compatible (::a.b.c.d, deprecated): never a real destination.
  if (value >> 32n === 0n) return "IPv4-compatible";
  return undefined;
}

/**
 * Why this IP address is not a public unicast destination ("loopback", "private", "IPv4-mapped
 * link-local", ...), or undefined when it is one. Anything that is not an IP literal is refused.
 */
export function deniedAddressReason(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return "not an IP address";
  return ip.family === 4 ? v4Reason(ip.value) : v6Reason(ip.value);
}

/** Parses "10.0.0.0/8" or "fd00::/8"; undefined when it is not a CIDR with a valid prefix length. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > (ip.family === 4 ? V4_BITS : V6_BITS)) return undefined;
  return { family: ip.family, base: ip.value, bits };
}

/** Whether the address lies in the CIDR (an IPv4-mapped IPv6 address also matches IPv4 CIDRs). */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  if (ip.family === cidr.family) {
    return inRange(ip.value, cidr.family === 4 ? V4_BITS : V6_BITS, cidr.base, cidr.bits);
  }
  if (ip.family === 6 && cidr.family === 4 && ip.value >> 32n === 0xffffn) {
    return inRange(ip.value & 0xffffffffn, V4_BITS, cidr.base, cidr.bits);
  }
  return false;
}
