import { parseArgs } from "node:util";
import {
  ApiError,
  type AppConfig,
  createAuthenticator,
  createContextInner,
  createCredentialResolver,
  createEgressGuard,
  createLimitsFor,
  createSecretBox,
  createUsageRecorder,
  createUserAccount,
  issueKey,
  loadConfig,
  rollupsCommand,
  type Services,
} from "@llmg/api";
import { findUserById, migrateToLatest } from "@llmg/db";
import { z } from "zod";
import { loadCatalog } from "./catalog";
import { openConfiguredDatabase } from "./gateway";
import { createLogger } from "./logger";
import { resolveEncryptionKey } from "./secrets";

const USAGE = `usage: pnpm llmg <command>

  migrate                                     apply pending database migrations
  users create --email E [--name N] [--budget USD] [--rpm N] [--tpm N]
                                              create a user and print its id and a new API key
  keys create --user ID [--name N]            create an API key for a user
  rollups run                                 roll new usage rows up now (the worker does it every minute)
  rollups rebuild [--from DATE]               recompute usage rollups from DATE (UTC day) or from scratch

Uses DATABASE_URL when set, else the embedded database in LLMG_DATA_DIR (default ./.llmg).
The embedded database can be opened by one process at a time: stop the server first.`;

class UsageError extends Error {}

async function withServices<T>(config: AppConfig, fn: (services: Services) => Promise<T>): Promise<T> {
  const handle = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(handle.db);
    const secrets = createSecretBox(resolveEncryptionKey(config, createLogger("warn")));
    // The CLI never admits chat calls; in-process limits only satisfy the Services shape.
    const limits = createLimitsFor({ db: handle.db, config, logger: createLogger("silent") });
    const services: Services = {
      config,
      db: handle.db,
      dbKind: handle.kind,
      // The CLI acts with the database's authority; it never authenticates a key.
      auth: createAuthenticator({ db: handle.db, adminKeyHash: "", cacheTtlMs: 0 }),
      logger: createLogger("silent"),
      catalog: loadCatalog(config),
      secrets,
      credentials: createCredentialResolver({ db: handle.db, secrets, ttlMs: 0 }),
      limiter: limits,
      limits,
      usage: createUsageRecorder(handle.db),
      egress: createEgressGuard(config),
    };
    return await fn(services);
  } finally {
    await handle.close();
  }
}

function cliContext(services: Services) {
  const ctx = createContextInner(services, {
    requestId: "cli",
    ip: null,
    userAgent: "llmg-cli",
    authorization: undefined,
  });
  ctx.principal = { kind: "admin" };
  return ctx;
}

const budget = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,10})?$/, "--budget must be a USD amount like 100 or 12.50")
  .optional();
const count = (flag: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, `${flag} must be a positive whole number`)
    .transform(Number)
    .optional();

export async function runCli(argv: string[], config: AppConfig, out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      budget: { type: "string" },
      rpm: { type: "string" },
      tpm: { type: "string" },
      user: { type: "string" },
      from: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals.join(" ");
  if (values.help || command === "" || command === "help") return out(USAGE);

  switch (command) {
    case "migrate": {
      const handle = await openConfiguredDatabase(config);
      try {
        const applied = await migrateToLatest(handle.db);
        out(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
      } finally {
        await handle.close();
      }
      return;
    }
    case "users create": {
      if (!values.email) throw new UsageError("users create needs --email");
      const input = {
        email: z.email("--email must be an email address").parse(values.email),
        name: values.name,
        monthly_budget_usd: budget.parse(values.budget) ?? null,
        rate_limit_rpm: count("--rpm").parse(values.rpm) ?? null,
        rate_limit_tpm: count("--tpm").parse(values.tpm) ?? null,
      };
      await withServices(config, async (services) => {
        const ctx = cliContext(services);
        const user = await createUserAccount(ctx, input);
        const key = await issueKey(ctx, user.id, "cli");
        out(`user ${user.id} (${user.email})`);
        out(`api key ${key.key}`);
        out("The key is shown once; store it now.");
      });
      return;
    }
    case "keys create": {
      if (!values.user) throw new UsageError("keys create needs --user");
      const userId = values.user;
      await withServices(config, async (services) => {
        const user = await findUserById(services.db, userId);
        if (!user) throw new UsageError(`no user ${userId}`);
        const key = await issueKey(cliContext(services), user.id, values.name ?? "cli");
        out(`api key ${key.key} (id ${key.id}) for ${user.email}`);
        out("The key is shown once; store it now.");
      });
      return;
    }
    case "rollups run":
    case "rollups rebuild": {
      // An operator's command, like the migrations: a rebuild reads every row of the range in
      // one statement, minutes on a large database, so the requests' statement timeout does
      // not apply to it.
      const handle = await openConfiguredDatabase({ ...config, LLMG_DB_STATEMENT_TIMEOUT_MS: 0 });
      try {
        await migrateToLatest(handle.db);
        out(await rollupsCommand(handle.db, command === "rollups run" ? "run" : "rebuild", values.from));
      } finally {
        await handle.close();
      }
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  (async () => {
    const config = loadConfig();
    await runCli(process.argv.slice(2), config, write);
  })().catch((error: unknown) => {
    const message =
      error instanceof z.ZodError
        ? error.issues.map((i) => i.message).join("; ")
        : error instanceof ApiError || error instanceof UsageError || error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`llmg: ${message}\n`);
    process.exitCode = 1;
  });
}
