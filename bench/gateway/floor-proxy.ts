import { createServer } from "node:http";
import { connect } from "node:net";
import pg from "pg";
import { Pool } from "undici";

/**
 * The least a gateway can do, for floor.ts: read the chat body, optionally make one Redis round
 * trip before the upstream call and one PostgreSQL insert after it, forward, answer. No auth,
 * no validation, no pricing: what is left is the cost of the hops themselves.
 *
 *   node --import tsx gateway/floor-proxy.ts <bare|redis|pg-durable|pg-fast|redis+pg-durable> <upstream> <database url> <redis port>
 */
const [mode = "bare", upstream = "", databaseUrl = "", redisPort = "6379"] = process.argv.slice(2);
const pool = new Pool(upstream, { connections: 16 });

/** One EVAL round trip in raw RESP (the bench has no Redis client of its own). */
function redisRoundTrip(): () => Promise<void> {
  const socket = connect(Number(redisPort), "127.0.0.1");
  socket.setNoDelay(true);
  const waiting: (() => void)[] = [];
  let buffered = "";
  socket.on("data", (chunk) => {
    buffered += chunk.toString();
    let end = buffered.indexOf("\r\n");
    while (end !== -1) {
      buffered = buffered.slice(end + 2);
      waiting.shift()?.();
      end = buffered.indexOf("\r\n");
    }
  });
  const script = "return redis.call('incr', KEYS[1])";
  const command = `*4\r\n$4\r\nEVAL\r\n$${script.length}\r\n${script}\r\n$1\r\n1\r\n$14\r\nllmg:floor:key\r\n`;
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      socket.write(command);
    });
}

const redis = mode.includes("redis") ? redisRoundTrip() : undefined;
const db = mode.includes("pg")
  ? new pg.Pool({
      connectionString: databaseUrl,
      ...(mode.includes("fast") ? { options: "-c synchronous_commit=off" } : {}),
    })
  : undefined;
if (db) await db.query("create table if not exists floor_rows (id bigserial primary key, body text)");

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    if (redis) await redis();
    const answer = await pool.request({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json", authorization: req.headers.authorization ?? "" },
      body: JSON.stringify(body),
    });
    const json = await answer.body.json();
    if (db) await db.query("insert into floor_rows (body) values ($1)", ["x"]);
    const text = JSON.stringify(json);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(
    `FLOOR_URL=http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}\n`,
  );
});
process.on("SIGTERM", () => process.exit(0));
