import pino from "pino";

/**
 * JSON logs. Redaction is a second line of defence: no code path logs a header or a body,
 * but if one ever did, keys and secrets would still not reach the log.
 */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino(
    {
      level,
      base: { service: "llmg" },
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          "api_key",
          "*.api_key",
          "key",
          "*.key",
          "adminKey",
        ],
        censor: "[redacted]",
      },
    },
    // Buffered: one write per 4 KB of log lines rather than one per request, which the request
    // log would otherwise add to every call. Flushed on shutdown (flushLogs).
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
}

/** Writes out buffered log lines; call before the process exits. */
export function flushLogs(logger: { flush(cb?: (err?: Error) => void): void }): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

export type AppLogger = ReturnType<typeof createLogger>;
