import { createSocket, type Socket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { isIPv4 } from "node:net";

const TYPE_A = 1;
const TYPE_AAAA = 28;

/** Answers one query: the addresses for this name and record type (empty: no record). */
export type DnsAnswer = (name: string, type: "A" | "AAAA") => string[];

export interface TestDnsServer {
  /** A resolver that asks only this server, for EgressGuard's `resolver` option. */
  resolver: Resolver;
  /** Queries seen, as "A name" / "AAAA name". */
  queries: string[];
  close(): Promise<void>;
}

function readName(packet: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = start;
  while (packet[at] !== 0) {
    const length = packet[at] ?? 0;
    labels.push(packet.subarray(at + 1, at + 1 + length).toString("ascii"));
    at += 1 + length;
  }
  return { name: labels.join(".").toLowerCase(), end: at + 1 };
}

function ipv6Bytes(address: string): Buffer {
  const [left = "", right = ""] = address.split("::");
  const head = left ? left.split(":") : [];
  const tail = right ? right.split(":") : [];
  const groups = address.includes("::")
    ? [...head, ...Array<string>(8 - head.length - tail.length).fill("0"), ...tail]
    : head;
  const bytes = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) bytes.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return bytes;
}

function reply(query: Buffer, answer: DnsAnswer, seen: string[]): Buffer {
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const type = qtype === TYPE_A ? "A" : qtype === TYPE_AAAA ? "AAAA" : undefined;
  if (type) seen.push(`${type} ${name}`);
  const addresses = type ? answer(name, type).filter((a) => isIPv4(a) === (type === "A")) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080, 2); // answer, AA, RD, RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const question = query.subarray(12, end + 4);
  const records = addresses.map((address) => {
    const data = type === "A" ? Buffer.from(address.split(".").map(Number)) : ipv6Bytes(address);
    const record = Buffer.alloc(12);
    record.writeUInt16BE(0xc00c, 0); // the question's name
    record.writeUInt16BE(qtype, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(0, 6); // TTL 0: nothing may cache it
    record.writeUInt16BE(data.length, 10);
    return Buffer.concat([record, data]);
  });
  return Buffer.concat([header, question, ...records]);
}

/** A tiny authoritative DNS server on 127.0.0.1 (UDP), answering from `answer`. */
export async function startDnsServer(answer: DnsAnswer): Promise<TestDnsServer> {
  const socket: Socket = createSocket("udp4");
  const queries: string[] = [];
  socket.on("message", (message, peer) => {
    try {
      socket.send(reply(message, answer, queries), peer.port, peer.address);
    } catch {
      // A packet we cannot read gets no answer (the resolver times out), as with a real server.
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const resolver = new Resolver({ timeout: 2_000, tries: 3 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  return {
    resolver,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
