import type { IncomingMessage } from "node:http";

/**
 * The caller's address: the TCP peer, or with `trustedHops` proxies in front (LLMG_TRUST_PROXY)
 * the address that many hops back in X-Forwarded-For — what express's `trust proxy` with a hop
 * count gives as req.ip, so the chat fast path and express agree. Behind a load balancer without
 * it, every caller would share the balancer's address (and its auth-failure budget).
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string | null {
  const peer = req.socket.remoteAddress ?? null;
  if (trustedHops === 0 || peer === null) return peer;
  const header = req.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  // Nearest first: the peer, then X-Forwarded-For read from its end.
  const chain = [peer, ...forwarded.reverse()];
  return chain[Math.min(trustedHops, chain.length - 1)] ?? peer;
}
